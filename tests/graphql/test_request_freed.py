"""A GraphQL request's objects are freed when it is answered, by reference counting, not left
for the cyclic collector (graph_service/gql/cycles.py): with the collector off, every view of
the workbench leaves no context, loaders or execution of its requests behind. Before, each
request's execution and context referred to themselves, and a worker freed ~110 requests at
once in one 18–86 ms collection (docs/benchmarks.md, issue 13, session 11)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest
from strawberry.dataloader import DataLoader
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from graph_service.db import Database
from graph_service.gql.context import Context
from graph_service.gql.dataloaders import Loaders
from tests.graphql.conftest import Api
from tests.graphql.test_prefetch import DOCUMENTS, VIEWS

pytestmark = pytest.mark.neo4j

#: What a request makes for itself and must not outlive it.
PER_REQUEST = (Context, Loaders, DataLoader, StrawberryGraphQLCoreExecutionContext)
#: Requests answered per view (each would leave its objects behind if they formed cycles).
REQUESTS = 5


def _alive() -> int:
    """How many per-request objects exist, freed or not by the collector yet."""
    return sum(1 for o in gc.get_objects() if isinstance(o, PER_REQUEST))


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The cyclic collector off (after a full collection): only reference counting frees."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _settled(before: int, timeout_s: float = 2.0) -> int:
    """The count once the server's request tasks have ended (they end just after the answer
    is sent), or after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    alive = _alive()
    while alive > before and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = _alive()
    return alive


@pytest.mark.parametrize("view", list(VIEWS))
def test_an_answered_request_leaves_nothing_of_itself_for_the_collector(
    api: Api, samples: Database, view: str, collector_off: None
) -> None:
    name, variables = VIEWS[view]
    api.data(DOCUMENTS[name], variables)  # the document parsed, validated and cached
    before = _settled(_alive())

    answers = [api.data(DOCUMENTS[name], variables) for _ in range(REQUESTS)]

    assert all(answer == answers[0] for answer in answers) and answers[0]
    assert _settled(before) <= before
