"""Check entries are durable in the host's local audit log before the answer, and reach Neo4j's
chain through the mirror: `audit show`, stored checks and `audit verify` see them."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security import audit_mirror, local_audit
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


def _gathered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, heads: list[int]) -> int:
    """Runs the mirror's wait for gathering entries while the log's newest seq reads ``heads``
    in turn (none mirrored yet); how many looks it took before it would copy."""
    monkeypatch.setattr(audit_mirror, "IDLE_S", 0.001)
    looks = iter(heads)
    monkeypatch.setattr(local_audit, "head", lambda conn: (next(looks), ""))
    mirror = audit_mirror.AuditMirror(cast(Database, None), tmp_path, batch_max=250)
    mirror._gather(cast(sqlite3.Connection, None))
    return len(heads) - len(list(looks))


def test_the_mirror_copies_arriving_entries_in_one_batch_and_a_lone_one_at_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Entries keep arriving: it waits until none came since the last look …
    assert _gathered(monkeypatch, tmp_path, [0, 40, 80, 120, 120, 999]) == 5
    # … or until a batch's worth waits, however fast they still arrive.
    assert _gathered(monkeypatch, tmp_path, [0, 100, 200, 300, 400, 500]) == 4
    # Quiet: once a look finds nothing new, what waits (a lone entry, or none) is copied.
    assert _gathered(monkeypatch, tmp_path, [0, 1, 1, 1]) == 3
    assert _gathered(monkeypatch, tmp_path, [1, 1, 1]) == 2


def test_a_reader_waiting_for_the_mirror_stops_its_gathering(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Entries keep arriving, so the mirror would gather them for up to a second; a receipt's
    # or feedback's lookup waits for its check's entry in Neo4j and asks it to copy now.
    log = local_audit.LocalAuditLog(tmp_path)
    monkeypatch.setattr(log, "progress", lambda: (10, 0))  # ten entries wait, none copied
    arriving = iter([0, 40, 80, 120, 160, 200, 240])

    def head(conn: sqlite3.Connection) -> tuple[int, str]:
        seq = next(arriving)
        if seq == 80:  # the lookup begins; nobody copies in this test, so it times out
            assert log.wait_mirrored(0.01) is False
        return seq, ""

    monkeypatch.setattr(audit_mirror, "IDLE_S", 0.001)
    monkeypatch.setattr(local_audit, "head", head)
    mirror = audit_mirror.AuditMirror(cast(Database, None), tmp_path, batch_max=250)
    mirror._gather(cast(sqlite3.Connection, None))
    assert list(arriving) == [120, 160, 200, 240]  # it copies after the look that was asked
