"""The audit log's format: a hash chain of entries, and its verification (pure).

Invariants:

* Entries are numbered ``seq`` = 1, 2, 3 … without gaps, in the order they were committed.
* Each entry's ``hash`` is the SHA-256 of the canonical JSON (:mod:`.canonical`) of
  ``{seq, at, kind, actor, payload, prev_hash}``, and its ``prev_hash`` is the hash of the
  entry before it (:data:`GENESIS` for the first). Changing, removing, inserting or reordering
  any entry therefore breaks the chain at that entry, which :class:`ChainVerifier` names.
* One ``:AuditHead`` node holds the last ``seq`` and ``hash``; writers lock it, so appends from
  any number of threads and processes are serialised (see :mod:`.appender`), and deleting the
  newest entries is detected against it.
* ``parties``, ``parties_text`` and ``check_id`` are copies of payload fields kept for lookups;
  verification checks that they still agree with the payload, so hiding an entry from
  ``audit show`` by editing them is detected too.

What an entry says is the ``payload``, free-form JSON per ``kind``; a check's payload is
``{check_id, purpose, context, as_of, catalog_version, parties, decisions}``.

>>> actor = Actor("portal", "checker", "0123456789ab")
>>> first, second = chain(0, GENESIS, [
...     Event("check", actor, {"parties": ["130102197203158350"]}, "2026-01-01T00:00:00Z"),
...     Event("check", actor, {"parties": []}, "2026-01-01T00:00:01Z")])
>>> (first.seq, second.seq, second.prev_hash == first.hash)
(1, 2, True)
>>> verifier = ChainVerifier()
>>> verifier.feed(first); verifier.feed(second); verifier.finish(head=(2, second.hash))
>>> verifier.problems
[]
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from graph_service.identifiers import normalise
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.roles import Caller

#: The ``prev_hash`` of the first entry.
GENESIS: Final = "0" * 64
#: At most this many problems are listed; one is enough to know the log was tampered with.
MAX_PROBLEMS: Final = 50


@dataclass(frozen=True)
class Actor:
    """Who did what an entry records: an API key's name, role and id, or an operator."""

    name: str
    role: str
    key_id: str | None = None

    @classmethod
    def of(cls, caller: Caller) -> Actor:
        """The actor of a request made with an API key."""
        return cls(caller.name, caller.role.value, caller.key_id)

    @classmethod
    def operator(cls) -> Actor:
        """The operator running a ``credit-graph`` command, by operating-system user name.

        Commands run with the database's credentials, so their user acts as an admin.
        """
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(f"cli:{user}", "operator")

    def as_json(self) -> dict[str, str | None]:
        """The actor as it is hashed."""
        return {"name": self.name, "role": self.role, "key_id": self.key_id}


@dataclass(frozen=True)
class Event:
    """Something to record: what happened (``kind``), who did it, the details, and when."""

    kind: str
    actor: Actor
    payload: dict[str, Any]
    at: str = field(default_factory=lambda: now_stamp())


@dataclass(frozen=True)
class Entry:
    """An event chained into the log."""

    seq: int
    at: str
    kind: str
    actor: Actor
    payload: dict[str, Any]
    prev_hash: str
    hash: str = ""

    def computed_hash(self) -> str:
        """The hash this entry's content should have."""
        body = {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor.as_json(),
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }
        return sha256_hex(canonical_json(body))

    def as_json(self) -> dict[str, Any]:
        """The entry as exported (JSON lines) and shown."""
        return {
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "actor": self.actor.as_json(),
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def utc_stamp(moment: datetime) -> str:
    """The timestamp form of the log: UTC, microseconds, ``Z``; it sorts as text.

    >>> utc_stamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05.000000Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_stamp() -> str:
    """The current time in the log's timestamp form."""
    return utc_stamp(datetime.now(UTC))


def chain(last_seq: int, last_hash: str, events: Iterable[Event]) -> list[Entry]:
    """``events`` as entries following the entry ``last_seq`` whose hash is ``last_hash``."""
    entries: list[Entry] = []
    for seq, event in enumerate(events, start=last_seq + 1):
        entry = Entry(seq, event.at, event.kind, event.actor, event.payload, last_hash)
        entry = replace(entry, hash=entry.computed_hash())
        entries.append(entry)
        last_hash = entry.hash
    return entries


# --- the stored form -------------------------------------------------------------------------


def lookup_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """The copies of payload fields that lookups use: normalised party ids and the check id.

    >>> lookup_fields({"check_id": "c1", "parties": [" ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ", "x"]})
    {'parties': ['91130102RG8E64XKKR', 'X'], 'parties_text': '91130102RG8E64XKKR X', \
'check_id': 'c1'}
    """
    raw = payload.get("parties")
    parties = [normalise(p) for p in raw if isinstance(p, str)] if isinstance(raw, list) else []
    check_id = payload.get("check_id")
    return {
        "parties": parties,
        "parties_text": " ".join(parties),
        "check_id": check_id if isinstance(check_id, str) else None,
    }


def to_row(entry: Entry) -> dict[str, Any]:
    """The ``:AuditEntry`` node's properties for ``entry``."""
    return {
        "seq": entry.seq,
        "at": entry.at,
        "kind": entry.kind,
        "actor_name": entry.actor.name,
        "actor_role": entry.actor.role,
        "actor_key_id": entry.actor.key_id,
        "payload": canonical_json(entry.payload).decode("utf-8"),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        **lookup_fields(entry.payload),
    }


def from_row(row: dict[str, Any]) -> Entry:
    """The entry stored as ``row`` (an ``:AuditEntry`` node's properties)."""
    actor = Actor(row["actor_name"], row["actor_role"], row.get("actor_key_id"))
    return Entry(
        seq=row["seq"],
        at=row["at"],
        kind=row["kind"],
        actor=actor,
        payload=_payload(row.get("payload")),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _payload(text: Any) -> dict[str, Any]:
    """The stored payload; an unreadable one becomes a marker that fails the hash check."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"unreadable_payload": str(text)}
    return value if isinstance(value, dict) else {"unreadable_payload": value}


# --- verification ----------------------------------------------------------------------------


@dataclass
class ChainVerifier:
    """Checks entries fed in ``seq`` order; lists every break it finds in :attr:`problems`."""

    problems: list[str] = field(default_factory=list)
    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS

    def feed(self, entry: Entry, stored_lookup: dict[str, Any] | None = None) -> None:
        """Checks one entry against the one before it; ``stored_lookup`` are its lookup fields."""
        self.count += 1
        gap = entry.seq != self.last_seq + 1
        if gap:
            self._problem(_gap(self.last_seq, entry.seq))
        elif entry.prev_hash != self.last_hash:
            self._problem(
                f"entry {entry.seq}: prev_hash does not match the hash of entry {self.last_seq}"
                " (an entry was changed, inserted or reordered)"
            )
        if entry.computed_hash() != entry.hash:
            self._problem(f"entry {entry.seq}: its content was changed (hash mismatch)")
        elif stored_lookup is not None and stored_lookup != lookup_fields(entry.payload):
            self._problem(f"entry {entry.seq}: its lookup fields (parties, check_id) were changed")
        # Continue from the stored hash, so that one edited entry is reported once.
        self.last_seq, self.last_hash = entry.seq, entry.hash

    def finish(self, head: tuple[int, str] | None) -> None:
        """Checks the end of the log against the head (last seq and hash), None if missing."""
        if head is None:
            if self.count:
                self._problem("the audit head is missing (it records the newest entry)")
            return
        seq, last_hash = head
        if seq > self.last_seq:
            missing = _span(self.last_seq + 1, seq)
            self._problem(f"{missing} deleted (the head records entry {seq})")
        elif (seq, last_hash) != (self.last_seq, self.last_hash):
            self._problem(f"the audit head (entry {seq}) does not match entry {self.last_seq}")

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def _problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def _gap(last_seq: int, seq: int) -> str:
    if seq <= last_seq:
        return f"entry {seq} comes after entry {last_seq} (entries were reordered)"
    return f"{_span(last_seq + 1, seq - 1)} deleted (entry {seq} follows entry {last_seq})"


def _span(first: int, last: int) -> str:
    """Names missing entries as a sentence subject.

    >>> _span(3, 3), _span(3, 5)
    ('entry 3 was', 'entries 3..5 were')
    """
    return f"entry {first} was" if first == last else f"entries {first}..{last} were"
