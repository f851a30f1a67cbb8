"""The per-process API-key cache: one read per key per expiry, and revocation within it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from graph_service.db import Database
from graph_service.errors import QueryTimeout
from graph_service.security.appender import AuditLog
from graph_service.security.keys import MISS, KeyStore, create_key, new_key, revoke_key
from graph_service.security.roles import Role
from tests.security.conftest import TEST_ACTOR

CACHE_S = 2.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _authenticate_at_once(store: KeyStore, keys: list[str]) -> list[object]:
    """Authenticates every key from its own thread, all released together."""
    start = threading.Barrier(len(keys))

    def one(key: str) -> object:
        start.wait()
        return store.authenticate(key)

    with ThreadPoolExecutor(len(keys)) as pool:
        return list(pool.map(one, keys))


def test_concurrent_misses_read_the_key_once_per_expiry(db: Database) -> None:
    with AuditLog(db) as audit:
        key, record = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
    clock = Clock()
    store = KeyStore(db, CACHE_S, clock)
    db.query_counts.clear()

    first = _authenticate_at_once(store, [key] * 16)
    clock.now += CACHE_S + 0.1  # expired: the next wave must read again, once
    second = _authenticate_at_once(store, [key] * 16)

    assert {c.name for c in first + second} == {"portal"}  # type: ignore[attr-defined]
    assert db.query_counts["keys/by_key_id"] == 2
    assert store.cached(key) == record.caller


def test_unknown_key_is_read_once_too(db: Database) -> None:
    unknown, _ = new_key()
    store = KeyStore(db, CACHE_S, Clock())
    db.query_counts.clear()
    assert _authenticate_at_once(store, [unknown] * 16) == [None] * 16
    assert db.query_counts["keys/by_key_id"] == 1


def test_revoked_key_is_refused_once_its_cache_entry_expires(db: Database) -> None:
    key, clock, store = _revoked_after_use(db)
    clock.now += CACHE_S + 0.1  # the documented delay has passed
    assert store.cached(key) is MISS  # an expired entry is never used
    assert _authenticate_at_once(store, [key] * 8) == [None] * 8
    assert store.cached(key) is None


def test_cache_time_counts_from_before_the_read(db: Database) -> None:
    # A read that began before a revocation committed must not be trusted for longer than
    # the cache time after it began, however long the read took.
    with AuditLog(db) as audit:
        key, _ = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
    clock = Clock()
    slow = _SlowReads(db, clock, took_s=1.5)
    store = KeyStore(slow, CACHE_S, clock)  # type: ignore[arg-type]
    assert store.authenticate(key) is not None
    clock.now += CACHE_S - 1.5 + 0.01  # past start + cache time, within end + cache time
    assert store.cached(key) is MISS


class _SlowReads:
    """The real database, whose reads appear to take ``took_s`` on ``clock``."""

    def __init__(self, db: Database, clock: Clock, took_s: float) -> None:
        self._db, self._clock, self._took_s = db, clock, took_s

    def read(self, name: str, /, **params: object) -> list[dict[str, object]]:
        rows = self._db.read(name, **params)
        self._clock.now += self._took_s
        return rows


def test_without_cache_a_later_request_does_not_join_an_earlier_read(db: Database) -> None:
    # Cache time 0 means "read the graph on every request": a request that arrives while an
    # older read is in progress must not take that read's (possibly pre-revocation) answer.
    with AuditLog(db) as audit:
        key, _ = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
    clock = Clock()
    gated = _GatedReads(db)
    store = KeyStore(gated, 0.0, clock)  # type: ignore[arg-type]
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(store.authenticate, key)
        gated.entered.wait(5)
        clock.now += 0.5
        second = pool.submit(store.authenticate, key)
        gated.release.set()
        assert first.result(5) is not None and second.result(5) is not None
    assert gated.reads == 2


class _GatedReads:
    """The real database, whose first read waits until the test releases it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.entered, self.release = threading.Event(), threading.Event()
        self.reads = 0

    def read(self, name: str, /, **params: object) -> list[dict[str, object]]:
        self.reads += 1
        if self.reads == 1:
            self.entered.set()
            self.release.wait(5)
        return self._db.read(name, **params)


def _reads_settled(store: KeyStore) -> None:
    """Waits (5 s at most) until no read of a key is under way in ``store``."""
    deadline = time.monotonic() + 5
    while store._flights and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not store._flights


def test_a_key_in_use_is_read_again_before_its_entry_expires(db: Database) -> None:
    # Checks find it cached throughout: an expired entry sends them through FastAPI's route
    # while the key is read again (docs/benchmarks.md, issue 14, session 12).
    with AuditLog(db) as audit:
        key, record = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
    clock = Clock()
    store = KeyStore(db, CACHE_S, clock)
    assert store.authenticate(key) == record.caller  # an entry until 1002
    db.query_counts.clear()
    clock.now += CACHE_S * 0.4
    assert store.cached(key) == record.caller
    _reads_settled(store)
    assert db.query_counts["keys/by_key_id"] == 0  # in its first half: not read again
    clock.now += CACHE_S * 0.2  # past half its life: read again behind the answer
    assert store.cached(key) == record.caller
    _reads_settled(store)
    assert store.cached(key) == record.caller
    clock.now += CACHE_S * 0.45  # the first entry has expired; the new one holds
    assert store.cached(key) == record.caller
    assert db.query_counts["keys/by_key_id"] == 1  # once for the entry, however many checks


def test_a_key_revoked_while_in_use_is_refused_by_its_early_read(db: Database) -> None:
    key, clock, store = _revoked_after_use(db)
    clock.now += CACHE_S * 0.6
    assert store.cached(key) is not None  # the entry read before the revocation, in its time
    _reads_settled(store)
    assert store.cached(key) is None  # the early read saw the revocation
    clock.now += CACHE_S * 0.5  # past the first entry's expiry: still refused
    assert store.cached(key) is None


def test_an_early_read_that_fails_leaves_the_entry_to_expire(db: Database) -> None:
    with AuditLog(db) as audit:
        key, record = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
    clock = Clock()
    failing = _FailingReads(db)
    store = KeyStore(failing, CACHE_S, clock)  # type: ignore[arg-type]
    assert store.authenticate(key) == record.caller
    failing.fail = True
    clock.now += CACHE_S * 0.6
    for _ in range(20):  # many checks in the entry's second half: one early read, not 20
        assert store.cached(key) == record.caller
        _reads_settled(store)
    assert failing.reads == 2
    clock.now += CACHE_S * 0.5
    assert store.cached(key) is MISS  # expired as it would have


class _FailingReads:
    """The real database, whose reads fail once ``fail`` is set."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.fail = False
        self.reads = 0

    def read(self, name: str, /, **params: object) -> list[dict[str, object]]:
        self.reads += 1
        if self.fail:
            raise QueryTimeout("a read that does not end in time")
        return self._db.read(name, **params)


def _revoked_after_use(db: Database) -> tuple[str, Clock, KeyStore]:
    """A checker's key, authenticated (so cached) and then revoked: its key, clock and store."""
    with AuditLog(db) as audit:
        key, _ = create_key(audit, TEST_ACTOR, "portal", Role.CHECKER)
        clock = Clock()
        store = KeyStore(db, CACHE_S, clock)
        assert store.authenticate(key) is not None
        revoke_key(audit, TEST_ACTOR, "portal")
    return key, clock, store
