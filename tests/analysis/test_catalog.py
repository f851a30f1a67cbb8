"""The catalog: the policy's decision table exactly, validation errors, decisions (§4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph_service.errors import PolicyError
from graph_service.policy import Outcome, decide, default_catalog, load_catalog, parse_catalog
from graph_service.policy.catalog import parse_catalog as parse
from tests.analysis.helpers import holds, measures, names, world

# The §4 table of the policy, copied verbatim: the catalog must say exactly this.
POLICY_TABLE = """
| measure ↓ / context → | government_procurement | bidding | land_supply | financing | license_approval | subsidy | honours | civil_service_hiring | promotion | high_consumption | officer_appointment | exit |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
| dishonest_debtor (direct) | deny | deny | deny | restrict | restrict | deny | deny | deny | — | deny | review | — |
| tax_violation (direct) | deny | deny | deny | restrict | restrict | deny | deny | deny | — | — | review | review |
| blacklist entry (direct, any list) | deny | deny | restrict | restrict | restrict | deny | deny | review | — | — | — | — |
| serious admin penalty (direct) | review | review | review | review | review | deny | deny | review | — | — | — | — |
| general/minor admin penalty (direct) | — | — | — | — | review | — | review | — | — | — | — | — |
| briber conviction (direct) | deny | deny | restrict | review | review | deny | deny | deny | — | — | — | — |
| high_consumption_ban (R1) | — | — | — | — | — | — | — | — | — | deny | — | — |
| officer_ban (R1, R2) | — | — | — | — | — | — | — | — | — | — | deny | — |
| exit_review (R2) | — | — | — | — | — | — | — | — | — | — | — | review |
| enhanced_supervision (R3) | review | review | review | review | review | review | review | — | — | — | — | — |
| bidding_ban (R5) | deny | deny | — | — | — | — | — | — | — | — | — | — |
| promotion_review (R6) | — | — | — | — | — | — | deny | — | review | — | — | — |
| official discipline/violation (direct) | — | — | — | — | — | — | deny | review | review | — | — | — |
"""  # noqa: E501 - a verbatim copy of the policy's table
ROW_MEASURE = {
    "dishonest_debtor (direct)": "dishonest_debtor",
    "tax_violation (direct)": "tax_violation",
    "blacklist entry (direct, any list)": "blacklist",
    "serious admin penalty (direct)": "admin_penalty_serious",
    "general/minor admin penalty (direct)": "admin_penalty_general",
    "briber conviction (direct)": "briber_conviction",
    "high_consumption_ban (R1)": "high_consumption_ban",
    "officer_ban (R1, R2)": "officer_ban",
    "exit_review (R2)": "exit_review",
    "enhanced_supervision (R3)": "enhanced_supervision",
    "bidding_ban (R5)": "bidding_ban",
    "promotion_review (R6)": "promotion_review",
    "official discipline/violation (direct)": "official_discipline",
}


def _policy_table() -> tuple[list[str], dict[str, dict[str, str]]]:
    lines = [line for line in POLICY_TABLE.strip().splitlines() if not line.startswith("|---")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    contexts = rows[0][1:]
    table = {
        ROW_MEASURE[r[0]]: {c: o for c, o in zip(contexts, r[1:], strict=True) if o != "—"}
        for r in rows[1:]
    }
    return contexts, table


def test_decision_table_is_the_policys_exactly() -> None:
    catalog = default_catalog()
    contexts, table = _policy_table()
    assert list(catalog.contexts) == contexts and len(contexts) == 12
    assert {name: dict(spec.decisions) for name, spec in catalog.measures.items()} == table


def test_every_rule_has_its_parameters_and_basis() -> None:
    catalog = default_catalog()
    assert catalog.version == "2026.11-1"
    assert (catalog.control.majority_pct, catalog.r3.threshold_pct) == (50.0, 50.0)
    assert catalog.r6.lookback_years == 5
    assert catalog.record_kinds["bribery_conviction"].active_years == 5
    for rule in (catalog.r1, catalog.r2, catalog.r3, catalog.r4, catalog.r5, catalog.r6):
        assert rule.basis and rule.title
    serious = {
        k for k, spec in catalog.record_kinds.items() for v in spec.variants.values() if v.serious
    }
    assert serious == {
        "dishonest_debtor",
        "tax_violation",
        "blacklist",
        "admin_penalty",
        "bribery_conviction",
    }


@pytest.mark.parametrize(
    ("measures_", "context", "red", "outcome"),
    [
        (["enhanced_supervision", "bidding_ban"], "bidding", False, Outcome.DENY),
        (["dishonest_debtor"], "financing", False, Outcome.RESTRICT),
        (["dishonest_debtor", "admin_penalty_serious"], "financing", False, Outcome.RESTRICT),
        (["officer_ban"], "bidding", False, Outcome.ALLOW),
        ([], "bidding", False, Outcome.ALLOW),
        ([], "bidding", True, Outcome.FAST_TRACK),
        (["officer_ban"], "bidding", True, Outcome.ALLOW),  # any measure ends the fast track
        (["enhanced_supervision"], "subsidy", True, Outcome.REVIEW),
    ],
)
def test_decide(measures_: list[str], context: str, red: bool, outcome: Outcome) -> None:
    assert decide(measures_, context, red) is outcome


def test_decide_refuses_unknown_context_and_measure() -> None:
    with pytest.raises(PolicyError, match="unknown context 'lottery'"):
        decide([], "lottery", False)
    with pytest.raises(PolicyError, match="no decision row for measure 'fine'"):
        decide(["fine"], "bidding", False)


def _data() -> dict[str, Any]:
    text = (Path(__file__).parents[2] / "graph_service/policy/catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("version"), "version: missing"),
        (lambda d: d.update(extra=1), "catalog: unknown key"),
        (lambda d: d["rules"]["R3"].update(threshold_pct=150), "rules.R3.threshold_pct"),
        (lambda d: d["rules"]["R3"].update(threshhold_pct=50), "unknown key.*threshhold_pct"),
        (lambda d: d["rules"]["R6"].update(lookback_years=0), "rules.R6.lookback_years"),
        (lambda d: d["rules"]["R1"].update(measures=["jail"]), "unknown measure 'jail'"),
        (lambda d: d["measures"]["bidding_ban"]["row"].pop(), "bidding_ban.row: 11 outcomes"),
        (lambda d: d["measures"]["bidding_ban"]["row"].__setitem__(0, "ban"), "not an outcome"),
        (lambda d: d.update(outcomes=["allow", "deny", "restrict", "review"]), "allow last"),
        (lambda d: d["record_kinds"]["blacklist"]["variants"].pop("default"), "`default`"),
        (lambda d: d["peripheral_risk"].update(decay=1.5), "peripheral_risk.decay"),
        (lambda d: d["peripheral_risk"]["weights"].update(KNOWS=1), "relationship type"),
        (lambda d: d["rules"]["R1"].update(legal_rep="yes"), "rules.R1.legal_rep"),
    ],
)
def test_invalid_catalog_names_the_problem(change: Any, message: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(PolicyError, match=message):
        parse_catalog(data, "test.yaml")


def test_unreadable_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read catalog"):
        load_catalog(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_catalog(broken)


def test_changing_the_catalog_is_a_data_change(tmp_path: Path) -> None:
    data = _data()
    data["version"] = "2026.12-test"
    data["rules"]["R3"]["threshold_pct"] = 60
    changed = tmp_path / "catalog.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    catalog = load_catalog(changed)
    graph = world(
        "C",
        "L",
        {"L": [{"kind": "blacklist", "ref": "B", "start": "2024-01-01"}]},
        [holds("L", "C", 55)],
    )
    assert names(measures(graph), "C") == {("enhanced_supervision", "R3")}
    found = measures(graph, catalog=catalog)
    assert "C" not in found
    assert {m.catalog_version for m in found["L"]} == {"2026.12-test"}
    assert parse(data).version == "2026.12-test"
