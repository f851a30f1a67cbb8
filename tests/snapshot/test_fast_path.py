"""`POST /v1/checks` answered by the fast path (api/checks_fast.py) when it is plain, and
handed to the FastAPI route, untouched, when it is not (issue 14)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from graph_service.api.checks_fast import CheckFastPath
from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from tests.conftest import unwritable_folder
from tests.snapshot.conftest import HUABEI, UNKNOWN, check, serving_settings

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


def _fast_answers(client: TestClient) -> float:
    """``credit_graph_checks_fast_path_total`` as the service's ``/metrics`` says it."""
    text = client.get("/metrics").text
    found = re.search(r"^credit_graph_checks_fast_path_total (\S+)$", text, re.MULTILINE)
    assert found is not None, "the fast path's counter is not on /metrics"
    return float(found.group(1))


def _routed(client: TestClient) -> dict[str, float]:
    """``credit_graph_checks_routed_total`` by reason, as the service's ``/metrics`` says it."""
    text = client.get("/metrics").text
    pattern = r'^credit_graph_checks_routed_total\{reason="(\w+)"\} (\S+)$'
    return {m[1]: float(m[2]) for m in re.finditer(pattern, text, re.MULTILINE)}


def test_checks_handed_to_the_route_are_counted_by_reason(
    client: TestClient, checker: dict[str, str], db: Database
) -> None:
    # Arrange
    with AuditLog(db) as audit:
        loader, _ = create_key(audit, Actor("tests", "operator"), "snapshot-loader", Role.LOADER)
    before = _routed(client)
    key = checker["X-API-Key"]
    wrong = {"X-API-Key": key[:-1] + ("y" if key.endswith("x") else "x")}  # another secret
    # Act: a key not read yet, then the same key cached; no key; a wrong secret; a bad body;
    # a loader's key, not read yet, then cached (a role that may not check: 403 both times)
    check(client, checker, HUABEI)
    check(client, checker, HUABEI)
    client.post("/v1/checks", json=BODY)
    client.post("/v1/checks", json=BODY, headers=wrong)
    client.post("/v1/checks", json={**BODY, "parties": []}, headers=checker)
    refused = [client.post("/v1/checks", json=BODY, headers={"X-API-Key": loader}) for _ in "12"]
    # Assert
    assert [r.status_code for r in refused] == [403, 403]
    after = _routed(client)
    counted = {r: after.get(r, 0) - before.get(r, 0) for r in after}
    assert {r: n for r, n in counted.items() if n} == {
        "role": 1,
        "key_not_cached": 2,
        "no_key": 1,
        "key_refused": 1,
        "invalid_body": 1,
    }


#: What differs between two answers to the same check: its id, receipt and snapshot time.
_OWN = ("check_id", "receipt", "snapshot_at")


def test_the_service_answers_a_plain_check_by_the_fast_path_as_the_route_does(
    client: TestClient, checker: dict[str, str]
) -> None:
    before = _fast_answers(client)
    by_route = check(client, checker, HUABEI, UNKNOWN)  # the key is not cached yet: the route
    assert _fast_answers(client) == before
    by_fast_path = check(client, checker, HUABEI, UNKNOWN)
    assert _fast_answers(client) == before + 1
    assert {k: v for k, v in by_fast_path.items() if k not in _OWN} == {
        k: v for k, v in by_route.items() if k not in _OWN
    }
    assert by_fast_path.keys() == by_route.keys()
    assert by_fast_path["receipt"].keys() == by_route["receipt"].keys()


def test_an_unwritable_local_log_is_503_by_the_fast_path_as_by_the_route(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    settings = serving_settings(tmp_path, audit_local_dir=unwritable_folder(tmp_path, "audit"))
    with TestClient(create_app(settings)) as client:
        by_route = client.post("/v1/checks", json=BODY, headers=checker)
        before = _fast_answers(client)
        by_fast_path = client.post("/v1/checks", json=BODY, headers=checker)
        after = _fast_answers(client)
    assert by_fast_path.status_code == by_route.status_code == 503
    assert by_fast_path.json() == by_route.json()
    assert by_fast_path.json()["error"] == "audit_unavailable"
    assert after == before + 1


def test_metrics_count_an_unknown_method_as_other(client: TestClient) -> None:
    client.request("BREW", "/healthz")
    text = client.get("/metrics").text
    assert 'method="BREW"' not in text  # a client cannot add label values at will
    assert re.search(r'credit_graph_http_requests_total\{method="other",', text)
