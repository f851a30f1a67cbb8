"""Request limits: the per-key rate limit (429 with Retry-After) and the body size (413)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security.ratelimit import RateLimiter
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.conftest import make_settings
from tests.security.conftest import MakeKey, auth, check_body


@pytest.fixture
def tight_client(db: Database, tmp_path: Path, neo4j_settings: Settings) -> Iterator[TestClient]:
    """A service allowing 2 requests at once and 0.5 per second, bodies up to 2 KiB."""
    del db
    settings = make_settings(
        receipt_key_file=tmp_path / "receipt.pem",
        rate_limit_per_s=0.5,
        rate_limit_burst=2,
        max_body_bytes=2048,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_rate_limit_is_429_with_retry_after_per_key(
    tight_client: TestClient, make_key: MakeKey
) -> None:
    first, second = auth(make_key(Role.CHECKER)), auth(make_key(Role.CHECKER))
    codes = [tight_client.post("/v1/checks", json=check_body(), headers=first).status_code]
    codes.append(tight_client.post("/v1/checks", json=check_body(), headers=first).status_code)
    refused = tight_client.post("/v1/checks", json=check_body(), headers=first)
    assert codes == [200, 200]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"  # one token back after 2 s at 0.5/s
    assert refused.json()["error"] == "rate_limited"
    other = tight_client.post("/v1/checks", json=check_body(), headers=second)
    assert other.status_code == 200  # each key has its own bucket


def test_body_over_the_limit_is_413_json(tight_client: TestClient, make_key: MakeKey) -> None:
    body = check_body(purpose="x" * 3000)
    response = tight_client.post("/v1/checks", json=body, headers=auth(make_key(Role.CHECKER)))
    assert response.status_code == 413
    assert response.json() == {
        "error": "payload_too_large",
        "message": "the request body is larger than 2048 bytes",
    }


def test_chunked_body_over_the_limit_is_413(tight_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 500

    response = tight_client.post("/v1/checks", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_bodies_under_the_limit_pass(tight_client: TestClient, make_key: MakeKey) -> None:
    body = check_body(purpose="x" * 900, parties=["91130102RG8E64XKKR"] * 30)
    response = tight_client.post("/v1/checks", json=body, headers=auth(make_key(Role.CHECKER)))
    assert response.status_code == 200


def test_token_bucket_refills_at_its_rate() -> None:
    now = [100.0]
    limiter = RateLimiter(rate=10.0, burst=3, clock=lambda: now[0])
    assert [limiter.take("k") for _ in range(3)] == [None, None, None]
    assert limiter.take("k") == pytest.approx(0.1)
    now[0] += 0.25  # 2.5 tokens back
    assert [limiter.take("k") is None for _ in range(3)] == [True, True, False]
    now[0] += 60
    assert [limiter.take("k") is None for _ in range(4)] == [True, True, True, False]
