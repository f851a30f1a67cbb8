"""Fixtures of the security tests: an app with its own receipt key, keys of every role.

Keys are made through the same functions the CLI uses (the CLI itself is tested in
``test_keys_cli.py``), so that most tests stay fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.check import CheckResult, PartyResult, get_evaluator
from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Caller, Role
from graph_service.settings import Settings
from tests.conftest import make_settings

COMPANY = "91130102RG8E64XKKR"  # valid USCC
PERSON = "130102197203158350"  # valid resident id number
BAD_USCC = "91130102RG8E64XKKX"  # fails the check character
TEST_ACTOR = Actor("tests", "operator")

MakeKey = Callable[..., str]


def check_body(**overrides: Any) -> dict[str, Any]:
    """A valid check request, with ``overrides``."""
    body: dict[str, Any] = {
        "context": "bidding",
        "parties": [COMPANY],
        "purpose": "bid evaluation 2026-017",
    }
    body.update(overrides)
    return body


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """The test Neo4j with a receipt key of this test's own and a short key cache."""
    return make_settings(
        receipt_key_file=tmp_path / "receipt.pem",
        api_key_cache_s=0.3,
    )


@pytest.fixture
def make_key(db: Database) -> MakeKey:
    """Creates a key (role, optional name) and returns it."""
    counter = iter(range(1, 1000))

    def make(role: Role, name: str | None = None) -> str:
        with AuditLog(db) as audit:
            key, _ = create_key(audit, TEST_ACTOR, name or f"{role.value}-{next(counter)}", role)
        return key

    return make


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    """The service for ``settings``, on an emptied graph."""
    del db  # requested for the reset only
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of :func:`app`, with the lifespan run (so the audit writer flushes)."""
    with TestClient(app) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    """The header that carries ``key``."""
    return {"X-API-Key": key}


def person_evaluator(
    measures: Sequence[dict[str, Any]] = (),
) -> Callable[[Database, str, Sequence[str], date, Caller], CheckResult]:
    """An evaluation that knows every id as a person named 张伟 with ``measures``."""

    def evaluate(
        db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
    ) -> CheckResult:
        del db, context, as_of, caller
        results = [
            PartyResult(p, True, "张伟", "person", "deny" if measures else "allow", measures)
            for p in party_ids
        ]
        return CheckResult("test-1", results)

    return evaluate


def use_evaluator(app: FastAPI, evaluator: Callable[..., CheckResult]) -> None:
    """Plugs ``evaluator`` into ``app`` in place of the real evaluation
    (:func:`graph_service.check.evaluate.evaluate`)."""
    app.dependency_overrides[get_evaluator] = lambda: evaluator


OFFICER_BAN: dict[str, Any] = {
    "measure": "officer_ban",
    "origin": "derived",
    "rule": "R1",
    "record": {"ref": f"(2023)冀0102执1号|{PERSON}", "kind": "dishonest_debtor"},
    "path": [
        {"party_id": COMPANY, "name": "石家庄华北建设工程有限公司", "relation": None},
        {"party_id": PERSON, "name": "张伟", "relation": "LEGAL_REP_OF"},
    ],
    "until": date(2027, 5, 31),
}
