"""The walks leave out each node's and relationship's ``loaded_at`` unless the operation may
ask for ``provenance.loadedAt`` (graph_service.gql.context.DatedReads): the answers are the
same as with the timestamps read, and a document that asks for them gets them."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import cards, context, ownership, relations
from graph_service.gql.context import Context
from tests.graphql.conftest import HUABEI, LI_NA, Api
from tests.graphql.test_prefetch import DOCUMENTS, VIEWS

pytestmark = pytest.mark.neo4j

#: The statements that take $dated: a step (the first with the party), the shortest paths, an
#: ownership tree's walk, the party card and the case view.
WALKS = {
    cards.PARTY_CARD,
    cards.CASE_CARD,
    *relations.EXPAND_QUERY.values(),
    *relations.FIRST_STEP_QUERY.values(),
    *relations.SHORTEST_PATHS_QUERY.values(),
    *(ownership.walk_query(d) for d in ownership.OwnershipDirection),
}

READ_NOW = Context._read_now  # the reader itself, whatever a test has put in its place

ASKS = """query ($id: String!) { party(id: $id) { ... on Party { neighbours(depth: 1) {
  ... on GraphView { nodes { id party { provenance { loadedAt } } }
                     edges { id provenance { loadedAt } } } } } } }"""


def _walks(
    api: Api,
    name: str,
    variables: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    query: str | None = None,
) -> tuple[Any, list[bool]]:
    """The answer and the ``dated`` parameter of every walk it read."""
    dated: list[bool] = []

    async def spy(self: Context, query_name: str, params: dict[str, Any]) -> Any:
        if query_name in WALKS:
            dated.append(params["dated"])
        return await READ_NOW(self, query_name, params)

    monkeypatch.setattr(Context, "_read_now", spy)
    return api.data(query or DOCUMENTS[name], variables), dated


@pytest.mark.parametrize("view", ["network", "paths", "ownership", "case"])
def test_a_walk_without_loaded_at_answers_as_with_it(
    api: Api, samples: Database, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, variables = VIEWS[view]
    undated, flags = _walks(api, name, variables, monkeypatch)
    monkeypatch.setattr(context, "LOADED_AT_FIELD", "")  # every text holds "": all dated
    dated, dated_flags = _walks(api, name, variables, monkeypatch)

    assert undated == dated and next(iter(undated.values())) is not None
    assert flags and not any(flags)
    assert dated_flags and all(dated_flags)


def test_the_card_asks_for_loaded_at_and_reads_it(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, flags = _walks(api, "PARTY_CARD", {"id": HUABEI}, monkeypatch)
    assert flags == [True] and data["party"]["provenance"]["loadedAt"]


def test_a_document_asking_for_loaded_at_gets_it(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, flags = _walks(api, "", {"id": HUABEI}, monkeypatch, ASKS)
    view = data["party"]["neighbours"]
    assert flags == [True]
    assert view["edges"] and all(e["provenance"]["loadedAt"] for e in view["edges"])
    parties = [n["party"] for n in view["nodes"] if n["party"]]
    assert parties and all(p["provenance"]["loadedAt"] for p in parties)


def test_paths_between_two_parties_answer_the_same_dated_or_not(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = DOCUMENTS["PATHS"].replace("edges { id }", "edges { id provenance { loadedAt } }")
    asked, flags = _walks(api, "", {"id": HUABEI, "to": LI_NA}, monkeypatch, query)
    assert flags and all(flags)
    paths = asked["party"]["paths"]["paths"]
    assert paths and all(e["provenance"]["loadedAt"] for p in paths for e in p["edges"])
