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
* A row stored with an entry and served later (the ``:Check`` of a ``check`` entry, the
  ``:CheckFeedback`` of a ``feedback`` entry: :data:`STORED_ROWS`) is covered by the chain: the
  entry's payload carries its :func:`stored_digest`, so editing, planting or re-linking the row
  is detected like editing the entry. Entries logged before digests vouch only that their row
  exists; they are counted as *unprotected*, not as broken.
* What the chain cannot see by itself — its newest entries removed with the head moved back,
  or the whole database rolled back — an :class:`Anchor` kept outside the database does.

What an entry says is the ``payload``, free-form JSON per ``kind``; a check's payload is
``{check_id, purpose, context, as_of, catalog_version, parties, decisions, receipt,
stored_digest}``.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from graph_service.errors import StoredCheckUnreadable
from graph_service.identifiers import normalise
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.roles import Caller
from graph_service.security.stored import RESPONSE_ZLIB, response_text

#: The ``prev_hash`` of the first entry.
GENESIS: Final = "0" * 64
#: At most this many problems are listed; one is enough to know the log was tampered with.
MAX_PROBLEMS: Final = 50
#: The payload field holding the digest of the row stored with the entry.
STORED_DIGEST: Final = "stored_digest"
#: Kinds of entry written together with a row that is served later, and what that row is.
STORED_ROWS: Final = {"check": "stored check", "feedback": "feedback on check"}


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
    """The current time in the log's timestamp form: :func:`utc_stamp`'s text, made by
    ``isoformat`` (``strftime``, twice a check, was ~3 % of a single-party check's worker CPU
    in session 12's profile, docs/benchmarks.md; ``isoformat`` takes about two thirds of it).

    >>> stamp = now_stamp()
    >>> utc_stamp(datetime.fromisoformat(stamp)) == stamp  # the text utc_stamp makes of it
    True
    """
    return _iso_stamp(datetime.now(UTC))


def _iso_stamp(moment: datetime) -> str:
    """:func:`utc_stamp` of a UTC ``moment`` of a year from 1000 on (``strftime``'s ``%Y``
    does not pad years before it; ``isoformat`` does), by ``isoformat``: the same text,
    microseconds always six digits, zeros included.

    >>> moments = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    ...            datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    ...            datetime(2027, 6, 1, 0, 0, 0, 7, tzinfo=UTC),
    ...            datetime(1000, 1, 1, tzinfo=UTC),
    ...            datetime(9999, 12, 31, 0, 0, 0, 10, tzinfo=UTC)]
    >>> [_iso_stamp(m) for m in moments] == [utc_stamp(m) for m in moments]
    True
    >>> _iso_stamp(moments[2])
    '2027-06-01T00:00:00.000007Z'
    """
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"


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
    """The entry stored as ``row`` (an ``:AuditEntry`` node's properties).

    A property missing from a planted or mangled node reads as empty, so the entry fails the
    hash check (and is named) instead of stopping the verification.
    """
    actor = Actor(str(row.get("actor_name") or ""), str(row.get("actor_role") or ""),
                  row.get("actor_key_id"))  # fmt: skip
    return Entry(
        seq=row["seq"],
        at=str(row.get("at") or ""),
        kind=str(row.get("kind") or ""),
        actor=actor,
        payload=_payload(row.get("payload")),
        prev_hash=str(row.get("prev_hash") or ""),
        hash=str(row.get("hash") or ""),
    )


def _payload(text: Any) -> dict[str, Any]:
    """The stored payload; an unreadable one becomes a marker that fails the hash check."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"unreadable_payload": str(text)}
    return value if isinstance(value, dict) else {"unreadable_payload": value}


# --- rows stored with entries ----------------------------------------------------------------


def stored_digest(row: Mapping[str, Any]) -> str:
    """The digest an entry keeps of the row stored with it: SHA-256 of the canonical JSON of
    the row's properties exactly as stored (a check's request and answer are its JSON texts as
    sent), without ``audit_seq`` — added once the entry has its seq, and compared with it
    instead — and without nulls, which Neo4j does not store (the row reads back without them).

    >>> row = {"check_id": "c1", "response": '{"decision":"deny"}', "caller_key_id": None}
    >>> stored_digest(row) == stored_digest({"response": '{"decision":"deny"}', "check_id": "c1",
    ...                                      "audit_seq": 7})
    True
    >>> stored_digest(row) == stored_digest({**row, "response": '{"decision":"allow"}'})
    False
    """
    kept = {k: v for k, v in row.items() if k != "audit_seq" and v is not None}
    return sha256_hex(canonical_json(kept))


def has_stored_row(entry: Entry) -> bool:
    """Whether ``entry`` was written with a stored row: a check or feedback naming its check.

    >>> actor = Actor("portal", "checker")
    >>> has_stored_row(Entry(1, "", "check", actor, {"check_id": "c1"}, GENESIS))
    True
    >>> has_stored_row(Entry(1, "", "check_viewed", actor, {"check_id": "c1"}, GENESIS))
    False
    """
    return entry.kind in STORED_ROWS and isinstance(entry.payload.get("check_id"), str)


def is_protected(entry: Entry) -> bool:
    """Whether ``entry`` carries the digest of its stored row (entries logged before digests
    were introduced do not).
    """
    return isinstance(entry.payload.get(STORED_DIGEST), str)


def stored_row_problem(entry: Entry, rows: Sequence[Mapping[str, Any]]) -> str | None:
    """Why ``rows`` — the rows found stored with ``entry`` (one of :data:`STORED_ROWS`) — are
    not what the entry recorded; None when they are.

    >>> actor = Actor("portal", "checker")
    >>> row = {"check_id": "c1", "response": '{"decision":"deny"}'}
    >>> [entry] = chain(4, GENESIS, [Event("check", actor,
    ...     {"check_id": "c1", STORED_DIGEST: stored_digest(row)}, "2026-01-01T00:00:00Z")])
    >>> stored_row_problem(entry, [{**row, "audit_seq": 5}]) is None
    True
    >>> stored_row_problem(entry, [{**row, "audit_seq": 5, "response": '{"decision":"allow"}'}])
    'entry 5: stored check c1 was changed after it was logged (digest mismatch)'
    >>> stored_row_problem(entry, [])
    'entry 5: stored check c1 is missing (deleted)'
    """
    what = f"{STORED_ROWS.get(entry.kind, 'row')} {entry.payload.get('check_id')}"
    if not rows:
        return f"entry {entry.seq}: {what} is missing (deleted)"
    if len(rows) > 1:
        return f"entry {entry.seq}: {len(rows)} rows claim to be its {what} (planted)"
    row = rows[0]
    if row.get("audit_seq") != entry.seq:
        return f"entry {entry.seq}: {what} names entry {row.get('audit_seq')} (re-linked)"
    if is_protected(entry) and entry.payload[STORED_DIGEST] != stored_digest(row):
        return f"entry {entry.seq}: {what} was changed after it was logged (digest mismatch)"
    return None


def unreadable_problem(entry: Entry, row: Mapping[str, Any]) -> str | None:
    """Why ``row``, a stored check its entry vouches for, cannot be read back; None when it can.

    A compressed answer with a matching digest can still be unreadable (a faulty writer
    stored it so): ``GET`` of the check refuses it (``stored_check_unreadable``), so
    ``audit verify`` must not pass it.

    >>> cut = {"check_id": "c1", "response_zlib": "eAGrVipKLS4="}
    >>> actor = Actor("portal", "checker")
    >>> [entry] = chain(4, GENESIS, [Event("check", actor, {"check_id": "c1"}, "2026-01-01")])
    >>> unreadable_problem(entry, cut)
    'entry 5: the stored answer of check c1 cannot be read: its compressed text is cut short'
    >>> unreadable_problem(entry, {"check_id": "c1", "response": "{}"}) is None
    True
    """
    if RESPONSE_ZLIB not in row:
        return None
    try:
        response_text(row)
    except StoredCheckUnreadable as exc:
        return f"entry {entry.seq}: {exc}"
    return None


# --- anchors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """The head of the log at one moment — its seq, hash and time — kept outside the database
    (signed, see :mod:`.anchor`), so that a later log must still contain that entry.
    """

    seq: int
    hash: str
    at: str
    anchored_at: str


# --- verification ----------------------------------------------------------------------------


@dataclass
class ChainVerifier:
    """Checks entries fed in ``seq`` order; lists every break it finds in :attr:`problems`.

    ``anchors`` are heads saved earlier: the chain must still hold each of those entries.
    """

    problems: list[str] = field(default_factory=list)
    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    last_at: str = ""
    #: Entries whose stored row predates digests (its content is not covered), first ones.
    unprotected: list[int] = field(default_factory=list)
    unprotected_count: int = 0
    anchors: Sequence[Anchor] = ()
    _anchors_seen: set[int] = field(default_factory=set, init=False, repr=False)

    def feed(self, entry: Entry, stored_lookup: dict[str, Any] | None = None) -> None:
        """Checks one entry against the one before it; ``stored_lookup`` are its lookup fields."""
        self.count += 1
        self._check_anchors(entry)
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
        self.last_seq, self.last_hash, self.last_at = entry.seq, entry.hash, entry.at

    def feed_stored(self, entry: Entry, rows: Sequence[Mapping[str, Any]]) -> None:
        """Checks the rows found stored with ``entry`` (one that :func:`has_stored_row`)."""
        problem = stored_row_problem(entry, rows) or unreadable_problem(entry, rows[0])
        if problem is not None:
            self._problem(problem)
        elif not is_protected(entry):
            self.unprotected_count += 1
            if len(self.unprotected) < MAX_PROBLEMS:
                self.unprotected.append(entry.seq)

    def unlogged(self, check_id: str, feedback_seq: int | None = None) -> None:
        """A stored check (or, with ``feedback_seq``, a feedback on it) that no entry records."""
        what = f"stored check {check_id}"
        if feedback_seq is not None:
            what = f"feedback on check {check_id} (naming entry {feedback_seq})"
        self._problem(f"{what} has no audit entry (planted, or its entry hidden)")

    def beyond_head(self, seq: int, head_seq: int) -> None:
        """An entry with a seq past the head's: planted, or the head was moved back."""
        self._problem(
            f"entry {seq} comes after the head (entry {head_seq}): planted, or the head was"
            " moved back"
        )

    def finish(self, head: tuple[int, str] | None) -> None:
        """Checks the end of the log against the head (last seq and hash), None if missing;
        then that every anchored entry was met.
        """
        self._finish_anchors()
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

    def _check_anchors(self, entry: Entry) -> None:
        for anchor in self.anchors:
            if anchor.seq == entry.seq:
                self._anchors_seen.add(anchor.seq)
                if anchor.hash != entry.hash:
                    self._problem(
                        f"entry {entry.seq} is not the entry anchored {anchor.anchored_at}"
                        f" (its hash differs): the log was rewritten from entry {entry.seq}"
                        " or earlier"
                    )

    def _finish_anchors(self) -> None:
        for anchor in self.anchors:
            if anchor.seq in self._anchors_seen:
                continue
            missing = f"entry {anchor.seq} (anchored {anchor.anchored_at}) is missing"
            if anchor.seq > self.last_seq:
                self._problem(
                    f"{missing}: the log ends at entry {self.last_seq} (its newest entries were"
                    " removed and the head moved back, or the database was rolled back)"
                )
            else:
                self._problem(f"{missing} (deleted)")

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
