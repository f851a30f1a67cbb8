"""An incremental run's risk update runs beside its scope search, and stops when the run falls
back to a full one (issue 15 item 3).

At 100,000 parties the risk update of a run with a large scope (its own search over stored
scores, some thousand parties) took longer than the measures' search, reads and writes, and
began only after the search: the run waited for it (docs/benchmarks.md, issue 15, session 13).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.propagation import riskscope, runner, scope, store
from tests.propagation.sample import EARLY, TODAY, load
from tests.propagation.test_read_ahead import stored

#: Seconds a spy waits for what it expects (never reached when the run behaves).
WAIT_S = 10.0


def test_the_risk_update_reads_while_the_scope_is_searched(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a propagated graph, a load of new records pending; the search's first level
    # waits until the risk update has read (before: the update began after the search)
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    load_id = load(db, "dishonest_debtors", tmp_path)
    risk_read, seen = threading.Event(), []
    links, ask = store.Neo4jRiskData.links, store.Neo4jHops.__call__

    def reading(data: store.Neo4jRiskData, party_ids: set[str]) -> dict[str, Any]:
        risk_read.set()
        return links(data, party_ids)

    def waiting(hops: store.Neo4jHops, *args: Any, **kwargs: Any) -> scope.Answers:
        if not seen:
            seen.append(risk_read.wait(WAIT_S))
        return ask(hops, *args, **kwargs)

    monkeypatch.setattr(store.Neo4jRiskData, "links", reading)
    monkeypatch.setattr(store.Neo4jHops, "__call__", waiting)

    # Act
    run = runner.after_loads(db, [load_id])
    after_run = stored(db)
    full = runner.run_full(db, as_of=run.as_of)

    # Assert: the risk update had read before the search's first level; the run stored what
    # a full run computes
    assert run.mode == "incremental" and run.risk_changed > 0
    assert seen == [True]
    assert (full.gained, full.lost, full.changed, full.risk_changed) == (0, 0, 0, 0)
    assert stored(db) == after_run


def test_a_run_that_falls_back_stops_its_risk_update(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a scope larger than allowed (no small-scope floor, no share); the risk
    # update's first read waits until the run tells it to stop, its reads are counted
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    load_id = load(db, "dishonest_debtors", tmp_path)
    monkeypatch.setattr(
        db, "settings", db.settings.model_copy(update={"propagation_full_above": 0.0})
    )
    monkeypatch.setattr(store, "SMALL_SCOPE", 0)
    stops: list[threading.Event] = []
    reads: list[bool] = []
    stopped: list[bool] = []
    links, timed_risk = store.Neo4jRiskData.links, runner._timed_risk

    def told_to_stop(data: store.Neo4jRiskData, party_ids: set[str]) -> dict[str, Any]:
        reads.append(stops[0].wait(WAIT_S))
        return links(data, party_ids)

    def risk(*args: Any) -> tuple[dict[str, float | None], float]:
        stops.append(args[-1])
        try:
            return timed_risk(*args)
        except riskscope.Stopped:
            stopped.append(True)
            raise

    monkeypatch.setattr(store.Neo4jRiskData, "links", told_to_stop)
    monkeypatch.setattr(runner, "_timed_risk", risk)

    # Act
    run = runner.after_loads(db, [load_id])

    # Assert: a full run; the update had begun (one read), then stopped at its next read
    # instead of going on through its levels
    assert run.mode == "full" and not store.pending_loads(db)
    assert reads == [True] and stopped == [True]
