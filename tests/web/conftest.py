"""Workbench tests: the real service (uvicorn on loopback) in front of the test Neo4j, and the
page in a real Chromium — Debian's ``/usr/bin/chromium`` driven by Playwright for Python.
Playwright's own browser download cannot work on these machines (no internet), so the tests
never run ``playwright install``; they are skipped with the reason when Chromium is missing
(``make system-deps`` installs it).

The world is the sample registries (tests/fixtures/registries) with a real propagation run,
plus a hub: one company with 10,000 shareholders, for the expansion guard.
"""

from __future__ import annotations

import csv
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graph_service import migrations
from graph_service.app import create_app
from graph_service.db import Database
from graph_service.propagation import runner
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from graph_service.synthetic.ids import make_id_number, make_uscc
from loaders.engine import LoadOptions, load_directory
from tests.conftest import make_settings
from tests.servers import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "registries"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots (gitignored)
ACTOR = Actor("web-tests", "operator")

HUABEI = "91130102RG8E64XKKR"  # 石家庄华北建设工程有限公司: dishonest debtor, 70% 刘洋
HENGTAI = "91130104PQXR0QED47"  # 石家庄恒泰商贸有限公司, 60% held by HUABEI
LIU_YANG = "130102196508301272"  # 刘洋, 70% of HUABEI
LI_NA = "130104198007224880"  # 李娜, 40% of HENGTAI
ZHANG_WEI = "130102197203158350"  # 张伟, legal representative of HUABEI
ENFORCEMENT_CASE = "(2021)冀01执456号"  # with an intervention by an official
HUB = make_uscc("91", "130102", "HUB00001")  # the company with 10,000 shareholders
HUB_HOLDERS = 10_000
# Timing is the benchmarks' business (bench/), not these tests': on a busy two-core machine a
# credit report can take longer than the service's per-request deadline.
SLOW_MACHINE = (
    {"request_deadline_s": 120.0} if "request_deadline_s" in Settings.model_fields else {}
)


@dataclass
class Service:
    """The running service, its keys by role, and an HTTP client for it."""

    url: str
    db: Database
    client: httpx.Client
    keys: dict[str, str] = field(default_factory=dict)

    def new_key(self, role: Role) -> str:
        """A fresh key of ``role`` (key names are unique forever)."""
        with AuditLog(self.db) as audit:
            key, _ = create_key(audit, ACTOR, f"web-{role.value}-{uuid.uuid4().hex[:10]}", role)
        return key


def write_hub(folder: Path) -> None:
    """Registry files of one company held by HUB_HOLDERS persons (0.01% each)."""
    folder.mkdir(parents=True, exist_ok=True)
    born = date(1970, 1, 1)
    people = [
        make_id_number("130102", born + timedelta(days=i // 400), i % 400, i % 2 == 0)
        for i in range(HUB_HOLDERS)
    ]
    _csv(
        folder / "companies.csv",
        [
            {
                "uscc": HUB,
                "name": "石家庄万众控股集团有限公司",
                "org_kind": "enterprise",
                "status": "active",
                "district_code": "130102",
                "established_on": "2010-01-01",
            },
        ],
    )
    _csv(
        folder / "persons.csv",
        [
            {
                "id_number": p,
                "name": f"股东{i:05d}",
                "gender": "M" if i % 2 == 0 else "F",
                "birth_date": "",
                "district_code": "130102",
            }
            for i, p in enumerate(people)
        ],
    )
    _csv(
        folder / "shareholdings.csv",
        [
            {
                "company_uscc": HUB,
                "holder_id": p,
                "holder_name": f"股东{i:05d}",
                "stake_pct": "0.01",
                "subscribed_cny": "100",
                "since": "2010-01-01",
                "until": "",
            }
            for i, p in enumerate(people)
        ],
    )


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def load_world(db: Database, scratch: Path) -> None:
    """An empty graph, then the sample registries, the hub, and a full propagation run."""
    migrations.reset(db)
    options = LoadOptions(reject_dir=scratch / "rejects")
    load_directory(db, SAMPLES, options)
    write_hub(scratch / "hub")
    for summary in load_directory(db, scratch / "hub", options):
        assert (summary.status, summary.rejected) == ("done", 0), summary
    runner.run_full(db)


@pytest.fixture(scope="session")
def service(neo4j_settings: Settings, session_db: Database) -> Iterator[Service]:
    """The running service (keys are not cached, so a revoked key is refused at once)."""
    app = create_app(make_settings(api_key_cache_s=0, **SLOW_MACHINE))
    with serving(app) as url, httpx.Client(timeout=60) as client:
        yield Service(url, session_db, client)


@pytest.fixture(scope="module")
def world(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The loaded world behind the service, with keys of each role.

    Loading takes a while, so it is loaded only when the graph does not hold it already
    (tests elsewhere empty the graph).
    """
    if not _has_world(service):
        load_world(service.db, tmp_path_factory.mktemp("web-world"))
        service.keys.clear()
    for role in (Role.INVESTIGATOR, Role.CHECKER):
        service.keys.setdefault(role.value, service.new_key(role))
    return service


def _has_world(service: Service) -> bool:
    key = service.keys.get(Role.INVESTIGATOR.value)
    if key is None:
        return False
    body = {
        "query": "query($id: String!) { party(id: $id) { __typename } }",
        "variables": {"id": HUB},
    }
    answer = service.client.post(f"{service.url}/graphql", json=body, headers={"X-API-Key": key})
    return answer.status_code == 200 and (answer.json().get("data") or {}).get("party") is not None


@dataclass
class Watch:
    """What a page did: every URL it requested, console errors, uncaught exceptions."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests to anywhere but 127.0.0.1 (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (skipped when either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: run `make system-deps`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def web_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[tuple[Any, Watch]]:
    """A fresh page (own session storage) watched for requests and errors; its final
    screenshot is saved under tests/web/artifacts/ as ``<test name>.png``."""
    context = chromium.new_context(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    watched = Watch()
    tab = context.new_page()
    tab.on("request", lambda r: watched.requests.append(r.url))
    tab.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
    tab.on("pageerror", lambda e: watched.errors.append(f"uncaught: {e}"))
    tab.set_default_timeout(20_000)
    yield tab, watched
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)  # parameters hold "#/" and "%"
    tab.screenshot(path=str(ARTIFACTS / f"{name}-final.png"))
    context.close()


def shoot(tab: Any, name: str) -> Path:
    """Saves a screenshot of the page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path))
    return path


def clean_artifacts() -> None:
    """Removes earlier screenshots (called once per session by the flow test)."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
