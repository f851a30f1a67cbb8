"""Full and incremental propagation runs, and measures computed on the fly for another date.

Invariants:

* The stored state — ``:Measure`` nodes (key and content) and ``Party.risk_score`` — is a
  function of the graph and the as-of date only: a full run and any sequence of incremental
  runs over the same changes end in the same stored measures (``tests/propagation``).
* Only differences are written, and each gained, lost or changed measure is logged as a
  ``:MeasureChange`` of the run.
* Incremental runs update peripheral risk exactly too, from the stored scores
  (graph_service/propagation/riskscope.py), after the measures: checks see new measures
  first.
* An incremental run takes the stored state as that of its as-of date: the daily full run
  (``credit-graph propagate``) moves it to a new day (records that expired overnight).
* Propagation is part of a load's durable state. A load's batches are counted with its rows
  (``load/count_batch``); a load is *pending* while it has batches no completed run covered
  (:func:`store.pending_loads`). Every run reads the pending loads before it reads the graph,
  covers what they touched (a full run covers everything), and marks them in its last
  transaction, with the risk scores. A run killed at any point leaves them pending, and the
  next run — after a load, ``propagate``, or the service's start — covers them again. The
  stored state then converges to the uninterrupted run's, because measures are diffed
  against what is stored (a half-written run's measures are found, not redone) and risk
  scores are all written in one transaction, so the stored scores the incremental update
  starts from are always one run's.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, ClassVar

import networkx as nx

from graph_service import faults
from graph_service.analysis.activity import VOIDING, active_index, ended_records, red_listed
from graph_service.analysis.explain import Measure
from graph_service.analysis.graph import graph_from_rows
from graph_service.analysis.propagate import Propagation, compute_measures, propagate
from graph_service.db import Database
from graph_service.dueprocess import notices
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.propagation import lease, riskscope, scope, store


@dataclass
class RunResult:
    """What a run did."""

    run_id: str
    mode: str  # full | incremental
    as_of: date
    catalog_version: str
    parties: int  # parties whose measures were recomputed
    read: int  # parties read from Neo4j
    gained: int = 0
    lost: int = 0
    changed: int = 0
    risk_changed: int = 0
    seconds: float = 0.0
    risk_seconds: float = 0.0  # updating peripheral risk (incremental: beside the measures)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    loads: list[str] = field(default_factory=list)  # ids of the pending loads it completed
    engine: str = "networkx"  # networkx | spark (propagate --engine, graph_service/spark/)

    def as_json(self) -> dict[str, Any]:
        """The result as plain JSON-able data."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["started_at"] = self.started_at.isoformat()
        return data


@lease.exclusive
def run_full(db: Database, catalog: Catalog | None = None, as_of: date | None = None) -> RunResult:
    """Recomputes every party's measures and risk and stores the differences; completes every
    pending load (read before the graph is)."""
    catalog, as_of, started = (
        catalog or catalog_in_force(db.settings),
        as_of or date.today(),
        time.perf_counter(),
    )
    loads = store.pending_loads(db)
    run, risk = _full(db, catalog, as_of)
    return _finish(db, run, started, _risk_changes(store.stored_risk(db), risk), loads)


def _full(db: Database, catalog: Catalog, as_of: date) -> tuple[RunResult, dict[str, float]]:
    """A full run's measures, stored, and every party's risk score. The graph lives only
    here: the rows stream into it and are not kept, and it is freed before the stored scores
    are read and the run's last transaction, so what comes after (the notices of the
    losses) reuses its memory."""
    graph = graph_from_rows(store.read_all(db))
    result = propagate(graph, catalog, as_of)
    parties = graph.number_of_nodes()
    run = RunResult(_run_id(), "full", as_of, catalog.version, parties, parties)
    new = _rows(result.measures.values())
    faults.checkpoint(db.settings, "propagation_compute")
    _apply(db, run, new, store.stored_measures(db, None), LossReasons(db, graph, catalog, as_of))
    return run, result.risk


def store_full(
    db: Database,
    result: Propagation,
    records: nx.MultiDiGraph[str],
    loads: Sequence[store.PendingLoad],
    started: float,
    engine: str,
) -> RunResult:
    """Stores a full run computed by another engine (``propagate --engine spark``) through
    the same diff, change log and run record as :func:`run_full`; ``records`` is the graph's
    parties with their records (edges are not needed), for the reasons of losses."""
    parties, catalog = records.number_of_nodes(), result.catalog
    run = RunResult(_run_id(), "full", result.as_of, catalog.version, parties, parties)
    run.engine = engine
    reasons = LossReasons(db, records, catalog, result.as_of)
    _apply(db, run, _rows(result.measures.values()), store.stored_measures(db, None), reasons)
    risk = _risk_changes(store.stored_risk(db), result.risk)
    return _finish(db, run, started, risk, loads)


@lease.exclusive
def run_incremental(
    db: Database,
    party_ids: Iterable[str],
    catalog: Catalog | None = None,
    as_of: date | None = None,
    loads: Sequence[store.PendingLoad] = (),
) -> RunResult:
    """Recomputes the measures of the parties a change at ``party_ids`` can affect.

    ``loads`` (:func:`pending_loads`, read before this run) add the parties they created or
    changed, and are marked propagated when the run completes.

    Without ``as_of``, the run is for the stored state's day (today once the new day's run
    is made: :mod:`.newday`). Recomputing a scope for another day would date the whole state
    that day with what starts or ends in between left out elsewhere (a blacklisting from
    today, loaded yesterday: the reviewer's R1 and R8, session 15); a run for the state's
    own day keeps it exact, and leaves moving it to the new day's full run, rather than
    making every load, repair or objection decision of the night a full run (R13). An
    ``as_of`` asked for that is not the state's day is the full run.
    """
    catalog, started = catalog or catalog_in_force(db.settings), time.perf_counter()
    stored = store.stored_day(db)
    if as_of is None:
        as_of = stored or date.today()
    elif stored is not None and stored != as_of:
        return run_full(db, catalog, as_of)
    party_ids, hops = set(party_ids), store.Neo4jHops(db)
    if loads:
        party_ids |= store.touched_by_loads(db, [load.load_id for load in loads])
    larger = partial(store.full_run_above, db)  # asked only past SMALL_SCOPE
    found = scope.within(hops, party_ids, store.SMALL_SCOPE, larger)
    if found is None:  # too large a scope: the full run is faster, and covers the loads too
        return run_full(db, catalog, as_of)
    run, scores = _scope_run(db, found, party_ids, catalog, as_of)
    return _finish(db, run, started, scores, loads)


def _scope_run(
    db: Database,
    found: tuple[set[str], set[str]],
    party_ids: set[str],
    catalog: Catalog,
    as_of: date,
) -> tuple[RunResult, dict[str, float | None]]:
    """An incremental run's measures, stored, and its changed risk scores: of the parties
    ``found`` (:func:`scope.within`: those to recompute, those to read)."""
    targets, read = found
    # The risk update reads stored scores and relationships, which the measures' writes do
    # not touch, so it runs beside them: its round trips (one per level of its search) no
    # longer add to theirs. Its scores are still written after the measures, in the last
    # transaction (checks see new measures first). Begun before the scope search instead,
    # it made the runs no faster on two cores: the search, the reads and the update then
    # compete for them (issue 15, session 13).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="propagation-risk") as beside:
        risk = beside.submit(_timed_risk, db, party_ids, catalog, as_of)
        rows = store.read_parties(db, read)
        graph = graph_from_rows(rows)
        measures = compute_measures(graph, catalog, as_of)
        run = RunResult(_run_id(), "incremental", as_of, catalog.version, len(targets), len(rows))
        new = _rows(ms for party, ms in measures.items() if party in targets)
        faults.checkpoint(db.settings, "propagation_compute")
        stored = store.stored_measures(db, targets)
        _apply(db, run, new, stored, LossReasons(db, graph, catalog, as_of))
        scores, run.risk_seconds = risk.result()
    return run, scores


def _timed_risk(
    db: Database, party_ids: set[str], catalog: Catalog, as_of: date
) -> tuple[dict[str, float | None], float]:
    """:func:`riskscope.update_risk`'s changed scores, and the seconds it took."""
    began = time.perf_counter()
    update = riskscope.update_risk(store.Neo4jRiskData(db), party_ids, catalog, as_of)
    return update.scores, round(time.perf_counter() - began, 4)


def pending_loads(db: Database) -> list[store.PendingLoad]:
    """Loads whose committed rows no completed run covered yet, oldest first."""
    return store.pending_loads(db)


@lease.exclusive
def after_loads(
    db: Database,
    load_ids: Sequence[str],
    catalog: Catalog | None = None,
    loads: Sequence[store.PendingLoad] | None = None,
    as_of: date | None = None,
) -> RunResult:
    """The incremental run that follows loads: from the parties they created or changed,
    and those of every pending load (``loads``, else read now), which it completes. For
    ``as_of`` (the stored state's day by default: :func:`run_incremental`)."""
    pending = pending_loads(db) if loads is None else loads
    # The run reads what the pending loads touched itself; only the others are read here, so
    # that no load's touched parties are read twice.
    covered = {load.load_id for load in pending}
    others = [load_id for load_id in load_ids if load_id not in covered]
    touched = store.touched_by_loads(db, others) if others else set()
    return run_incremental(db, touched, catalog, as_of, loads=pending)


@lease.exclusive
def complete_pending(db: Database, catalog: Catalog | None = None) -> RunResult | None:
    """The incremental run that completes every pending load; None when there is none."""
    loads = pending_loads(db)
    return run_incremental(db, (), catalog, loads=loads) if loads else None


@dataclass(frozen=True)
class OnTheFly:
    """Measures of some parties computed for a date from the graph's history."""

    as_of: date
    catalog: Catalog
    measures: dict[str, list[Measure]]
    red_listed: frozenset[str]


def measures_as_of(
    db: Database, party_ids: Iterable[str], as_of: date, catalog: Catalog | None = None
) -> OnTheFly:
    """The measures the policy gives ``party_ids`` on ``as_of``, computed now (not stored)."""
    catalog = catalog or catalog_in_force(db.settings)
    wanted = set(party_ids)
    rows = store.read_parties(db, scope.dependencies(store.Neo4jHops(db), wanted))
    graph = graph_from_rows(rows)
    measures = compute_measures(graph, catalog, as_of)
    index = active_index(graph, catalog, as_of)
    listed = frozenset(p for p in red_listed(index) if p in wanted)
    found = {p: ms for p, ms in measures.items() if p in wanted}
    return OnTheFly(as_of, catalog, found, listed)


# --- diff and bookkeeping -------------------------------------------------------------------
def _rows(groups: Iterable[list[Measure]]) -> dict[str, dict[str, Any]]:
    return {m.key: store.measure_row(m) for ms in groups for m in ms}


def _apply(
    db: Database,
    run: RunResult,
    new: Mapping[str, dict[str, Any]],
    old: Mapping[str, store.Stored],
    reasons: LossReasons,
) -> None:
    """Writes gained and changed measures, deletes lost ones, and logs every change (a loss
    with why: ``ended_by``, ``ended_on``, ``ended_source``, see :class:`LossReasons`)."""
    lease.require_held()  # a run that lost its lease writes nothing more
    gained = sorted(set(new) - set(old))
    lost = sorted(set(old) - set(new))
    changed = sorted(
        k for k in set(new) & set(old) if new[k]["props"]["content_hash"] != old[k].content_hash
    )
    at = datetime.now(UTC)
    writes = [(new[k], _change(run, new[k]["props"], k, "gained")) for k in gained]
    writes += [(new[k], _change(run, new[k]["props"], k, "changed")) for k in changed]
    store.write_measures(db, writes, run.run_id, at, run.catalog_version)
    ends = reasons.of({str(old[k].record_key) for k in lost}) if lost else {}
    deletes = [
        ({"measure_key": k}, {**_change(run, asdict(old[k]), k, "lost"), **ends.get(
            str(old[k].record_key), LossReasons.RELATED)})
        for k in lost
    ]  # fmt: skip
    store.delete_measures(db, deletes, run.run_id, at)
    run.gained, run.lost, run.changed = len(gained), len(lost), len(changed)


@dataclass(frozen=True)
class LossReasons:
    """Why a run's lost measures were lost, from the graph it computed them from: the origin
    record ended (``ended_by`` expired | period | repaired | revoked | removed, ``ended_on``,
    and ``ended_source`` repair | objection when a decision's status update voided it), else
    ``related_party_change`` (the record is still active: a relationship or another party
    changed)."""

    db: Database
    graph: nx.MultiDiGraph[str]
    catalog: Catalog
    as_of: date

    RELATED: ClassVar[dict[str, Any]] = {
        "ended_by": "related_party_change", "ended_on": None, "ended_source": None
    }  # fmt: skip

    def of(self, record_keys: set[str]) -> dict[str, dict[str, Any]]:
        """The reason of each ended record among ``record_keys`` (the others: RELATED)."""
        ends = ended_records(self.graph, self.catalog, self.as_of, record_keys)
        voided = sorted(k for k, end in ends.items() if end.ended_by in VOIDING)
        rows = store.voiding_sources(self.db, voided, VOIDING) if voided else []
        sources = {row["record_key"]: row["source"] for row in rows}
        return {
            key: {"ended_by": end.ended_by, "ended_on": end.ended_on.isoformat(),
                  "ended_source": sources.get(key)}
            for key, end in ends.items()
        }  # fmt: skip


def _change(run: RunResult, props: Mapping[str, Any], key: str, change: str) -> dict[str, Any]:
    change_id = hashlib.sha256(f"{run.run_id}|{key}|{change}".encode()).hexdigest()[:32]
    return {
        "change_id": change_id,
        "party_id": props["party_id"],
        "measure": props["measure"],
        "measure_key": key,
        "rule": props.get("rule"),
        "record_key": props.get("record_key"),
        "change": change,
        "catalog_version": run.catalog_version,
    }


def _risk_changes(old: Mapping[str, float], new: Mapping[str, float]) -> dict[str, float | None]:
    """The scores to write so that the stored ones become ``new`` (None removes one).

    >>> _risk_changes({"a": 0.5, "b": 0.25}, {"a": 0.5, "c": 0.125})
    {'b': None, 'c': 0.125}
    """
    parties = sorted(old.keys() | new.keys())
    return {p: new.get(p) for p in parties if riskscope.score_changed(old.get(p), new.get(p))}


def _finish(
    db: Database,
    run: RunResult,
    started: float,
    risk: Mapping[str, float | None],
    loads: Sequence[store.PendingLoad],
) -> RunResult:
    """Writes the risk scores, the run's record and the loads' marks in one transaction."""
    faults.checkpoint(db.settings, "risk_update")
    lease.require_held()
    run.risk_changed = len(risk)
    run.loads = [load.load_id for load in loads]
    run.seconds = round(time.perf_counter() - started, 4)
    props = run.as_json()
    props["finished_at"] = datetime.now(UTC).isoformat()
    # An incremental run's last transaction releases its lease too (one write fewer; quick,
    # unlike a full run's, which may write every party's score and is released apart).
    with lease.released_with() if run.mode == "incremental" else nullcontext() as release:
        store.finish_run(db, run.run_id, props, risk, loads, release)
    notices.after_run(db)  # stop-sharing notices of the losses, once they are committed
    return run


def _run_id() -> str:
    return uuid.uuid4().hex
