"""Fixtures of the decision snapshot and local audit log tests (issue 14): a small world with
one stored measure, the service with the snapshot and the local log in this test's folders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.propagation import runner
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, make_settings

HUABEI = "91130102RG8E64XKKR"  # a listed dishonest judgment debtor in the sample registries
UNKNOWN = "91110000MA01ABCD0J"  # valid USCC, not in the graph
#: The sample registries the world is made of (one direct measure on HUABEI).
FILES = ("companies.csv", "dishonest_debtors.csv")


def serving_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The test Neo4j with this test's snapshot folder, local audit folder and receipt key."""
    values: dict[str, Any] = {
        "receipt_key_file": tmp_path / "receipt.pem",
        "snapshot_dir": tmp_path / "snapshot",
        "audit_local": True,
        "check_snapshot": True,
        "audit_local_dir": tmp_path / "audit",
        "snapshot_poll_s": 0.2,
    }
    values.update(overrides)
    return make_settings(**values)


def load_files(db: Database, tmp_path: Path) -> None:
    """Loads :data:`FILES` (a few companies, one of them a dishonest debtor)."""
    folder = tmp_path / "registries"
    folder.mkdir()
    for name in FILES:
        shutil.copy(ROOT / "tests/fixtures/registries" / name, folder / name)
    load_directory(db, folder, LoadOptions(reject_dir=tmp_path))


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Database:
    """A few companies, one of them a dishonest debtor, propagated."""
    load_files(db, tmp_path)
    runner.run_full(db)
    return db


@pytest.fixture
def checker(db: Database) -> dict[str, str]:
    """Headers carrying a checker key."""
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), "snapshot-checker", Role.CHECKER)
    return {"X-API-Key": key}


@pytest.fixture
def app(world: Database, tmp_path: Path) -> FastAPI:
    """The service with the snapshot and the local audit log, over the world."""
    del world
    return create_app(serving_settings(tmp_path))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of the app, lifespan run."""
    with TestClient(app) as test_client:
        yield test_client


def check(client: TestClient, headers: dict[str, str], *parties: str, **extra: Any) -> Any:
    """A bidding check of ``parties``; its answer (asserted 200)."""
    body = {"context": "bidding", "parties": list(parties), "purpose": "snapshot test", **extra}
    response = client.post("/v1/checks", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
