"""The request deadline (graph_service/deadline.py): the middleware's 503 in time, never in the
way of an answer already begun; and the driver module stopping statements and retries at it.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from graph_service import deadline
from graph_service.db import Database
from graph_service.errors import CreditGraphError, DeadlineExceeded, Neo4jUnavailable, QueryTimeout
from graph_service.settings import Settings
from tests.conftest import make_settings
from tests.servers import serving

SECONDS = 0.5  # the deadline of the middleware tests
SLACK_S = 1.0  # what answering may add on a busy test machine


def _answer(scope: deadline.Scope, exc: CreditGraphError) -> JSONResponse:
    return JSONResponse({"error": exc.code}, status_code=exc.http_status, headers=exc.headers())


def _client(endpoint: Callable[[Request], Awaitable[Response]]) -> TestClient:
    app = Starlette(routes=[Route("/", endpoint)])
    app.add_middleware(deadline.RequestDeadline, seconds=SECONDS, answer=_answer)
    return TestClient(app)


def _timed(client: TestClient) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = client.get("/")
    return time.monotonic() - started, response


def test_a_request_past_its_deadline_is_answered_503_with_retry_after_at_the_deadline() -> None:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(SECONDS * 6)
        return JSONResponse({"late": True})

    seconds, response = _timed(_client(slow))
    assert response.status_code == 503
    assert response.json() == {"error": "deadline_exceeded"}
    assert response.headers["Retry-After"] == "5"
    assert SECONDS <= seconds < SECONDS + SLACK_S


def test_a_report_path_gets_its_longer_bound_and_other_paths_keep_the_default() -> None:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(SECONDS * 2)
        return JSONResponse({"done": True})

    routes = [Route("/v1/reports/{party}", slow), Route("/v1/checks", slow)]
    app = Starlette(routes=routes)
    longer = {"/v1/reports/": SECONDS * 8}
    app.add_middleware(deadline.RequestDeadline, seconds=SECONDS, answer=_answer, longer=longer)
    client = TestClient(app)
    assert client.get("/v1/reports/X").json() == {"done": True}
    assert client.get("/v1/checks").status_code == 503


def test_a_request_waiting_on_a_worker_thread_is_answered_without_waiting_for_it() -> None:
    async def blocked(request: Request) -> Response:
        await run_in_threadpool(time.sleep, SECONDS * 6)  # a thread cannot be interrupted
        return JSONResponse({"late": True})

    seconds, response = _timed(_client(blocked))
    assert response.status_code == 503
    assert seconds < SECONDS + SLACK_S


def test_an_answer_begun_before_the_deadline_is_let_through_whole() -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"begun "
        await asyncio.sleep(SECONDS * 2)
        yield b"and finished"

    async def streaming(request: Request) -> Response:
        return StreamingResponse(body())

    seconds, response = _timed(_client(streaming))
    assert (response.status_code, response.text) == (200, "begun and finished")
    assert seconds >= SECONDS * 2


def test_the_deadline_reaches_the_worker_threads_of_the_request() -> None:
    async def left(request: Request) -> Response:
        return JSONResponse({"left": await run_in_threadpool(deadline.remaining)})

    response = _client(left).get("/")
    assert 0 < response.json()["left"] <= SECONDS
    assert deadline.remaining() is None  # outside a request: no deadline


# --- the driver module --------------------------------------------------------------------


def test_a_statement_is_stopped_at_the_request_deadline(session_db: Database) -> None:
    started = time.monotonic()
    with deadline.within(1.0), pytest.raises(DeadlineExceeded):
        session_db.read("meta/test_slow_count", n=10**11)
    # Neo4j checks transaction timeouts every couple of seconds, not continuously.
    assert time.monotonic() - started < 1.0 + 4.0


def test_outside_a_request_a_statement_keeps_its_own_timeout(session_db: Database) -> None:
    with pytest.raises(QueryTimeout):
        session_db.read("meta/test_slow_count", timeout_s=0.5, n=10**11)


def test_nothing_is_sent_once_the_deadline_has_passed() -> None:
    # A Neo4j that is not there: a statement that were sent would fail with neo4j_unavailable.
    with Database(_nowhere()) as db, deadline.within(0), pytest.raises(DeadlineExceeded):
        db.read("system/components")


def test_retries_through_an_outage_end_before_the_request_deadline() -> None:
    with Database(_nowhere(max_retry_time_s=30)) as db:
        started = time.monotonic()
        with deadline.within(2.5), pytest.raises(Neo4jUnavailable):
            db.read("system/components")
    # Tried at once and after about 1 s; the next pause (about 2 s) would not end in time.
    assert 0.8 <= time.monotonic() - started < 2.5


def test_outside_a_request_retries_last_max_retry_time() -> None:
    with Database(_nowhere(max_retry_time_s=0)) as db:
        started = time.monotonic()
        with pytest.raises(Neo4jUnavailable):
            db.read("system/components")
        assert time.monotonic() - started < 0.8  # no retry at all
    with Database(_nowhere(max_retry_time_s=2.0)) as db:
        started = time.monotonic()
        with pytest.raises(Neo4jUnavailable):
            db.read("system/components")
        # Tried at once, after about 1 s and after about 2 s more; then 2 s had passed.
        assert 2.4 <= time.monotonic() - started < 4.5


def test_a_transient_error_still_failing_after_the_retries_is_503_not_500() -> None:
    # Neo4j shutting down answers DatabaseUnavailable (transient): once retries are over, the
    # caller is told to retry later (neo4j_unavailable), not that the query was wrong.
    import neo4j.exceptions  # only to make the server's error; the service's code uses db.py

    error = neo4j.exceptions.TransientError._hydrate_neo4j(
        code="Neo.TransientError.Database.DatabaseUnavailable", message="shutting down"
    )
    with Database(_nowhere()) as db, pytest.raises(Neo4jUnavailable) as raised:
        with db._translated("system/components"):
            raise error
    assert raised.value.http_status == 503


def _nowhere(**overrides: object) -> Settings:
    """Settings of a Neo4j on a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return make_settings(neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="x" * 8, **overrides)


# --- the middleware's own task and timer ----------------------------------------------------


def _in_a_loop(make: Callable[[], Awaitable[object]]) -> object:
    """Runs ``make()`` on a loop of its own, in a thread (whatever this thread runs)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, make()).result(timeout=30)  # type: ignore[arg-type]


def test_a_request_runs_in_the_servers_task_under_a_timer_it_cancels() -> None:
    # No task and wait of its own per request (their cost: docs/benchmarks.md, issue 14,
    # session 12): the app runs in the task that called the middleware, and the deadline's
    # timer does not outlive the request.
    async def call() -> tuple[bool, int, int]:
        seen: list[asyncio.Task[object] | None] = []

        async def app(
            scope: deadline.Scope, receive: deadline.Receive, send: deadline.Send
        ) -> None:
            seen.append(asyncio.current_task())
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        sent: list[deadline.Message] = []

        async def send(message: deadline.Message) -> None:
            sent.append(message)

        async def receive() -> deadline.Message:
            return {"type": "http.request", "body": b""}

        loop = asyncio.get_running_loop()
        middleware = deadline.RequestDeadline(app, SECONDS, _answer)
        await middleware({"type": "http", "path": "/"}, receive, send)
        live = [h for h in loop._scheduled if not h.cancelled()]  # type: ignore[attr-defined]
        return seen == [asyncio.current_task()], len(sent), len(live)

    assert _in_a_loop(call) == (True, 2, 0)


def test_the_servers_cancel_of_a_request_ends_it_without_an_answer() -> None:
    async def call() -> tuple[str, list[deadline.Message]]:
        started = asyncio.Event()

        async def app(
            scope: deadline.Scope, receive: deadline.Receive, send: deadline.Send
        ) -> None:
            started.set()
            await asyncio.sleep(SECONDS * 6)

        sent: list[deadline.Message] = []

        async def send(message: deadline.Message) -> None:
            sent.append(message)

        async def receive() -> deadline.Message:
            return {"type": "http.request", "body": b""}

        middleware = deadline.RequestDeadline(app, SECONDS, _answer)
        task = asyncio.create_task(middleware({"type": "http", "path": "/"}, receive, send))
        await started.wait()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled", sent
        return "ended", sent

    assert _in_a_loop(call) == ("cancelled", [])


def test_over_http_the_connection_goes_on_after_a_deadlines_503() -> None:
    # The 503 is sent from the timer's task while the request's own task is cancelled; the
    # request must then end as a request that was answered (no error logged by the server, no
    # connection closed): the next request on the same keep-alive connection is answered.
    async def slow(request: Request) -> Response:
        await run_in_threadpool(time.sleep, SECONDS * 3)
        return JSONResponse({"late": True})

    async def quick(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = FastAPI()
    app.add_route("/slow", slow)
    app.add_route("/healthz", quick)
    app.add_middleware(deadline.RequestDeadline, seconds=SECONDS, answer=_answer)
    with serving(app) as url:
        connection = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
        connection.request("GET", "/slow")
        late = connection.getresponse()
        assert (late.status, json.loads(late.read())) == (503, {"error": "deadline_exceeded"})
        sock = connection.sock
        connection.request("GET", "/healthz")
        next_one = connection.getresponse()
        assert (next_one.status, json.loads(next_one.read())) == (200, {"status": "ok"})
        assert connection.sock is sock  # the same connection, kept alive
        connection.close()
