"""``POST /v1/checks`` answers today's checks by joining the snapshot's fragments (issue 14):
the answer is what deciding each party gives, masked for checkers, signed (the receipt
verifies), and stored as sent."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.check import snapshot
from graph_service.check.snapshot_eval import decided_of
from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.audit_read import by_check
from graph_service.security.keys import create_key
from graph_service.security.masking import mask_result
from graph_service.security.roles import Caller, Role
from graph_service.security.signing import load_public_key, verify_receipt
from tests.snapshot.conftest import HUABEI, UNKNOWN, check

INVALID = HUABEI[:-1] + "X"
PARTIES = [HUABEI, UNKNOWN, INVALID, HUABEI.lower(), HUABEI]


def _decided(app: FastAPI, role: Role) -> list[dict[str, Any]]:
    """The results as deciding each party from the snapshot gives them (no fragments)."""
    evaluator = app.state.snapshot.evaluator
    caller = Caller("tests", role, "k")
    result = evaluator.from_snapshot(app.state.db, "bidding", PARTIES, date.today(), caller)
    shown = [r.as_json() for r in result.results]
    return [mask_result(r) for r in shown] if role is Role.CHECKER else shown


def test_a_joined_answer_is_the_decided_one_signed_and_stored_as_sent(
    app: FastAPI, client: TestClient, checker: dict[str, str], db: Database
) -> None:
    # Arrange
    investigator = _key(db, Role.INVESTIGATOR)
    # Act
    as_checker = check(client, checker, *PARTIES)
    as_investigator = check(client, investigator, *PARTIES)
    stored = client.get(f"/v1/checks/{as_investigator['check_id']}", headers=investigator)
    # Assert
    assert as_checker["results"] == _decided(app, Role.CHECKER)
    assert as_investigator["results"] == _decided(app, Role.INVESTIGATOR)
    assert as_checker["results"][0]["decision"] == "deny"  # HUABEI's judgment debt
    public_key = load_public_key(client.get("/v1/receipt-key").text)
    verify_receipt(as_checker, public_key)
    verify_receipt(as_investigator, public_key)
    assert stored.status_code == 200 and stored.json()["response"] == as_investigator
    # The audit entries keep what was decided, as answered (masked for the checker): made
    # beside the joined text, which is signed as it is and never parsed back
    for answer in (as_checker, as_investigator):
        [entry] = [e for e in by_check(db, answer["check_id"]) if e.kind == "check"]
        assert entry.payload["decisions"] == [decided_of(r) for r in answer["results"]]
        assert entry.payload["receipt"] == answer["receipt"]


def _key(db: Database, role: Role) -> dict[str, str]:
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), f"joined-{role.value}", role)
    return {"X-API-Key": key}


def test_rest_answers_from_the_fragment_what_the_row_could_no_longer_decide(
    app: FastAPI, client: TestClient, checker: dict[str, str]
) -> None:
    # Arrange: an answer as served, then the party's stored row made unreadable; its
    # precomputed answer (written beside it) is intact
    expected = check(client, checker, HUABEI)["results"]
    path = snapshot.current_path(app.state.snapshot.folder)
    assert path is not None
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE parties SET measures = 'not json' WHERE party_id = ?", (HUABEI,))
    conn.close()
    # Assert: the decided path cannot answer it any more...
    with pytest.raises(json.JSONDecodeError):
        _decided(app, Role.CHECKER)
    # ...REST still does, the same: it joined the fragment (a wrapped or lost joiner would
    # have decided from the row and failed)
    assert check(client, checker, HUABEI)["results"] == expected
