"""An incremental run releases its propagation lease in its last transaction (one write fewer
than a release of its own; issue 15, item 3), and leaves nothing of the lease behind."""

from __future__ import annotations

import time
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


@pytest.mark.large  # ~2 s of sleeps beside the sample world's load and full run
def test_no_renewal_writes_the_lease_back_after_the_run(
    db: Database, late_load: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # renewed every 0.5 s: a renewer still running after the last transaction would write
    # the lease back (a stale lease blocking the next run for its length). Not shorter: on a
    # busy machine a lease of 0.3 s lapsed between two turns of its renewer
    monkeypatch.setattr(db, "settings", db.settings.model_copy(update={"propagation_lease_s": 1.5}))
    renewals: list[float] = []
    renew = lease._Lease.renew

    def counted(self: lease._Lease) -> None:
        renewals.append(time.monotonic())
        renew(self)

    monkeypatch.setattr(lease._Lease, "renew", counted)
    finish = store.finish_run

    def slow_finish(*args: Any, **kwargs: Any) -> None:
        time.sleep(1.1)  # two renewer turns, were it still running
        finish(*args, **kwargs)

    monkeypatch.setattr(store, "finish_run", slow_finish)
    runner.after_loads(db, late_load)
    done = time.monotonic()
    time.sleep(1.1)
    assert _lease_nodes(db) == []
    assert all(at < done - 1.1 for at in renewals)  # none during or after the finish


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
