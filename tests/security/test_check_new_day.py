"""A check for today while the stored measures are of an earlier day (past midnight, before
the new day's run: propagation/newday.py) is computed from history, as for any other date:
a blacklisting that starts today restricts at once (the reviewer's R1 of session 15: the
check answered "allow" from yesterday's stored measures and signed it).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.propagation import newday, runner
from graph_service.security.roles import Role
from tests.propagation.test_newday import RUIFENG, _blacklisted_from
from tests.propagation.test_runner import ORDER, _load
from tests.security.conftest import MakeKey, auth, check_body


def _decided(client: TestClient, key: str) -> tuple[str, list[str]]:
    body = check_body(parties=[RUIFENG])
    response = client.post("/v1/checks", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return result["decision"], [m["measure"] for m in result["measures"]]


def test_a_check_for_today_on_yesterdays_state_is_computed(
    client: TestClient, make_key: MakeKey, db: Database, tmp_path: Path
) -> None:
    # Arrange: 瑞丰 blacklisted from today; the stored state is yesterday's run
    today = date.today()
    _load(db, ORDER, tmp_path)
    _blacklisted_from(db, tmp_path, today)
    runner.run_full(db, as_of=today - timedelta(days=1))
    key = make_key(Role.CHECKER)
    # Act / Assert: bidding is denied by the blacklisting that starts today
    before = _decided(client, key)
    assert before[0] == "deny" and "blacklist" in before[1]
    # and the same once the new day's run has stored it
    assert newday.run_if_behind(db) is not None
    assert _decided(client, key) == before
