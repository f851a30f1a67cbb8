"""Reads begun beside ``party(id:)`` and ``case(caseNo:)`` (graph_service.gql.prefetch): the
workbench's documents, as the page sends them, make the same reads and get the same answers
as with the resolvers alone — an early read whose key or parameters differed from the
resolver's would show as one read more."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import cards, ownership, prefetch, relations
from graph_service.gql.context import Context
from graph_service.gql.shared import Direction
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import ENFORCEMENT_CASE, HENGTAI, HUABEI, LI_NA, LIU_YANG, Api

pytestmark = pytest.mark.neo4j

QUERIES_JS = Path(__file__).resolve().parents[2] / "graph_service/web/static/app/queries.js"
SECURITY = {"keys", "audit"}


def page_documents() -> dict[str, str]:
    """The workbench's GraphQL documents by constant name, fragments filled in."""
    found = dict(
        re.findall(r"^(?:export )?const (\w+) = `(.*?)`;", QUERIES_JS.read_text(), re.S | re.M)
    )
    fragments = {k: v for k, v in found.items() if v.lstrip().startswith("fragment")}
    documents = {}
    for name, body in found.items():
        for fragment, text in fragments.items():
            body = body.replace("${" + fragment + "}", text)
        documents[name] = body
    return documents


DOCUMENTS = page_documents()
#: Each view with the variables the page sends (graph.js: the network first drawn, the tree UP).
VIEWS: dict[str, tuple[str, dict[str, Any]]] = {
    "card": ("PARTY_CARD", {"id": HUABEI}),
    "records": ("RECORDS", {"id": HUABEI}),
    "tie counts": ("TIE_COUNTS", {"id": HUABEI}),
    "network": ("NEIGHBOURS", {"id": HUABEI, "depth": 1, "maxNodes": 41}),
    "paths": ("PATHS", {"id": HUABEI, "to": LI_NA}),
    "ownership": ("OWNERSHIP", {"id": HUABEI, "direction": "UP", "depth": 4}),
    "case": ("CASE", {"caseNo": ENFORCEMENT_CASE, "first": 100}),
}


def _reads(api: Api, name: str, variables: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    """The answer of one document and the graph reads it made (security's own left out)."""
    api.db.query_counts.clear()
    data = api.data(DOCUMENTS[name], variables)
    reads = {n: c for n, c in api.db.query_counts.items() if n.split("/")[0] not in SECURITY}
    return data, reads


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_reads_what_its_resolvers_read_and_answers_the_same(
    api: Api,
    samples: Database,
    view: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    name, variables = VIEWS[view]
    with caplog.at_level(logging.INFO, logger="graph_service.gql"):
        early, early_reads = _reads(api, name, variables)
    failed = [r.getMessage() for r in caplog.records if "started early failed" in r.getMessage()]
    assert failed == []  # an early read that failed would be read again by its resolver

    monkeypatch.setattr(prefetch, "STARTERS", {})
    monkeypatch.setattr(prefetch, "CASE_LISTS", {})
    alone, alone_reads = _reads(api, name, variables)

    assert early_reads == alone_reads  # an unused early read would be one read more
    assert early == alone and next(iter(early.values())) is not None


def test_an_unknown_party_reads_early_for_nothing_and_is_null(api: Api, samples: Database) -> None:
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    data = api.data(DOCUMENTS["PARTY_CARD"], {"id": unknown})
    assert data == {"party": None}


def test_arguments_the_resolver_refuses_are_refused_as_before(api: Api, samples: Database) -> None:
    variables = {"id": HUABEI, "depth": 9, "maxNodes": 41}
    data = api.data(DOCUMENTS["NEIGHBOURS"], variables)
    refused = data["party"]["neighbours"]
    assert refused["__typename"] == "InvalidInputError" and refused["argument"] == "depth"


def _nodes(view: str, data: Any) -> list[dict[str, Any]]:
    """The drawn nodes of a network or paths answer."""
    found = data["party"]["neighbours"] if view == "network" else data["party"]["paths"]["view"]
    return found["nodes"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("view", ["network", "paths"])
def test_a_walk_brings_its_nodes_credit_summaries_and_answers_as_the_loader_would(
    api: Api, samples: Database, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, variables = VIEWS[view]
    folded, folded_reads = _reads(api, name, variables)

    never = lambda *args: False  # noqa: E731  (the reports' loader reads after the walk)
    monkeypatch.setattr(relations, "wants_summaries", never)
    monkeypatch.setattr(prefetch, "wants_summaries", never)
    loaded, loaded_reads = _reads(api, name, variables)

    assert folded == loaded
    reports = [n["party"]["creditReport"] for n in _nodes(view, folded) if n["party"]]
    assert len(reports) >= 3 and any(r["seriousDishonesty"] for r in reports)
    assert any(r["measures"] for r in reports)
    assert loaded_reads["party/credit_summary"] == 1  # the nodes', read after the walk
    # the walk's own statement brought them, and the party's own row with them (the
    # network's party's own summary too: before session 10 the card read it with the lookup)
    assert folded_reads.get("party/credit_summary", 0) == 0
    assert "party/card" not in folded_reads and "party/by_id" not in folded_reads
    assert "party/measures" not in folded_reads


@pytest.mark.parametrize(
    ("party", "direction"), [(HUABEI, "UP"), (LIU_YANG, "DOWN"), (HENGTAI, "UP")]
)
def test_an_ownership_tree_read_in_one_walk_answers_as_step_by_step(
    api: Api, samples: Database, party: str, direction: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"id": party, "direction": direction, "depth": 4}
    ahead, ahead_reads = _reads(api, "OWNERSHIP", variables)

    async def step_by_step(*args: object) -> None:
        return None

    monkeypatch.setattr(ownership, "_walk", step_by_step)
    monkeypatch.setattr(prefetch, "STARTERS", {})
    alone, alone_reads = _reads(api, "OWNERSHIP", variables)

    assert ahead == alone
    assert ahead["party"]["ownershipTree"]["entries"]  # a tree, not an empty answer
    step = "explore/expand_in" if direction == "UP" else "explore/expand_out"
    walk = "explore/holdings_walk_in" if direction == "UP" else "explore/holdings_walk_out"
    assert ahead_reads[walk] == 1
    # every level is in the walk, none read on its own (before, the levels after the second
    # were read one by one, each a round trip in sequence: LIU_YANG's and HENGTAI's third)
    assert ahead_reads.get(step, 0) == 0 and alone_reads[step] >= 2


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the reads begun early (``Context.start_read``), in order."""
    names: list[str] = []
    start_read = Context.start_read

    def spy(self: Context, name: str, /, **params: Any) -> None:
        names.append(name)
        start_read(self, name, **params)

    monkeypatch.setattr(Context, "start_read", spy)
    return names


def test_literal_arguments_begin_their_reads_early_too(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch, started: list[str]
) -> None:
    # strawberry hands a literal Int over as its text (`maxHops: 6` is "6"): a starter that
    # took it as given failed its bound and began nothing
    primed: list[object] = []
    keep = prefetch._primed
    monkeypatch.setattr(prefetch, "_primed", lambda future: (primed.append(future), keep(future)))
    api.data(DOCUMENTS["PATHS"], {"id": HUABEI, "to": LI_NA})  # maxHops: 6
    api.data(DOCUMENTS["RECORDS"], {"id": HUABEI})  # first: 20
    assert started == [relations.SHORTEST_PATHS_QUERY[6]]
    assert len(primed) == 1  # the records' page
    # a Date variable comes as the date strawberry made of it, not as its text
    started.clear()
    view = {"id": HUABEI, "depth": 1, "maxNodes": 41, "activeOn": "2019-06-30"}
    api.data(DOCUMENTS["NEIGHBOURS"], view)
    assert started == [relations.FIRST_STEP_QUERY[Direction.BOTH]]


def test_a_network_as_of_a_day_reads_what_its_resolvers_read_and_answers_the_same(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = {"id": HUABEI, "depth": 1, "maxNodes": 41, "activeOn": "2019-06-30"}
    early, early_reads = _reads(api, "NEIGHBOURS", view)
    monkeypatch.setattr(prefetch, "STARTERS", {})
    alone, alone_reads = _reads(api, "NEIGHBOURS", view)
    assert early == alone and early_reads == alone_reads
    assert early["party"]["neighbours"]["nodes"]


def test_enum_variables_begin_their_reads_early_too(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch, started: list[str]
) -> None:
    # strawberry hands an enum variable over as the member it made ($direction: UP is
    # OwnershipDirection.UP), which OwnershipDirection[...] refused: the ownership view, whose
    # page always sends $direction, never began its walk early (reviewer's find)
    api.data(DOCUMENTS["OWNERSHIP"], VIEWS["ownership"][1])
    assert started[:1] == [ownership.walk_query(ownership.OwnershipDirection.UP)]
    started.clear()
    network = {**VIEWS["network"][1], "types": ["HOLDS_SHARES", "OFFICER_OF"]}
    early, early_reads = _reads(api, "NEIGHBOURS", network)
    assert started == [relations.FIRST_STEP_QUERY[Direction.BOTH]]
    monkeypatch.setattr(prefetch, "STARTERS", {})
    alone, alone_reads = _reads(api, "NEIGHBOURS", network)
    assert early == alone and early_reads == alone_reads


CASES_OF_ONE_ROLE = """query ($id: String!) { party(id: $id) { ... on Party { id
  measures { key } cases(roles: "%s") { totalCount nodes { role } } } } }"""


def test_one_value_for_a_list_argument_is_a_list_of_one(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `roles: "defendant"` is valid GraphQL for ["defendant"]; the card took the text for its
    # characters: a wasted list and a second read (reviewer's find)
    document = CASES_OF_ONE_ROLE % "defendant"
    api.db.query_counts.clear()
    early = api.data(document, {"id": HUABEI})
    early_reads = {n: c for n, c in api.db.query_counts.items() if n.split("/")[0] not in SECURITY}
    assert early_reads == {"party/card": 1}
    monkeypatch.setattr(prefetch, "STARTERS", {})
    monkeypatch.setattr(cards, "PARTY_LISTS", {})
    assert api.data(document, {"id": HUABEI}) == early


def test_an_alias_of_a_party_read_already_reads_no_second_card(api: Api, samples: Database) -> None:
    api.db.query_counts.clear()
    data = api.data(
        "query ($id: String!) { a: party(id: $id) { ... on Party { measures { key } } }"
        " b: party(id: $id) { ... on Party { measures { key } } } }",
        {"id": HUABEI},
    )
    assert data["a"] == data["b"]
    assert api.db.query_counts["party/card"] == 1
