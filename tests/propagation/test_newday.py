"""The new day's full run (graph_service/propagation/newday.py): once the date passes the
stored state's, the service propagates for today, so that a measure starting today is stored
(the reviewer's R1 of session 15: until a run for the new day, a blacklisting from today was
missing from the stored measures, and checks answered "allow").
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.propagation import newday, runner, store
from loaders.engine import LoadOptions, load_file
from tests.conftest import make_settings, unreachable_db
from tests.propagation.sample import sample_file
from tests.propagation.test_runner import ORDER, _load

pytestmark = pytest.mark.neo4j

RUIFENG = "91130105KPYPM8K9FG"  # 河北瑞丰食品有限公司: on no blacklist in the samples


def _blacklisted_from(db: Database, tmp: Path, day: date) -> None:
    """Loads a wage-arrears blacklisting of 瑞丰 that starts on ``day``."""
    path = tmp / "blacklists.csv"
    path.write_text(
        "entry_no,list,party_id,party_name,reason,authority,listed_on,expires_on,case_no\n"
        f"QX-NEW-1,wage_arrears,{RUIFENG},河北瑞丰食品有限公司,恶意拖欠农民工工资,"
        f"石家庄市新华区人力资源和社会保障局,{day},{day + timedelta(days=730)},\n",
        encoding="utf-8",
    )
    summary = load_file(db, "blacklists", path, LoadOptions(reject_file=tmp / "rejects.csv"))
    assert summary.rejected == 0


def _measures(db: Database, party: str) -> set[str]:
    return {s.measure for s in store.stored_measures(db, [party]).values()}


def _runs(db: Database) -> int:
    return len(store.last_runs(db, limit=1000))


@pytest.fixture
def yesterdays(db: Database, tmp_path: Path) -> Database:
    """The samples, 瑞丰 blacklisted from today, and the stored state of yesterday's run."""
    today = date.today()
    _load(db, ORDER, tmp_path)
    _blacklisted_from(db, tmp_path, today)
    runner.run_full(db, as_of=today - timedelta(days=1))
    assert "blacklist" not in _measures(db, RUIFENG)  # it starts today: not yesterday's
    return db


def test_the_new_days_run_stores_what_starts_today(yesterdays: Database) -> None:
    # Act
    result = newday.run_if_behind(yesterdays)
    # Assert: a full run for today, with the blacklisting; then nothing more to do
    assert result is not None and (result.mode, result.as_of) == ("full", date.today())
    assert "blacklist" in _measures(yesterdays, RUIFENG)
    assert store.stored_day(yesterdays) == date.today()
    runs = _runs(yesterdays)
    assert newday.run_if_behind(yesterdays) is None and _runs(yesterdays) == runs


def test_of_processes_asking_at_once_one_runs_it(yesterdays: Database) -> None:
    # Arrange: four askers released together (as a cluster's processes after midnight)
    before, start = _runs(yesterdays), threading.Barrier(4)
    made: list[runner.RunResult | None] = []

    def ask() -> None:
        start.wait()
        made.append(newday.run_if_behind(yesterdays))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    # Act
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Assert: one run; the others found today's state once they had the lease
    assert sum(r is not None for r in made) == 1 and _runs(yesterdays) == before + 1


def test_a_graph_never_propagated_is_not_behind(db: Database, tmp_path: Path) -> None:
    _load(db, ["companies"], tmp_path)
    assert store.stored_day(db) is None
    assert newday.run_if_behind(db) is None and _runs(db) == 0


def test_neo4j_down_is_a_warning_and_the_next_poll_tries_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with unreachable_db() as down, caplog.at_level(logging.WARNING):
        assert newday.NewDayRun(down, poll_s=60).step() is None
    assert any("new day's propagation run did not run" in r.getMessage() for r in caplog.records)


def test_the_service_makes_the_run_when_it_starts_behind(yesterdays: Database) -> None:
    # Arrange
    before = _runs(yesterdays)
    settings = make_settings(propagate_new_day=True, new_day_poll_s=0.2)
    # Act: the service started on a state of yesterday
    with TestClient(create_app(settings)):
        deadline = time.monotonic() + 120  # a bound on a busy machine, not a timing
        while store.stored_day(yesterdays) != date.today() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # five more polls: none may run again
    # Assert
    assert store.stored_day(yesterdays) == date.today()
    assert "blacklist" in _measures(yesterdays, RUIFENG)
    assert _runs(yesterdays) == before + 1


def test_off_the_service_leaves_the_state_as_it_is(yesterdays: Database) -> None:
    before = _runs(yesterdays)
    with TestClient(create_app(make_settings(propagate_new_day=False, new_day_poll_s=0.1))):
        time.sleep(1.0)  # ten polls' time, had it been on
    assert store.stored_day(yesterdays) == date.today() - timedelta(days=1)
    assert _runs(yesterdays) == before


def test_a_load_before_the_new_days_run_keeps_the_state_of_its_day(
    yesterdays: Database, tmp_path: Path
) -> None:
    # Arrange: today's first load touches another party (a tax record of 宏达)
    path = tmp_path / "tax_violations.csv"
    path.write_text(
        sample_file("tax_violations").read_text(encoding="utf-8").splitlines()[0] + "\n"
        "SW-NEW-1,91130111WHGGB7XE3B,河北宏达物流有限公司,false_invoicing,1000.00,"
        f"130111197804120864,陈静,,,国家税务总局石家庄市栾城区税务局,{date.today()},\n",
        encoding="utf-8",
    )
    load = load_file(yesterdays, "tax_violations", path, LoadOptions(reject_file=tmp_path / "r"))
    assert load.rejected == 0
    yesterday = date.today() - timedelta(days=1)
    # Act: the load's propagation on yesterday's state
    after = runner.after_loads(yesterdays, [str(load.load_id)])
    # Assert: incremental, for the state's own day (a run for today would have dated the
    # state today without the blacklisting that starts today: the new day's run would then
    # have seen nothing to do); the new day's run still comes and stores it
    assert (after.mode, after.as_of) == ("incremental", yesterday)
    assert store.stored_day(yesterdays) == yesterday
    assert "blacklist" not in _measures(yesterdays, RUIFENG)
    made = newday.run_if_behind(yesterdays)
    assert made is not None and (made.mode, made.as_of) == ("full", date.today())
    assert "blacklist" in _measures(yesterdays, RUIFENG)


def test_an_incremental_run_asked_for_another_day_than_the_states_is_full(
    yesterdays: Database, tmp_path: Path
) -> None:
    load_id = _load(yesterdays, ["tax_violations"], tmp_path)[0]
    after = runner.after_loads(yesterdays, [load_id], as_of=date.today())
    assert (after.mode, after.as_of) == ("full", date.today())
    assert "blacklist" in _measures(yesterdays, RUIFENG)
