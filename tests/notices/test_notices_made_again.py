"""Notices made again over losses whose notices were made (issue 15 item 3): every call reads
the last hour's losses again, but a loss remembers up to which audit entry its checks were read,
so only checks logged in Neo4j since then are read — and none of them is missed: a check the
mirror copied late, a loss committed before the mark, a maker that died half-way."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.dueprocess import notices
from graph_service.dueprocess.notices import make_notices
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor, Event, now_stamp, utc_stamp
from graph_service.security.roles import Role
from tests.notices.conftest import HUANG, ZHANG, check, load_world, repair

MakeKey = Callable[[Role, str], tuple[str, str]]


def _notices(db: Database) -> list[dict[str, Any]]:
    return [dict(r["notice"]) for r in db.read("notices/test_notices")]


def _late_check(db: Database, key_id: str, check_id: str, party: str, at: str) -> None:
    """A ``deny`` of ``party`` answered at ``at`` that reaches Neo4j's log only now (as the
    mirror copies a check logged locally)."""
    decision = {"party_id": party, "decision": "deny", "error": None, "measures": ["blacklist"]}
    payload = {"check_id": check_id, "parties": [party], "decisions": [decision]}
    with AuditLog(db) as audit:
        event = Event("check", Actor(key_id, "checker", key_id), payload, at)
        audit.submit(event).result(timeout=10)


def _count_queries(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the queries run through ``db`` (reads and writes) from now on."""
    names: list[str] = []
    for method in ("read", "write"):
        real = getattr(db, method)

        def spy(name: str, /, *args: Any, real: Any = real, **params: Any) -> Any:
            names.append(name)
            return real(name, *args, **params)

        monkeypatch.setattr(db, method, spy)
    return names


def _count_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The check ids whose payloads the notice maker parses from now on."""
    parsed: list[str] = []
    real = notices.restricted

    def spy(payload: Mapping[str, Any], party: str) -> bool:
        parsed.append(str(payload.get("check_id")))
        return real(payload, party)

    monkeypatch.setattr(notices, "restricted", spy)
    return parsed


def test_made_again_reads_only_checks_logged_since_and_misses_none(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # Arrange: A was denied 黄涛 before the repair and got its notice with the run.
    load_world(db, tmp_path)
    a_key, a_id = make_key(Role.CHECKER, "agency-a")
    _, b_id = make_key(Role.CHECKER, "agency-b")
    _, c_id = make_key(Role.CHECKER, "agency-c")
    first = check(client, a_key, HUANG)
    answered_before = now_stamp()
    repair(db, tmp_path, "WL-1")
    assert [n["key_id"] for n in _notices(db)] == [a_id]
    parsed = _count_parsed(monkeypatch)

    # Act 1: made again with nothing new in the log: A's check is not read again (the log's
    # head moved only by the notice's own entry). Once more: only the mark and the head are
    # read, and one query finds no loss to read again; nothing is written.
    again = make_notices(db)
    parsed_again = list(parsed)
    queries = _count_queries(db, monkeypatch)
    make_notices(db)
    queries_again = list(queries)

    # Act 2: B's check, answered before the repair, reaches Neo4j only now; C's was answered
    # after the loss (outside its window); A is told again (a second check, also late).
    _late_check(db, b_id, "late-b", HUANG, answered_before)
    _late_check(db, c_id, "after-c", HUANG, utc_stamp(datetime.now(UTC) + timedelta(hours=1)))
    _late_check(db, a_id, "late-a", HUANG, answered_before)
    late = make_notices(db)

    # Assert: nothing parsed the first time; then only the three new checks, and B's notice
    # names its check. A keeps its one notice (same id), C gets none.
    assert again.losses >= 1 and again.notices == 0 and parsed_again == []
    assert queries_again == ["notices/mark", "audit/head", "notices/losses_after"]
    assert sorted(parsed) == ["after-c", "late-a", "late-b"]
    assert late.notices == 1
    found = {n["key_id"]: n["supersedes_checks"] for n in _notices(db)}
    assert found == {a_id: [first["check_id"]], b_id: ["late-b"]}
    assert len(db.read("notices/test_audit_kind", kind="notice_made")) == 2


def test_a_loss_committed_before_the_mark_is_read_in_full(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # 黄涛's loss gets its notice with its run. A run that overlapped another then commits
    # 张伟's loss after the other's maker moved the mark past it: the loss is older than the
    # mark, its notices never made.
    load_world(db, tmp_path)
    key, key_id = make_key(Role.CHECKER, "agency-a")
    check(client, key, HUANG)
    check(client, key, ZHANG)
    repair(db, tmp_path, "WL-1")
    monkeypatch.setattr(notices, "after_run", lambda db, catalog=None: None)
    repair(db, tmp_path, "WL-2")
    db.write("notices/set_mark", name=notices.LOSSES_MARK, at=datetime.now(UTC))

    made = make_notices(db)

    assert made.notices == 1
    found = sorted((n["party_id"], n["key_id"]) for n in _notices(db))
    assert found == sorted([(HUANG, key_id), (ZHANG, key_id)])


def test_a_maker_that_dies_half_way_leaves_the_rest_to_the_next(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # One loss, two keys told to restrict: two notices, written one a transaction here. The
    # maker dies after the first: the loss is not marked as made, so the next call reads its
    # checks again and makes the second (and not the first again).
    load_world(db, tmp_path)
    a_key, a_id = make_key(Role.CHECKER, "agency-a")
    b_key, b_id = make_key(Role.CHECKER, "agency-b")
    check(client, a_key, HUANG)
    check(client, b_key, HUANG)
    monkeypatch.setattr(notices, "PAGE", 1)
    real, written = notices.write_notices, []

    def dies_second(db: Database, batch: Any, now: datetime) -> tuple[int, int]:
        if written:
            raise RuntimeError("killed")
        written.append(batch)
        return real(db, batch, now)

    monkeypatch.setattr(notices, "write_notices", dies_second)
    repair(db, tmp_path, "WL-1")  # the run logs that its notices failed
    (first,) = [n["key_id"] for n in _notices(db)]  # the keys' notices go in key id order
    assert first in (a_id, b_id)
    monkeypatch.setattr(notices, "write_notices", real)

    make_notices(db)

    assert sorted(n["key_id"] for n in _notices(db)) == sorted([a_id, b_id])
    entries = db.read("notices/test_audit_kind", kind="notice_made")
    assert sorted(json.loads(e["payload"])["key_id"] for e in entries) == sorted([a_id, b_id])
