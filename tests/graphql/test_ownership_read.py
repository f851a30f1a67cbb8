"""The ownership view read in one statement (graph_service.gql.cards.read_ownership): the
party, its tree and its controllers come from the tree's walk, with the same answers as
with the party's lookup, the walk and the control rule's rows each read on its own."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import schema
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import HENGTAI, HUABEI, LI_NA, LIU_YANG, Api
from tests.graphql.test_prefetch import _reads

pytestmark = pytest.mark.neo4j

#: The workbench's ownership view as the page sends it (graph.js), and as of a past day.
VIEWS = [
    (HUABEI, "UP", None),
    (HENGTAI, "UP", None),
    (LIU_YANG, "DOWN", None),
    (LI_NA, "DOWN", None),
    (HUABEI, "UP", "2019-06-30"),
]
#: The controllers on another day than the tree's: their rows are read on their own.
OTHER_DAY = """query ($id: String!) { party(id: $id) { ... on Party { id
  ownershipTree(direction: UP, depth: 3) { ... on OwnershipTree { asOf entries { chain } } } }
  ... on Company { actualControllers(activeOn: "2019-06-30") { party { id } } } } }"""


def _walk(direction: str) -> str:
    return "explore/holdings_walk_in" if direction == "UP" else "explore/holdings_walk_out"


@pytest.mark.parametrize(("party", "direction", "on"), VIEWS)
def test_the_ownership_view_is_one_read_and_answers_as_each_read_alone(
    api: Api,
    samples: Database,
    party: str,
    direction: str,
    on: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    variables: dict[str, Any] = {"id": party, "direction": direction, "depth": 4, "activeOn": on}
    one, one_reads = _reads(api, "OWNERSHIP", variables)
    monkeypatch.setattr(schema, "read_ownership", lambda *args: None)
    alone, alone_reads = _reads(api, "OWNERSHIP", variables)

    assert one == alone and one["party"]["id"] == party
    assert one["party"]["ownershipTree"]["entries"]  # a tree, not an empty answer
    assert one_reads == {_walk(direction): 1}
    # read alone: three beside each other (the controllers' rows begun before the party's
    # kind is known, as before)
    assert alone_reads == {"party/by_id": 1, _walk(direction): 1, "explore/control_chains": 1}


def test_the_sample_company_has_a_controller_through_the_one_read(
    api: Api, samples: Database
) -> None:
    data, reads = _reads(api, "OWNERSHIP", {"id": HUABEI, "direction": "UP", "depth": 4})
    controllers = data["party"]["actualControllers"]
    assert [c["party"]["id"] for c in controllers] == [LIU_YANG]
    assert controllers[0]["chains"] and reads == {_walk("UP"): 1}


def test_controllers_on_another_day_are_read_on_their_own(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_reads = _reads_of(api, OTHER_DAY, {"id": HUABEI})
    monkeypatch.setattr(schema, "read_ownership", lambda *args: None)
    alone, _ = _reads_of(api, OTHER_DAY, {"id": HUABEI})
    assert one == alone
    assert one_reads == {_walk("UP"): 1, "explore/control_chains": 1}


def test_an_unknown_party_is_null_after_one_read(api: Api, samples: Database) -> None:
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    data, reads = _reads(api, "OWNERSHIP", {"id": unknown, "direction": "UP", "depth": 4})
    assert data == {"party": None} and reads == {_walk("UP"): 1}


def _reads_of(api: Api, query: str, variables: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    api.db.query_counts.clear()
    data = api.data(query, variables)
    return data, {n: c for n, c in api.db.query_counts.items() if n.split("/")[0] not in SECURITY}


SECURITY = {"keys", "audit"}
