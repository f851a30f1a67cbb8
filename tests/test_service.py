"""The HTTP service skeleton: health, readiness, metrics, GraphQL, through real HTTP."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from graph_service import embedded
from graph_service.app import create_app
from graph_service.settings import Settings
from tests.conftest import ROOT, cli_env, make_settings
from tests.servers import free_port


@pytest.fixture
def client(neo4j_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(neo4j_settings)) as test_client:
        yield test_client


def test_healthz_says_alive(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_neo4j_version_and_schema(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert body["neo4j"].startswith("5.26")
    assert body["schema_version"] >= 1


def test_readyz_is_503_with_a_reason_when_neo4j_is_unreachable() -> None:
    closed_port = free_port()
    app = create_app(
        make_settings(neo4j_uri=f"bolt://127.0.0.1:{closed_port}", neo4j_password="x" * 8)
    )
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["error"] == "neo4j_unavailable"
    assert f"127.0.0.1:{closed_port}" in body["reason"]


def test_api_callers_are_not_told_where_neo4j_is() -> None:
    # Readiness is for operators and names the address; a check or a GraphQL query answers
    # the same 503 with a message that names no address, port or setting.
    closed_port = free_port()
    app = create_app(
        make_settings(neo4j_uri=f"bolt://127.0.0.1:{closed_port}", neo4j_password="x" * 8)
    )
    headers = {"X-API-Key": "cgk_" + "a" * 12 + "_" + "b" * 43}  # well formed: looked up
    body = {"context": "bidding", "parties": ["91130102RG8E64XKKR"], "purpose": "tender 17"}
    with TestClient(app) as client:
        check = client.post("/v1/checks", json=body, headers=headers)
        query = '{ party(id: "91130102RG8E64XKKR") { __typename } }'
        graphql = client.post("/graphql", json={"query": query}, headers=headers)
    assert check.status_code == graphql.status_code == 503
    assert check.json()["error"] == "neo4j_unavailable"
    assert graphql.json()["errors"][0]["extensions"]["code"] == "neo4j_unavailable"
    for answer in (check.text, graphql.text):
        assert str(closed_port) not in answer and "bolt" not in answer.lower(), answer
        assert "CREDIT_GRAPH" not in answer, answer


def test_readyz_is_503_when_the_password_is_wrong(neo4j_settings: Settings) -> None:
    app = create_app(make_settings(neo4j_password="not-the-password"))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"] == "neo4j_auth"
    assert "CREDIT_GRAPH_NEO4J_PASSWORD" in response.json()["reason"]


def test_readyz_flips_to_503_when_neo4j_stops_and_back_when_it_starts(
    client: TestClient, neo4j_settings: Settings
) -> None:
    assert client.get("/readyz").status_code == 200
    embedded.stop(neo4j_settings)
    try:
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.json()["error"] == "neo4j_unavailable"
    finally:
        embedded.start(neo4j_settings)
    assert client.get("/readyz").status_code == 200


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    client.get("/readyz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'credit_graph_query_seconds_count{query="system/components"}' in response.text
    assert 'credit_graph_http_requests_total{method="GET",route="/readyz"' in response.text


def test_graphql_answers_the_version_query(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ version }"})
    assert response.status_code == 200
    from graph_service import __version__

    assert response.json() == {"data": {"version": __version__}}


def test_openapi_documents_the_operational_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/readyz", "/metrics"} <= set(paths)


def test_openapi_documents_the_check_contract(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    checks = {"/v1/checks", "/v1/checks/{check_id}", "/v1/checks/{check_id}/feedback"}
    assert checks | {"/v1/contexts", "/v1/receipt-key"} <= set(spec["paths"])
    request = spec["components"]["schemas"]["CheckRequest"]
    assert set(request["properties"]) == {"context", "parties", "as_of", "purpose"}
    assert set(request["required"]) == {"context", "parties", "purpose"}
    assert {"422", "401", "403"} <= set(spec["paths"]["/v1/checks"]["post"]["responses"])


def test_serve_command_serves_http(neo4j_settings: Settings) -> None:
    port = free_port()
    env = cli_env(CREDIT_GRAPH_PORT=str(port))
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _wait_http(f"http://127.0.0.1:{port}/readyz")
        assert ready.status_code == 200, ready.text
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    # Structured logs: every line the service wrote is one JSON object.
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("{") and ln.endswith("}") for ln in lines), stderr[-2000:]


def test_serve_takes_host_port_and_workers_over_the_settings(neo4j_settings: Settings) -> None:
    settings_port, port = free_port(), free_port()
    env = cli_env(CREDIT_GRAPH_PORT=str(settings_port))
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_http(f"http://127.0.0.1:{port}/healthz", 90).status_code == 200
        # Each worker imports and builds the app itself: slow on a busy machine.
        deadline = time.monotonic() + 90
        while len(_worker_processes(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_worker_processes(server.pid)) == 2
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{settings_port}/healthz", timeout=2)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _worker_processes(parent: int) -> list[int]:
    """Pids of uvicorn's worker processes (multiprocessing spawns them) under ``parent``."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if ppid == parent and b"spawn_main" in cmdline:
            workers.append(int(stat.parent.name))
    return workers


def _wait_http(url: str, timeout_s: float = 30.0) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
