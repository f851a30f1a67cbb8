"""A GraphQL text is parsed and validated once per process and found again by its text
(graph_service/gql/documents.py): a repeated request neither parses, validates nor hashes its
document (strawberry's ValidationCache hashed it — a walk over every node — on every request),
and the caps and rules still refuse what they refused, every time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import DocumentNode

from graph_service.gql import documents
from graph_service.gql.limits import MAX_QUERY_DEPTH, MAX_TOKENS
from graph_service.gql.schema import schema


class _Anonymous:
    """A context without a caller or an audit hook: ``version`` needs neither."""

    caller = None
    response = None
    audit = None


def _run(text: str) -> Any:
    return asyncio.run(schema.execute(text, context_value=_Anonymous()))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts parses, validations and document hashes (the caches emptied first)."""
    counts = {"parse": 0, "validate": 0, "hash": 0}
    parse, validate = documents.parse, documents.validate_document
    document_hash = DocumentNode.__hash__  # dataclass-made: hashes every node below it

    def count(name: str, function: Any) -> Any:
        def counting(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return counting

    monkeypatch.setattr(documents, "parse", count("parse", parse))
    monkeypatch.setattr(documents, "validate_document", count("validate", validate))
    monkeypatch.setattr(DocumentNode, "__hash__", count("hash", document_hash))
    documents.parsed.cache_clear()
    documents.validation_errors.cache_clear()
    yield counts
    documents.parsed.cache_clear()
    documents.validation_errors.cache_clear()


def test_a_repeated_text_is_neither_parsed_validated_nor_hashed_again(
    counted: dict[str, int],
) -> None:
    first = _run("query Version { version }")
    once = dict(counted)

    again = [_run("query Version { version }") for _ in range(3)]

    assert not first.errors and all(a.data == first.data for a in again)
    assert once["parse"] == 1 and once["validate"] == 1
    assert counted == once  # the three repeats: no parse, no validation, no document hashed


def test_an_invalid_text_is_refused_every_time_and_validated_once(
    counted: dict[str, int],
) -> None:
    text = "{ version { nothing } }"  # a scalar with a selection

    answers = [_run(text) for _ in range(3)]

    assert all(a.errors and a.data is None for a in answers)
    assert {a.errors[0].message for a in answers} == {answers[0].errors[0].message}
    assert counted["validate"] == 1


def test_the_caps_still_refuse_too_many_tokens_and_too_many_levels(
    counted: dict[str, int],
) -> None:
    tokens = "{ " + "version " * MAX_TOKENS + "}"
    deep = "{ " + "a { " * (MAX_QUERY_DEPTH + 1) + "b" + " }" * (MAX_QUERY_DEPTH + 1) + " }"

    refused_tokens = [_run(tokens) for _ in range(2)]
    parses = counted["parse"]
    refused_depth = _run(deep)

    assert all("token" in (a.errors or [])[0].message.lower() for a in refused_tokens)
    assert parses == 2  # a text that does not parse is never cached
    assert refused_depth.errors
    assert any("maximum operation depth" in e.message for e in refused_depth.errors)
