"""The fields a party or case view selects, read from the document one level down
(graph_service.gql.prefetch.selected_fields), not built by strawberry's
``Info.selected_fields`` — which converts every field below the root at each call and was
about a tenth of a party view's CPU on the event loop (docs/benchmarks.md, issue 13)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from strawberry.types.info import Info as StrawberryInfo
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph_service.db import Database
from graph_service.gql import cards, prefetch, schema
from tests.graphql.conftest import Api
from tests.graphql.test_prefetch import DOCUMENTS, VIEWS

pytestmark = pytest.mark.neo4j


def _strawberry_first_level(selections: list[Selection]) -> Iterator[SelectedField]:
    """What the readers took before: strawberry's fields, first level, through fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, InlineFragment | FragmentSpread):
            yield from _strawberry_first_level(selection.selections)


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_fields_are_those_strawberry_gives_with_the_same_arguments(
    api: Api, samples: Database, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[Any], list[Any]]] = []
    original = prefetch.selected_fields

    def compare(info: Any) -> Iterator[Any]:
        ours = list(original(info))
        theirs = list(_strawberry_first_level(info.selected_fields[0].selections))
        seen.append(
            ([(f.name, f.arguments) for f in ours], [(f.name, f.arguments) for f in theirs])
        )
        return iter(ours)

    for module in (schema, cards, prefetch):  # party(id:), the card readers, the starters
        monkeypatch.setattr(module, "selected_fields", compare)
    name, variables = VIEWS[view]
    api.data(DOCUMENTS[name], variables)
    assert seen, "the view did not look at its fields"
    for ours, theirs in seen:
        assert ours == theirs and ours


@pytest.mark.parametrize("view", list(VIEWS))
def test_no_view_builds_strawberrys_selected_fields(
    api: Api, samples: Database, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, variables = VIEWS[view]
    expected = api.data(DOCUMENTS[name], variables)

    def refuse(self: Any) -> Any:
        raise AssertionError("Info.selected_fields was built")

    monkeypatch.setattr(StrawberryInfo, "selected_fields", property(refuse))
    assert api.data(DOCUMENTS[name], variables) == expected


def test_fragments_and_aliases_are_looked_through(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    names: list[list[str]] = []
    original = schema.selected_fields
    monkeypatch.setattr(
        schema,
        "selected_fields",
        lambda info: (names.append([f.name for f in original(info)]), original(info))[1],
    )
    query = """query ($id: String!) { party(id: $id) { __typename ...F
      ... on Company { one: riskScore two: riskScore } } }
      fragment F on Party { name ... on Person { gender } }"""
    _, variables = VIEWS["card"]
    api.data(query, variables)
    assert names == [["__typename", "name", "gender", "riskScore", "riskScore"]]
