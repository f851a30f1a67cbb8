"""``POST /graphql`` without the router and FastAPI's dependency solving, for a caller whose
key is cached.

The party card's request spent ~0.33 ms between uvicorn and strawberry's view (session 12's
profile, docs/benchmarks.md): the middlewares, matching the path against every route, and
solving the endpoint's dependencies (the key, the rate, the check service, the context, the
root value) — most of what ``{ __typename }`` costs over ``GET /healthz``. This ASGI
middleware (inside the deadline, the metrics and the body limit, like
:mod:`graph_service.api.checks_fast`) takes the requests whose caller the key cache knows,
makes what those dependencies would make — the same functions, called directly — and hands
the request to the mounted router's own :meth:`~strawberry.fastapi.GraphQLRouter.run`, so
that reading the body, the operation, its refusals, its audit entry and the answer are the
route's own code, not a copy of it:

* a ``POST`` to ``/graphql`` presenting a key the cache holds as valid, and no test overrides
  of the app's dependencies;
* the caller's rate taken as :func:`~graph_service.security.auth.caller_or_none` takes it; the
  context made by :func:`~graph_service.gql.context.get_context` and completed as strawberry's
  context dependency completes it (request, background tasks, the sub-response FastAPI makes:
  no status, no headers until the operation sets them);
* errors of the service's hierarchy (429, a body strawberry refuses) answered by the app's own
  handler, as the route's exception middleware would.

Anything else — no key, a key not cached yet (read off the loop by the route), a key the
cache refuses, any other method or path — goes to the route untouched, which answers it as
before (401 and 403 come from the schema either way). So this changes no answer, only what
one costs.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.background import BackgroundTasks
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_service.check.service import check_service, get_evaluator
from graph_service.errors import CreditGraphError
from graph_service.gql.context import get_context
from graph_service.gql.endpoint import PATH, ServiceGraphQLRouter
from graph_service.security.auth import enforce_rate, presented_key
from graph_service.security.keys import MISS
from graph_service.security.roles import Caller
from graph_service.security.state import security_of


class GraphQLFastPath:
    """ASGI middleware answering ``POST /graphql`` of cached callers (see the module)."""

    #: Requests answered here (tests read it: the path a request took).
    answered: int = 0

    def __init__(self, app: ASGIApp, api: FastAPI, view: ServiceGraphQLRouter) -> None:
        self.app = app
        self.api = api
        self.view = view  # the router mounted at PATH: its run() answers here too
        self._route: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answers a cached caller's operation; hands anything else to the app unchanged."""
        if not _is_operation(scope) or self.api.dependency_overrides:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        caller = _cached_caller(request)
        if caller is None:
            await self.app(scope, receive, send)  # nothing read yet: the route reads it all
            return
        scope["route"] = self.route()  # the metrics' and logs' label, as the router sets it
        try:
            response = await self._run(request, caller)
        except CreditGraphError as exc:
            handler = self.api.exception_handlers[CreditGraphError]
            response = await handler(request, exc)  # type: ignore[misc]
        GraphQLFastPath.answered += 1
        await response(scope, receive, send)

    async def _run(self, request: Request, caller: Caller) -> Response:
        """What the route's dependencies and endpoint do, in their order."""
        enforce_rate(request, caller)  # caller_or_none
        checks = await check_service(request, await get_evaluator())
        context = await get_context(request, caller, checks)
        sub_response, background = _sub_response(), BackgroundTasks()
        # strawberry's context dependency completes a BaseContext so
        context.request, context.background_tasks = request, background
        context.response = sub_response
        # handle_http_post: the view reads its sub-response from here, in this same step
        self.view.temporal_response = sub_response
        response: Response = await self.view.run(request, context=context, root_value=None)
        if response.background is None:  # as FastAPI hands an endpoint's Response its tasks
            response.background = background
        return response

    def route(self) -> Any:
        """The view's POST route, which the app's router puts in the scope (found once)."""
        if self._route is None:
            self._route = next(r for r in self.view.routes if "POST" in getattr(r, "methods", ()))
        return self._route


def _is_operation(scope: Scope) -> bool:
    return bool(scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == PATH)


def _cached_caller(request: Request) -> Caller | None:
    """The caller of the request's key when the key cache holds it as valid, else None."""
    key = presented_key(request)
    if not key:
        return None
    cached = security_of(request).keys.cached(key)
    return None if cached is MISS else cached


def _sub_response() -> Response:
    """The response FastAPI hands an endpoint that asks for one: no status (the answer's is
    200 unless the operation sets one) and no headers (not even a content length)."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]
    return response
