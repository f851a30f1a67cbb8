"""Reading the propagation's input from Neo4j and writing its results back.

Reads go in batches of party ids (``propagation/read_parties_by_id``; an incremental run
reads less of each party: :data:`FOR_MEASURES`), so neither side holds
one huge result; writes are batched ``UNWIND $batch.rows`` statements that are idempotent, so
a retried or re-run batch leaves the same state. Only differences are written: a run that
changes nothing writes nothing but its run record.

What a killed run leaves behind (the crash tests, tests/propagation/test_crash.py):

* measures are written in batches (``CREDIT_GRAPH_BATCH_SIZE`` rows), each in one transaction
  with its change-log entries: a measure is stored exactly when its change is logged, and a
  rerun, diffing against what is stored, writes and logs the rest;
* the risk scores, the run's record and the marks of the loads it covered are the run's last
  transaction (:func:`finish_run`): either all of them or none. Until then the loads stay
  pending (:func:`pending_loads`) and the next run covers them again.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from graph_service import faults
from graph_service.analysis.explain import Measure
from graph_service.db import Database, Row, Tx, unsized
from graph_service.propagation import riskscope, scope

#: Parties per read batch: large enough to amortise the round trip, small enough to stream.
READ_BATCH = 10_000
#: Parties per batch of a full run's read (:func:`read_all`): two batches are decoded at a
#: time beside the graph being built, and at 2,500 they take some 30 MB less than at 10,000
#: (100,000 parties: peak RSS 369 against 406 MiB) for the same time.
FULL_READ_BATCH = 2_500
#: An incremental scope this small never falls back to a full run: it takes well under a
#: second however small the graph (and tests of incremental runs use small graphs).
SMALL_SCOPE = 1_000
#: ``propagation/hops``'s row limit when every row is wanted (Neo4j's largest integer).
ALL_ROWS = 2**63 - 1
#: Seconds the run's last transaction may take: every changed risk score of a full run.
FINISH_TIMEOUT_S = 300.0
#: The reads of parties (rows of one shape, :func:`read_all`'s): everything a full run needs;
#: and what measures need (no shared contacts: only peripheral risk follows them; an
#: incremental risk update reads its parties with their links, :class:`Neo4jRiskData`).
EVERYTHING = "propagation/read_parties_by_id"
FOR_MEASURES = "propagation/read_scope_parties"

T = TypeVar("T")


class Neo4jHops:
    """:class:`graph_service.propagation.scope.Hops` answered by Neo4j (``propagation/hops``):
    one query for every hop of a level."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, asks: Mapping[str, set[str]], rows: int | None = None) -> scope.Answers:
        pairs = [{"hop": hop, "from": p} for hop, ps in sorted(asks.items()) for p in sorted(ps)]
        reached: dict[str, dict[str, set[str]]] = {hop: {} for hop in asks}
        if pairs:
            limit = ALL_ROWS if rows is None else rows  # one statement (and plan) for both
            for row in self.db.read_plain("propagation/hops", **unsized(asks=pairs), rows=limit):
                reached[row["hop"]].setdefault(row["source"], set()).add(row["party_id"])
        return reached


def full_run_above(db: Database) -> int:
    """How many parties an incremental run's scope may hold before the full run is faster
    (``propagation_full_above`` times the parties in the graph)."""
    (row,) = db.read("propagation/party_count")
    return max(SMALL_SCOPE, int(db.settings.propagation_full_above * int(row["parties"])))


def read_all(db: Database, batch: int = FULL_READ_BATCH) -> Iterator[Row]:
    """Every party with its records, convictions and outgoing relationships, in id order."""
    # Two batches at a time: Neo4j runs one query while the driver decodes the other's rows
    # (the decoding is most of the time), so the two cores both work. Order is kept. Never
    # more than two: a slower reader of the rows (the graph being built) must not make them
    # pile up, since a full run's rows are several times the graph built from them.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="propagation-read") as pool:
        ahead: deque[Future[list[Row]]] = deque()
        for ids_batch in id_batches(db, batch):
            ahead.append(pool.submit(_read_batch, db, ids_batch))
            if len(ahead) == 2:
                yield from ahead.popleft().result()
        while ahead:
            yield from ahead.popleft().result()


def id_batches(db: Database, size: int) -> list[list[str]]:
    """Every party's id, in order, in consecutive batches of at most ``size``: how a full
    run's read (:func:`read_all`) and the pages' warm-up (``warmup.read_pages``) go through
    the whole graph."""
    (row,) = db.read_plain("propagation/party_ids", timeout_s=300)
    return _chunks(row["ids"], size)


def read_parties(db: Database, party_ids: Iterable[str]) -> list[Row]:
    """The given parties in the shape of :func:`read_all`, with the relationships measures
    follow (no shared contacts) kept within the set."""
    return _edges_within(read_rows(db, party_ids, FOR_MEASURES))


def _edges_within(rows: list[Row]) -> list[Row]:
    """``rows`` with only the relationships between them."""
    inside = {str(row["party_id"]) for row in rows}
    for row in rows:
        row["edges"] = [e for e in row["edges"] if e["target"] in inside]
    return rows


def read_rows(db: Database, party_ids: Iterable[str], read: str = EVERYTHING) -> list[Row]:
    """The given parties in the shape of :func:`read_all` (relationships to anyone), by the
    ``read`` named (:data:`EVERYTHING` or :data:`FOR_MEASURES`)."""
    ids = sorted(set(party_ids))
    rows: list[Row] = []
    for batch in _chunks(ids, READ_BATCH):
        rows += _read_batch(db, batch, read)
    return rows


def _chunks(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def _read_batch(db: Database, ids: list[str], read: str = EVERYTHING) -> list[Row]:
    (row,) = db.read_plain(read, **unsized(ids=ids), timeout_s=300)
    parties: list[Row] = row["parties"]
    return parties


class Neo4jRiskData:
    """:class:`graph_service.propagation.riskscope.RiskData` read from Neo4j."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def links(self, party_ids: set[str]) -> dict[str, riskscope.Links]:
        found: dict[str, riskscope.Links] = {}
        for batch in _chunks(sorted(party_ids), READ_BATCH):
            for got in _read_batch(self.db, batch, "propagation/risk_links"):
                score, party = got["score"], got["party"]
                found[str(party["party_id"])] = riskscope.Links(
                    None if score is None else float(score), got["links"], party
                )
        return found


def touched_by_loads(db: Database, load_ids: list[str]) -> set[str]:
    """The parties the given loads created or changed (see ``propagation/touched_by_loads``)."""
    rows = db.read("propagation/touched_by_loads", **unsized(load_ids=load_ids), timeout_s=120)
    return {str(r["party_id"]) for r in rows}


@dataclass(frozen=True)
class Stored:
    """A stored measure as the diff needs it."""

    measure_key: str
    content_hash: str
    party_id: str
    measure: str
    rule: str | None
    record_key: str | None


def stored_measures(db: Database, party_ids: Iterable[str] | None) -> dict[str, Stored]:
    """Stored measures by key: of the given parties, or all of them when ``None``."""
    if party_ids is None:
        rows = db.read_plain("propagation/all_stored_measures", timeout_s=300)
    else:
        rows = db.read_plain("propagation/stored_measures", **unsized(ids=sorted(set(party_ids))))
    return {r["measure_key"]: Stored(**r) for r in rows}


def stored_risk(db: Database) -> dict[str, float]:
    """Every stored peripheral-risk score."""
    (row,) = db.read_plain("propagation/stored_risk", timeout_s=300)
    return {str(party): float(score) for party, score in row["scores"]}


def measure_row(measure: Measure) -> dict[str, Any]:
    """The stored form of a measure (``:Measure`` properties, docs/model.md)."""
    record = measure.record
    path = [
        {
            "party_id": h.party_id,
            "name": h.name,
            "relation": h.relation,
            "stake_pct": h.stake_pct,
            "role": h.role,
        }
        for h in measure.path
    ]
    props: dict[str, Any] = {
        "party_id": measure.party_id,
        "measure": measure.measure,
        "origin": measure.origin,
        "rule": measure.rule,
        "record_key": record.record_key,
        "record_ref": record.ref,
        "record_kind": record.kind,
        "record_party_id": record.party_id,
        "authority": record.authority,
        "record_start": record.start,
        "record_end": record.end,
        "basis": measure.basis,
        "path_json": json.dumps(path, ensure_ascii=False),
        "until": measure.until,
    }
    props["content_hash"] = _content_hash(props, measure.catalog_version)
    return {"party_id": measure.party_id, "measure_key": measure.key, "props": props}


def _content_hash(props: Mapping[str, Any], catalog_version: str) -> str:
    text = json.dumps([props, catalog_version], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


#: A measure to store or delete, with its change-log entry.
Change = tuple[dict[str, Any], dict[str, Any]]


def write_measures(
    db: Database, changes: Sequence[Change], run_id: str, at: datetime, catalog_version: str
) -> None:
    """Creates or replaces measures (the ``measure_row`` of each change) and logs the changes,
    a batch of each per transaction."""
    for batch in _chunks(changes, db.settings.batch_size):
        db.write_tx(partial(_write_batch, batch, run_id, at, catalog_version))
        faults.checkpoint(db.settings, "measures_batch")


def delete_measures(db: Database, changes: Sequence[Change], run_id: str, at: datetime) -> None:
    """Deletes measures (the ``measure_key`` of each change) and logs the changes, a batch of
    each per transaction."""
    for batch in _chunks(changes, db.settings.batch_size):
        db.write_tx(partial(_delete_batch, batch, run_id, at))
        faults.checkpoint(db.settings, "measures_batch")


def _write_batch(
    batch: list[Change], run_id: str, at: datetime, catalog_version: str, tx: Tx
) -> None:
    rows = [row for row, _ in batch]
    tx.run("propagation/write_measures", **unsized(rows=rows), run_id=run_id, at=at,
           catalog_version=catalog_version)  # fmt: skip
    _log_changes(tx, batch, run_id, at)


def _delete_batch(batch: list[Change], run_id: str, at: datetime, tx: Tx) -> None:
    tx.run("propagation/delete_measures", **unsized(keys=[row["measure_key"] for row, _ in batch]))
    _log_changes(tx, batch, run_id, at)


def _log_changes(tx: Tx, batch: list[Change], run_id: str, at: datetime) -> None:
    entries = [entry for _, entry in batch]
    tx.run("propagation/log_changes", **unsized(rows=entries), run_id=run_id, at=at)


@dataclass(frozen=True)
class PendingLoad:
    """A load whose committed rows the stored measures do not reflect yet."""

    load_id: str
    batches: int  # batches committed when it was read: what a run that starts now covers
    kind: str
    file: str
    status: str  # started (running, or killed) | done | failed
    started_at: str


def pending_loads(db: Database) -> list[PendingLoad]:
    """Loads with committed batches no completed propagation run covered, oldest first."""
    return [PendingLoad(**row) for row in db.read_plain("propagation/pending_loads")]


def finish_run(
    db: Database,
    run_id: str,
    props: Mapping[str, Any],
    risk: Mapping[str, float | None],
    loads: Sequence[PendingLoad],
    release: Mapping[str, str] | None = None,
) -> None:
    """The run's last transaction: its changed risk scores (None removes one), its
    ``:PropagationRun``, the marks of the ``loads`` it covered and, given ``release`` (the
    lease's name and holder, :func:`lease.released_with`), the lease's release — all of them
    or none, in one statement."""
    scores = [{"party_id": p, "score": s} for p, s in sorted(risk.items())]
    marks = [{"load_id": load.load_id, "batches": load.batches} for load in loads]
    lease, holder = (release["name"], release["holder"]) if release else (None, None)
    db.write("propagation/finish_run", **unsized(rows=scores, loads=marks), run_id=run_id,
             props=dict(props), lease=lease, holder=holder,  # a null holder releases nothing
             timeout_s=FINISH_TIMEOUT_S)  # fmt: skip


def voiding_sources(
    db: Database, record_keys: Sequence[str], statuses: Sequence[str]
) -> list[dict[str, Any]]:
    """``record_key, source`` of the status update that voided each record (``source``: repair
    or objection when a decision wrote it, else None)."""
    return db.read_plain(
        "propagation/voiding_sources", **unsized(keys=record_keys), statuses=list(statuses)
    )


def changes_since(db: Database, since: datetime, limit: int) -> list[dict[str, Any]]:
    """Change-log entries after ``since``, oldest first."""
    return [r["change"] for r in db.read("propagation/changes_since", since=since, limit=limit)]


def last_runs(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The most recent runs, newest first."""
    return [r["run"] for r in db.read("propagation/last_runs", limit=limit)]


def stored_day(db: Database) -> date | None:
    """The day the stored measures and scores hold for: the latest run's ``as_of`` (None
    before any run)."""
    runs = last_runs(db, limit=1)
    return date.fromisoformat(str(runs[0]["as_of"])) if runs else None


def as_of_text(day: date) -> str:
    """A date as stored on runs (ISO text)."""
    return day.isoformat()
