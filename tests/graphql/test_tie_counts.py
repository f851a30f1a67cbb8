"""``Party.tieCounts``: the degrees the workbench's hub guard reads before drawing anything.

Each count must equal the ``totalCount`` of the list that draws those ties, for the same
``activeOn`` — the guard promises "N more" and the list must then hold N.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from tests.graphql.conftest import HUABEI, WU_GANG, ZHANG_WEI, ZHOU_JIE, Api

pytestmark = pytest.mark.neo4j

QUERY = """
query ($id: String!, $on: Date) {
  party(id: $id) {
    ... on Party {
      tieCounts(activeOn: $on) { type direction count }
      cases(first: 1) { totalCount }
      holdings(first: 1, activeOn: $on) { totalCount }
      sharedContacts(first: 1) { totalCount }
    }
    ... on Company {
      shareholders(first: 1, activeOn: $on) { totalCount }
      officers(first: 1, activeOn: $on) { totalCount }
      branches(first: 1) { totalCount }
      staff(first: 1, activeOn: $on) { totalCount }
      parent { id }
      legalRepresentative { id }
    }
    ... on NaturalPerson {
      positions(first: 1, activeOn: $on) { totalCount }
      legalRepresentativeOf(first: 1) { totalCount }
    }
    ... on Official {
      employments(first: 1, activeOn: $on) { totalCount }
      handledCases(first: 1) { totalCount }
      interventions(first: 1) { totalCount }
    }
  }
}
"""

#: (type, direction) → the list (or single tie) that draws those ties.
LISTS = {
    ("HOLDS_SHARES", "OUT"): "holdings",
    ("HOLDS_SHARES", "IN"): "shareholders",
    ("OFFICER_OF", "OUT"): "positions",
    ("OFFICER_OF", "IN"): "officers",
    ("EMPLOYED_AT", "OUT"): "employments",
    ("EMPLOYED_AT", "IN"): "staff",
    ("LEGAL_REP_OF", "OUT"): "legalRepresentativeOf",
    ("LEGAL_REP_OF", "IN"): "legalRepresentative",
    ("BRANCH_OF", "OUT"): "parent",
    ("BRANCH_OF", "IN"): "branches",
    ("SHARES_CONTACT", "BOTH"): "sharedContacts",
    ("PARTY_TO", "OUT"): "cases",
    ("HANDLED", "OUT"): "handledCases",
    ("INTERVENED_IN", "OUT"): "interventions",
}


def _listed(party: dict[str, Any], field: str) -> int:
    """How many ties the list (or the single related party) shows; 0 when the type has none."""
    value = party.get(field)
    if value is None:
        return 0
    return int(value["totalCount"]) if "totalCount" in value else 1


@pytest.mark.parametrize("party_id", [HUABEI, ZHANG_WEI, WU_GANG, ZHOU_JIE])
@pytest.mark.parametrize("on", [None, "2024-06-30", "1990-01-01"])
def test_tie_counts_equal_the_lists_they_announce(
    api: Api, samples: Database, party_id: str, on: str | None
) -> None:
    party = api.data(QUERY, {"id": party_id, "on": on})["party"]
    counts = {(c["type"], c["direction"]): c["count"] for c in party["tieCounts"]}
    assert set(counts) == set(LISTS)
    assert {k: counts[k] for k in LISTS} == {k: _listed(party, f) for k, f in LISTS.items()}


def test_tie_counts_are_not_all_zero_and_follow_the_date(api: Api, samples: Database) -> None:
    today = api.data(QUERY, {"id": HUABEI, "on": None})["party"]["tieCounts"]
    long_ago = api.data(QUERY, {"id": HUABEI, "on": "1990-01-01"})["party"]["tieCounts"]
    dated = {"HOLDS_SHARES", "OFFICER_OF", "EMPLOYED_AT"}
    assert sum(c["count"] for c in today) > 0
    assert sum(c["count"] for c in today if c["type"] in dated) > 0
    assert sum(c["count"] for c in long_ago if c["type"] in dated) == 0
