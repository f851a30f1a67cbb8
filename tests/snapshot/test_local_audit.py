"""Check entries are durable in the host's local audit log before the answer, and reach Neo4j's
chain through the mirror: `audit show`, stored checks and `audit verify` see them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security import local_audit
from graph_service.security.audit_read import by_check
from tests.conftest import cli_env, run_cli, unwritable_folder, wait_for
from tests.snapshot.conftest import HUABEI, check, serving_settings


def _local_checks(folder: Path) -> list[str]:
    with sqlite3.connect(folder / local_audit.FILE_NAME) as conn:
        rows = conn.execute("SELECT payload FROM entries WHERE kind = 'check' ORDER BY seq")
        return [r[0] for r in rows]


def test_an_answered_check_is_in_the_local_log_then_in_neo4j(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    settings = serving_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        answer = check(client, checker, HUABEI)
        # Durable locally when the answer left (the mirror may not have run yet).
        assert any(answer["check_id"] in payload for payload in _local_checks(tmp_path / "audit"))
        stored = client.get(f"/v1/checks/{answer['check_id']}", headers=checker)
    assert stored.status_code == 403  # a checker may not read stored checks: the route ran
    (entry,) = [e for e in by_check(world, answer["check_id"]) if e.kind == "check"]
    assert entry.payload["decisions"][0]["decision"] == "deny"
    assert entry.payload["receipt"] == answer["receipt"]
    env = cli_env(CREDIT_GRAPH_AUDIT_LOCAL_DIR=str(tmp_path / "audit"))
    done = run_cli("audit", "verify", env=env)
    assert done.returncode == 0, done.stderr
    assert "local audit log OK: 1 entries" in done.stdout
    assert "1 in Neo4j's log, 0 waiting for the mirror" in done.stdout


def test_feedback_right_after_the_answer_finds_the_stored_check(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    with TestClient(create_app(serving_settings(tmp_path))) as client:
        answer = check(client, checker, HUABEI)
        url = f"/v1/checks/{answer['check_id']}/feedback"
        response = client.post(url, json={"party_id": HUABEI}, headers=checker)
    assert response.status_code == 201, response.text


def test_an_unwritable_local_log_is_503_and_no_answer(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    settings = serving_settings(tmp_path, audit_local_dir=unwritable_folder(tmp_path, "audit"))
    with TestClient(create_app(settings)) as client:
        body = {"context": "bidding", "parties": [HUABEI], "purpose": "unwritable"}
        response = client.post("/v1/checks", json=body, headers=checker)
    assert response.status_code == 503
    assert response.json()["error"] == "audit_unavailable"
    assert "results" not in response.json()


def _mirror_processes() -> list[int]:
    """Processes started by this one running the audit mirror's module."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"graph_service.security.audit_mirror" in command and parent == os.getpid():
            found.append(int(proc.name))
    return found


def test_the_mirror_copies_from_a_process_of_its_own_and_stops_with_the_service(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    with TestClient(create_app(serving_settings(tmp_path))) as client:
        answer = check(client, checker, HUABEI)
        wait_for(
            lambda: [e for e in by_check(world, answer["check_id"]) if e.kind == "check"],
            30,
            "not mirrored while the service runs",
        )
        assert len(_mirror_processes()) == 1
    assert _mirror_processes() == []
