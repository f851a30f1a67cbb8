"""A request slower than ``request_deadline_s`` is answered at the deadline with 503
``deadline_exceeded`` and ``Retry-After``, in its endpoint's error shape (docs/operations.md).
Neo4j itself stopping under traffic is tested in tests/test_outage.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.check import CheckResult
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.conftest import make_settings
from tests.security.conftest import (
    PERSON,
    MakeKey,
    auth,
    check_body,
    person_evaluator,
    use_evaluator,
)

DEADLINE_S = 1.0
SLACK_S = 1.5  # answering the 503 on a busy test machine

CHECK = '{ sanctionCheck(context: "bidding", parties: ["%s"], purpose: "bid 17") { __typename } }'


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """The security tests' settings with a short request deadline."""
    return make_settings(
        receipt_key_file=tmp_path / "receipt.pem",
        api_key_cache_s=0.3,
        request_deadline_s=DEADLINE_S,
    )


def slow_evaluator(seconds: float) -> Callable[..., CheckResult]:
    """The person evaluation, after ``seconds`` (a Neo4j too slow to answer in time)."""
    answer = person_evaluator()

    def evaluate(*args: object) -> CheckResult:
        time.sleep(seconds)
        return answer(*args)  # type: ignore[arg-type]

    return evaluate


def test_a_check_slower_than_the_deadline_is_503_deadline_exceeded(
    app: FastAPI, client: TestClient, make_key: MakeKey
) -> None:
    use_evaluator(app, slow_evaluator(DEADLINE_S * 4))
    headers = auth(make_key(Role.CHECKER))
    started = time.monotonic()
    response = client.post("/v1/checks", json=check_body(parties=[PERSON]), headers=headers)
    assert time.monotonic() - started < DEADLINE_S + SLACK_S
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert set(response.json()) == {"error", "message"}
    assert response.json()["error"] == "deadline_exceeded"


def test_graphql_past_the_deadline_is_503_in_graphql_shape(
    app: FastAPI, client: TestClient, make_key: MakeKey
) -> None:
    use_evaluator(app, slow_evaluator(DEADLINE_S * 4))
    headers = auth(make_key(Role.CHECKER))
    started = time.monotonic()
    response = client.post("/graphql", json={"query": CHECK % PERSON}, headers=headers)
    assert time.monotonic() - started < DEADLINE_S + SLACK_S
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "deadline_exceeded"
