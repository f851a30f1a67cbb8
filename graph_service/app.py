"""The FastAPI application factory.

The app owns one :class:`~graph_service.db.Database` for its lifetime (opened in the
lifespan, closed at shutdown). Errors of the service's own hierarchy become JSON responses
here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from graph_service import __version__, logs
from graph_service.api import (
    checks,
    explanations,
    health,
    objections,
    receipts,
    repairs,
    reports,
    web,
)
from graph_service.api import notices as notices_api
from graph_service.api import subscriptions as subscriptions_api
from graph_service.api.checks_fast import CheckFastPath
from graph_service.api.observe import Observe
from graph_service.check.snapshot_parquet import start_snapshot
from graph_service.db import Database
from graph_service.deadline import RequestDeadline, Scope
from graph_service.dueprocess.delivery import DeliveryWorker
from graph_service.errors import (
    BadRequest,
    CreditGraphError,
    MethodNotAllowed,
    NotFound,
    RequestRefused,
    Unavailable,
)
from graph_service.gql.fast_path import GraphQLFastPath
from graph_service.gql.schema import graphql_router
from graph_service.policy.catalog import catalog_in_force
from graph_service.propagation.catchup import CatchUp
from graph_service.propagation.newday import NewDayRun
from graph_service.security.audit_mirror import AuditMirror, start_local_audit
from graph_service.security.bodylimit import BodyLimit
from graph_service.security.state import Security
from graph_service.settings import Settings, get_settings

log = logging.getLogger(__name__)

#: The methods a 405's ``Allow`` may name (the service has no other).
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def create_app(settings: Settings | None = None) -> FastAPI:
    """Builds the service's ASGI app for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    catalog_in_force(settings)  # refuse to start on a bad CREDIT_GRAPH_CATALOG, not per request
    logs.hide_query_strings()  # however the app is served (serve, uvicorn, gunicorn)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The driver connects lazily, so the app starts even while Neo4j is down;
        # /readyz tells the orchestrator when it can take traffic.
        app.state.db = Database(settings)
        # Keys, rate limits, the audit writer and the receipt signer (docs/security.md).
        app.state.security = Security(settings, app.state.db)
        # Started inside the try: a step that fails stops those started before it (the
        # mirror's process would otherwise keep the host's mirror lock).
        mirror: AuditMirror | None = None
        catch_up: CatchUp | None = None
        new_day: NewDayRun | None = None
        delivery: DeliveryWorker | None = None
        app.state.snapshot = None
        try:
            # The host's local audit log and its mirror to Neo4j; the decision snapshot today's
            # checks read (docs/operations.md). Both shared by every worker process of the host.
            mirror = start_local_audit(settings, app.state.db, app.state.security)
            app.state.snapshot = await run_in_threadpool(start_snapshot, settings, app.state.db)
            # Loads a killed process left pending are completed in the background; /readyz
            # shows them pending until then (graph_service/propagation/catchup.py says why).
            if settings.complete_pending_on_start or settings.warm_plans_on_start:
                catch_up = CatchUp(
                    app.state.db,
                    complete=settings.complete_pending_on_start,
                    warm=settings.warm_plans_on_start,
                    pages=settings.warm_pages_on_start,
                    watch_s=settings.warm_watch_s,
                ).start()
            # The day's full run once the date passes the stored state's (propagation/newday.py).
            if settings.propagate_new_day:
                new_day = NewDayRun(app.state.db, settings.new_day_poll_s).start()
            # Webhook deliveries of stop-sharing notices, off the request path; a lease in
            # Neo4j lets one process of several deliver (graph_service/dueprocess/delivery.py).
            if settings.notice_delivery:
                delivery = DeliveryWorker.of_service(settings).start()
            log.info("service started", extra={"neo4j": settings.effective_uri})
            yield
        finally:
            if catch_up is not None:
                catch_up.stop()
            if new_day is not None:
                new_day.stop()
            if delivery is not None:
                delivery.stop()
            if app.state.snapshot is not None:
                app.state.snapshot.stop()
            app.state.security.close()  # flushes queued audit entries while the db is open
            if mirror is not None:
                mirror.stop()  # copies what the local log holds while Neo4j answers
            app.state.db.close()

    app = FastAPI(
        title="credit-graph",
        version=__version__,
        description="Credit relationships, joint-punishment measures and sanction checks.",
        lifespan=lifespan,
        docs_url=None,  # served by graph_service.api.web from vendored files, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(health.router)
    graphql = graphql_router(web.SelfHostedGraphQLRouter)
    app.include_router(graphql)
    app.include_router(checks.router)
    app.include_router(receipts.router)
    app.include_router(reports.router)
    app.include_router(explanations.router)
    app.include_router(subscriptions_api.router)
    app.include_router(notices_api.router)
    app.include_router(repairs.router)
    app.include_router(objections.router)
    web.install(app)
    app.add_exception_handler(CreditGraphError, _error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    # Innermost: plain checks and cached callers' GraphQL answered without the router
    # (api/checks_fast.py, gql/fast_path.py), under the deadline, the metrics and the body
    # limit like every request.
    app.add_middleware(GraphQLFastPath, api=app, view=graphql)
    app.add_middleware(CheckFastPath, api=app)
    # Added before _observe, so inside it: the deadline's 503 is counted like any answer.
    app.add_middleware(
        RequestDeadline,
        seconds=settings.request_deadline_s,
        answer=_error_answer,
        longer={"/v1/reports/": settings.report_deadline_s},
    )
    app.add_middleware(Observe)  # plain ASGI: BaseHTTPMiddleware cost a check ~1/6 of its CPU
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


async def _error_response(request: Request, exc: CreditGraphError) -> JSONResponse:
    """The JSON body of every expected error: a code and a message a person can act on,
    without the values the request sent (path parameters, query string): they may be personal
    data, and the caller has them anyway."""
    log.warning(
        "request failed", extra={"route": _route(request), "code": exc.code, "detail": str(exc)}
    )
    message = str(exc) if request.url.path == "/readyz" else exc.public_message()
    return _error_answer(request.scope, exc, _without_values(message, _values_of(request)))


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    """Starlette's own refusals (no such path, a method the path does not take, …) in the
    service's one error shape."""
    return await _error_response(request, _refusal(request, exc))


def _refusal(request: Request, exc: HTTPException) -> CreditGraphError:
    """The service's error for an HTTP-layer refusal."""
    if exc.status_code == 404:
        return NotFound("no such endpoint (see /openapi.json)")
    if exc.status_code == 405:  # the method is not repeated: any token can be sent as one
        return MethodNotAllowed("not a method this path takes (see Allow)", _methods_of(request))
    if exc.status_code == 400:
        return BadRequest(str(exc.detail))
    return RequestRefused(str(exc.detail), exc.status_code)


def _methods_of(request: Request) -> tuple[str, ...]:
    """Every method some route of the request's path takes: Starlette's own 405 names only
    the first route's, and ``/graphql`` has one route per method. Asked of the routes with
    each method in turn (mounted apps, the static files, answer their own 405s)."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    return tuple(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


def _error_answer(scope: Scope, exc: CreditGraphError, message: str | None = None) -> JSONResponse:
    """``exc`` (with ``message``, default its own) in its endpoint's error shape, with its
    status and headers (a 503 says when to retry: ``Retry-After``).

    The service's ``{"error": code, "message": …}``, except for a 503 under ``/graphql``,
    which has GraphQL's shape (``errors`` with ``extensions.code``, as a resolver's would) also
    when it comes before any resolver ran (the key lookup, the request deadline), and under
    ``/readyz``, which has readiness's (``status``, ``error``, ``reason``).
    """
    path = str(scope.get("path", ""))
    if message is None:  # readiness is for operators: it says what is wrong in full
        message = str(exc) if path == "/readyz" else exc.public_message()
    text = message
    content: dict[str, Any] = {"error": exc.code, "message": text, **exc.details()}
    if isinstance(exc, Unavailable) and path.startswith("/graphql"):
        content = {"data": None, "errors": [{"message": text, "extensions": {"code": exc.code}}]}
    elif isinstance(exc, Unavailable) and path == "/readyz":
        content = {"status": "unavailable", "error": exc.code, "reason": text}
    return JSONResponse(status_code=exc.http_status, content=content, headers=exc.headers())


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 in the same JSON shape, naming every bad field (``fields``). The values are not
    echoed: they may be personal data, and the caller has them anyway. pydantic's own words
    never quote the input; a validator's might, so any input still found in a message is cut
    out as well.
    """
    problems = [(_field_name(e), _problem(e)) for e in exc.errors()]
    log.warning("request invalid", extra={"route": _route(request), "fields": problems})
    return JSONResponse(
        status_code=422,
        content={
            "error": "invalid_input",
            "message": "; ".join(f"{field}: {msg}" for field, msg in problems),
            "fields": [field for field, _ in problems],
        },
    )


def _field_name(error: Mapping[str, Any]) -> str:
    """``("body", "parties", 3)`` → ``parties[3]``; a malformed body as a whole is ``body``
    (also for JSON syntax errors, whose location is a character offset)."""
    loc: tuple[int | str, ...] = error["loc"]
    if error.get("type") == "json_invalid":
        return "body"
    parts = list(loc[1:] if loc[:1] in (("body",), ("query",), ("path",)) else loc) or ["body"]
    name = str(parts[0])
    for part in parts[1:]:
        name += f"[{part}]" if isinstance(part, int) else f".{part}"
    return name


def _problem(error: Mapping[str, Any]) -> str:
    """What is wrong, in pydantic's words (a validator's ``ValueError`` without pydantic's
    "Value error, " prefix), with the value sent cut out wherever it appears."""
    if error.get("type") == "json_invalid":
        return "not valid JSON"
    message = str(error["msg"]).removeprefix("Value error, ")
    given = error.get("input")
    return _without_values(message, [given] if isinstance(given, str | int | float) else [])


def _values_of(request: Request) -> list[object]:
    """The values of the request's path parameters and query string."""
    return [*request.path_params.values(), *request.query_params.values()]


def _without_values(message: str, values: Iterable[object]) -> str:
    """``message`` with each of ``values`` (as text, two characters or more) replaced by "…".

    >>> _without_values("no party '130102197203158350' in the graph", ["130102197203158350"])
    "no party '…' in the graph"
    """
    texts = {str(v) for v in values if not isinstance(v, bool)}
    for text in sorted((t for t in texts if len(t) >= 2), key=len, reverse=True):
        message = message.replace(text, "…")
    return message


def _route(request: Request) -> str:
    """The route template (``/v1/checks/{check_id}``), never the path with its values."""
    return str(getattr(request.scope.get("route"), "path", "unmatched"))
