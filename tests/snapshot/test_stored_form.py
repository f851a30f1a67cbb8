"""A big check's answer is stored compressed (issue 14): served exactly as it was sent, its
feedback judged against it, verified by `audit verify`; answers stored as text before still
read and verify; a compressed answer that cannot be read back is refused by name."""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.errors import StoredCheckUnreadable
from graph_service.security.appender import Attachment, AuditLog
from graph_service.security.audit import STORED_DIGEST, Actor, Event, now_stamp, stored_digest
from graph_service.security.keys import create_key
from graph_service.security.local_audit import LocalAuditLog
from graph_service.security.roles import Role
from graph_service.security.stored import (
    COMPACT_FROM,
    RESPONSE_ZLIB,
    response_text,
    stored_response,
)
from tests.conftest import cli_env, run_cli, wait_for
from tests.snapshot.conftest import HUABEI, UNKNOWN, check, serving_settings

#: Enough parties for an answer well over COMPACT_FROM characters.
MANY = [HUABEI, UNKNOWN] * 30


# --- the two forms, pure -------------------------------------------------------------------


def test_a_big_answer_is_compressed_and_reads_back_to_the_same_text() -> None:
    text = json.dumps({"results": [{"name": "华北建设", "n": i} for i in range(2_000)]})
    stored = stored_response(text)
    assert list(stored) == [RESPONSE_ZLIB]
    assert stored[RESPONSE_ZLIB].isascii() and len(stored[RESPONSE_ZLIB]) < len(text) / 5
    assert response_text(stored) == text
    small = text[: COMPACT_FROM - 1]
    assert stored_response(small) == {"response": small}
    assert response_text({"response": small}) == small  # the form of every older row


def _packed(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.mark.parametrize(
    ("packed", "why"),
    [
        (_packed(zlib.compress(b'{"results":[]}' * 99)[:-9]), "its compressed text is cut short"),
        (_packed(zlib.compress(b"{}") + b"\x00"), "bytes follow the end of its compressed text"),
        (_packed(b"not zlib at all"), "its compressed text is corrupt (Error -3"),
        ("not base64!", "its compressed text is corrupt (Only base64"),
        (_packed(zlib.compress(b'{"name":"\xff"}')), "its compressed text is corrupt ('utf-8'"),
    ],
)
def test_an_unreadable_compressed_answer_is_refused_by_name(packed: str, why: str) -> None:
    with pytest.raises(StoredCheckUnreadable) as raised:
        response_text({"check_id": "c1", RESPONSE_ZLIB: packed})
    assert str(raised.value).startswith(f"the stored answer of check c1 cannot be read: {why}")
    assert raised.value.code == "stored_check_unreadable" and raised.value.http_status == 500


# --- over HTTP, with the local log and its mirror ----------------------------------------------


def _key(db: Database, role: Role) -> dict[str, str]:
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), f"stored-{role.value}", role)
    return {"X-API-Key": key}


def _stored_row(db: Database, check_id: str) -> dict[str, Any]:
    row: dict[str, Any] = db.read("audit/check_by_id", check_id=check_id)[0]["check"]
    return row


def _verify(tmp_path: Path) -> Any:
    return run_cli(
        "audit", "verify", env=cli_env(CREDIT_GRAPH_AUDIT_LOCAL_DIR=str(tmp_path / "audit"))
    )


def test_a_big_answer_is_stored_compressed_served_as_sent_and_verified(
    client: TestClient, checker: dict[str, str], db: Database, tmp_path: Path
) -> None:
    # Arrange
    investigator = _key(db, Role.INVESTIGATOR)
    body = {"context": "bidding", "parties": MANY, "purpose": "stored form"}
    # Act
    posted = client.post("/v1/checks", json=body, headers=investigator)
    small = check(client, checker, HUABEI)
    check_id = posted.json()["check_id"]
    view = client.get(f"/v1/checks/{check_id}", headers=investigator)
    feedback = client.post(
        f"/v1/checks/{check_id}/feedback", json={"party_id": HUABEI}, headers=investigator
    )
    # Assert
    assert posted.status_code == 200 and len(posted.text) >= COMPACT_FROM
    row = _stored_row(db, check_id)
    assert "response" not in row and len(row[RESPONSE_ZLIB]) < len(posted.text) / 4
    assert response_text(row) == posted.text  # byte for byte what was sent
    assert view.status_code == 200 and view.json()["integrity"] == "verified"
    assert view.json()["response"] == posted.json()
    assert feedback.status_code == 201, feedback.text
    assert RESPONSE_ZLIB not in _stored_row(db, small["check_id"])  # a small one stays text
    done = _verify(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def _logged(folder: Path, row: dict[str, Any], parties: list[str]) -> None:
    """Appends a check entry with ``row`` stored beside it to the local log in ``folder``, as
    a writer of the service does (the entry carries the row's digest)."""
    payload = {"check_id": row["check_id"], "purpose": row["purpose"], "context": "bidding",
               "as_of": "2026-12-07", "catalog_version": "x", "parties": parties,
               "decisions": [], "receipt": {}, STORED_DIGEST: stored_digest(row)}  # fmt: skip
    local = LocalAuditLog(folder)
    try:
        event = Event("check", Actor(row["caller_name"], row["caller_role"]), payload)
        local.submit(event, Attachment("audit/create_checks", row)).result(10)
    finally:
        local.close()


def _row_like(**response: str) -> dict[str, Any]:
    """A ``:Check`` row of a check of MANY by the investigator, its answer in ``response``."""
    return {"check_id": str(uuid.uuid4()), "created_at": now_stamp(),
            "caller_name": "stored-investigator", "caller_role": "investigator",
            "purpose": "stored form", "request": json.dumps({"parties": MANY}),
            **response}  # fmt: skip


def _mirrored(db: Database, check_id: str) -> None:
    wait_for(lambda: db.read("audit/check_by_id", check_id=check_id), 30, "not mirrored")


def test_a_big_answer_stored_as_text_before_still_reads_and_verifies(
    world: Database, tmp_path: Path
) -> None:
    # Arrange: a big answer as the service stored it before compression (its text in
    # `response`), written to the local log and mirrored to Neo4j as then
    investigator = _key(world, Role.INVESTIGATOR)
    body = {"context": "bidding", "parties": MANY, "purpose": "stored form"}
    with TestClient(create_app(serving_settings(tmp_path))) as client:
        posted = client.post("/v1/checks", json=body, headers=investigator)
        old = _row_like(response=posted.text)
        _logged(tmp_path / "audit", old, MANY)
        _mirrored(world, old["check_id"])
        # Act
        view = client.get(f"/v1/checks/{old['check_id']}", headers=investigator)
    # Assert
    assert "response" in _stored_row(world, old["check_id"])
    assert view.status_code == 200, view.text
    assert view.json()["response"] == posted.json()
    done = _verify(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_compressed_answer_cut_short_is_never_served(
    client: TestClient, db: Database, tmp_path: Path
) -> None:
    # Arrange: a big answer stored, then its compressed text cut in half in the graph
    investigator = _key(db, Role.INVESTIGATOR)
    body = {"context": "bidding", "parties": MANY, "purpose": "stored form"}
    check_id = client.post("/v1/checks", json=body, headers=investigator).json()["check_id"]
    _mirrored(db, check_id)
    db.write("meta/test_cut_stored_answer", check_id=check_id)
    # Act
    view = client.get(f"/v1/checks/{check_id}", headers=investigator)
    done = _verify(tmp_path)
    # Assert: the entry's digest no longer matches: named, nothing of it served
    assert view.status_code == 500 and view.json()["error"] == "stored_check_tampered"
    assert "results" not in view.text and "deny" not in view.text
    assert done.returncode == 1
    assert f"stored check {check_id} was changed after it was logged" in done.stdout


def test_a_compressed_answer_written_unreadable_is_refused_by_name(
    world: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange: an entry whose digest vouches for a compressed answer that cannot be read
    # back (as a faulty writer would leave it): the chain cannot tell, reading it must
    investigator = _key(world, Role.INVESTIGATOR)
    body = {"context": "bidding", "parties": MANY, "purpose": "stored form"}
    with TestClient(create_app(serving_settings(tmp_path))) as client:
        posted = client.post("/v1/checks", json=body, headers=investigator)
        whole = stored_response(posted.text)[RESPONSE_ZLIB]
        cut = _row_like(**{RESPONSE_ZLIB: whole[: len(whole) // 8 * 4]})  # valid base64
        _logged(tmp_path / "audit", cut, MANY)
        _mirrored(world, cut["check_id"])
        # Act
        view = client.get(f"/v1/checks/{cut['check_id']}", headers=investigator)
        feedback = client.post(
            f"/v1/checks/{cut['check_id']}/feedback", json={"party_id": HUABEI},
            headers=investigator,
        )  # fmt: skip
    done = _verify(tmp_path)
    # Assert: refused by the API, and named by verify (its digest alone would pass it)
    for refused in (view, feedback):
        assert refused.status_code == 500, refused.text
        assert refused.json()["error"] == "stored_check_unreadable"
        assert "cannot be read: its compressed text is cut short" in refused.json()["message"]
        assert "results" not in refused.text and "deny" not in refused.text
    assert any(r.getMessage() == "stored check unreadable" for r in caplog.records)
    assert done.returncode == 1
    unreadable = f"the stored answer of check {cut['check_id']} cannot be read: its compressed"
    assert unreadable in done.stdout
