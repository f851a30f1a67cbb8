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

The request runs in the server's own task under one timer (``loop.call_later``), cancelled
when the request ends: a task and an ``asyncio.wait`` per request cost a single-party check
~4 % of its worker's CPU (docs/benchmarks.md, issue 14, session 12). At the deadline the
timer sends the 503 from a task of its own, then cancels the request, rather than cancelling
it and waiting: a request waiting on a worker thread may not end before the thread returns,
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
#: The deadline's 503 answers being sent (the loop holds tasks weakly).
_ANSWERS: set[asyncio.Future[None]] = set()


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
        seconds = self.seconds_for(scope.get("path", ""))
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:  # never so under a server (uvicorn runs each request in a task)
            raise RuntimeError("a request's deadline needs the request to run in a task")
        gate = _Gate(send)
        timer = loop.call_later(seconds, self._expire, gate, task, scope, receive, seconds)
        try:
            with within(seconds):  # the request's tasks and worker threads copy the context
                await self.app(scope, receive, gate.send)
        except asyncio.CancelledError:
            if gate.answer is None:
                raise  # the server gave up on the request
        except Exception:
            if gate.answer is None:
                raise
            log.info("request ended with an error after its deadline", exc_info=True)
        finally:
            timer.cancel()
        if gate.answer is None:
            return
        # The deadline's cancel (delivered above, or swallowed by the app) is taken back; one
        # left means the server cancelled the request as well.
        if task.uncancel() > 0:
            raise asyncio.CancelledError
        await gate.answer  # the 503 is sent whole before the request ends

    def _expire(
        self, gate: _Gate, task: asyncio.Task[Any], scope: Scope, receive: Receive, seconds: float
    ) -> None:
        """The deadline's timer: unless the app has begun its answer, shuts the app's ``send``,
        answers 503 from a task of its own (the request may wait on a worker thread, which
        nothing interrupts) and cancels the request."""
        if gate.started:
            return  # answering: the answer is let through whole
        log.warning("request deadline passed", extra={"path": scope.get("path")})
        error = DeadlineExceeded(
            f"no answer within {seconds:g} s (Neo4j unavailable or too slow); retry later"
        )
        respond = self.answer(scope, error)(scope, receive, gate.raw)
        answer = asyncio.ensure_future(respond, loop=task.get_loop())
        _ANSWERS.add(answer)  # held until sent, whoever awaits it
        answer.add_done_callback(_ANSWERS.discard)
        gate.answer = answer
        task.cancel()


class _Gate:
    """The request's ``send``, shut for good once the deadline's 503 is chosen."""

    def __init__(self, send: Send) -> None:
        self.raw = send
        self.started = False
        #: The deadline's 503 on its way (None while the app may answer).
        self.answer: asyncio.Future[None] | None = None

    async def send(self, message: Message) -> None:
        if self.answer is not None:
            return  # the deadline's 503 answered the request; this belongs to no one
        if message["type"] == "http.response.start":
            self.started = True
        await self.raw(message)
