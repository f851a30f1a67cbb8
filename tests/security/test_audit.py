"""The audit log: chained appends under concurrency, verification that names the broken
entry (edited, deleted, reordered), and the 503 path is in test_checks_api.py.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import GENESIS, Actor, ChainVerifier, Entry, Event, chain
from graph_service.security.audit_read import by_party, stored_entries, verify
from tests.security.conftest import PERSON

ACTOR = Actor("portal", "checker", "0123456789ab")


def _events(n: int) -> list[Event]:
    return [Event("check", ACTOR, {"n": i}, f"2026-01-01T00:00:{i:02d}.000000Z") for i in range(n)]


def _verify(entries: list[Entry], head: tuple[int, str] | None) -> list[str]:
    verifier = ChainVerifier()
    for entry in entries:
        verifier.feed(entry)
    verifier.finish(head)
    return verifier.problems


# --- the chain, pure -------------------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    entries = chain(0, GENESIS, _events(4))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS
    assert _verify(entries, (4, entries[-1].hash)) == []


def test_an_edited_entry_is_named() -> None:
    entries = chain(0, GENESIS, _events(4))
    entries[2] = replace(entries[2], payload={"n": 99})
    assert _verify(entries, (4, entries[-1].hash)) == [
        "entry 3: its content was changed (hash mismatch)"
    ]


def test_a_deleted_entry_is_named() -> None:
    entries = chain(0, GENESIS, _events(4))
    del entries[1]
    assert _verify(entries, (4, entries[-1].hash)) == [
        "entry 2 was deleted (entry 3 follows entry 1)"
    ]


def test_deleted_newest_entries_are_found_against_the_head() -> None:
    entries = chain(0, GENESIS, _events(4))
    assert _verify(entries[:2], (4, entries[-1].hash)) == [
        "entries 3..4 were deleted (the head records entry 4)"
    ]


def test_reordered_entries_are_found() -> None:
    entries = chain(0, GENESIS, _events(4))
    swapped = [entries[0], replace(entries[2], seq=2), replace(entries[1], seq=3), entries[3]]
    problems = _verify(swapped, (4, entries[-1].hash))
    assert problems[0].startswith("entry 2: prev_hash does not match")
    assert "entry 2: its content was changed (hash mismatch)" in problems


# --- appends to Neo4j ------------------------------------------------------------------------


def test_concurrent_appends_form_one_gapless_chain(db: Database) -> None:
    async def many(audit: AuditLog) -> list[int]:
        stamps = await asyncio.gather(
            *(audit.append("check", ACTOR, {"parties": [PERSON], "i": i}) for i in range(300))
        )
        return [s.seq for s in stamps]

    with AuditLog(db, batch_max=50) as audit:
        seqs = asyncio.run(many(audit))
    assert sorted(seqs) == list(range(1, 301))
    result = verify(db)
    assert result.ok, result.problems
    assert result.count == 300


def test_two_writers_like_two_processes_serialise_on_the_head(db: Database) -> None:
    logs = [AuditLog(db, batch_max=5), AuditLog(db, batch_max=5)]

    def append(i: int) -> int:
        return logs[i % 2].append_sync("check", ACTOR, {"i": i}).seq

    with ThreadPoolExecutor(8) as pool:
        seqs = list(pool.map(append, range(200)))
    for log in logs:
        log.close()
    assert sorted(seqs) == list(range(1, 201))
    assert verify(db).ok


def test_verify_names_an_entry_edited_in_the_database(db: Database) -> None:
    with AuditLog(db) as audit:
        for i in range(5):
            audit.append_sync("check", ACTOR, {"parties": [PERSON], "purpose": f"p{i}"})
    db.write("meta/test_tamper_audit_entry", seq=3, payload=json.dumps({"purpose": "harmless"}))
    result = verify(db)
    assert result.problems == ["entry 3: its content was changed (hash mismatch)"]


def test_hiding_an_entry_from_lookups_is_detected(db: Database) -> None:
    with AuditLog(db) as audit:
        audit.append_sync("check", ACTOR, {"parties": [PERSON]})
    assert by_party(db, PERSON)
    db.write("meta/test_tamper_audit_entry", seq=1, payload=None)  # drop payload entirely
    assert "entry 1: its content was changed (hash mismatch)" in verify(db).problems


def test_exported_entries_verify_on_their_own(db: Database) -> None:
    with AuditLog(db) as audit:
        for i in range(3):
            audit.append_sync("check", ACTOR, {"i": i})
    verifier = ChainVerifier()
    for entry, lookup in stored_entries(db):
        verifier.feed(entry, lookup)
    assert verifier.ok and verifier.count == 3


def test_by_party_finds_every_entry_committed_before_it(db: Database) -> None:
    # The index behind by_party is eventually consistent; by_party waits for it to catch up.
    parties = [f"9113010{i:04d}RG8E64XK" for i in range(200)]
    with AuditLog(db) as audit:
        for party in parties:
            audit.submit(Event("check", ACTOR, {"parties": [party]}))
    assert [len(by_party(db, party)) for party in parties[-20:]] == [1] * 20


def test_by_party_finds_any_spelling_of_the_id(db: Database) -> None:
    with AuditLog(db) as audit:
        audit.append_sync("check", ACTOR, {"parties": ["13010019750101415x"]})
        audit.append_sync("check", ACTOR, {"parties": [PERSON]})
    found = by_party(db, "13010019750101415X")
    assert [e.seq for e in found] == [1]
