"""Fixtures of the repair and objection tests: a small world loaded through the real loaders
(dates relative to today, since filings and decisions happen today), keys of every role, and
an HTTP client of the service.

World: 华北 (HUABEI) is a court listing (dishonest debtor, 石家庄市中级人民法院) whose legal
representative 张伟 (ZHANG) gets R1's derived measures; 黄涛 (HUANG) is blacklisted for more than
a year (repairable) and was blacklisted once before, four years ago with no end date (OLD:
ended by its 3-year publication period); 华北 has a general admin penalty decided ten days
ago (too early).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
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
from loaders.engine import LoadOptions, load_file
from tests.conftest import make_settings

HUABEI = "91130102RG8E64XKKR"
ZHANG = "130102197203158350"
HUANG = "130108200106111975"
COURT = "石家庄市中级人民法院"
LISTING = f"(2021)冀01执456号|{HUABEI}"
BLACKLISTING = "WL-1"
OLD = "WL-0"
PENALTY = "石市监罚〔2026〕1号"
TODAY = date.today()  # the world's dates count back from it (offsets, safe across midnight)
LISTED_ON = TODAY - timedelta(days=400)  # past the blacklist's 1-year minimum period
DECIDED_ON = TODAY - timedelta(days=10)  # within the general penalty's 3-month minimum
OLD_LISTED_ON = TODAY.replace(year=TODAY.year - 4, day=min(TODAY.day, 28))

REGISTRIES = {
    "persons": f"""id_number,name,gender,birth_date,district_code
{ZHANG},张伟,M,1972-03-15,130102
{HUANG},黄涛,M,2001-06-11,130108
""",
    "companies": f"""uscc,name,org_kind,legal_rep_name,legal_rep_id,registered_capital_cny,\
established_on,status,district_code,address,industry
{HUABEI},石家庄华北建设工程有限公司,enterprise,张伟,{ZHANG},50000000,2008-04-12,active,130102,\
石家庄市长安区中山东路88号,建筑业
""",
    "dishonest_debtors": f"""case_no,court_name,debtor_id,debtor_name,published_on
(2021)冀01执456号,{COURT},{HUABEI},石家庄华北建设工程有限公司,2021-06-01
""",
    "blacklists": f"""entry_no,list,party_id,party_name,reason,authority,listed_on,expires_on
{BLACKLISTING},internet,{HUANG},黄涛,网络造谣传谣,石家庄市互联网信息办公室,{LISTED_ON},
{OLD},internet,{HUANG},黄涛,网络造谣传谣,石家庄市互联网信息办公室,{OLD_LISTED_ON},
""",
    "admin_penalties": f"""decision_no,party_id,party_name,severity,authority,decided_on
{PENALTY},{HUABEI},石家庄华北建设工程有限公司,general,石家庄市市场监督管理局,{DECIDED_ON}
""",
}


def _settings(**overrides: Any) -> Settings:
    """Test settings; checks decided from the graph and audited straight into Neo4j (no
    decision snapshot, no local audit log) where this tree has those settings."""
    plain = {"check_snapshot": False, "audit_local": False, "notice_delivery": False}
    known = {k: v for k, v in plain.items() if k in Settings.model_fields}
    return make_settings(**known, **overrides)


def load_world(db: Database, folder: Path) -> None:
    """The world of the module's docstring, loaded and propagated as of today."""
    for kind, text in REGISTRIES.items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        options = LoadOptions(reject_file=folder / f"{kind}.rejects.csv")
        assert load_file(db, kind, path, options).rejected == 0, kind
    runner.run_full(db)


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Database:
    """The emptied test graph with the world loaded."""
    load_world(db, tmp_path)
    return db


@pytest.fixture
def app(neo4j_settings: Settings, world: Database, tmp_path: Path) -> FastAPI:
    """The service over the world."""
    del neo4j_settings, world
    return create_app(_settings(receipt_key_file=tmp_path / "receipt.pem"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of the app, lifespan run."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keys(world: Database) -> dict[Role, dict[str, str]]:
    """An ``X-API-Key`` header per role."""
    found = {}
    with AuditLog(world) as audit:
        for role in Role:
            key, _ = create_key(audit, Actor("tests", "operator"), f"dp-{role.value}", role)
            found[role] = {"X-API-Key": key}
    return found


Post = Callable[..., Any]
