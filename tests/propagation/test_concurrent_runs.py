"""Propagation runs in several processes at once: one at a time, so none undoes another.

A full run reads the graph, computes for seconds (minutes at a million parties), then writes
the difference from what is stored. A load that commits and propagates meanwhile (another
``load``, the service's catch-up on each of ``serve --workers N``) would see its measures
stored and its load marked propagated — and then deleted by the full run's stale difference,
with nothing left pending to bring them back. The runs take a lease in Neo4j
(graph_service/propagation/lease.py), so the second waits for the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.errors import PropagationBusy, PropagationLeaseLost
from graph_service.propagation import lease, runner, store
from tests.conftest import cli_env, make_settings, run_cli
from tests.propagation.test_runner import ORDER, _load


def _pausing(real: Callable[..., Any], computed: threading.Event, go: threading.Event) -> Any:
    def propagate(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        computed.set()  # the graph is read and the measures computed; nothing written yet
        assert go.wait(30), "the test never let the full run go on"
        return result

    return propagate


def test_a_load_propagated_during_a_full_run_keeps_its_measures(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load(db, [k for k in ORDER if k != "dishonest_debtors"], tmp_path)
    runner.run_full(db)
    computed, go = threading.Event(), threading.Event()
    monkeypatch.setattr(runner, "propagate", _pausing(runner.propagate, computed, go))
    errors: list[BaseException] = []

    def run(target: Callable[[], object]) -> threading.Thread:
        def body() -> None:
            try:
                target()
            except BaseException as exc:  # reported by the test, not lost in the thread
                errors.append(exc)

        thread = threading.Thread(target=body)
        thread.start()
        return thread

    full = run(lambda: runner.run_full(db))
    assert computed.wait(60), "the full run did not get to its computation"
    load_ids = _load(db, ["dishonest_debtors"], tmp_path / "late")
    late = run(lambda: runner.after_loads(db, load_ids))
    late.join(3)
    waited = late.is_alive()  # the load's run waits for the full run's lease
    go.set()
    full.join(60)
    late.join(60)
    assert not errors, errors
    assert store.pending_loads(db) == []
    again = runner.run_full(db)  # stored state = what a fresh full run computes
    assert (again.gained, again.lost, again.changed) == (0, 0, 0)
    assert waited, "the load's run did not wait for the full run in progress"


def test_a_lapsed_lease_is_taken_over(db: Database) -> None:
    """A holder killed with ``kill -9`` never releases: its lease lapses, then another runs."""
    now = datetime.now(UTC)
    db.write("propagation/claim_lease", name=lease.NAME, holder="killed-process",
             now=now, expires=now + timedelta(seconds=1))  # fmt: skip
    with lease.held(db):  # waits about a second, then takes it
        (row,) = db.read("propagation/lease", name=lease.NAME)
        assert row["holder"] != "killed-process"
    assert db.read("propagation/lease", name=lease.NAME) == []  # released: the node is gone


def test_a_busy_lease_past_the_wait_is_a_clear_error(session_db: Database) -> None:
    db = Database(make_settings(propagation_lease_wait_s=0.5))
    try:
        now = datetime.now(UTC)
        db.write("propagation/claim_lease", name=lease.NAME, holder="other-process",
                 now=now, expires=now + timedelta(seconds=30))  # fmt: skip
        with pytest.raises(PropagationBusy, match="other-process") as caught:
            runner.run_full(db)
        assert "stay pending" in str(caught.value)
    finally:
        db.write("propagation/release_lease", name=lease.NAME, holder="other-process")
        db.close()


def test_nested_runs_of_one_process_share_its_lease(db: Database) -> None:
    """An incremental run whose scope is too large calls the full run inside its lease."""
    with lease.held(db):
        with lease.held(db):
            (row,) = db.read("propagation/lease", name=lease.NAME)
            inner = row["holder"]
        (row,) = db.read("propagation/lease", name=lease.NAME)
        assert row["holder"] == inner  # still held by the outer block
    assert db.read("propagation/lease", name=lease.NAME) == []


def test_the_cli_says_it_waits_and_then_runs(db: Database) -> None:
    now = datetime.now(UTC)  # a lease of 6 s: the CLI itself takes about 2 s to start
    db.write("propagation/claim_lease", name=lease.NAME, holder="other-process",
             now=now, expires=now + timedelta(seconds=6))  # fmt: skip
    done = run_cli("propagate", "--json")
    assert done.returncode == 0, done.stderr
    assert "waiting for the propagation run in progress" in done.stderr
    assert "other-process" in done.stderr  # whom it waits for


def test_the_cli_gives_up_past_the_wait_with_one_clear_line(db: Database) -> None:
    now = datetime.now(UTC)
    db.write("propagation/claim_lease", name=lease.NAME, holder="other-process",
             now=now, expires=now + timedelta(seconds=60))  # fmt: skip
    try:
        done = run_cli("propagate", env=cli_env(CREDIT_GRAPH_PROPAGATION_LEASE_WAIT_S="0.3"))
    finally:
        db.write("propagation/release_lease", name=lease.NAME, holder="other-process")
    assert done.returncode != 0
    assert "another propagation run holds the lease (run other-process" in done.stderr
    assert "Traceback" not in done.stderr
    assert db.read("propagation/last_runs", limit=1) == []  # nothing written


def _held() -> Any:
    """This thread's lease object (inside ``lease.held``)."""
    return lease._this_thread.lease


def test_a_run_that_stalled_a_whole_lease_length_writes_nothing_more(db: Database) -> None:
    # Its renewer stalled with it: another run may have taken the lease, run and released it,
    # so even a claim that would succeed now must not let its stale difference be written
    # (reviewer's F13).
    with lease.held(db):
        _held()._claimed_at -= db.settings.propagation_lease_s + 1  # as after a long stall
        with pytest.raises(PropagationLeaseLost, match="lapsed"):
            lease.require_held()
    assert db.read("propagation/lease", name=lease.NAME) == []  # still released


def test_a_run_past_half_its_lease_renews_before_writing_or_stops(db: Database) -> None:
    with lease.held(db):
        held = _held()
        held._claimed_at -= db.settings.propagation_lease_s * 0.6  # its renewer is late
        lease.require_held()  # nobody else: renewed here
        assert held.unrenewed_s() < 5
        later = datetime.now(UTC) + timedelta(hours=1)  # another run takes it once it lapsed
        db.write("propagation/claim_lease", name=lease.NAME, holder="other-run",
                 now=later, expires=later + timedelta(minutes=1))  # fmt: skip
        held._claimed_at -= db.settings.propagation_lease_s * 0.6
        with pytest.raises(PropagationLeaseLost, match="other-run"):
            lease.require_held()
    (row,) = db.read("propagation/lease", name=lease.NAME)
    assert row["holder"] == "other-run"  # the loser's release leaves the taker's lease alone
    db.write("propagation/release_lease", name=lease.NAME, holder="other-run")


def test_a_renewal_never_writes_back_a_lease_that_was_removed(db: Database) -> None:
    # Only the first claim creates the node. A renewal after the node went (`db reset` while a
    # run held it) must not recreate it — a run holding a lease nobody can see would let a
    # second run start beside it — and the run counts its lease lost.
    with lease.held(db):
        db.write("propagation/release_lease", name=lease.NAME, holder=_held().holder)
        _held().renew()
        assert db.read("propagation/lease", name=lease.NAME) == []
        with pytest.raises(PropagationLeaseLost, match="nobody: it was removed"):
            lease.require_held()
    assert db.read("propagation/lease", name=lease.NAME) == []
