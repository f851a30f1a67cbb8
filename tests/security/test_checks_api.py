"""POST /v1/checks: the answer's shape, validation (422 naming the field), the stored check,
masking by role, failures without internals, and 503 when the audit log cannot be written.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.check import CheckResult
from graph_service.db import Database
from graph_service.security.appender import HEAD_NAME
from graph_service.security.audit_read import by_check
from graph_service.security.roles import Role
from tests.security.conftest import (
    BAD_USCC,
    COMPANY,
    OFFICER_BAN,
    PERSON,
    MakeKey,
    auth,
    check_body,
    person_evaluator,
    use_evaluator,
)


@pytest.fixture
def checker(make_key: MakeKey) -> dict[str, str]:
    return auth(make_key(Role.CHECKER, "procurement-portal"))


def test_answer_has_exactly_the_agreed_shape_in_request_order(
    client: TestClient, checker: dict[str, str]
) -> None:
    parties = [PERSON, BAD_USCC, COMPANY, PERSON]
    response = client.post("/v1/checks", json=check_body(parties=parties), headers=checker)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "check_id", "context", "as_of", "catalog_version", "run_id", "snapshot_at", "results",
        "receipt",
    }  # fmt: skip
    assert uuid.UUID(body["check_id"]).version == 4
    assert (body["context"], body["as_of"]) == ("bidding", date.today().isoformat())
    assert [r["party_id"] for r in body["results"]] == parties
    assert all(
        set(r) == {"party_id", "found", "name", "kind", "decision", "measures", "error"}
        for r in body["results"]
    )
    assert body["results"][0] | {} == {
        "party_id": PERSON, "found": False, "name": None, "kind": "person",
        "decision": "allow", "measures": [], "error": None,
    }  # fmt: skip
    assert body["results"][1]["error"] == "invalid_identifier"
    assert body["results"][1]["decision"] is None
    assert set(body["receipt"]) == {"key_id", "algorithm", "signature"}
    assert body["receipt"]["algorithm"] == "Ed25519"


def test_as_of_is_echoed(client: TestClient, checker: dict[str, str]) -> None:
    body = check_body(as_of="2025-06-30")
    assert client.post("/v1/checks", json=body, headers=checker).json()["as_of"] == "2025-06-30"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": None}, "purpose"),
        ({"purpose": "   "}, "purpose"),
        ({"parties": []}, "parties"),
        ({"parties": [COMPANY] * 1001}, "parties"),
        ({"parties": [COMPANY, ""]}, "parties[1]"),
        ({"parties": "91130102RG8E64XKKR"}, "parties"),
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"as_of": 20260101}, "as_of"),
        ({"context": "lottery"}, "context"),
        ({"context": None}, "context"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_requests_are_422_naming_the_field(
    client: TestClient, checker: dict[str, str], change: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in {**check_body(), **change}.items() if v is not None}
    response = client.post("/v1/checks", json=body, headers=checker)
    assert response.status_code == 422
    error = response.json()
    assert error["error"] == "invalid_input"
    assert error["fields"] == [field]
    assert error["message"].startswith(f"{field}: ")


def test_unknown_context_lists_the_known_ones(client: TestClient, checker: dict[str, str]) -> None:
    response = client.post("/v1/checks", json=check_body(context="lottery"), headers=checker)
    assert "government_procurement" in response.json()["message"]


def test_a_body_that_is_not_json_is_422(client: TestClient, checker: dict[str, str]) -> None:
    headers = {**checker, "Content-Type": "application/json"}
    response = client.post("/v1/checks", content=b"{not json", headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_check_is_stored_and_audited_before_the_answer(
    client: TestClient, checker: dict[str, str], db: Database
) -> None:
    body = client.post("/v1/checks", json=check_body(), headers=checker).json()
    stored = db.read("audit/check_by_id", check_id=body["check_id"])
    assert stored and stored[0]["check"]["caller_name"] == "procurement-portal"
    [entry] = by_check(db, body["check_id"])
    assert entry.kind == "check"
    assert entry.actor.name == "procurement-portal" and entry.actor.role == "checker"
    assert entry.payload["purpose"] == "bid evaluation 2026-017"
    assert entry.payload["parties"] == [COMPANY]
    assert entry.payload["decisions"][0]["decision"] == "allow"
    assert entry.payload["receipt"] == body["receipt"]


def test_checker_sees_persons_masked_investigator_whole(
    app: FastAPI, client: TestClient, make_key: MakeKey
) -> None:
    use_evaluator(app, person_evaluator([OFFICER_BAN]))
    answers = {
        role: client.post(
            "/v1/checks", json=check_body(parties=[PERSON]), headers=auth(make_key(role))
        ).json()["results"][0]
        for role in (Role.CHECKER, Role.INVESTIGATOR)
    }
    masked, whole = answers[Role.CHECKER], answers[Role.INVESTIGATOR]
    assert masked["party_id"] == PERSON  # the checker's own input, echoed
    assert masked["name"] == "张*"
    path = masked["measures"][0]["path"]
    assert path[0] == {"party_id": COMPANY, "name": "石家庄华北建设工程有限公司", "relation": None}
    assert path[1]["party_id"] == "1301**********8350" and path[1]["name"] == "张*"
    assert masked["measures"][0]["record"]["ref"] == "(2023)冀0102执1号|1301**********8350"
    assert masked["measures"][0]["until"] == "2027-05-31"
    assert whole["name"] == "张伟" and whole["measures"][0]["path"][1]["party_id"] == PERSON


def test_an_evaluation_failure_is_500_without_internals(
    app: FastAPI, client: TestClient, checker: dict[str, str]
) -> None:
    def broken(*args: object) -> CheckResult:
        raise RuntimeError("bolt://secret-host:7687 password=hunter2")

    use_evaluator(app, broken)
    response = client.post("/v1/checks", json=check_body(), headers=checker)
    assert response.status_code == 500
    assert response.json()["error"] == "check_failed"
    assert "secret" not in response.text and "hunter2" not in response.text
    assert "reference" in response.json()["message"]


def test_unwritable_audit_log_fails_the_check_with_503(
    client: TestClient, checker: dict[str, str], db: Database
) -> None:
    client.post("/v1/checks", json=check_body(), headers=checker)  # entries exist, head at N
    head = db.read("audit/head", name=HEAD_NAME)[0]["seq"]
    # Someone took the next seq: the append now violates the seq constraint in Neo4j.
    db.write("meta/test_plant_audit_entry", seq=head + 1)
    nodes_before = db.read("meta/count_nodes")[0]["nodes"]
    response = client.post("/v1/checks", json=check_body(), headers=checker)
    assert response.status_code == 503
    assert response.json() == {
        "error": "audit_unavailable",
        "message": "the audit log cannot be written",
    }
    assert "receipt" not in response.text
    assert db.read("meta/count_nodes")[0]["nodes"] == nodes_before  # no check stored either
