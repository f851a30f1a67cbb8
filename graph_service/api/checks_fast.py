"""``POST /v1/checks`` without FastAPI's routing and dependency machinery, for the requests
that need none of it.

Profiling ``credit-graph serve`` under load put about 40 % of a single-party check's worker
CPU in routing through every router, solving the route's dependencies and the wrappers around
the endpoint — more than deciding, signing and logging the check. This ASGI middleware sits
inside the request deadline, the metrics and the body limit (those still apply) and answers
the plain case itself, exactly as the route would:

* a ``POST`` to ``/v1/checks`` with a JSON body, a key the key cache knows (valid, not
  revoked, re-read as the route re-reads it) whose role may check, a body that is a valid
  :class:`~graph_service.check.CheckRequest`, and no test overrides of the app's dependencies;
* then the rate limit, the same :class:`~graph_service.check.CheckService` run (decided,
  masked, signed, durable in the audit log before the answer) and errors of the service's
  hierarchy answered by the app's own handler (same status, body and log line).

Anything else — no key, a key not cached yet, a role that may not check, a body that does not
validate, a content type other than JSON — goes to the FastAPI route untouched (with its body
replayed), which answers it (401, 403, 422 naming the field, …) as before. So the fast path
changes no answer, only what an answer costs.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_service import metrics
from graph_service.api import checks
from graph_service.check import CheckRequest, CheckService
from graph_service.check.evaluate import evaluate
from graph_service.errors import CreditGraphError
from graph_service.security.auth import enforce_rate, presented_key
from graph_service.security.bodylimit import replay
from graph_service.security.keys import MISS
from graph_service.security.roles import CHECK_ROLES, allowed
from graph_service.security.state import security_of

PATH = "/v1/checks"


class CheckFastPath:
    """ASGI middleware answering plain ``POST /v1/checks`` requests (see the module)."""

    def __init__(self, app: ASGIApp, api: FastAPI) -> None:
        self.app = app
        self.api = api
        self._route: Any = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answers a plain check; hands anything else to the app unchanged."""
        if not _is_check(scope) or self.api.dependency_overrides:
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        replayed = replay(body, receive)
        request = Request(scope, replayed)
        key, security = presented_key(request), security_of(request)
        caller = security.keys.cached(key) if key else None
        if caller is None or caller is MISS or not allowed(caller.role, CHECK_ROLES):
            metrics.CHECKS_ROUTED.labels(_why_routed(key, caller)).inc()
            await self.app(scope, replayed, send)  # 401/403, or the key read off the loop
            return
        try:
            check = CheckRequest.model_validate_json(body)
        except ValidationError:
            metrics.CHECKS_ROUTED.labels("invalid_body").inc()
            await self.app(scope, replayed, send)  # the route's 422 names the field
            return
        scope["route"] = self.route()  # the metrics' label, as the router would set it
        try:
            enforce_rate(request, caller)
            request.state.caller = caller
            keeper = getattr(self.api.state, "snapshot", None)
            evaluator = keeper.evaluator if keeper is not None else evaluate
            service = CheckService(self.api.state.db, security, evaluator)
            response = Response(await service.run_json(check, caller), media_type=JSON)
        except CreditGraphError as exc:
            handler = self.api.exception_handlers[CreditGraphError]
            response = await handler(request, exc)  # type: ignore[misc]
        metrics.CHECKS_FAST_PATH.inc()
        await response(scope, replayed, send)

    def route(self) -> Any:
        """The ``POST /v1/checks`` route of :mod:`graph_service.api.checks` (found once)."""
        if self._route is None:
            self._route = next(
                r
                for r in checks.router.routes
                if getattr(r, "path", None) == PATH and "POST" in getattr(r, "methods", ())
            )
        return self._route


JSON = "application/json"


def _why_routed(key: str | None, caller: object) -> str:
    """Why a check with this ``key`` and what the key cache said of it goes to the route.

    >>> _why_routed(None, None), _why_routed("k", MISS), _why_routed("k", None)
    ('no_key', 'key_not_cached', 'key_refused')
    """
    if not key:
        return "no_key"
    if caller is MISS:
        return "key_not_cached"
    return "key_refused" if caller is None else "role"


def _is_check(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
        return False
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return content_type.split(b";")[0].strip().lower() == JSON.encode()


async def _body(receive: Receive) -> bytes:
    """The whole body (the body limit outside has read and bounded it already)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
