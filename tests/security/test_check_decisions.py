"""The sanction check's decisions on the sample world, through HTTP (policy §4–5).

Worked out by hand from the sample registries as of 2026-11-26 (see tests/analysis for the
measures); the decisions follow the catalog's table.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.propagation import runner
from graph_service.security.roles import Role
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, run_cli
from tests.security.conftest import MakeKey

HUABEI = "91130102RG8E64XKKR"  # listed dishonest judgment debtor
ZHANGWEI = "130102197203158350"  # its legal representative (R1)
CHENGXIN = "91130108KFM0CD0N46"  # red-listed, but 100% held by a blacklisted person (R3)
HONGDA = "91130111WHGGB7XE3B"  # tax case repaired: nothing applies
UNKNOWN = "91110000MA01ABCD0J"  # valid USCC, not in the graph


@pytest.fixture
def world(db: Database, tmp_path: Path) -> Database:
    load_directory(db, ROOT / "tests/fixtures/registries", LoadOptions(reject_dir=tmp_path))
    runner.run_full(db)
    return db


def _check(client: TestClient, key: str, context: str, parties: list[str], **extra: Any) -> Any:
    body = {"context": context, "parties": parties, "purpose": "tender 2026-118", **extra}
    response = client.post("/v1/checks", json=body, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_decisions_in_procurement(world: Database, client: TestClient, make_key: MakeKey) -> None:
    key = make_key(Role.INVESTIGATOR)
    parties = [HUABEI, ZHANGWEI, CHENGXIN, HONGDA, UNKNOWN, "91130102RG8E64XKKX"]
    answer = _check(client, key, "government_procurement", parties)
    got = [(r["party_id"], r["found"], r["decision"], r["error"]) for r in answer["results"]]
    assert got == [
        (HUABEI, True, "deny", None),  # dishonest_debtor: deny
        (ZHANGWEI, True, "allow", None),  # R1 bans have no effect on procurement
        (CHENGXIN, True, "review", None),  # enhanced_supervision; red list no fast track
        (HONGDA, True, "allow", None),
        (UNKNOWN, False, "allow", None),
        ("91130102RG8E64XKKX", False, None, "invalid_identifier"),
    ]
    assert answer["catalog_version"] == "2026.11-1"
    (debtor,) = answer["results"][0]["measures"]
    assert debtor["measure"] == "dishonest_debtor" and debtor["origin"] == "direct"
    assert debtor["record"]["kind"] == "dishonest_debtor" and debtor["decision"] == "deny"


def test_a_derived_measure_explains_its_path(
    world: Database, client: TestClient, make_key: MakeKey
) -> None:
    key = make_key(Role.INVESTIGATOR)
    answer = _check(client, key, "high_consumption", ["１３０１０２１９７２０３１５８３５０"])
    result = answer["results"][0]
    assert result["decision"] == "deny"
    ban = next(m for m in result["measures"] if m["measure"] == "high_consumption_ban")
    assert ban["rule"] == "R1" and ban["origin"] == "derived"
    assert [(h["party_id"], h["relation"]) for h in ban["path"]] == [
        (HUABEI, None),
        (ZHANGWEI, "LEGAL_REP_OF"),
    ]


def test_checkers_see_persons_masked(
    world: Database, client: TestClient, make_key: MakeKey
) -> None:
    key = make_key(Role.CHECKER)
    answer = _check(client, key, "high_consumption", [ZHANGWEI])
    path = answer["results"][0]["measures"][0]["path"]
    assert path[1]["name"] == "张*"
    assert answer["results"][0]["party_id"] == ZHANGWEI  # the id the caller sent is echoed


def test_a_past_date_is_computed_from_history(
    world: Database, client: TestClient, make_key: MakeKey
) -> None:
    key = make_key(Role.INVESTIGATOR)
    # On 2027-12-01 the blacklist behind 诚信科技's R3 measure has ended: red list → fast track.
    later = _check(client, key, "government_procurement", [CHENGXIN], as_of="2027-12-01")
    assert later["results"][0]["decision"] == "fast_track"
    # On 2023-06-01 宏达's tax case (repaired 2024-01-10) was still active.
    earlier = _check(client, key, "government_procurement", [HONGDA], as_of="2023-06-01")
    assert earlier["results"][0]["decision"] == "deny"
    assert earlier["as_of"] == date(2023, 6, 1).isoformat()


def test_contexts_lists_the_catalog(world: Database, client: TestClient, make_key: MakeKey) -> None:
    key = make_key(Role.CHECKER)
    response = client.get("/v1/contexts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    body = response.json()
    assert body["contexts"][0] == "government_procurement" and len(body["contexts"]) == 12
    assert body["measures"]["dishonest_debtor"]["government_procurement"] == "deny"
    assert client.get("/v1/contexts").status_code == 401


def test_check_cli_prints_a_line_per_party_and_audits(world: Database) -> None:
    done = run_cli(
        "check", "--context", "government_procurement", "--purpose", "cli test", HUABEI, UNKNOWN
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith(f"{HUABEI}\tdeny\t") and "dishonest_debtor" in lines[0]
    assert lines[1].startswith(f"{UNKNOWN}\tallow")
    assert done.stderr.startswith("check ")
    shown = run_cli("audit", "show", "--party", HUABEI)
    assert shown.returncode == 0 and "cli test" in shown.stdout


def test_check_cli_json_is_the_api_answer_with_a_verifiable_receipt(
    world: Database, tmp_path: Path
) -> None:
    done = run_cli("check", "--context", "bidding", "--purpose", "json", "--json", HUABEI)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["results"][0]["decision"] == "deny" and answer["check_id"]
    saved = tmp_path / "answer.json"
    saved.write_text(done.stdout, encoding="utf-8")
    assert run_cli("receipt", "verify", str(saved)).returncode == 0
    stored = run_cli("audit", "show", "--party", HUABEI)
    assert answer["check_id"] in stored.stdout


def test_check_cli_refuses_a_bad_date(world: Database) -> None:
    done = run_cli(
        "check", "--context", "bidding", "--purpose", "x", "--as-of", "2026-13-01", HUABEI
    )
    assert done.returncode == 1 and "as_of" in done.stderr and "Traceback" not in done.stderr


def test_check_cli_refuses_an_unknown_context(world: Database) -> None:
    done = run_cli("check", "--context", "lottery", "--purpose", "x", HUABEI)
    assert done.returncode == 1
    assert "unknown context 'lottery'" in done.stderr and "Traceback" not in done.stderr
