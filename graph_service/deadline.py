"""The request deadline: every HTTP request ends within ``Settings.request_deadline_s``, with
its answer or with 503 and ``Retry-After`` — never a hang while Neo4j is down or slow.

Invariants:

* The deadline is set once, when a request arrives, in a context variable. Every task and
  worker thread of the request inherits it (``asyncio.to_thread`` and Starlette's
  ``run_in_threadpool`` copy the context); threads of the service's own — the audit writer,
  the propagation catch-up — do not, so they are never cut short by a request.
* :mod:`graph_service.db` reads :func:`remaining` for every statement: the server-side
  timeout and the retries of transient errors stop at the deadline, and a statement that would
  start after it is refused (:class:`~graph_service.errors.DeadlineExceeded`) without touching
  Neo4j. So the worker threads of a request are free again at about its deadline, and a
  request's waits add up to at most the deadline however many statements it runs.
* :class:`RequestDeadline` (ASGI middleware) answers 503 ``deadline_exceeded`` at the
  deadline only if the app has not begun its response; a response begun is let through
  whole, since the app begins it only once the answer is complete (a check's, for example,
  after its audit entry committed). After the 503 the request's task is cancelled and
  anything it still sends is dropped. So an answered check always has its committed audit
  entry, and an unanswered one may still be logged (graph_service/security/appender.py).

The middleware answers from a task of its own rather than by cancelling the request and
waiting: a request waiting on a worker thread cannot be interrupted until the thread returns,
and the 503 must not wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from graph_service.errors import CreditGraphError, DeadlineExceeded

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
#: Turns the error into the ASGI response the app would give for it (its one error shape).
Answer = Callable[[Scope, CreditGraphError], ASGIApp]

#: time.monotonic() by which the current request must be answered; None outside requests.
_DEADLINE: ContextVar[float | None] = ContextVar("credit_graph_deadline", default=None)
#: Requests answered with a 503 whose tasks are still winding down (kept from being collected).
_ABANDONED: set[asyncio.Task[None]] = set()


def remaining() -> float | None:
    """Seconds left before the current request's deadline (negative once passed); None
    outside a request (commands, loads, the service's own threads)."""
    at = _DEADLINE.get()
    return None if at is None else at - time.monotonic()


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Runs the block (and the tasks and worker threads it starts) under a deadline
    ``seconds`` from now, or an earlier one already in force."""
    at = time.monotonic() + seconds
    current = _DEADLINE.get()
    token = _DEADLINE.set(at if current is None else min(at, current))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class RequestDeadline:
    """ASGI middleware: an HTTP request begins its answer within ``seconds``, or is answered
    with ``answer(scope, DeadlineExceeded)`` (503 with ``Retry-After``)."""

    def __init__(
        self,
        app: ASGIApp,
        seconds: float,
        answer: Answer,
        longer: dict[str, float] | None = None,
    ) -> None:
        self.app = app
        self.default_seconds = seconds
        self.answer = answer
        #: Path prefixes that get another bound (reports render for seconds, not wait).
        self.longer = longer or {}

    def seconds_for(self, path: str) -> float:
        """The bound of a request to ``path``: its prefix's in ``longer``, else the default."""
        for prefix, seconds in self.longer.items():
            if path.startswith(prefix):
                return seconds
        return self.default_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Runs the request under its deadline; answers 503 in its place when it passes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gate = _Gate(send)
        seconds = self.seconds_for(scope.get("path", ""))

        async def respond() -> None:
            await self.app(scope, receive, gate.send)

        with within(seconds):  # the task copies the context, deadline included
            task = asyncio.create_task(respond())
        try:
            await asyncio.wait({task}, timeout=seconds)
        except asyncio.CancelledError:  # the server gave up on the request: so do we
            task.cancel()
            raise
        if task.done() or gate.started:
            await task  # answered, or answering: let the answer through whole
            return
        gate.shut()
        _abandon(task)
        log.warning("request deadline passed", extra={"path": scope.get("path")})
        error = DeadlineExceeded(
            f"no answer within {seconds:g} s (Neo4j unavailable or too slow); retry later"
        )
        await self.answer(scope, error)(scope, receive, send)


class _Gate:
    """The request's ``send``, shut for good once the deadline's 503 is chosen."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self._shut = False

    async def send(self, message: Message) -> None:
        if self._shut:
            return  # the deadline's 503 answered the request; this belongs to no one
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)

    def shut(self) -> None:
        self._shut = True


def _abandon(task: asyncio.Task[None]) -> None:
    """Cancels a request's task and lets it wind down unobserved (its result is nobody's)."""
    task.cancel()
    _ABANDONED.add(task)
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task[None]) -> None:
    _ABANDONED.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.info("abandoned request ended with an error", exc_info=task.exception())
