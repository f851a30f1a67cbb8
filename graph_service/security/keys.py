"""API keys: their format, how they are stored, and the lookup every request makes.

Invariants:

* A key is ``cgk_<key_id>_<secret>``: ``key_id`` is 12 random hex digits, public, and finds
  the key's ``:ApiKey`` node; ``secret`` is 32 random bytes (base64url, 43 characters).
* Only the SHA-256 of the whole key is stored, never the key. With 256 random bits a slow
  password hash adds nothing: nobody can guess such a key from its hash, and checking it
  costs microseconds, which the per-request budget needs.
* Hashes are compared in constant time (``hmac.compare_digest``).
* Lookups are cached per process for ``Settings.api_key_cache_s`` seconds (unknown ids too,
  so that garbage keys do not reach the database); a revocation therefore takes effect in
  every process within that time. The time counts from *before* the read, so a read that
  began before a revocation committed is not trusted for longer than that.
* A cache entry is reloaded once per expiry (single flight): the requests that miss while it
  is being read wait for that read instead of each reading the key again. An expired entry is
  never used, so single flight does not lengthen the revocation delay.
* A key in use is re-read in the background once its entry is past half its life, so that
  it is cached again before the entry expires (the fast path of checks never misses it); the
  new entry counts from that read's start, so this does not lengthen the delay either.
* While Neo4j is unreachable, an expired entry is served as last read (and re-read in the
  background) instead of failing every request: a revocation is a Neo4j write, so none can
  have committed that this process could read; checks for today go on from the decision
  snapshot meanwhile.
* Key names are unique forever (a revoked key keeps its name), so the audit log's "who" never
  becomes ambiguous.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final, Literal

from graph_service.db import Database
from graph_service.errors import Conflict, InvalidInput, NotFound, Unavailable
from graph_service.security.appender import Attachment, AuditLog
from graph_service.security.audit import Actor
from graph_service.security.canonical import sha256_hex
from graph_service.security.roles import Caller, Role

KEY_PREFIX: Final = "cgk_"
_KEY_FORM = re.compile(r"^cgk_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")
_NAME_FORM = re.compile(r"^[\w.-]{1,64}$")


class _Cache(Enum):
    MISS = "miss"


#: What :meth:`KeyStore.cached` answers when the cache does not know the key.
MISS: Final = _Cache.MISS
#: A read of a key in progress: when it began, and its result once it has one.
_Flight = tuple[float, "Future[KeyRecord | None]"]
#: Most key ids kept in the cache; beyond it the cache starts over (bounds memory under
#: a flood of made-up keys).
_CACHE_MAX = 10_000
#: Seconds a request waits for a key's re-read before it takes the last record read: a key
#: read takes milliseconds, so longer means Neo4j is down or stuck.
_STALE_AFTER_S = 1.0


@dataclass(frozen=True)
class KeyRecord:
    """An ``:ApiKey`` node as stored: everything about a key except the key itself."""

    key_id: str
    name: str
    role: Role
    key_hash: str
    created_at: str
    revoked_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> KeyRecord:
        """The record of an ``:ApiKey`` node's properties."""
        return cls(
            key_id=row["key_id"],
            name=row["name"],
            role=Role(row["role"]),
            key_hash=row["key_hash"],
            created_at=row["created_at"],
            revoked_at=row.get("revoked_at"),
        )

    @property
    def caller(self) -> Caller:
        """The caller a request with this key acts as."""
        return Caller(name=self.name, role=self.role, key_id=self.key_id)


def new_key() -> tuple[str, str]:
    """A fresh random key and its key id."""
    key_id = secrets.token_hex(6)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    return f"{KEY_PREFIX}{key_id}_{secret}", key_id


def key_id_of(key: str) -> str | None:
    """The key id of a well-formed key; None for anything else.

    >>> key_id_of("cgk_0123456789ab_" + "A" * 43)
    '0123456789ab'
    >>> key_id_of("cgk_0123456789ab_short") is None, key_id_of("") is None
    (True, True)
    """
    match = _KEY_FORM.match(key)
    return match["key_id"] if match else None


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 of its UTF-8 bytes, hex."""
    return sha256_hex(key.encode("utf-8"))


def matches(record: KeyRecord, key: str) -> bool:
    """True when ``key`` is the record's key and the key is not revoked (constant time)."""
    same = hmac.compare_digest(record.key_hash, hash_key(key))
    return same and record.revoked_at is None


def check_name(name: str) -> str:
    """``name`` if it can name a key (1–64 letters, digits, ``.``, ``_``, ``-``), else an error.

    >>> check_name("procurement-portal.hebei")
    'procurement-portal.hebei'
    """
    if not _NAME_FORM.match(name):
        raise InvalidInput(
            f"key name {name!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-'"
        )
    return name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def create_key(audit: AuditLog, actor: Actor, name: str, role: Role) -> tuple[str, KeyRecord]:
    """Creates a key; returns the key (to show once, never stored) and its record.

    The ``:ApiKey`` node is written in the transaction of its ``key_created`` audit entry.
    """
    check_name(name)
    if audit.db.read("keys/by_name", name=name):
        raise Conflict(f"a key named {name!r} exists (names are never reused)")
    key, key_id = new_key()
    record = KeyRecord(key_id, name, role, hash_key(key), _now())
    payload = {"key_id": key_id, "name": name, "role": role.value}
    audit.append_sync("key_created", actor, payload, Attachment("keys/create", _properties(record)))
    return key, record


def revoke_key(audit: AuditLog, actor: Actor, name: str) -> KeyRecord:
    """Revokes the key named ``name`` (once; revoking again changes nothing and logs nothing)."""
    rows = audit.db.read("keys/by_name", name=name)
    if not rows:
        raise NotFound(f"no key named {name!r}: see `credit-graph keys list`")
    record = KeyRecord.from_row(rows[0]["key"])
    if record.revoked_at is not None:
        return record
    revoked = replace(record, revoked_at=_now())
    payload = {"key_id": record.key_id, "name": name, "role": record.role.value}
    row = {"name": name, "revoked_at": revoked.revoked_at}
    audit.append_sync("key_revoked", actor, payload, Attachment("keys/revoke", row))
    return revoked


def list_keys(db: Database) -> list[KeyRecord]:
    """Every key, revoked ones included, by creation time."""
    return [KeyRecord.from_row(row["key"]) for row in db.read("keys/list")]


class KeyStore:
    """Authentication of requests against the ``:ApiKey`` nodes, with a short cache."""

    def __init__(
        self, db: Database, cache_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._db = db
        self._cache_s = cache_s
        self._clock = clock
        self._cache: dict[str, tuple[float, KeyRecord | None]] = {}
        # The reads in progress, by key id; guarded by _lock (as are writes to _cache).
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()
        # When the last read of a key failed because Neo4j was unreachable (None: it answered).
        self._outage_since: float | None = None
        # When the last early re-read of a key began (:meth:`_read_early`); guarded by _lock.
        self._early: dict[str, float] = {}

    def cached(self, key: str) -> Caller | Literal[_Cache.MISS] | None:
        """The caller for ``key`` from the cache alone: a Caller, None (refused), or
        :data:`MISS` when the cache does not know (then :meth:`authenticate` reads the graph).
        """
        key_id = key_id_of(key)
        if key_id is None:
            return None  # malformed keys never reach the database
        now = self._clock()
        hit = self._live(key_id, now)
        if hit is None:
            return MISS
        until, record = hit
        if until - now < self._cache_s / 2:
            self._read_early(key_id, until, now)
        return _caller_if_matches(record, key)

    def _read_early(self, key_id: str, until: float, now: float) -> None:
        """Re-reads a key in the background once its entry is past half its life, so a key
        in use is cached again before its entry expires: the requests that found it expired
        went through FastAPI's route while it was re-read (~3 % of a single-party check's
        worker CPU, session 12's profile). Once per entry (``until``): a read that fails
        leaves the entry to expire as it would have. The new entry counts from this read's
        start, so a revocation still takes effect within the cache time."""
        with self._lock:
            if (
                key_id in self._flights
                or self._early.get(key_id, float("-inf")) > until - self._cache_s
            ):
                return  # a read is under way, or this entry had its early read
            self._early[key_id] = now
            flight = self._flights[key_id] = (now, Future())
        threading.Thread(target=self._load, args=(key_id, flight), daemon=True).start()

    def authenticate(self, key: str) -> Caller | None:
        """The caller ``key`` belongs to; None when it is malformed, unknown or revoked.

        Blocks (call it off the event loop) while the key's record is read, by this call or
        by a concurrent one for the same key id.
        """
        key_id = key_id_of(key)
        if key_id is None:
            return None
        return _caller_if_matches(self._record(key_id), key)

    def _live(self, key_id: str, now: float) -> tuple[float, KeyRecord | None] | None:
        """The key's cache entry, ``(until, record)``, unless it has none or it expired by
        ``now`` (an expired entry is never used)."""
        hit = self._cache.get(key_id)
        return None if hit is None or hit[0] < now else hit

    def _record(self, key_id: str) -> KeyRecord | None:
        """The key's record: cached, or read once however many requests need it meanwhile.

        A request joins a read in progress only if that read began within the cache time,
        as a cached value must have; otherwise (a cache time of 0) it reads for itself.
        """
        with self._lock:
            now = self._clock()
            hit = self._live(key_id, now)
            if hit is not None:
                return hit[1]
            stale = self._last_read(key_id)
            flight = self._flights.get(key_id)
            # With a last record to fall back on, a read in progress is never doubled (in an
            # outage reads hang until they fail; one at a time per key is enough).
            joined = flight is not None and (flight[0] + self._cache_s >= now or stale is not MISS)
            if flight is None or not joined:
                flight = self._flights[key_id] = (now, Future())
        if stale is MISS:  # never read: wait for the graph, whatever it takes
            if not joined:
                self._load(key_id, flight)
            return flight[1].result()  # waits (outside the lock), or raises the read's error
        if not joined:
            threading.Thread(target=self._load, args=(key_id, flight), daemon=True).start()
        return self._refreshed(flight, stale)

    def _refreshed(self, flight: _Flight, stale: KeyRecord | None) -> KeyRecord | None:
        """The re-read record once it is there; ``stale`` — the last one read — when Neo4j is
        unreachable (known from an earlier read, or the read fails or takes over
        :data:`_STALE_AFTER_S`). That cannot miss a revocation this process could read: a
        revocation is a Neo4j write, and Neo4j does not answer; checks for today go on from
        the decision snapshot meanwhile (docs/operations.md)."""
        if self._outage_since is not None:
            return stale
        try:
            return flight[1].result(timeout=_STALE_AFTER_S)
        except (TimeoutError, Unavailable):
            return stale

    def _last_read(self, key_id: str) -> KeyRecord | Literal[_Cache.MISS] | None:
        hit = self._cache.get(key_id)
        return MISS if hit is None else hit[1]

    def _load(self, key_id: str, flight: _Flight) -> None:
        """Reads the record, caches it and settles ``flight`` (with the error if it fails)."""
        started, future = flight
        try:
            rows = self._db.read("keys/by_key_id", key_id=key_id)
            record = KeyRecord.from_row(rows[0]["key"]) if rows else None
        except BaseException as exc:
            if isinstance(exc, Unavailable):
                self._outage_since = self._outage_since or self._clock()
            self._land(key_id, flight)
            future.set_exception(exc)
            return
        self._outage_since = None
        self._land(key_id, flight, record, started + self._cache_s)
        future.set_result(record)

    def _land(
        self,
        key_id: str,
        flight: _Flight,
        record: KeyRecord | None = None,
        until: float | None = None,
    ) -> None:
        """Caches a read's result (unless a later read's is cached) and ends its flight, in one
        step, so that no request finds neither."""
        with self._lock:
            cached_until = self._cache.get(key_id, (float("-inf"), None))[0]
            if until is not None and until > cached_until:  # None: the read failed
                if len(self._cache) >= _CACHE_MAX:
                    self._cache.clear()
                    self._early.clear()
                self._cache[key_id] = (until, record)
            if self._flights.get(key_id) is flight:
                del self._flights[key_id]


def _caller_if_matches(record: KeyRecord | None, key: str) -> Caller | None:
    return record.caller if record is not None and matches(record, key) else None


def _properties(record: KeyRecord) -> dict[str, Any]:
    return {
        "key_id": record.key_id,
        "name": record.name,
        "role": record.role.value,
        "key_hash": record.key_hash,
        "created_at": record.created_at,
    }
