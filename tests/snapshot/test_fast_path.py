"""`POST /v1/checks` answered by the fast path (api/checks_fast.py) when it is plain, and
handed to the FastAPI route, untouched, when it is not (issue 14)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from graph_service.api.checks_fast import CheckFastPath
from tests.snapshot.conftest import HUABEI

BODY = {"context": "bidding", "parties": [HUABEI], "purpose": "fast path test"}


def _post(app: FastAPI, **kw: Any) -> tuple[httpx.Response, list[str]]:
    """A POST through the fast path alone; the route stands in as a 418 that logs its call."""
    handed: list[str] = []

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        handed.append((await receive())["body"].decode())
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    fast = CheckFastPath(route, app)

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app  # as Starlette sets it
        await fast(scope, receive, send)

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/v1/checks", **kw)

    return asyncio.run(run()), handed


def test_a_plain_check_is_answered_without_the_route_and_the_rest_reaches_it(
    app: FastAPI, client: TestClient, checker: dict[str, str]
) -> None:
    first = client.post("/v1/checks", json=BODY, headers=checker)
    assert first.status_code == 200  # lifespan run, snapshot ready, the key in the cache now
    answered, handed = _post(app, json=BODY, headers=checker)
    assert answered.status_code == 200 and handed == []
    assert answered.json()["results"][0]["decision"] == "deny"
    assert answered.json()["run_id"] is not None
    bad = {**BODY, "parties": []}
    text = {**checker, "content-type": "text/plain"}
    for kw in ({"json": bad, "headers": checker}, {"json": BODY},
               {"content": b"{}", "headers": text}):  # fmt: skip
        refused, handed = _post(app, **kw)
        assert refused.status_code == 418 and len(handed) == 1  # the route got it, body too
    assert handed == ["{}"]
