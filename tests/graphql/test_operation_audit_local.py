"""GraphQL operations are audited in the host's local audit log when the service keeps one (as
checks are), and reach Neo4j's chain through the mirror: "who looked at this party" and
`audit verify` see them there (issue 13: no Neo4j write transaction per operation)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from graphql import parse

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.gql.operation_audit import parties_asked
from graph_service.security import local_audit
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.audit_read import by_party
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, cli_env, make_settings, run_cli, unwritable_folder, wait_for
from tests.graphql.conftest import HUABEI

PARTY = """query ($id: String!) { party(id: $id) { ... on Party { name } } }"""


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The test Neo4j with a local audit log (and its mirror process) in this test's folder."""
    values: dict[str, Any] = {"audit_local": True, "audit_local_dir": tmp_path / "audit"}
    return make_settings(**(values | overrides))


@pytest.fixture
def investigator(db: Database, tmp_path: Path) -> dict[str, str]:
    """The sample companies in an emptied graph, and headers with an investigator key."""
    folder = tmp_path / "registries"
    folder.mkdir()
    shutil.copy(ROOT / "tests/fixtures/registries/companies.csv", folder / "companies.csv")
    load_directory(db, folder, LoadOptions(reject_dir=tmp_path))
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), "local-gql", Role.INVESTIGATOR)
    return {"X-API-Key": key}


def _local_graphql(folder: Path) -> list[dict[str, Any]]:
    """The payloads of the ``graphql`` entries in the local log of ``folder``."""
    conn = local_audit.connect(folder / local_audit.FILE_NAME)
    try:
        return [
            e.entry.payload
            for e in local_audit.entries_after(conn, 0, 1000)
            if e.entry.kind == "graphql"
        ]
    finally:
        conn.close()


def test_an_operation_is_logged_locally_then_mirrored_and_verified(
    db: Database, tmp_path: Path, investigator: dict[str, str]
) -> None:
    settings = _settings(tmp_path)  # the default: the answer does not wait for the entry
    with TestClient(create_app(settings)) as client:
        body = {"query": PARTY, "variables": {"id": HUABEI.lower()}}
        response = client.post("/graphql", json=body, headers=investigator)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["party"]["name"] == "石家庄华北建设工程有限公司"
        wait_for(lambda: _local_graphql(tmp_path / "audit"), 10, "no graphql entry in the log")
        assert _local_graphql(tmp_path / "audit") == [
            {"operation": None, "fields": ["party"], "parties": [HUABEI],
             "variables": {"id": HUABEI.lower()}},
        ]  # fmt: skip
        local = client.app.state.security.local_audit  # type: ignore[attr-defined]
        assert local.wait_mirrored(20), "the entry never reached Neo4j"
        # the worker wrote no Neo4j audit transaction of its own: the mirror's process did
        assert "audit/create_entries" not in client.app.state.db.query_counts  # type: ignore[attr-defined]
    (entry,) = [e for e in by_party(db, HUABEI) if e.kind == "graphql"]
    assert entry.actor.role == "investigator"
    assert entry.payload["fields"] == ["party"]
    env = cli_env(CREDIT_GRAPH_AUDIT_LOCAL_DIR=str(tmp_path / "audit"))
    done = run_cli("audit", "verify", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "local audit log OK: 1 entries" in done.stdout


def test_an_unwritable_local_log_withholds_the_answer_when_it_is_waited_for(
    db: Database, tmp_path: Path, investigator: dict[str, str]
) -> None:
    audit = unwritable_folder(tmp_path, "audit")
    settings = _settings(tmp_path, audit_local_dir=audit, graphql_audit_wait=True)
    with TestClient(create_app(settings)) as client:
        body = {"query": PARTY, "variables": {"id": HUABEI}}
        response = client.post("/graphql", json=body, headers=investigator)
    assert response.status_code == 503
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"] == {"code": "audit_unavailable"}


def test_the_parties_asked_are_those_of_each_request_though_the_document_is_remembered() -> None:
    document = parse(
        """query ($id: String!, $to: String!) {
             party(id: $id) { ... on Party { paths(to: $to) { __typename } } }
             b: party(id: "130102197203158350") { __typename } }"""
    )
    first = parties_asked(document, {"id": HUABEI.lower(), "to": "130104198007224880"})
    again = parties_asked(document, {"id": "91130104pqxr0qed47", "to": "130105198501094897"})
    assert first == {HUABEI, "130104198007224880", "130102197203158350"}
    assert again == {"91130104PQXR0QED47", "130105198501094897", "130102197203158350"}
