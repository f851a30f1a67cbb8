"""Stored checks are in the audit chain, and the chain is anchored outside the database.

An edit of a stored check in the graph (its answer, its feedback), a planted or a deleted check
are named by ``credit-graph audit verify`` and never served by ``GET /v1/checks/{id}``; the
newest entries truncated with the head moved back are found against a signed anchor
(``credit-graph audit anchor``). Every edit here is a real Cypher statement on the real graph
(tests/cypher/meta/test_*.cypher), as someone with write access to the database would make it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.appender import Attachment, AuditLog
from graph_service.security.audit import Actor, Entry
from graph_service.security.audit_read import by_check
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.roles import Role
from tests.conftest import run_cli
from tests.security.conftest import (
    OFFICER_BAN,
    PERSON,
    MakeKey,
    auth,
    check_body,
    person_evaluator,
    use_evaluator,
)


@pytest.fixture
def denied(app: FastAPI, client: TestClient, make_key: MakeKey) -> dict[str, Any]:
    """A check of PERSON answered ``deny`` (officer_ban) to the checker "portal"."""
    use_evaluator(app, person_evaluator([OFFICER_BAN]))
    checker = auth(make_key(Role.CHECKER, "portal"))
    body = client.post("/v1/checks", json=check_body(parties=[PERSON]), headers=checker).json()
    assert body["results"][0]["decision"] == "deny"
    return {
        "check_id": body["check_id"],
        "checker": checker,
        "investigator": auth(make_key(Role.INVESTIGATOR, "inspector")),
    }


def _check_entry(db: Database, check_id: str) -> Entry:
    return next(e for e in by_check(db, check_id) if e.kind == "check")


def _stored_row(db: Database, check_id: str) -> dict[str, Any]:
    row: dict[str, Any] = db.read("audit/check_by_id", check_id=check_id)[0]["check"]
    return row


def _allow_instead(db: Database, check_id: str) -> None:
    """Turns the stored answer's deny into allow, in the graph."""
    response = json.loads(_stored_row(db, check_id)["response"])
    response["results"][0].update(decision="allow", measures=[])
    db.write("meta/test_edit_stored_check", check_id=check_id, response=json.dumps(response))


def _tampered(response: Any) -> None:
    assert response.status_code == 500, response.text
    body = response.json()
    assert body["error"] == "stored_check_tampered"
    assert "allow" not in response.text and "deny" not in response.text  # nothing of it served


# --- an edited answer -----------------------------------------------------------------------


def test_an_intact_check_is_served_as_verified(client: TestClient, denied: dict[str, Any]) -> None:
    view = client.get(f"/v1/checks/{denied['check_id']}", headers=denied["investigator"])
    assert view.status_code == 200, view.text
    assert view.json()["integrity"] == "verified"
    assert view.json()["response"]["results"][0]["decision"] == "deny"
    done = run_cli("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unprotected" not in done.stdout


def test_an_answer_edited_in_the_graph_is_named_by_verify_and_never_served(
    client: TestClient, denied: dict[str, Any], db: Database
) -> None:
    check_id = denied["check_id"]
    seq = _check_entry(db, check_id).seq
    _allow_instead(db, check_id)
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert (
        f"entry {seq}: stored check {check_id} was changed after it was logged (digest mismatch)"
        in done.stdout.splitlines()
    )
    _tampered(client.get(f"/v1/checks/{check_id}", headers=denied["investigator"]))
    # Feedback is judged against the stored answer: refused on an edited one as well.
    feedback = {"party_id": PERSON, "applied": ["officer_ban"]}
    _tampered(
        client.post(f"/v1/checks/{check_id}/feedback", json=feedback, headers=denied["checker"])
    )


def test_edited_feedback_is_named_by_verify_and_the_check_is_not_served(
    client: TestClient, denied: dict[str, Any], db: Database
) -> None:
    check_id = denied["check_id"]
    url = f"/v1/checks/{check_id}/feedback"
    not_applied = {"party_id": PERSON, "not_applied": [{"measure": "officer_ban", "reason": "x"}]}
    given = client.post(url, json=not_applied, headers=denied["checker"])
    assert given.status_code == 201, given.text
    db.write("meta/test_edit_check_feedback", check_id=check_id, applied=["officer_ban"])
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    seq = given.json()["audit_seq"]
    assert f"entry {seq}: feedback on check {check_id} was changed" in done.stdout
    _tampered(client.get(f"/v1/checks/{check_id}", headers=denied["investigator"]))


def test_an_entry_rewritten_with_its_own_hash_is_caught_by_get(
    client: TestClient, denied: dict[str, Any], db: Database
) -> None:
    # The attacker edits the answer, then puts the new answer's digest into the entry and
    # recomputes the entry's hash: only the link to the entry after it still gives it away.
    check_id = denied["check_id"]
    _allow_instead(db, check_id)
    row = {k: v for k, v in _stored_row(db, check_id).items() if k != "audit_seq"}
    entry = _check_entry(db, check_id)
    forged = replace(
        entry, payload={**entry.payload, "stored_digest": sha256_hex(canonical_json(row))}
    )
    db.write(
        "meta/test_rewrite_audit_entry",
        seq=entry.seq,
        payload=canonical_json(forged.payload).decode("utf-8"),
        hash=forged.computed_hash(),
    )
    _tampered(client.get(f"/v1/checks/{check_id}", headers=denied["investigator"]))
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert f"entry {entry.seq + 1}: prev_hash does not match" in done.stdout


# --- planted, deleted, and checks from before digests ------------------------------------------


def test_a_planted_and_a_deleted_check_are_named_by_verify(
    client: TestClient, denied: dict[str, Any], db: Database
) -> None:
    check_id = denied["check_id"]
    seq = _check_entry(db, check_id).seq
    planted = {**_stored_row(db, check_id), "check_id": "planted-1"}
    db.write("meta/test_plant_check", row=planted)
    db.write("meta/test_delete_check", check_id=check_id)
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"entry {seq}: stored check {check_id} is missing (deleted)" in lines
    assert "stored check planted-1 has no audit entry (planted, or its entry hidden)" in lines
    _tampered(client.get("/v1/checks/planted-1", headers=denied["investigator"]))
    assert client.get(f"/v1/checks/{check_id}", headers=denied["investigator"]).status_code == 404


def test_a_check_stored_before_digests_is_served_marked_unprotected(
    client: TestClient, make_key: MakeKey, db: Database
) -> None:
    # What the service wrote before stored checks were digested: the entry without a digest.
    request = {"context": "bidding", "parties": [PERSON], "purpose": "old", "as_of": None}
    answer = {"check_id": "old-1", "results": [{"party_id": PERSON, "decision": "deny"}]}
    row = {
        "check_id": "old-1",
        "created_at": "2026-01-01T00:00:00.000000Z",
        "caller_name": "portal",
        "caller_role": "checker",
        "caller_key_id": "0123456789ab",
        "purpose": "old",
        "request": json.dumps(request),
        "response": json.dumps(answer),
    }
    payload = {"check_id": "old-1", "parties": [PERSON], "decisions": []}
    with AuditLog(db) as audit:
        actor = Actor("portal", "checker", "0123456789ab")
        audit.append_sync("check", actor, payload, Attachment("audit/create_checks", row))
    view = client.get("/v1/checks/old-1", headers=auth(make_key(Role.INVESTIGATOR)))
    assert view.status_code == 200, view.text
    assert view.json()["integrity"] == "unprotected"
    done = run_cli("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "logged before digests are unprotected (entries 1)" in done.stdout


# --- anchors -----------------------------------------------------------------------------------


def test_an_anchor_finds_the_newest_entries_truncated_with_the_head_moved_back(
    client: TestClient, denied: dict[str, Any], db: Database, tmp_path: Path
) -> None:
    anchor = tmp_path / "anchor.json"
    done = run_cli("audit", "anchor", "--output", str(anchor))
    assert done.returncode == 0, done.stderr
    head = db.read("audit/head", name="audit")[0]
    signed = json.loads(anchor.read_text("utf-8"))
    assert (signed["seq"], signed["hash"]) == (head["seq"], head["hash"])
    assert signed["receipt"]["algorithm"] == "Ed25519"
    assert run_cli("audit", "verify", "--anchor", str(anchor)).returncode == 0
    # Hide the newest check entirely: its entry, its stored check, and the head moved back.
    kept = _check_entry(db, denied["check_id"]).seq - 1
    db.write("meta/test_truncate_audit", seq=kept)
    db.write("meta/test_move_audit_head", seq=kept)
    plain = run_cli("audit", "verify")
    assert plain.returncode == 0, plain.stdout  # the chain alone cannot see it
    anchored = run_cli("audit", "verify", "--anchor", str(anchor))
    assert anchored.returncode == 1
    assert (
        f"entry {head['seq']} (anchored {signed['anchored_at']}) is missing: the log ends at "
        f"entry {kept}" in anchored.stdout
    )


def test_a_changed_anchor_is_refused(denied: dict[str, Any], tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.json"
    assert run_cli("audit", "anchor", "-o", str(anchor)).returncode == 0
    signed = json.loads(anchor.read_text("utf-8"))
    anchor.write_text(json.dumps({**signed, "seq": signed["seq"] - 1}), "utf-8")
    done = run_cli("audit", "verify", "--anchor", str(anchor))
    assert done.returncode == 1
    assert "does not verify" in done.stderr and "signature" in done.stderr


def test_anchor_to_stdout_and_refused_for_a_log_that_does_not_verify(
    denied: dict[str, Any], db: Database
) -> None:
    done = run_cli("audit", "anchor")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seq"] == db.read("audit/head", name="audit")[0]["seq"]
    _allow_instead(db, denied["check_id"])
    refused = run_cli("audit", "anchor")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "error: the audit log does not verify (1 problem(s))" in refused.stderr
    assert f"stored check {denied['check_id']} was changed" in refused.stderr


def test_an_entry_beyond_the_head_is_named(denied: dict[str, Any], db: Database) -> None:
    head = db.read("audit/head", name="audit")[0]["seq"]
    db.write("meta/test_plant_audit_entry", seq=head + 1)
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert f"entry {head + 1} comes after the head (entry {head})" in done.stdout


def test_openapi_documents_the_tampered_answer(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/v1/checks/{check_id}", "get"),
        ("/v1/checks/{check_id}/feedback", "post"),
    ]:
        responses = paths[path][method]["responses"]
        assert "stored_check_tampered" in responses["500"]["description"]
