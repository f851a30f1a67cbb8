"""Measures and the change log as the real propagation writes them (graph_service.propagation).

The other modules read measures stored by a test helper in the documented shape; this one
runs the propagation over the sample registries, so a change of that shape shows up here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph_service import schema
from graph_service.db import Database
from graph_service.propagation.runner import run_full
from loaders.engine import LoadOptions, load_directory
from tests.graphql.conftest import HUABEI, SAMPLES, ZHANG_WEI, Api

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def propagated(
    session_db: Database, api: Api, tmp_path_factory: pytest.TempPathFactory
) -> Database:
    """The samples loaded and propagated once for this module."""
    schema.reset(session_db)
    api.issue_keys(session_db)
    rejects: Path = tmp_path_factory.mktemp("rejects")
    load_directory(session_db, SAMPLES, LoadOptions(reject_dir=rejects))
    run_full(session_db)
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
