"""Counting and timing every HTTP request by its route template (``/metrics``).

A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware`` (``@app.middleware``):
that one runs the rest of the app in a task group and passes the body through memory streams,
which profiling under load measured as about a sixth of a check's CPU in the worker; this
only watches the status go by.
"""

from __future__ import annotations

import time
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_service import metrics


class Observe:
    """ASGI middleware: every HTTP request counted by route template, method and status, and
    timed by route template (never by the raw path, whose values are personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on; counts it once it is answered (or has failed)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before it answers

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = route_of(scope)
            count, seconds = _series(route, method_of(scope), status)
            count.inc()
            seconds.observe(time.perf_counter() - started)


#: The series' children by route, method and status, looked up once: ``labels()`` takes a
#: lock and checks its values at every call (4.2 µs a request for the two series, 2.1 µs
#: with the children kept). Bounded as the series are (route templates, :data:`METHODS` and
#: ``other``, statuses).
_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _series(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The request counter's and the timing histogram's children of these labels."""
    found = _SERIES.get((route, method, status))
    if found is None:
        found = (
            metrics.HTTP_REQUESTS.labels(route, method, str(status)),
            metrics.HTTP_SECONDS.labels(route),
        )
        _SERIES[(route, method, status)] = found
    return found


#: The methods counted by name; any other is counted as ``other`` (a client may send any
#: token as a method, and each new label value is a new time series kept forever).
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_of(scope: Scope) -> str:
    """The request's method as a label: one of :data:`METHODS`, or ``other``.

    >>> method_of({"method": "GET"}), method_of({"method": "BREW"})
    ('GET', 'other')
    """
    method = str(scope["method"])
    return method if method in METHODS else "other"


def route_of(scope: Scope) -> str:
    """The route template the router matched (``/v1/checks/{check_id}``), or ``unmatched``.

    >>> route_of({"type": "http"})
    'unmatched'
    """
    return str(getattr(scope.get("route"), "path", "unmatched"))
