"""A request's objects are freed when it ends: nothing made for a request refers to itself.

Invariant: no object made for one GraphQL request answered without errors (graphql-core's
execution, the :class:`~graph_service.gql.context.Context`, its loaders) is part of a reference
cycle (an error's traceback may hold frames in one, which the collector frees), so that
reference counting frees the request — its execution, context, loaders, rows and answer — as
soon as it is answered. A request in a cycle waits for CPython's cyclic collector instead: with
the serving thresholds (:data:`graph_service.cli.serve.SERVING_THRESHOLDS`, a young collection
every 50,000 net allocations) the collector then freed ~110 requests' objects at once, 18–86 ms
in which no request of the worker moved: the largest single part of the workbench views'
GraphQL p99 (docs/benchmarks.md, issue 13, session 11). Where an object must call back into
its owner, it holds it weakly (:func:`weakly`); a loader's batch dispatched after its request
ended is then cancelled rather than failed (nobody awaits it any more). The neo4j driver's own
objects of a read still form cycles (graph_service/db.py; fewer, and outside this package).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from graphql import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

T = TypeVar("T")


def weakly(
    method: Callable[..., T], freed: type[BaseException] = ReferenceError
) -> Callable[..., T]:
    """A function calling the bound ``method`` without keeping its object alive; called once
    the object is freed, it raises ``freed`` (e.g. ``asyncio.CancelledError`` for work that
    only the freed object waited for).

    >>> class Owner:
    ...     def twice(self, x: int) -> int:
    ...         return 2 * x
    >>> owner = Owner()
    >>> call = weakly(owner.twice)
    >>> call(21)
    42
    >>> del owner
    >>> call(1)
    Traceback (most recent call last):
    ...
    ReferenceError: Owner.twice called after its object was freed
    """
    ref = weakref.WeakMethod(method)
    name = getattr(method, "__qualname__", repr(method))

    def call(*args: Any, **kwargs: Any) -> T:
        bound = ref()
        if bound is None:
            raise freed(f"{name} called after its object was freed")
        return bound(*args, **kwargs)

    return call


class AcyclicExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context whose resolver helpers hold it weakly.

    graphql-core (3.3) gives every execution ``async_helpers`` made of two of its own bound
    methods, so each execution referred to itself and kept the request's context, loaders and
    rows alive until the cyclic collector ran. The helpers are the same methods, called
    through :func:`weakly`; an execution outlives every resolver that may call them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=weakly(self.gather_async_work), track=weakly(self.track_async_work)
        )
