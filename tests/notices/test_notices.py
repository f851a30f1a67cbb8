"""Stop-sharing notices made from real losses (issue #16 item 4): who gets one, what it says,
that one loss never gives a key two, the audit entry, and the pull feed over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.dueprocess import notices
from graph_service.dueprocess.notices import make_notices
from graph_service.propagation import runner
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor, Event, now_stamp
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.notices.conftest import (
    AFTER,
    HUANG,
    ZHANG,
    auth,
    check,
    load_world,
    repair,
    wait_for,
)

MakeKey = Callable[[Role, str], tuple[str, str]]


def _notices(db: Database) -> list[dict[str, object]]:
    rows = db.read("notices/test_notices")
    return [dict(r["notice"]) for r in rows]


def test_a_repaired_listing_notifies_each_key_told_to_restrict_once(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    # Arrange: agency A was denied 黄涛 twice; B was told allow (a context the blacklist does
    # not touch); C checks only after the repair.
    load_world(db, tmp_path)
    a_key, a_id = make_key(Role.CHECKER, "agency-a")
    b_key, _ = make_key(Role.CHECKER, "agency-b")
    c_key, _ = make_key(Role.CHECKER, "agency-c")
    first = check(client, a_key, HUANG)
    second = check(client, a_key, HUANG, "government_procurement")
    assert first["results"][0]["decision"] == second["results"][0]["decision"] == "deny"
    assert check(client, b_key, HUANG, "promotion")["results"][0]["decision"] == "allow"

    # Act: the listing is repaired; the run that ends its measure makes the notices.
    repair(db, tmp_path, "WL-1")
    check(client, c_key, HUANG)

    # Assert: one notice, to A only, naming both checks.
    (notice,) = _notices(db)
    assert notice["key_id"] == a_id
    assert (notice["party_id"], notice["measure"], notice["record_ref"]) == (
        HUANG,
        "blacklist",
        "WL-1",
    )
    assert (notice["reason"], notice["effective_on"]) == ("repaired", "2026-11-27")
    assert sorted(notice["supersedes_checks"]) == sorted(  # type: ignore[call-overload]
        [first["check_id"], second["check_id"]]
    )
    entries = db.read("notices/test_audit_kind", kind="notice_made")
    (entry,) = [json.loads(e["payload"]) for e in entries]
    assert entry["notice_id"] == notice["notice_id"] and entry["parties"] == [HUANG]


def test_the_same_loss_never_gives_a_key_two_notices(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    load_world(db, tmp_path)
    key, _ = make_key(Role.CHECKER, "agency-a")
    check(client, key, HUANG)
    repair(db, tmp_path, "WL-1")

    again = make_notices(db)  # reads the last hour's losses again
    runner.run_full(db, as_of=AFTER)  # a run with no new loss

    assert again.losses >= 1 and again.notices == 0
    assert len(_notices(db)) == 1
    assert len(db.read("notices/test_audit_kind", kind="notice_made")) == 1


def test_a_revoked_listing_says_revoked_and_a_key_never_told_gets_nothing(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    load_world(db, tmp_path)
    key, _ = make_key(Role.CHECKER, "agency-a")
    check(client, key, ZHANG)

    repair(db, tmp_path, "WL-1", "WL-2", status="revoked")

    assert [(n["party_id"], n["reason"]) for n in _notices(db)] == [(ZHANG, "revoked")]


def test_the_feed_pages_a_keys_notices_and_names_a_bad_since(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    load_world(db, tmp_path)
    key, _ = make_key(Role.CHECKER, "agency-a")
    other, _ = make_key(Role.CHECKER, "agency-b")
    check(client, key, HUANG)
    check(client, key, ZHANG)
    repair(db, tmp_path, "WL-1", "WL-2")

    first = client.get("/v1/notices", params={"limit": 1}, headers=auth(key)).json()
    rest = client.get("/v1/notices", params={"limit": 1, **first["next"]}, headers=auth(key))
    later = client.get("/v1/notices", params={"since": "2999-01-01"}, headers=auth(key))
    bad = client.get("/v1/notices", params={"since": "yesterday"}, headers=auth(key))
    none = client.get("/v1/notices", headers=auth(other)).json()

    seen = [*first["notices"], *rest.json()["notices"]]
    assert sorted(n["party_id"] for n in seen) == sorted([HUANG, ZHANG])
    assert rest.json()["next"] is None
    assert set(seen[0]) == {
        "notice_id", "party_id", "measure", "record_ref", "reason", "effective_on",
        "supersedes_checks", "made_at",
    }  # fmt: skip
    assert later.json() == {"notices": [], "next": None}
    assert bad.status_code == 422 and "since" in bad.json()["message"]
    assert "yesterday" not in bad.text
    assert none == {"notices": [], "next": None}
    assert client.get("/v1/notices").status_code == 401


def test_a_check_mirrored_into_neo4j_after_the_loss_still_gets_its_notice(
    db: Database, settings: Settings, make_key: MakeKey, tmp_path: Path
) -> None:
    # A check answered before the repair, logged locally and copied into Neo4j by the mirror
    # only after the run that lost its measure: the run made no notice for it.
    load_world(db, tmp_path)
    _, key_id = make_key(Role.CHECKER, "agency-a")
    answered_at = now_stamp()
    repair(db, tmp_path, "WL-1")
    assert _notices(db) == []
    decision = {"party_id": HUANG, "decision": "deny", "error": None, "measures": ["blacklist"]}
    payload = {"check_id": "late-1", "parties": [HUANG], "decisions": [decision]}
    actor = Actor("agency-a", "checker", key_id)
    with AuditLog(db) as audit:
        audit.submit(Event("check", actor, payload, answered_at)).result(timeout=10)

    # The service's delivery worker looks again when it starts (then every five minutes).
    with TestClient(create_app(settings.model_copy(update={"notice_delivery": True}))):
        wait_for(lambda: len(_notices(db)) == 1)

    (notice,) = _notices(db)
    assert (notice["key_id"], notice["supersedes_checks"]) == (key_id, ["late-1"])


@pytest.mark.parametrize("page", [notices.RECIPIENTS_PAGE, 1])  # 1: each party its own read
def test_an_expired_listing_and_one_whose_period_ran_out_say_which(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, page: int,
) -> None:  # fmt: skip
    # WL-1 ends on its own date, 2027-09-01; WL-2 has none, and its three years run out then.
    monkeypatch.setattr(notices, "RECIPIENTS_PAGE", page)
    load_world(db, tmp_path)
    key, _ = make_key(Role.CHECKER, "agency-a")
    check(client, key, HUANG)
    check(client, key, ZHANG)

    runner.run_full(db, as_of=date(2027, 9, 1))

    found = {n["party_id"]: (n["reason"], n["effective_on"]) for n in _notices(db)}
    assert found == {HUANG: ("expired", "2027-09-01"), ZHANG: ("period", "2027-09-01")}
