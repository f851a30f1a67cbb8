"""The change feed (from :MeasureChange nodes) and the DataLoader bound on queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import LI_NA, ZHANG_WEI, Api

pytestmark = pytest.mark.neo4j

#: Query folders of the security module (keys, audit log), not counted as GraphQL reads.
SECURITY = {"keys", "audit"}

CHANGES = """
query ($since: DateTime!, $party: String, $change: ChangeKind, $first: Int, $after: String) {
  measureChanges(since: $since, party: $party, change: $change, first: $first, after: $after) {
    ... on MeasureChangeConnection {
      pageInfo { hasNextPage endCursor }
      nodes { changeId measure rule change party { id name } } }
    ... on InvalidInputError { argument message }
  }
}"""


def _changes(api: Api, **variables: Any) -> dict[str, Any]:
    since = datetime(2026, 1, 1, 8, 1).astimezone().isoformat()
    return api.data(CHANGES, {"since": since, **variables})["measureChanges"]  # type: ignore[no-any-return]


def test_changes_since_a_time_oldest_first_in_pages(api: Api, samples: Database) -> None:
    first = _changes(api, first=2)
    assert [n["changeId"] for n in first["nodes"]] == ["c1", "c2"]  # c0 is before `since`
    assert first["nodes"][0]["party"] == {"id": ZHANG_WEI, "name": "张伟"}
    assert first["pageInfo"]["hasNextPage"] is True
    rest = _changes(api, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["changeId"] for n in rest["nodes"]] == ["c3", "c4"]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_changes_filter_by_party_and_kind(api: Api, samples: Database) -> None:
    assert [n["measure"] for n in _changes(api, party=ZHANG_WEI)["nodes"]] == [
        "high_consumption_ban",
        "officer_ban",
        "officer_ban",
    ]
    changed = _changes(api, change="CHANGED")["nodes"]
    assert [(n["changeId"], n["change"]) for n in changed] == [("c4", "CHANGED")]
    lost = _changes(api, change="LOST")["nodes"]
    assert [(n["party"]["id"], n["rule"]) for n in lost] == [(LI_NA, "R3")]
    assert _changes(api, party="not an id")["argument"] == "party"
    assert _changes(api, after="garbage!")["argument"] == "after"


def _world(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``count`` companies named 测试贸易公司N, each with two stored measures."""
    parties, measures = [], []
    for i in range(count):
        stem = f"9113010000000{i:04d}"
        party_id = stem + (uscc_check_char(stem) or "0")
        props = {
            "party_id": party_id,
            "uscc": party_id,
            "kind": "company",
            "name": f"测试贸易公司{i:04d}",
            "district_code": "130102",
        }
        parties.append({"labels": ["Company"], "props": props})
        for measure in ("dishonest_debtor", "bidding_ban"):
            measures.append(
                {
                    "party_id": party_id,
                    "risk_score": 0.5,
                    "as_of": date.today(),
                    "props": {
                        "measure_key": f"{party_id}-{measure}",
                        "party_id": party_id,
                        "measure": measure,
                        "origin": "direct",
                        "path_json": "[]",
                    },
                }
            )
    return parties, measures


def test_a_page_of_fifty_parties_with_measures_costs_a_fixed_number_of_queries(
    api: Api, empty_graph: Database
) -> None:
    # its own world (the db fixture empties the graph): 60 companies with two measures each
    parties, measures = _world(60)
    empty_graph.write("meta/test_graphql_parties", rows=parties)
    empty_graph.write("meta/test_graphql_measures", rows=measures)
    empty_graph.read("meta/await_indexes")
    query = """{ searchParties(text: "测试贸易", first: 50) { ... on SearchHitConnection {
        nodes { party { id name measures { measure explanation }
                        records(first: 5) { totalCount }
                        creditReport { measures } } } } } }"""
    api.db.query_counts.clear()
    hits = api.data(query)["searchParties"]["nodes"]
    assert len(hits) == 50
    assert all(len(h["party"]["measures"]) == 2 for h in hits)
    assert hits[0]["party"]["creditReport"]["measures"] == ["bidding_ban", "dishonest_debtor"]
    # one query per kind of data, whatever the page size (the audit entry and the key
    # lookup are the security module's own, one each per request)
    reads = {n: c for n, c in api.db.query_counts.items() if n.split("/")[0] not in SECURITY}
    assert reads == {
        "search/parties": 1,
        "party/measures": 1,
        "party/records": 1,
        "party/credit_summary": 1,
    }
