"""Today's checks while the decision snapshot holds an earlier day's run (past midnight, before
the new day's run reached it): decided from the graph's history, so a blacklisting that starts
today restricts at once (the reviewer's R1 of session 15: the snapshot answered "allow" and
the answer was signed); from the snapshot as it is only while Neo4j cannot answer (its run id
and age say so); from the snapshot again once the new day's run is in it.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.propagation import newday, runner, store
from graph_service.security.roles import Caller, Role
from tests.conftest import unreachable_db
from tests.propagation.test_newday import RUIFENG, _blacklisted_from
from tests.snapshot.conftest import HUABEI, check, load_files, serving_settings

pytestmark = pytest.mark.neo4j


@pytest.fixture
def behind(db: Database, tmp_path: Path) -> Database:
    """The companies and a debtor, 瑞丰 blacklisted from today, stored as yesterday's run."""
    load_files(db, tmp_path)
    _blacklisted_from(db, tmp_path, date.today())
    runner.run_full(db, as_of=date.today() - timedelta(days=1))
    return db


def _decision(answer: dict[str, object], party: str) -> tuple[object, list[object]]:
    (result,) = [r for r in answer["results"] if r["party_id"] == party]  # type: ignore[attr-defined]
    return result["decision"], [m["measure"] for m in result["measures"]]


def test_todays_check_on_a_snapshot_of_yesterday_is_decided_from_history(
    behind: Database, checker: dict[str, str], tmp_path: Path
) -> None:
    app = create_app(serving_settings(tmp_path))
    with TestClient(app) as client:
        # Act / Assert: one party (decided on the event loop from the snapshot, before) and
        # two (joined from the snapshot's fragments, before): both from history now
        assert _decision(check(client, checker, RUIFENG), RUIFENG) == ("deny", ["blacklist"])
        two = check(client, checker, RUIFENG, HUABEI)
        assert _decision(two, RUIFENG) == ("deny", ["blacklist"])
        assert _decision(two, HUABEI)[0] == "deny"  # its stored debtor listing still holds
        # Neo4j down: the snapshot answers as it is, naming its run (yesterday's)
        caller = Caller("tests", Role.CHECKER, "key")
        evaluator = app.state.snapshot.evaluator
        with unreachable_db() as down:
            stale = evaluator(down, "bidding", [RUIFENG], date.today(), caller)
        assert stale.run_id == store.last_runs(behind, 1)[0]["run_id"]
        assert [(r.decision, list(r.measures)) for r in stale.results] == [("allow", [])]
        # Act: the new day's run; the snapshot follows it
        run = newday.run_if_behind(behind)
        assert run is not None
        deadline = time.monotonic() + 60  # a bound on a busy machine, not a timing
        while (answer := check(client, checker, RUIFENG))["run_id"] != run.run_id:
            assert time.monotonic() < deadline, "the snapshot did not follow the new day's run"
            time.sleep(0.2)
        # Assert: from the snapshot, the same decision
        assert _decision(answer, RUIFENG) == ("deny", ["blacklist"])
