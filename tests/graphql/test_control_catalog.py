"""One control rule, from the catalog in force: an operator catalog with ``majority_pct: 30``
(CREDIT_GRAPH_CATALOG) changes GraphQL's ``actualControllers`` / ``beneficialOwners``, the
measures the propagation stores, the checks' decisions and the credit report's, alike.

The world is the sample registries with 华北建设's holders changed to 刘洋 30% (and its
actual controller), 张伟 30% and 李娜 40%. 华北建设 is a dishonest debtor, so R1 gives its
controllers who are persons ``high_consumption_ban`` and ``officer_ban``. Under the packaged
50% only 刘洋 controls (by his role); under 30% 李娜's 40% controls too, while 张伟's 30% still
does not (the threshold is strict).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from tests.conftest import cli_env, make_settings, run_cli
from tests.graphql.conftest import (
    HUABEI,
    LI_NA,
    LIU_YANG,
    SAMPLES,
    ZHANG_WEI,
    Api,
)
from tests.servers import serving

OPERATOR_VERSION = "2026.11-1-control30"
HOLDERS_OF_HUABEI = (
    f"{HUABEI},{LIU_YANG},刘洋,30,15000000,2008-04-12,\n"
    f"{HUABEI},{ZHANG_WEI},张伟,30,15000000,2008-04-12,\n"
    f"{HUABEI},{LI_NA},李娜,40,20000000,2008-04-12,\n"
)
QUERY = """query($company: String!, $person: String!) {
  company: party(id: $company) { ... on Company {
    actualControllers { party { id } chains { relations stakePct } }
    beneficialOwners { ... on BeneficialOwnership { owners { party { id } controls } } } } }
  person: party(id: $person) { ... on Party { measures { measure rule catalogVersion }
    creditReport { decisions { context decision } } } } }"""


def _world(tmp_path: Path) -> Path:
    """The sample registries with 华北建设's shareholders replaced."""
    folder = tmp_path / "registries"
    shutil.copytree(SAMPLES, folder)
    path = folder / "shareholdings.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{HUABEI},")]
    assert len(kept) == len(lines) - 2  # the two rows of 刘洋 70% and 张伟 30%
    path.write_text("".join(kept) + HOLDERS_OF_HUABEI, encoding="utf-8")
    return folder


def _catalog_30(tmp_path: Path) -> Path:
    """The packaged catalog with control.majority_pct 30 and its own version."""
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    for old, new in (
        ("majority_pct: 50", "majority_pct: 30"),
        ('version: "2026.11-1"', f'version: "{OPERATOR_VERSION}"'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "catalog-30.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def _serving(settings: Settings, db: Database) -> Iterator[Api]:
    """The service under ``settings`` on a free loopback port, with its own API keys."""
    app = create_app(settings)
    with serving(app) as url, httpx.Client(timeout=30) as client:
        api = Api(app, url, client)
        api.issue_keys(db)
        yield api


def _answers(api: Api, catalog: Path | None) -> dict[str, Any]:
    """Propagates with the CLI under ``catalog`` (None: the packaged one), then asks GraphQL
    and checks 李娜 for an officer appointment with the CLI."""
    env = cli_env(**({"CREDIT_GRAPH_CATALOG": str(catalog)} if catalog else {}))
    ran = run_cli("propagate", env=env)
    assert ran.returncode == 0, ran.stderr
    checked = run_cli(
        "check", "--context", "officer_appointment", "--purpose", "test", "--json", LI_NA, env=env
    )
    assert checked.returncode == 0, checked.stderr
    check = json.loads(checked.stdout)
    data = api.data(QUERY, {"company": HUABEI, "person": LI_NA})
    company, person = data["company"], data["person"]
    return {
        "propagate": ran.stdout,
        "controllers": {c["party"]["id"]: c["chains"] for c in company["actualControllers"]},
        "owners": {o["party"]["id"]: o["controls"] for o in company["beneficialOwners"]["owners"]},
        "measures": {(m["measure"], m["rule"], m["catalogVersion"]) for m in person["measures"]},
        "check": (check["catalog_version"], check["results"][0]["decision"]),
        "report": {
            d["context"]: d["decision"]
            for d in person["creditReport"]["decisions"]
            if d["context"] == "officer_appointment"
        },
    }


def test_a_lower_majority_pct_changes_controllers_and_stored_measures_alike(
    empty_graph: Database, api: Api, tmp_path: Path
) -> None:
    # Arrange
    load_directory(empty_graph, _world(tmp_path), LoadOptions(reject_dir=tmp_path / "rejects"))
    operator = _catalog_30(tmp_path)
    # Act
    packaged = _answers(api, None)
    with _serving(make_settings(catalog=operator), empty_graph) as api_30:
        lowered = _answers(api_30, operator)
    # Assert: the packaged 50% — 刘洋 by his role only; 李娜 owns 40% but does not control
    assert "catalog 2026.11-1:" in packaged["propagate"]
    assert packaged["controllers"] == {
        LIU_YANG: [[{"relations": ["ACTUAL_CONTROLLER"], "stakePct": None}]]
    }
    assert packaged["owners"] == {LI_NA: False, LIU_YANG: True, ZHANG_WEI: False}
    assert packaged["measures"] == set()
    assert packaged["check"] == ("2026.11-1", "allow")
    assert packaged["report"] == {"officer_appointment": "allow"}
    # the operator's 30%: 李娜's 40% controls, 张伟's 30% does not; GraphQL and R1 agree
    assert f"catalog {OPERATOR_VERSION}:" in lowered["propagate"]
    assert set(lowered["controllers"]) == {LIU_YANG, LI_NA}
    assert lowered["controllers"][LI_NA] == [[{"relations": ["HOLDS_SHARES"], "stakePct": 40.0}]]
    assert lowered["owners"] == {LI_NA: True, LIU_YANG: True, ZHANG_WEI: False}
    assert lowered["measures"] == {
        ("high_consumption_ban", "R1", OPERATOR_VERSION),
        ("officer_ban", "R1", OPERATOR_VERSION),
    }
    assert lowered["check"] == (OPERATOR_VERSION, "deny")  # officer_ban denies an appointment
    assert lowered["report"] == {"officer_appointment": "deny"}
