"""Measures and the change log as the real propagation writes them (graph_service.propagation).

The other modules read measures stored by a test helper in the documented shape; this one
runs the propagation over the sample registries, so a change of that shape shows up here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_service import migrations
from graph_service.db import Database
from graph_service.gql import context
from graph_service.propagation.runner import OnTheFly, run_full
from loaders.engine import LoadOptions, load_directory
from tests.graphql.conftest import (
    HENGTAI,
    HUABEI,
    LIU_YANG,
    RUIFENG,
    SAMPLES,
    TODAY,
    WU_GANG,
    ZHANG_WEI,
    Api,
)

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def propagated(
    session_db: Database, api: Api, tmp_path_factory: pytest.TempPathFactory
) -> Database:
    """The samples loaded and propagated once for this module."""
    migrations.reset(session_db)
    api.issue_keys(session_db)
    rejects: Path = tmp_path_factory.mktemp("rejects")
    load_directory(session_db, SAMPLES, LoadOptions(reject_dir=rejects))
    run_full(session_db, as_of=TODAY)  # the session's day, asked below even after midnight
    return session_db


MEASURES = """
query ($id: String!) { party(id: $id) { ... on Party {
  riskScore
  measures { measure origin rule recordKey explanation path { partyId relation } }
  creditReport { measures } } } }"""


def test_direct_and_derived_measures_read_back_with_explanations(
    api: Api, propagated: Database
) -> None:
    company = api.data(MEASURES, {"id": HUABEI})["party"]
    direct = [m for m in company["measures"] if m["measure"] == "dishonest_debtor"]
    assert direct and direct[0]["origin"] == "DIRECT"
    assert direct[0]["recordKey"].startswith("dishonest_debtor:")
    # R1: the legal representative of a dishonest debtor may not consume high
    person = api.data(MEASURES, {"id": ZHANG_WEI})["party"]
    ban = [m for m in person["measures"] if m["measure"] == "high_consumption_ban"]
    assert ban and (ban[0]["origin"], ban[0]["rule"]) == ("DERIVED", "R1")
    assert [h["partyId"] for h in ban[0]["path"]] == [HUABEI, ZHANG_WEI]
    assert "by rule R1" in ban[0]["explanation"] and "张伟" in ban[0]["explanation"]
    assert "high_consumption_ban" in person["creditReport"]["measures"]


def test_the_change_log_lists_what_the_run_gained(api: Api, propagated: Database) -> None:
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    query = """query ($since: DateTime!, $party: String) {
      measureChanges(since: $since, party: $party, first: 100) {
        ... on MeasureChangeConnection { nodes { change measure party { id } } } } }"""
    nodes = api.data(query, {"since": since, "party": ZHANG_WEI})["measureChanges"]["nodes"]
    assert {(n["change"], n["measure"]) for n in nodes} >= {("GAINED", "high_consumption_ban")}
    assert all(n["party"]["id"] == ZHANG_WEI for n in nodes)


def test_search_filters_on_stored_measures(api: Api, propagated: Database) -> None:
    query = """{ searchParties(text: "华北建设", hasActiveMeasure: true) {
        ... on SearchHitConnection { nodes { party { id } } } } }"""
    hits = api.data(query)["searchParties"]["nodes"]
    assert HUABEI in {h["party"]["id"] for h in hits}


# --- measures as of a date, computed on the fly ---------------------------------------------

HOSPITAL = "12130102BA4P8PL6T0"  # serious admin penalty published 2023-07-19 … 2026-07-19
HUABEI_BRANCH = "9213011071AQ7XXNXJ"  # 华北建设鹿泉分公司, branch of HUABEI: R4
MEASURE_FIELDS = """key measure origin rule recordKey recordStart recordEnd basis until
  catalogVersion explanation path { partyId name relation stakePct role }"""
AS_OF = f"""
query ($id: String!, $before: Date!, $after: Date!) {{ party(id: $id) {{ ... on Party {{
  before: measuresAsOf(date: $before) {{ {MEASURE_FIELDS} }}
  after: measuresAsOf(date: $after) {{ {MEASURE_FIELDS} }} }} }} }}"""


def test_a_measure_of_an_expired_record_applies_before_its_end_and_not_after(
    api: Api, propagated: Database
) -> None:
    days = {"before": "2024-06-01", "after": "2026-08-01"}
    party = api.data(AS_OF, {"id": HOSPITAL, **days})["party"]
    before = [m for m in party["before"] if m["measure"] == "admin_penalty_serious"]
    assert before and before[0]["origin"] == "DIRECT"
    assert before[0]["recordEnd"] == "2026-07-19"
    assert "own record admin_penalty:" in before[0]["explanation"]
    assert [m["measure"] for m in party["after"]] == []


def test_derived_measures_as_of_a_date_come_with_their_path(api: Api, propagated: Database) -> None:
    days = {"before": "2022-06-01", "after": "2026-08-01"}
    person = api.data(AS_OF, {"id": ZHANG_WEI, **days})["party"]
    ban = [m for m in person["before"] if m["measure"] == "high_consumption_ban"]
    assert ban and (ban[0]["origin"], ban[0]["rule"]) == ("DERIVED", "R1")
    assert [h["partyId"] for h in ban[0]["path"]] == [HUABEI, ZHANG_WEI]
    assert "by rule R1" in ban[0]["explanation"] and "张伟" in ban[0]["explanation"]
    holder = api.data(AS_OF, {"id": HUABEI_BRANCH, **days})["party"]
    r4 = [m for m in holder["before"] if m["rule"] == "R4"]
    assert r4 and r4[0]["measure"] == "dishonest_debtor"
    assert r4[0]["path"][0]["partyId"] == HUABEI
    assert r4[0]["path"][-1]["partyId"] == HUABEI_BRANCH


TODAY_AND_STORED = f"""
query ($ids: [String!]!, $today: Date!) {{ parties(ids: $ids) {{ ... on PartyList {{
  parties {{ id measuresDate measures {{ {MEASURE_FIELDS} }}
            measuresAsOf(date: $today) {{ {MEASURE_FIELDS} runId computedAt }} }} }} }} }}"""
PAGE = [HUABEI, HENGTAI, RUIFENG, ZHANG_WEI, LIU_YANG, WU_GANG, HOSPITAL, HUABEI_BRANCH]


def test_measures_as_of_today_equal_the_stored_ones(api: Api, propagated: Database) -> None:
    variables = {"ids": PAGE, "today": TODAY.isoformat()}
    parties = api.data(TODAY_AND_STORED, variables)["parties"]["parties"]
    assert sum(len(p["measures"]) for p in parties) >= 8  # direct and derived alike
    for party in parties:
        computed = party["measuresAsOf"]
        assert all(m.pop("runId") is None and m.pop("computedAt") is None for m in computed)
        assert computed == party["measures"], party["id"]
        assert party["measuresDate"] == TODAY.isoformat()


def test_a_page_costs_one_computation_per_date(
    api: Api, propagated: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], date]] = []
    real = context.measures_as_of

    def counted(db: Database, ids: Iterable[str], day: date, *args: Any) -> OnTheFly:
        calls.append((sorted(ids), day))
        return real(db, ids, day, *args)

    monkeypatch.setattr(context, "measures_as_of", counted)
    query = """query ($ids: [String!]!) { parties(ids: $ids) { ... on PartyList { parties {
      a: measuresAsOf(date: "2022-06-01") { measure }
      b: measuresAsOf(date: "2026-08-01") { measure } } } } }"""
    parties = api.data(query, {"ids": PAGE})["parties"]["parties"]
    assert len(parties) == len(PAGE)
    assert sorted(day.isoformat() for _, day in calls) == ["2022-06-01", "2026-08-01"]
    assert all(ids == sorted(PAGE) for ids, _ in calls)
