"""Stop-sharing notices (停止共享和使用, due-process.md §4): made from the propagation's losses,
for every API key that was told something other than ``allow`` / ``fast_track`` about the
party within the catalog's window.

Invariants (docs/due-process.md, "Notices"):

* A loss is a ``:MeasureChange`` of change ``lost``. Its notices are made after the run that
  logged it committed (:func:`make_notices`, called at the end of every propagation run);
  a ``:NoticeMark`` named ``losses`` remembers how far the change log was read, and every call
  reads again from :data:`OVERLAP` before it, so a loss committed by a run that overlapped
  another, or left by a process killed before its notices, is found by the next call.
* A loss whose notices were made remembers up to which audit entry the checks were read
  (``notices_seq`` of the ``:MeasureChange``: Neo4j's audit head, read before the checks).
  Read again, it looks only at checks that entered Neo4j's audit log after that entry — a
  check the mirror copied after the loss's notices were made (its ``seq`` is larger, whatever
  its ``at``) — not at every check again (180 MB of payloads after every run on a
  100,000-party world). A loss without ``notices_seq`` (new, or its notices not all written
  before a crash: the mark is set after them) reads every check.
* The recipients of a loss are the keys whose stored checks — ``check`` entries of the audit
  log in Neo4j (with a local audit log, those the mirror has copied: docs/due-process.md) —
  gave the party a decision other than ``allow`` / ``fast_track`` within
  ``due_process.notices.window_days`` before the loss. The notice names those checks
  (``supersedes_checks``).
* A notice's id is a hash of the key id and the loss's change id: one loss never gives one
  key two notices. Notices are written, with one ``notice_made`` audit entry each and a
  pending ``:Delivery`` for each of the key's webhooks, in one transaction that first takes
  the audit head's lock, so two makers at once serialise and the second finds the first's
  notices made.
* Its ``reason``: how the loss's record ended (``ended_by``: expired, period, repaired,
  revoked, removed), ``objection_upheld`` when the status update that ended it came from an
  upheld objection, and ``related_party_change`` when the record is still active (the measure
  was derived through a relationship that ended or changed). The run logs it with the loss
  (``ended_by``, ``ended_on``, ``ended_source`` of the ``:MeasureChange``); for a loss logged
  without it, it is worked out again from the record (``activity.ended``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from graph_service.analysis.activity import ended
from graph_service.analysis.graph import DATE_FIELDS, as_date
from graph_service.db import Database, Tx
from graph_service.identifiers import normalise
from graph_service.model import FULLTEXT_AUDIT_PARTIES
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.security.appender import HEAD_NAME, Attachment, write_entries
from graph_service.security.audit import GENESIS, Actor, Event, utc_stamp

log = logging.getLogger(__name__)

#: Who makes notices and delivers them, in the audit log.
ACTOR: Final = Actor("credit-graph:notices", "system")
#: Decisions that need no notice when they go away: nothing was restricted.
UNRESTRICTED: Final = frozenset({"allow", "fast_track"})
#: How far before the mark the change log is read again: a run's changes are stamped when it
#: diffs and committed a little later, so a run overlapping another may commit changes older
#: than what the other already read. Runs last minutes; reading an hour again is cheap (the
#: notice ids make it idempotent).
OVERLAP: Final = timedelta(hours=1)
#: Losses read, and notices written, per transaction.
PAGE: Final = 500
#: Parties whose checks are read per query: a batch check's payload comes once for each party
#: it names, so 333 parties of a 100,000-party world brought 180 MB of payloads at once.
RECIPIENTS_PAGE: Final = 25
#: The mark of how far losses were turned into notices.
LOSSES_MARK: Final = "losses"


@dataclass(frozen=True)
class Loss:
    """A measure a party lost, from the change log."""

    change_id: str
    party_id: str
    measure: str
    record_key: str | None
    at: datetime  # when the run logged it
    as_of: date  # the day the run computed measures for
    #: Why, as the run logged it (propagation/runner.py's LossReasons): ``ended_by``,
    #: ``ended_on``, ``ended_source``; empty for changes logged before runs said why.
    logged: Mapping[str, Any] = field(default_factory=dict)
    #: The audit seq up to which checks were read when its notices were made; None: not yet.
    notices_seq: int | None = None


@dataclass(frozen=True)
class Received:
    """A check that gave ``party_id`` a decision other than allow / fast_track."""

    key_id: str
    check_id: str
    party_id: str
    at: str  # the audit entry's timestamp (text, sorts as time)
    seq: int = 0  # its seq in Neo4j's audit log (a mirrored check's: when it was mirrored)


@dataclass(frozen=True)
class Notice:
    """A stop-sharing notice to one API key."""

    notice_id: str
    key_id: str
    party_id: str
    measure: str
    record_ref: str | None
    reason: str
    effective_on: date
    supersedes_checks: tuple[str, ...]
    change_id: str

    def as_json(self, made_at: str) -> dict[str, Any]:
        """The notice as the feed and the webhook send it."""
        return {
            "notice_id": self.notice_id,
            "party_id": self.party_id,
            "measure": self.measure,
            "record_ref": self.record_ref,
            "reason": self.reason,
            "effective_on": self.effective_on.isoformat(),
            "supersedes_checks": list(self.supersedes_checks),
            "made_at": made_at,
        }

    def row(self, made_at: str) -> dict[str, Any]:
        """The ``:Notice`` node."""
        return {**self.as_json(made_at), "key_id": self.key_id, "change_id": self.change_id}


def notice_id(key_id: str, change_id: str) -> str:
    """The id of the notice of loss ``change_id`` to key ``key_id``: the same pair, the same id.

    >>> notice_id("0123456789ab", "c1") == notice_id("0123456789ab", "c1") != notice_id("k2", "c1")
    True
    """
    return hashlib.sha256(f"notice|{key_id}|{change_id}".encode()).hexdigest()[:32]


def restricted(payload: Mapping[str, Any], party: str) -> bool:
    """Whether a check's audit payload gave ``party`` (normalised) a decision other than
    allow / fast_track (an error is no decision).

    >>> p = {"decisions": [{"party_id": "x1", "decision": "allow"},
    ...                    {"party_id": " X2", "decision": "review"}]}
    >>> restricted(p, "X1"), restricted(p, "X2"), restricted({}, "X2")
    (False, True, False)
    """
    for decision in payload.get("decisions") or ():
        given = decision.get("decision")
        if normalise(str(decision.get("party_id"))) == party and given is not None:
            if given not in UNRESTRICTED:
                return True
    return False


def reason_for(record: Mapping[str, Any] | None, catalog: Catalog, as_of: date) -> tuple[str, date]:
    """Why a measure resting on ``record`` was lost on ``as_of``, and from which day.

    >>> from graph_service.policy import default_catalog
    >>> listing = {"kind": "blacklist", "start": date(2024, 9, 1), "end": date(2027, 9, 1),
    ...     "voided_on": date(2026, 11, 27), "status": "repaired", "updates": [
    ...     {"status": "repaired", "effective_on": date(2026, 11, 27), "source": "objection"}]}
    >>> reason_for(listing, default_catalog(), date(2026, 11, 28))
    ('objection_upheld', datetime.date(2026, 11, 27))
    >>> reason_for({**listing, "updates": []}, default_catalog(), date(2026, 11, 28))[0]
    'repaired'
    >>> reason_for({**listing, "voided_on": None}, default_catalog(), date(2026, 11, 28))
    ('related_party_change', datetime.date(2026, 11, 28))
    """
    end = ended(record, catalog, as_of) if record is not None else None
    if end is None:
        return "related_party_change", as_of
    if end.update is not None and _source(end.update) == "objection":
        return "objection_upheld", end.ended_on
    return end.ended_by, end.ended_on


def logged_reason(logged: Mapping[str, Any], as_of: date) -> tuple[str, date] | None:
    """The reason a run logged with a loss (None when it logged none): ``ended_by``, except
    ``objection_upheld`` for a status update that came from an objection.

    >>> logged_reason({"ended_by": "revoked", "ended_on": "2026-11-27",
    ...                "ended_source": "objection"}, date(2026, 11, 28))
    ('objection_upheld', datetime.date(2026, 11, 27))
    >>> logged_reason({"ended_by": "related_party_change", "ended_on": None}, date(2026, 11, 28))
    ('related_party_change', datetime.date(2026, 11, 28))
    """
    ended_by = logged.get("ended_by")
    if not ended_by:
        return None
    reason = "objection_upheld" if logged.get("ended_source") == "objection" else str(ended_by)
    return reason, as_date(logged.get("ended_on")) or as_of


def _source(update: Mapping[str, Any]) -> str | None:
    """Where a status update came from: ``source`` of its provenance (repair, objection)."""
    value = update.get("source") or update.get("src_kind")
    return str(value) if value is not None else None


def build(
    losses: Iterable[Loss],
    records: Mapping[str, Mapping[str, Any]],
    received: Mapping[str, Sequence[Received]],
    catalog: Catalog,
) -> list[Notice]:
    """The notices of ``losses``: for each, one per key among ``received[party]`` with a
    check within the window before the loss (:func:`counted`). ``records``: record key → the
    record (dates as dates, with its ``updates``)."""
    window = timedelta(days=catalog.notices.window_days)
    notices = []
    for loss in losses:
        by_key: dict[str, list[str]] = defaultdict(list)
        for check in counted(loss, received.get(loss.party_id, ()), window):
            by_key[check.key_id].append(check.check_id)
        if not by_key:
            continue
        record = records.get(loss.record_key or "")
        reason, effective_on = logged_reason(loss.logged, loss.as_of) or reason_for(
            record, catalog, loss.as_of
        )
        ref = str(record["ref"]) if record is not None and record.get("ref") else None
        notices += [
            Notice(notice_id(key, loss.change_id), key, loss.party_id, loss.measure, ref,
                   reason, effective_on, tuple(sorted(set(checks))), loss.change_id)
            for key, checks in sorted(by_key.items())
        ]  # fmt: skip
    return notices


def counted(loss: Loss, checks: Iterable[Received], window: timedelta) -> list[Received]:
    """The ``checks`` (of the loss's party) that give ``loss`` its notices: made within the
    window before it and, when its notices were made up to audit seq ``notices_seq``, logged
    in Neo4j after that (the others were counted then).

    >>> at = datetime(2026, 11, 28, tzinfo=UTC)
    >>> loss = Loss("c1", "P1", "blacklist", None, at, at.date())
    >>> old = Received("k1", "old", "P1", "2026-11-20T00:00:00Z", seq=5)
    >>> late = Received("k2", "late", "P1", "2026-11-20T00:00:00Z", seq=9)  # mirrored late
    >>> after = Received("k3", "after", "P1", "2026-11-29T00:00:00Z", seq=10)
    >>> [c.check_id for c in counted(loss, [old, late, after], timedelta(days=30))]
    ['old', 'late']
    >>> made = Loss("c1", "P1", "blacklist", None, at, at.date(), notices_seq=5)
    >>> [c.check_id for c in counted(made, [old, late, after], timedelta(days=30))]
    ['late']
    """
    earliest, latest = utc_stamp(loss.at - window), utc_stamp(loss.at)
    seen = loss.notices_seq if loss.notices_seq is not None else -1
    return [check for check in checks if earliest <= check.at <= latest and check.seq > seen]


# --- reading and writing ------------------------------------------------------------------------


@dataclass
class Made:
    """What :func:`make_notices` did."""

    losses: int = 0  # losses read (not those whose notices read every check up to now)
    notices: int = 0  # new notices (those made before are not counted again)
    deliveries: int = 0


def make_notices(db: Database, catalog: Catalog | None = None, now: datetime | None = None) -> Made:
    """Makes the notices of every loss logged since the mark (see the module)."""
    catalog = catalog or catalog_in_force(db.settings)
    now = now or datetime.now(UTC)
    mark = _mark(db)
    since = (mark - OVERLAP) if mark is not None else now - timedelta(catalog.notices.window_days)
    made, after = Made(), (since, "")
    seq = _audit_seq(db)  # before the checks are read: a later check has a larger seq
    while page := _losses(db, after, seq):
        made.losses += len(page)
        received = _received(db, page, catalog, seq)
        window = timedelta(days=catalog.notices.window_days)
        noticed = [loss for loss in page if counted(loss, received.get(loss.party_id, ()), window)]
        notices = build(noticed, _records(db, noticed), received, catalog)
        for start in range(0, len(notices), PAGE):
            new, deliveries = write_notices(db, notices[start : start + PAGE], now)
            made.notices, made.deliveries = made.notices + new, made.deliveries + deliveries
        # Only once every notice of the page is written (a crash before leaves them unmarked).
        behind = [c.change_id for c in page if c.notices_seq is None or c.notices_seq < seq]
        if behind:
            db.write("notices/set_made", change_ids=behind, seq=seq)
        after = (page[-1].at, page[-1].change_id)
        if mark is None or page[-1].at > mark:
            db.write("notices/set_mark", name=LOSSES_MARK, at=page[-1].at)
            mark = page[-1].at
    return made


def _audit_seq(db: Database) -> int:
    """The seq of the newest entry of Neo4j's audit log (0 before the first)."""
    rows = db.read("audit/head", name=HEAD_NAME)
    return int(rows[0]["seq"]) if rows else 0


def _mark(db: Database) -> datetime | None:
    rows = db.read("notices/mark", name=LOSSES_MARK)
    return as_datetime(rows[0]["at"]) if rows and rows[0]["at"] is not None else None


def _losses(db: Database, after: tuple[datetime, str], head: int) -> list[Loss]:
    """The next page of losses, but those whose notices read every check up to ``head``."""
    rows = db.read("notices/losses_after", after_at=after[0], after_id=after[1], limit=PAGE,
                   head=head)  # fmt: skip
    return [
        Loss(r["change_id"], r["party_id"], r["measure"], r["record_key"], as_datetime(r["at"]),
             as_date(r["as_of"]) or as_datetime(r["at"]).date(), r["logged"], r["notices_seq"])
        for r in rows
    ]  # fmt: skip


def _records(db: Database, losses: Sequence[Loss]) -> dict[str, dict[str, Any]]:
    """The losses' records with their status updates, dates as dates."""
    keys = sorted({loss.record_key for loss in losses if loss.record_key})
    if not keys:
        return {}
    found = {}
    for row in db.read("notices/records", keys=keys):
        record = {k: as_date(v) if k in DATE_FIELDS else v for k, v in row["record"].items()}
        updates = [{**u, "effective_on": as_date(u.get("effective_on"))} for u in row["updates"]]
        found[str(record["record_key"])] = {**record, "updates": updates}
    return found


def _received(
    db: Database, losses: Sequence[Loss], catalog: Catalog, head: int
) -> dict[str, list[Received]]:
    """The checks that restricted the losses' parties within the window before the oldest loss
    and up to the newest (each loss keeps its own window in :func:`build`), and for a party
    whose every loss had its notices made, only those logged in Neo4j since the earliest of
    them was (:func:`counted`; the payloads of the others are not read again). ``head``: the
    audit log's newest seq, read before: a party whose losses read every check up to it has
    nothing to read (a check logged since has a larger seq, and is read next time)."""
    seen: dict[str, int] = {}  # party → the audit seq after which its checks are read
    for loss in losses:
        if loss.party_id.isalnum():
            after = loss.notices_seq if loss.notices_seq is not None else 0
            seen[loss.party_id] = min(seen.get(loss.party_id, after), after)
    seen = {party: after for party, after in seen.items() if after < head}
    if not seen:
        return {}
    window = timedelta(days=catalog.notices.window_days)
    since = utc_stamp(min(loss.at for loss in losses) - window)
    db.read("audit/await_fulltext_refresh")  # the index is eventually consistent
    found: dict[str, list[Received]] = defaultdict(list)
    for after_seq, parties in _by_seq(seen):
        for start in range(0, len(parties), RECIPIENTS_PAGE):
            page = parties[start : start + RECIPIENTS_PAGE]
            rows = db.read("notices/recipients", index=FULLTEXT_AUDIT_PARTIES, parties=page,
                           since=since, after_seq=after_seq)  # fmt: skip
            for row in rows:
                if restricted(json.loads(row["payload"]), row["party"]):
                    found[row["party"]].append(Received(
                        row["key_id"], row["check_id"], row["party"], row["at"], row["seq"]
                    ))  # fmt: skip
    return found


def _by_seq(seen: Mapping[str, int]) -> list[tuple[int, list[str]]]:
    """The parties grouped for :func:`_received`'s reads: those with a loss whose notices
    were not made yet (after seq 0: every check) apart from the others, which are read from
    the smallest seq among them (their losses' notices were made after close seqs).

    >>> _by_seq({"P2": 0, "P1": 7, "P3": 0, "P4": 9})
    [(0, ['P2', 'P3']), (7, ['P1', 'P4'])]
    """
    fresh = sorted(party for party, seq in seen.items() if seq == 0)
    made = sorted(party for party, seq in seen.items() if seq > 0)
    groups = [(0, fresh)] if fresh else []
    return groups + ([(min(seen[p] for p in made), made)] if made else [])


def write_notices(db: Database, notices: Sequence[Notice], now: datetime) -> tuple[int, int]:
    """Stores the ``notices`` not made yet, audited, with a pending delivery to each webhook
    of their keys, in one transaction; (notices, deliveries) written."""
    return db.write_tx(lambda tx: _write(tx, notices, now))


def _write(tx: Tx, notices: Sequence[Notice], now: datetime) -> tuple[int, int]:
    """Writes the notices not made yet, their audit entries and deliveries; (notices,
    deliveries) written. The head's lock is taken first: makers serialise here."""
    tx.run("audit/lock_head", name=HEAD_NAME, genesis=GENESIS)
    made = {r["notice_id"] for r in tx.run("notices/existing", ids=[n.notice_id for n in notices])}
    new = [n for n in notices if n.notice_id not in made]
    if not new:
        return 0, 0
    made_at = utc_stamp(now)
    events = [Event("notice_made", ACTOR, _payload(n, made_at)) for n in new]
    write_entries(tx, events, [Attachment("notices/create_notices", n.row(made_at)) for n in new])
    rows = [{"notice_id": n.notice_id, "key_id": n.key_id} for n in new]
    deliveries = tx.run("notices/create_deliveries", rows=rows, now=now)
    return len(new), int(deliveries[0]["deliveries"]) if deliveries else 0


def _payload(notice: Notice, made_at: str) -> dict[str, Any]:
    """What the ``notice_made`` entry says; ``parties`` makes it found by the party."""
    return {**notice.as_json(made_at), "key_id": notice.key_id, "parties": [notice.party_id]}


def as_datetime(value: Any) -> datetime:
    """A Neo4j DateTime (or a datetime) as an aware datetime (UTC when it has no zone).

    >>> as_datetime(datetime(2026, 12, 1)).isoformat()
    '2026-12-01T00:00:00+00:00'
    """
    moment = value.to_native() if hasattr(value, "to_native") else value
    if not isinstance(moment, datetime):
        raise TypeError(f"not a date-time: {value!r}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def after_run(db: Database, catalog: Catalog | None = None) -> Made | None:
    """:func:`make_notices` after a propagation run committed; a failure is logged, not raised
    (the run is done; the losses stay after the mark and the next run makes their notices)."""
    try:
        made = make_notices(db, catalog)
    except Exception:
        log.exception("stop-sharing notices could not be made; the next run makes them")
        return None
    if made.notices:
        log.info("stop-sharing notices made",
                 extra={"notices": made.notices, "deliveries": made.deliveries})  # fmt: skip
    return made
