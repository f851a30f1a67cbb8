"""GraphQL tests: a real HTTP server (uvicorn on loopback) over the test Neo4j.

The server runs in a thread of the test process, so a test can read its Database's
``query_counts``. Requests carry real API keys of the security module (one per role), issued
in the graph; a test that empties the graph uses the ``empty_graph`` fixture, which issues
them again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from graph_service import migrations
from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.auth import API_KEY_HEADER
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from tests.servers import serving

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "registries"

ROLES = (Role.INVESTIGATOR, Role.ADMIN, Role.CHECKER)
TEST_ACTOR = Actor("graphql-tests", "operator")


@dataclass
class Api:
    """A running service and a client for it."""

    app: FastAPI
    url: str
    client: httpx.Client
    keys: dict[str, str] = field(default_factory=dict)  # role → API key

    def issue_keys(self, db: Database) -> None:
        """Creates one key per role (names are unique forever, so fresh names each time)."""
        with AuditLog(db) as audit:
            for role in ROLES:
                name = f"test-{role.value}-{uuid.uuid4().hex[:12]}"
                key, _ = create_key(audit, TEST_ACTOR, name, role)
                self.keys[role.value] = key

    @property
    def db(self) -> Database:
        """The server's own Database (its query counts)."""
        return self.app.state.db  # type: ignore[no-any-return]

    def post(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        role: str | None = "investigator",
        key: str | None = None,
    ) -> httpx.Response:
        """POSTs one GraphQL operation with the key of ``role`` (or the raw ``key``)."""
        key = key or (self.keys[role] if role else None)
        headers = {API_KEY_HEADER: key} if key else {}
        body = {"query": query, "variables": dict(variables or {})}
        return self.client.post(f"{self.url}/graphql", json=body, headers=headers)

    def data(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a successful operation (fails the test on any error)."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def api(neo4j_settings: Settings) -> Iterator[Api]:
    """The service on a free loopback port for the whole session."""
    app = create_app(neo4j_settings)
    with (
        serving(app) as url,
        httpx.Client(timeout=30) as client,
        Database(neo4j_settings) as db,
    ):
        api = Api(app, url, client)
        api.issue_keys(db)
        yield api


@pytest.fixture
def empty_graph(db: Database, api: Api) -> Database:
    """An empty graph (the db fixture) with fresh API keys."""
    api.issue_keys(db)
    return db


@pytest.fixture(scope="module")
def samples(session_db: Database, api: Api, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """The sample registries loaded by the loader engine, plus stored measures and changes.

    Module-scoped: tests that only read share one load (about ten seconds).
    """
    migrations.reset(session_db)
    api.issue_keys(session_db)
    rejects = tmp_path_factory.mktemp("rejects")
    load_directory(session_db, SAMPLES, LoadOptions(reject_dir=rejects))
    session_db.write("meta/test_graphql_measures", rows=SAMPLE_MEASURES)
    session_db.write("meta/test_graphql_changes", rows=SAMPLE_CHANGES)
    return session_db


HUABEI = "91130102RG8E64XKKR"  # 石家庄华北建设工程有限公司
HENGTAI = "91130104PQXR0QED47"  # 石家庄恒泰商贸有限公司, 60% held by HUABEI
RUIFENG = "91130105KPYPM8K9FG"  # 河北瑞丰食品有限公司
ZHANG_WEI = "130102197203158350"  # 张伟, legal representative of HUABEI, 30%
LIU_YANG = "130102196508301272"  # 刘洋, 70% of HUABEI and its actual controller
LI_NA = "130104198007224880"  # 李娜, 40% of HENGTAI
WANG_QIANG = "130105198501094897"  # 王强, 45% of RUIFENG
WU_GANG = "130105196805205059"  # 吴刚, official who intervened in (2021)冀01执456号
ZHOU_JIE = "13010019750101415X"  # 周杰, judge
ENFORCEMENT_CASE = "(2021)冀01执456号"
#: The day the session's stored samples are as of; tests that compare with it pass it
#: explicitly, so a run that crosses midnight still agrees with itself.
TODAY = date.today()

SAMPLE_MEASURES = [
    {
        "party_id": HUABEI,
        "risk_score": 0.9,
        "as_of": TODAY,
        "props": {
            "measure_key": "m-hb-1",
            "party_id": HUABEI,
            "measure": "dishonest_debtor",
            "origin": "direct",
            "rule": None,
            "record_key": f"dishonest_debtor:{ENFORCEMENT_CASE}|{HUABEI}",
            "record_ref": f"{ENFORCEMENT_CASE}|{HUABEI}",
            "record_kind": "dishonest_debtor",
            "authority": "石家庄市中级人民法院",
            "record_start": date(2021, 6, 1),
            "basis": "失信被执行人名单规定",
            "path_json": "[]",
            "catalog_version": "test-1",
            "run_id": "run-1",
            "computed_at": datetime(2026, 1, 1, 8, 0).astimezone(),
        },
    },
    {
        "party_id": ZHANG_WEI,
        "risk_score": 0.6,
        "as_of": TODAY,
        "props": {
            "measure_key": "m-zw-1",
            "party_id": ZHANG_WEI,
            "measure": "high_consumption_ban",
            "origin": "derived",
            "rule": "R1",
            "record_key": f"dishonest_debtor:{ENFORCEMENT_CASE}|{HUABEI}",
            "basis": "限制消费规定第三条",
            "catalog_version": "test-1",
            "run_id": "run-1",
            "path_json": json.dumps(
                [
                    {"party_id": HUABEI, "name": "石家庄华北建设工程有限公司", "relation": None},
                    {"party_id": ZHANG_WEI, "name": "张伟", "relation": "LEGAL_REP_OF"},
                ]
            ),
        },
    },
]

SAMPLE_CHANGES = [
    {
        "change_id": f"c{i}",
        "run_id": "run-1",
        "at": datetime(2026, 1, 1, 8, i).astimezone(),
        "party_id": party,
        "measure": measure,
        "measure_key": f"k{i}",
        "rule": rule,
        "record_key": "r",
        "catalog_version": "test-1",
        "change": change,
    }
    for i, (party, measure, rule, change) in enumerate(
        [
            (HUABEI, "dishonest_debtor", None, "gained"),
            (ZHANG_WEI, "high_consumption_ban", "R1", "gained"),
            (ZHANG_WEI, "officer_ban", "R1", "gained"),
            (LI_NA, "enhanced_supervision", "R3", "lost"),
            (ZHANG_WEI, "officer_ban", "R1", "changed"),
        ]
    )
]
