"""The fields below each type are collected once per document, not per request
(graph_service/gql/collected.py), unless a directive makes them depend on the request's
variables; either way every answer is the one graphql-core gives on its own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from graphql.execution import executor

from graph_service.gql.collected import SharedCollections
from graph_service.gql.documents import CachedDocuments


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Dog(Named):
    barks: bool


@strawberry.type
class Cat(Named):
    lives: int


@strawberry.type
class Query:
    @strawberry.field
    def pets(self) -> list[Named]:
        return [Dog(name="Rex", barks=True), Cat(name="Tom", lives=9), Dog(name="Max", barks=False)]


SHARED = strawberry.Schema(
    Query, types=[Dog, Cat], extensions=[CachedDocuments], execution_context_class=SharedCollections
)
PLAIN = strawberry.Schema(Query, types=[Dog, Cat])  # graphql-core's own collection

#: Fields through an inline fragment and a named one, on two runtime types.
PETS = """query { pets { name ... on Dog { barks } ...Lives } }
fragment Lives on Cat { lives name }"""
#: The same with a directive: what is collected depends on $withBarks.
PETS_IF = """query ($withBarks: Boolean!) {
  pets { name ... on Dog { barks @include(if: $withBarks) } } }"""


def _data(schema: strawberry.Schema, text: str, variables: dict[str, Any] | None = None) -> Any:
    result = asyncio.run(schema.execute(text, variables))
    assert not result.errors, result.errors
    return result.data


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts graphql-core's collections of subfields."""
    calls: list[int] = []
    collect = executor.collect_subfields

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return collect(*args, **kwargs)

    monkeypatch.setattr(executor, "collect_subfields", counting)
    yield calls


def test_a_repeated_document_is_collected_once_and_answered_as_graphql_core_does(
    collections: list[int],
) -> None:
    first = _data(SHARED, PETS)
    collected_first = len(collections)

    again = [_data(SHARED, PETS) for _ in range(3)]

    assert collected_first > 0
    assert len(collections) == collected_first  # the repeats collected nothing
    assert first == _data(PLAIN, PETS) and all(answer == first for answer in again)
    assert first["pets"][1] == {"name": "Tom", "lives": 9}


def test_a_document_with_directives_is_collected_per_request_and_follows_its_variables(
    collections: list[int],
) -> None:
    with_barks = _data(SHARED, PETS_IF, {"withBarks": True})
    collected_once = len(collections)
    without = _data(SHARED, PETS_IF, {"withBarks": False})

    assert len(collections) == 2 * collected_once
    assert with_barks == _data(PLAIN, PETS_IF, {"withBarks": True})
    assert without == _data(PLAIN, PETS_IF, {"withBarks": False})
    assert with_barks["pets"][0] == {"name": "Rex", "barks": True}
    assert without["pets"][0] == {"name": "Rex"}
