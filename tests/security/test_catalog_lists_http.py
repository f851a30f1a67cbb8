"""The catalog's lists as a checking agency sees them: registries loaded into Neo4j, a
propagation run, and ``POST /v1/checks`` under the packaged catalog and under an operator's
(``CREDIT_GRAPH_CATALOG``). What Cypher reads (roles in bribery cases, red-list entries) and
R6's intervention kinds (issue #17) are decided by the catalog in force, not by a copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.policy import load_catalog
from graph_service.propagation import runner
from graph_service.security.roles import Role
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, make_settings
from tests.security.conftest import MakeKey, auth

SAMPLES = ROOT / "tests/fixtures/registries"
ZHOU_JIE = "13010019750101415X"  # 周杰, a judge: in this world only an inquiry (过问)
SUN_LI = "130102198001010010"  # 孙立, an official: an intervention (干预)
CHENGXIN = "91130108KFM0CD0N46"  # 诚信科技: an A-grade taxpayer (red list), nothing else here
ZHAO_MIN = "130105196902052701"  # 赵敏, briber in the bribery case (2022)冀0105刑初78号
OPERATOR = "2026.11-1-operator"

Edit = Callable[[dict[str, Any]], object]


def _operator_catalog(tmp_path: Path, edit: Edit) -> Path:
    """The packaged catalog with ``edit``, written where CREDIT_GRAPH_CATALOG names it."""
    data = yaml.safe_load((ROOT / "graph_service/policy/catalog.yaml").read_text("utf-8"))
    edit(data)
    data["version"] = OPERATOR
    path = tmp_path / "operator-catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _load(db: Database, tmp_path: Path, files: dict[str, str]) -> None:
    """Loads registry files (name → CSV text; a name alone copies the sample file)."""
    folder = tmp_path / "registries"
    folder.mkdir()
    for name, text in files.items():
        if text:
            (folder / name).write_text(text, encoding="utf-8")
        else:
            shutil.copy(SAMPLES / name, folder / name)
    summaries = load_directory(db, folder, LoadOptions(reject_dir=tmp_path / "rejects"))
    assert [s.rejected for s in summaries] == [0] * len(files)


@contextmanager
def _service(tmp_path: Path, catalog: Path | None) -> Iterator[TestClient]:
    settings = make_settings(receipt_key_file=tmp_path / "receipt.pem", catalog=catalog)
    with TestClient(create_app(settings)) as client:
        yield client


def _decisions(
    client: TestClient, key: str, context: str, parties: list[str], as_of: date | None = None
) -> tuple[str, list[tuple[str, list[str]]]]:
    body: dict[str, Any] = {"context": context, "parties": parties, "purpose": "catalog test"}
    if as_of is not None:
        body["as_of"] = as_of.isoformat()
    response = client.post("/v1/checks", json=body, headers=auth(key))
    assert response.status_code == 200, response.text
    answer = response.json()
    results = [(r["decision"], [m["measure"] for m in r["measures"]]) for r in answer["results"]]
    return answer["catalog_version"], results


# --- R6: only the intervention kinds the catalog lists count -----------------------------------


def _interventions_world(db: Database, tmp_path: Path) -> None:
    occurred = (date.today() - timedelta(days=400)).isoformat()  # within the 5-year look-back
    officials = (
        "id_number,name,agency_uscc,position,rank,since,until\n"
        f"{ZHOU_JIE},周杰,11130100AB1TNFBGPJ,审判员,四级高级法官,2010-09-01,\n"
        f"{SUN_LI},孙立,11130105PRTX6W6GLA,科长,正科级,2015-03-01,\n"
    )
    interventions = (
        "record_no,case_no,official_id,kind,occurred_on,recorded_by_id,description\n"
        f"GY-1,(2021)冀01执456号,{ZHOU_JIE},过问,{occurred},,询问案件进度\n"
        f"GY-2,(2021)冀01执456号,{SUN_LI},干预,{occurred},,要求暂缓执行\n"
    )
    files = {"cases.csv": "", "officials.csv": officials, "interventions.csv": interventions}
    _load(db, tmp_path, files)


def test_an_inquiry_alone_gives_no_promotion_review(
    db: Database, tmp_path: Path, make_key: MakeKey
) -> None:
    _interventions_world(db, tmp_path)
    runner.run_full(db)
    with _service(tmp_path, None) as client:
        _, results = _decisions(client, make_key(Role.CHECKER), "promotion", [ZHOU_JIE, SUN_LI])
    assert results == [("allow", []), ("review", ["promotion_review"])]


def test_an_operator_catalog_listing_inquiries_makes_them_count(
    db: Database, tmp_path: Path, make_key: MakeKey
) -> None:
    _interventions_world(db, tmp_path)
    path = _operator_catalog(
        tmp_path, lambda d: d["rules"]["R6"].update(intervention_kinds=["inquiry"])
    )
    runner.run_full(db, load_catalog(path))
    with _service(tmp_path, path) as client:
        version, results = _decisions(
            client, make_key(Role.CHECKER), "promotion", [ZHOU_JIE, SUN_LI]
        )
        _, as_of = _decisions(
            client,
            make_key(Role.CHECKER),
            "promotion",
            [ZHOU_JIE, SUN_LI],
            date.today() - timedelta(days=1),
        )
    assert version == OPERATOR
    assert results == as_of == [("review", ["promotion_review"]), ("allow", [])]


# --- roles in bribery cases: read whole, decided by R5 / R6 conviction_roles -------------------


def test_conviction_roles_come_from_the_catalog_not_from_the_read_query(
    db: Database, tmp_path: Path, make_key: MakeKey
) -> None:
    parties = (
        "case_no,party_id,party_name,role\n"
        f"(2022)冀0105刑初78号,{ZHAO_MIN},赵敏,briber\n"
        f"(2022)冀0105刑初78号,{CHENGXIN},石家庄诚信科技有限公司,third_party\n"
    )
    _load(db, tmp_path, {"cases.csv": "", "case_parties.csv": parties})
    runner.run_full(db)
    with _service(tmp_path, None) as client:
        _, packaged = _decisions(client, make_key(Role.CHECKER), "bidding", [CHENGXIN])
    assert packaged == [("allow", [])]
    path = _operator_catalog(
        tmp_path, lambda d: d["rules"]["R5"].update(conviction_roles=["briber", "third_party"])
    )
    runner.run_full(db, load_catalog(path))
    with _service(tmp_path, path) as client:
        _, operator = _decisions(client, make_key(Role.CHECKER), "bidding", [CHENGXIN])
    assert operator == [("deny", ["bidding_ban"])]


# --- red lists: the catalog's red-list variants decide the fast track ---------------------------


def test_the_fast_track_follows_the_catalogs_red_list_variants(
    db: Database, tmp_path: Path, make_key: MakeKey
) -> None:
    _load(db, tmp_path, {"red_list.csv": ""})
    runner.run_full(db)
    yesterday = date.today() - timedelta(days=1)
    with _service(tmp_path, None) as client:
        key = make_key(Role.CHECKER)
        packaged = [_decisions(client, key, "bidding", [CHENGXIN], d)[1] for d in (None, yesterday)]
    assert packaged == [[("fast_track", [])]] * 2

    def not_a_grade(d: dict[str, Any]) -> None:  # A-grade taxpayers no longer fast-tracked
        d["record_kinds"]["red_list"]["variants"]["a_grade_taxpayer"] = {"measures": []}

    path = _operator_catalog(tmp_path, not_a_grade)
    with _service(tmp_path, path) as client:
        key = make_key(Role.CHECKER)
        operator = [_decisions(client, key, "bidding", [CHENGXIN], d)[1] for d in (None, yesterday)]
    assert operator == [[("allow", [])]] * 2
