"""The mirror appends local entries to Neo4j's chain exactly as the Neo4j appender appends
events — same statements, rows and hashes — while hashing and storing each payload as the text
the local log holds (issue 14: not serialised twice more per entry)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, cast

from graph_service.db import Tx
from graph_service.security.appender import Attachment, write_entries
from graph_service.security.audit import Actor, Event
from graph_service.security.audit_mirror import append_copies
from graph_service.security.local_audit import FILE_NAME, LocalAuditLog, LocalEntry, connect
from graph_service.security.local_audit import entries_after as local_entries


class _Recorder:
    """A transaction that records what is run in it; the head is entry 41."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, dict[str, Any]]] = []

    def run(self, statement: str, /, **params: Any) -> list[dict[str, Any]]:
        self.runs.append((statement, params))
        return [{"seq": 41, "hash": "h41"}] if statement == "audit/lock_head" else []


def _logged(tmp_path: Path) -> list[LocalEntry]:
    """Three entries of a local log: a check with its stored row, with non-ASCII text, and two
    others."""
    log = LocalAuditLog(tmp_path)
    actor = Actor("portal", "checker", "k1")
    row = {"check_id": "c1", "response": '{"name":"张三"}'}
    events = [
        (Event("check", actor, {"check_id": "c1", "parties": ["x1", " ｘ2"], "n": "张"}), row),
        (Event("graphql", actor, {"fields": ["party"], "parties": ["X3"]}), None),
        (Event("key_created", Actor("cli:me", "operator"), {}), None),
    ]
    for event, stored in events:
        attachment = Attachment("audit/create_checks", stored) if stored else None
        log.submit(event, attachment).result(10)
    log.close()
    conn = connect(tmp_path / FILE_NAME)
    try:
        return local_entries(conn, 0, 10)
    finally:
        conn.close()


def _as_appended(local: list[LocalEntry]) -> list[tuple[str, dict[str, Any]]]:
    tx = _Recorder()
    events = [Event(e.entry.kind, e.entry.actor, e.entry.payload, e.entry.at) for e in local]
    write_entries(cast(Tx, tx), events, [e.attachment for e in local])
    return tx.runs


def _as_copied(local: list[LocalEntry]) -> list[tuple[str, dict[str, Any]]]:
    tx = _Recorder()
    append_copies(cast(Tx, tx), local)
    return tx.runs


def test_copies_are_appended_as_the_appender_appends_them(tmp_path: Path) -> None:
    local = _logged(tmp_path)
    assert all(e.payload_text for e in local)  # the local log's own text is used
    assert _as_copied(local) == _as_appended(local)


def test_a_payload_text_its_entry_does_not_hash_is_made_anew(tmp_path: Path) -> None:
    # The same payload spelled otherwise (spaces, key order), or lost: not the text the
    # local entry's hash covers, so the copy holds the payload's canonical JSON as before
    local = _logged(tmp_path)
    respelled = [
        dataclasses.replace(local[0], payload_text=local[0].payload_text.replace(",", ", ")),
        dataclasses.replace(local[1], payload_text=""),
        local[2],
    ]
    assert _as_copied(respelled) == _as_appended(local)
