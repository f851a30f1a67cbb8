"""Warming Neo4j's plans of the statements a propagation after a load runs (issue 15 item 3).

Neo4j starts with empty query caches, so the first incremental run after a start plans each of
its statements: 2.9 s at 100,000 parties for a run that takes 0.1-0.3 s once they are planned
(docs/benchmarks.md, issue 15). :func:`warm` runs each of them once beforehand. The
service does it, when it starts (:mod:`graph_service.propagation.catchup`, after completing
pending loads, in the same thread; ``Settings.warm_plans_on_start``), and so does
``credit-graph neo4j start``. A Neo4j restarted under a running service finds the plans cold
(docs/benchmarks.md, issue 15, sessions 11-12).

With the plans cached, the first run after a start still waits for its pages to come from
disk (issue 15, session 12: an 870-party scope 0.4-0.9 s against ~0.15 s warm), so the
service then reads every party once (:func:`read_pages`, ``Settings.warm_pages_on_start``):
Neo4j's work, counts only sent back. The CLI does not: it would hold ``neo4j start`` for it.

Why it is done this way (measured on Neo4j 5.26, issue 15, session 11):

* A plan is cached under the statement's text, the types of its parameters (a null is not a
  string), the sizes of its top-level strings and lists by order of magnitude (up to 10,
  100, 1,000 … characters or items; a list inside a map has none:
  :func:`graph_service.db.unsized`) and whether its transaction has written already. So
  the warm-up passes parameters of the types the run passes, strings of the same lengths,
  lists empty inside ``$batch``, and runs each statement where the run does: first in its
  transaction, or after a write (``log_changes`` follows the measures' writes).
* ``EXPLAIN`` of the same text with the same parameters caches a plan of its own, which the
  statement does not use when it runs: the statements are run, not explained.
* Nothing changes: the lists are empty, the lease and run are named as no run is, and every
  transaction is rolled back (:meth:`Database.rolled_back`) but two: a lease no run takes is
  claimed and released, each committed (:func:`first_commits`), since the first committed
  writes after a start are slow and a rolled-back transaction does not pay for them.
* With the plans cached, a run's reads still cost several times more the first time they
  execute after a start (0.2-0.3 s for the first run's 79 parties at 100,000 parties, 0.03-0.09
  s later for as many): so the scope's, the parties', the risk links' and the stored measures'
  reads then run once on a few real parties (:func:`first_reads`; reads only).

A statement added to the run and not here is planned by the first run after a start again.
``tests/propagation/test_warmup.py`` fails then for the statements of a run that gains
measures (the run it checks); the loss path's (``delete_measures`` and the ``log_changes``
after it, ``voiding_sources``, the notices of losses) are not checked, and the notices of
losses are not warmed.

It is cheap: once the plans are cached, some twenty-five round trips and the reads of 200
parties. It only saves time, so a failure (Neo4j not up yet, slow, a timeout) is logged and
the warm-up ends there.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph_service.analysis.activity import VOIDING
from graph_service.db import Database, unsized
from graph_service.dueprocess.notices import LOSSES_MARK
from graph_service.errors import CreditGraphError, QueryTimeout, Unavailable
from graph_service.policy.catalog import catalog_in_force
from graph_service.propagation import lease, scope, store
from graph_service.propagation.store import ALL_ROWS
from graph_service.security.appender import HEAD_NAME

log = logging.getLogger(__name__)

#: Seconds each of the warm-up's transactions may take (a cold plan takes up to ~1.5 s).
TIMEOUT_S = 30.0
#: Parties whose reads the warm-up runs once on real rows (:func:`first_reads`).
SAMPLE = 200
#: Parties a read of :func:`read_pages` touches: small enough that a stopping service waits
#: little for the read under way, large enough that round trips do not count.
PAGES_BATCH = 5_000
#: Seconds each of those reads may take.
PAGES_TIMEOUT_S = 300.0

#: A statement's name and parameters.
Statement = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Warmed:
    """What a warm-up did: statements run to plan them, seconds, the error that ended it (if
    any), and the reads then run on real parties (:func:`first_reads`)."""

    statements: int
    seconds: float
    error: str | None = None
    reads: int = 0
    #: Parties read to bring their pages into Neo4j's page cache (:func:`read_pages`).
    parties: int = 0


def transactions(now: datetime, catalog_version: str) -> list[list[Statement]]:
    """The warm-up's transactions, each a list of statements run in order, then rolled back.

    The first holds the reads (no write before them, as in the run's own transactions); each
    write comes first in a transaction of its own, as in the run, but ``log_changes``, which
    the run executes after the measures' writes and so comes after ``claim_lease``'s here.
    """
    # A lease and a run no process has, named with as many characters as the real ones (a
    # run's id and a lease's holder are 32 hex digits, the lease's name is lease.NAME).
    nobody, name = uuid.uuid4().hex, _unlike(lease.NAME)
    claim = {"name": name, "holder": nobody, "now": now, "expires": now + timedelta(minutes=1)}
    reads: list[Statement] = [
        ("propagation/pending_loads", {}),
        ("propagation/last_runs", {"limit": 1}),  # the stored state's day (store.stored_day)
        ("propagation/touched_by_loads", unsized(load_ids=[])),
        ("propagation/hops", unsized(asks=[]) | {"rows": ALL_ROWS}),
        ("propagation/party_count", {}),
        ("propagation/read_parties_by_id", unsized(ids=[])),
        ("propagation/read_scope_parties", unsized(ids=[])),
        ("propagation/risk_links", unsized(ids=[])),
        ("propagation/stored_measures", unsized(ids=[])),
        ("propagation/voiding_sources", unsized(keys=[]) | {"statuses": sorted(VOIDING)}),
        ("propagation/lease", {"name": name}),
        ("notices/mark", {"name": LOSSES_MARK}),
        ("audit/head", {"name": HEAD_NAME}),
        ("notices/losses_after", {"after_at": now, "after_id": "", "limit": 0, "head": 0}),
    ]
    logged = unsized(rows=[]) | {"run_id": nobody, "at": now}
    finish = unsized(rows=[], loads=[]) | {"run_id": nobody, "props": {"run_id": nobody},
                                           "lease": name, "holder": nobody}  # fmt: skip
    return [
        reads,
        [("propagation/claim_lease", claim), ("propagation/log_changes", logged)],
        [("propagation/extend_lease", claim)],
        [("propagation/release_lease", {"name": name, "holder": nobody})],
        [("propagation/write_measures", logged | {"catalog_version": catalog_version})],
        [("propagation/delete_measures", unsized(keys=[]))],
        [("propagation/finish_run", finish)],
    ]


def first_commits(db: Database, now: datetime, timeout_s: float = TIMEOUT_S) -> None:
    """Claims and releases a lease no run takes, each committed: the first committed writes
    after a start cost several times later ones (a node and its index entry written, then
    deleted: 0.07-0.1 s each at 100,000 parties against ~0.01), which the first run after a
    start otherwise pays in its last transaction (``finish_run``: 0.09-0.14 s, against
    0.01-0.02 once a write of that shape has committed; issue 15, sessions 14-15). A rolled-back
    transaction does not pay it. Nothing is left: the node goes with the release, and no run
    reads a lease but by its own name (:data:`lease.NAME`)."""
    # One call: the claim and the release name one lease; picked by name, not position.
    scratch = {name: params for tx in transactions(now, "") for name, params in tx}
    for name in ("propagation/claim_lease", "propagation/release_lease"):
        db.write(name, timeout_s=timeout_s, **scratch[name])


def warm(
    db: Database,
    timeout_s: float = TIMEOUT_S,
    *,
    pages: bool = False,
    stop: threading.Event | None = None,
) -> Warmed:
    """Runs every statement of :func:`transactions` once, changing nothing, so that Neo4j has
    planned them, then (``pages``) :func:`read_pages` until ``stop`` is set; logs and returns
    what it did, never raises for a database error."""
    started, done, reads, parties = time.perf_counter(), 0, 0, 0
    try:
        version = catalog_in_force(db.settings).version
        now = datetime.now(UTC)
        for statements in transactions(now, version):
            with db.rolled_back(timeout_s) as view:
                for name, params in statements:
                    view.write(name, **params)
                    done += 1
        first_commits(db, now, timeout_s)
        reads = first_reads(db)
        if pages:
            parties = sum(read_pages(db, stop))
    except CreditGraphError as exc:
        seconds = round(time.perf_counter() - started, 3)
        warmed = Warmed(done, seconds, str(exc), reads, parties)
        log.warning("propagation plans not warmed; the next run plans them",
                    extra={"statements": done, "parties": parties,
                           "error": warmed.error})  # fmt: skip
        return warmed
    warmed = Warmed(done, round(time.perf_counter() - started, 3), reads=reads, parties=parties)
    log.info("propagation plans warmed",
             extra={"statements": done, "parties": parties,
                    "seconds": warmed.seconds})  # fmt: skip
    return warmed


def neo4j_started(db: Database) -> int | None:
    """When the Neo4j process that answers started (its JVM's StartTime, ms since the epoch):
    a value other than at the last warm-up means a restarted Neo4j with empty caches; None
    if Neo4j does not answer (logged at debug level only: the caller asks again). A refusal
    (a Neo4j that does not allow ``dbms.queryJmx``) raises :class:`QueryError`."""
    try:
        (row,) = db.read_plain("meta/neo4j_started", timeout_s=TIMEOUT_S)
    except (Unavailable, QueryTimeout) as exc:
        log.debug("Neo4j's start time not read", extra={"error": str(exc)})
        return None
    return int(row["started"])


def read_pages(
    db: Database, stop: threading.Event | None = None, batch: int = PAGES_BATCH
) -> Iterator[int]:
    """Reads every party once, by id, with its relationships and their other ends
    (``propagation/touch_parties``: counts only, nothing sent but them), so that Neo4j's page
    cache holds what the first run after a start reads; yields each batch's parties, and ends
    early once ``stop`` is set (a service stopping)."""
    for chunk in store.id_batches(db, batch):
        if stop is not None and stop.is_set():
            return
        (counts,) = db.read_plain("propagation/touch_parties", timeout_s=PAGES_TIMEOUT_S,
                                  **unsized(ids=chunk))  # fmt: skip
        yield int(counts["parties"])


def first_reads(db: Database, sample: int = SAMPLE) -> int:
    """Runs a propagation's reads once on ``sample`` parties of the graph (one level of every
    hop, their rows as measures read them, the risk update's links and records, and stored
    measures), as a run calls them; how many statements ran (counted by the database, the
    sample's own read included)."""
    before = db.query_counts.total()
    rows = db.read_plain("propagation/sample_parties", limit=sample)
    ids = {str(row["party_id"]) for row in rows}
    if ids:
        store.Neo4jHops(db)(dict.fromkeys(scope.HOPS, ids))
        store.read_rows(db, ids, store.FOR_MEASURES)
        store.Neo4jRiskData(db).links(ids)
        store.stored_measures(db, ids)
    return db.query_counts.total() - before


def _unlike(text: str) -> str:
    """Random hex digits as many as ``text``'s characters, never ``text`` itself.

    >>> len(_unlike("runs")), _unlike("runs") != "runs"
    (4, True)
    """
    while (other := uuid.uuid4().hex[: len(text)]) == text:
        continue
    return other
