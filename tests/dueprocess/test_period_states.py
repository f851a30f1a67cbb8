"""Publication periods where record states are shown (due process §1, through Neo4j): GraphQL
records (state filter and endedBy/endedOn), the credit report, and the daily full run that
ends a measure whose record's period ran out, logged with ``ended_by: period``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.analysis.activity import add_months
from graph_service.db import Database
from graph_service.propagation import runner
from graph_service.security.roles import Role
from loaders.engine import LoadOptions, load_file
from tests.dueprocess.conftest import BLACKLISTING, HUANG, OLD, OLD_LISTED_ON, TODAY

RECORDS = """query ($id: String!, $state: RecordState!) { party(id: $id) { ... on Party {
  records(state: $state) { totalCount nodes { ref active endedBy endedOn } } } } }"""


def _records(client: TestClient, key: dict[str, str], state: str) -> list[dict[str, object]]:
    body = {"query": RECORDS, "variables": {"id": HUANG, "state": state}}
    answer = client.post("/graphql", json=body, headers=key)
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    nodes: list[dict[str, object]] = answer.json()["data"]["party"]["records"]["nodes"]
    return nodes


def test_graphql_and_reports_show_a_record_ended_by_its_period(
    client: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    key = keys[Role.INVESTIGATOR]
    ended_on = add_months(OLD_LISTED_ON, 36).isoformat()
    old = {"ref": OLD, "active": False, "endedBy": "period", "endedOn": ended_on}
    current = {"ref": BLACKLISTING, "active": True, "endedBy": None, "endedOn": None}
    assert _records(client, key, "ACTIVE") == [current]  # the period judged in Neo4j too
    assert _records(client, key, "INACTIVE") == [old]
    assert _records(client, key, "ALL") == [current, old]
    report = client.get(f"/v1/reports/{HUANG}?format=json", headers=key)
    assert report.status_code == 200, report.text
    chapters = report.json()["data"]["chapters"]
    found = [r for c in chapters for r in (*c.get("active", []), *c.get("inactive", []))]
    shown = {r["ref"]: (r["active"], r["ended_by"], r["ended_on"]) for r in found}
    assert shown[OLD] == (False, "period", ended_on)
    assert shown[BLACKLISTING] == (True, None, None)


def test_the_daily_run_ends_a_measure_when_its_period_runs_out(
    db: Database, tmp_path: Path
) -> None:
    listed = TODAY - timedelta(days=3 * 365)
    end = add_months(listed, 36)
    path = tmp_path / "blacklists.csv"
    path.write_text(
        f"entry_no,list,party_id,party_name,listed_on\nWL-9,internet,{HUANG},黄涛,{listed}\n",
        encoding="utf-8",
    )
    load_file(db, "blacklists", path, LoadOptions(reject_file=tmp_path / "rejects.csv"))
    before = runner.run_full(db, as_of=end - timedelta(days=1))
    started = datetime.now(UTC)

    after = runner.run_full(db, as_of=end)

    assert (before.gained, after.lost) == (1, 1)
    rows = db.read_plain("changes/measure_changes", since=started, party=HUANG, change="lost",
                         after_at=None, after_id=None, limit=10)  # fmt: skip
    (loss,) = [r["props"] for r in rows]
    assert (loss["measure"], loss["ended_by"], loss["ended_on"]) == (
        "blacklist", "period", end.isoformat())  # fmt: skip
