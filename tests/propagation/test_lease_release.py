"""An incremental run releases its propagation lease in its last transaction (one write fewer
than a release of its own; issue 15, item 3), and leaves nothing of the lease behind."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.errors import CreditGraphError
from graph_service.propagation import lease, runner, store
from tests.propagation.test_runner import ORDER, _load


def _lease_nodes(db: Database) -> list[dict[str, Any]]:
    return db.read("propagation/lease", name=lease.NAME)


@pytest.fixture
def late_load(db: Database, tmp_path: Path) -> list[str]:
    """The sample world propagated, then one more file loaded: its run is incremental."""
    _load(db, [k for k in ORDER if k != "dishonest_debtors"], tmp_path)
    runner.run_full(db)
    return _load(db, ["dishonest_debtors"], tmp_path / "late")


def test_an_incremental_run_releases_its_lease_with_its_last_transaction(
    db: Database, late_load: list[str]
) -> None:
    db.query_counts.clear()
    after = runner.after_loads(db, late_load)
    assert after.mode == "incremental" and after.gained > 0
    assert db.query_counts["propagation/release_lease"] == 0  # no write of its own
    assert db.query_counts["propagation/finish_run"] == 1
    assert _lease_nodes(db) == []
    began = time.monotonic()
    with lease.held(db):  # the next run claims at once
        assert time.monotonic() - began < 1.0
    assert store.pending_loads(db) == []


def test_a_full_run_releases_its_lease_apart(db: Database, late_load: list[str]) -> None:
    db.query_counts.clear()
    runner.run_full(db)
    assert db.query_counts["propagation/release_lease"] == 1
    assert _lease_nodes(db) == []


@pytest.mark.large  # ~3 s of sleeps beside the sample world's load and full run
def test_the_lease_holds_through_a_slow_last_transaction_and_is_not_written_back(
    db: Database, late_load: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lease of 1 s, renewed every third of it, and a last transaction that takes 1.5 s (lock
    # waits, a slow disk): another run must not take the lease meanwhile (the reviewer's F2
    # reproduction: it did while the renewer was stopped before the transaction), and no
    # renewal may write the node back once the transaction deleted it.
    monkeypatch.setattr(db, "settings", db.settings.model_copy(update={"propagation_lease_s": 1.0}))
    finish = store.finish_run
    taken: list[bool] = []

    def other_run_claims() -> None:
        time.sleep(1.3)
        taken.append(lease._Lease(db)._claim())

    def slow_finish(*args: Any, **kwargs: Any) -> None:
        other = threading.Thread(target=other_run_claims)
        other.start()
        time.sleep(1.5)
        finish(*args, **kwargs)
        other.join()

    monkeypatch.setattr(store, "finish_run", slow_finish)
    runner.after_loads(db, late_load)
    assert taken == [False]
    time.sleep(1.0)  # three renewer turns, were one still running
    assert _lease_nodes(db) == []
    assert store.pending_loads(db) == []


@pytest.mark.large  # ~3 s of sleeps beside the sample world's load and full run
def test_a_renewal_already_sent_when_the_last_transaction_begins_does_not_write_it_back(
    db: Database, late_load: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The renewer decided to renew (the run was not finishing yet), then lost the CPU for 0.9 s
    # of every 1 s turn: its write must not bring the node back after the last transaction
    # deleted the lease, else the next run waits a lease length (the reviewer's F5 of session
    # 8; left a node on ea07aae, when renewals were the first claim's MERGE).
    monkeypatch.setattr(db, "settings", db.settings.model_copy(update={"propagation_lease_s": 3.0}))
    extend = lease._Lease._extend

    def descheduled_extend(self: lease._Lease) -> bool:
        if threading.current_thread().name == "propagation-lease":
            time.sleep(0.9)
        return extend(self)

    monkeypatch.setattr(lease._Lease, "_extend", descheduled_extend)
    released_with = lease.released_with

    @contextmanager
    def late_release() -> Iterator[dict[str, str] | None]:
        time.sleep(1.2)  # a renewer's turn (every 1 s) is in flight by now
        with released_with() as release:
            yield release

    monkeypatch.setattr(lease, "released_with", late_release)
    runner.after_loads(db, late_load)
    time.sleep(1.0)  # a claim sent before the finish would have landed by now
    assert _lease_nodes(db) == []


def test_a_failed_last_transaction_still_releases_the_lease(
    db: Database, late_load: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> None:
        raise CreditGraphError("the last transaction failed")

    monkeypatch.setattr(store, "finish_run", failing)
    with pytest.raises(CreditGraphError):
        runner.after_loads(db, late_load)
    assert _lease_nodes(db) == []  # released apart, as before
    assert [load.load_id for load in store.pending_loads(db)] == late_load
