"""Every list of the catalog is read from the catalog, never from a copy in code (STYLE 17).

For each list (and name mapping) in ``graph_service/policy/catalog.yaml`` one case changes it in
a copy of the packaged catalog and sees the answer of the pure functions follow; a test finds
every list of the file, so a list added to the catalog without a case here fails.
``tests/security/test_catalog_lists_http.py`` does the same through Neo4j and HTTP for the
lists that Cypher and the check read.

R6 first (issue #17): an intervention record counts iff its category — each kind the
interventions mapping allows — is one of ``rules.R6.intervention_kinds``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import pytest
import yaml

from graph_service.analysis.activity import holds_red_list, red_list_kinds
from graph_service.analysis.risk import peripheral_risk
from graph_service.dueprocess.rules import refuse_repair
from graph_service.errors import Conflict, NotRepairableHere, PolicyError
from graph_service.gql.records import credit_report
from graph_service.policy import Catalog, Outcome, decide, default_catalog, parse_catalog
from loaders.mapping import get_mapping
from tests.analysis.helpers import (
    AS_OF,
    blacklist,
    conviction,
    debtor,
    holds,
    measures,
    names,
    officer,
    rep,
    world,
)

Data = dict[str, Any]
R6 = ("promotion_review", "R6")
R1 = {("high_consumption_ban", "R1"), ("officer_ban", "R1")}


@cache
def _packaged() -> Data:
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    data: Data = yaml.safe_load(text)
    return data


def changed(edit: Callable[[Data], object]) -> Catalog:
    """The packaged catalog with ``edit`` applied to a copy of its YAML data."""
    data = copy.deepcopy(_packaged())
    edit(data)
    data["version"] = "test-changed"
    return parse_catalog(data, "changed.yaml")


def _rule(rule_id: str, **values: object) -> Callable[[Data], object]:
    return lambda d: d["rules"][rule_id].update(values)


# --- R6: intervention kinds (the defect of issue #17) ----------------------------------------


def _intervention(category: str) -> dict[str, object]:
    return {"kind": "intervention", "ref": f"GY-{category}", "category": category,
            "start": "2025-03-01"}  # fmt: skip


def _registry_kinds() -> list[str]:
    """Every intervention kind the interventions registry accepts (its `kind` enum)."""
    (field,) = [f for f in get_mapping("interventions").fields if f.name == "kind"]
    return sorted(set(field.values.values()))


def _r6_of(category: str, catalog: Catalog) -> bool:
    found = measures(world(persons="O", records={"O": [_intervention(category)]}), AS_OF, catalog)
    return R6 in names(found, "O")


def test_the_registry_allows_intervention_and_inquiry() -> None:
    assert _registry_kinds() == ["inquiry", "intervention"]


def test_the_catalog_declares_every_kind_the_registry_allows() -> None:
    declared = set(default_catalog().record_kinds["intervention"].variants) - {"default"}
    assert declared == set(_registry_kinds())


@pytest.mark.parametrize("category", _registry_kinds())
def test_an_intervention_kind_counts_iff_the_catalog_lists_it(category: str) -> None:
    packaged = default_catalog()
    assert _r6_of(category, packaged) is (category in packaged.r6.intervention_kinds)
    assert _r6_of(category, packaged) is (category == "intervention")  # the policy's R6
    only_this = changed(_rule("R6", intervention_kinds=[category]))
    others = [k for k in _registry_kinds() if k != category]
    assert _r6_of(category, only_this)
    assert not any(_r6_of(other, only_this) for other in others)


def test_an_inquiry_alone_gives_nothing_and_the_decision_is_allow() -> None:
    found = measures(world(persons="O", records={"O": [_intervention("inquiry")]}))
    assert found == {}
    assert decide([], "promotion", has_red_list=False) is Outcome.ALLOW


def test_an_intervention_kind_the_catalog_does_not_declare_is_refused() -> None:
    with pytest.raises(
        PolicyError, match=r"rules.R6.intervention_kinds: unknown intervention kind"
    ):
        changed(_rule("R6", intervention_kinds=["intervention", "inquri"]))


# --- one case per list -------------------------------------------------------------------------


def _outcomes() -> None:
    both = ["dishonest_debtor", "blacklist"]  # land_supply: deny and restrict
    assert decide(both, "land_supply", False) is Outcome.DENY
    swapped = changed(lambda d: d.update(outcomes=["restrict", "deny", "review", "allow"]))
    assert decide(both, "land_supply", False, swapped) is Outcome.RESTRICT


def _contexts() -> None:
    def add_lottery(d: Data) -> None:
        d["contexts"].append("lottery")
        for spec in d["measures"].values():
            spec["row"].append("deny" if spec is d["measures"]["bidding_ban"] else "none")

    with pytest.raises(PolicyError, match="unknown context 'lottery'"):
        decide(["bidding_ban"], "lottery", False)
    assert decide(["bidding_ban"], "lottery", False, changed(add_lottery)) is Outcome.DENY


def _rows() -> None:
    assert decide(["dishonest_debtor"], "financing", False) is Outcome.RESTRICT
    catalog = changed(lambda d: d["measures"]["dishonest_debtor"]["row"].__setitem__(3, "deny"))
    assert decide(["dishonest_debtor"], "financing", False, catalog) is Outcome.DENY


def _variant_measures() -> None:
    graph = world(persons="P", records={"P": [blacklist("B1")]})
    assert names(measures(graph), "P") == {("blacklist", None)}
    variants = lambda d: d["record_kinds"]["blacklist"]["variants"]  # noqa: E731 - one use
    catalog = changed(lambda d: variants(d)["default"].update(measures=["admin_penalty_general"]))
    assert names(measures(graph, catalog=catalog), "P") == {("admin_penalty_general", None)}


def _control_officer_roles() -> None:
    graph = world("C", "Q", {"C": [debtor("X|C")]}, [officer("Q", "C", "chair")])
    assert names(measures(graph), "Q") == set()
    catalog = changed(lambda d: d["control"].update(officer_roles=["actual_controller", "chair"]))
    assert names(measures(graph, catalog=catalog), "Q") == R1


def _r1_world() -> Any:
    rels = [rep("L", "C"), officer("P", "C", "principal"), officer("Q", "C", "chair")]
    return world("C", "LPQ", {"C": [debtor("X|C")]}, rels)


def _r1_measures() -> None:
    assert names(measures(_r1_world()), "L") == R1
    catalog = changed(_rule("R1", measures=["officer_ban"]))
    assert names(measures(_r1_world(), catalog=catalog), "L") == {("officer_ban", "R1")}


def _r1_trigger_kinds() -> None:
    tax = {"kind": "tax_violation", "ref": "T1", "start": "2025-01-01"}
    graph = world("C", "L", {"C": [tax]}, [rep("L", "C")])
    assert names(measures(graph), "L") == set()
    catalog = changed(_rule("R1", trigger_kinds=["tax_violation"]))
    assert names(measures(graph, catalog=catalog), "L") == R1
    assert names(measures(_r1_world(), catalog=catalog), "L") == set()


def _r1_officer_roles() -> None:
    found = measures(_r1_world())
    assert (names(found, "P"), names(found, "Q")) == (R1, set())
    found = measures(_r1_world(), catalog=changed(_rule("R1", officer_roles=["chair"])))
    assert (names(found, "P"), names(found, "Q")) == (set(), R1)


def _tax(**more: object) -> dict[str, object]:
    return {"kind": "tax_violation", "ref": "SW-1", "start": "2025-03-15",
            "named_legal_rep_id": "L", "named_finance_officer_id": "F", **more}  # fmt: skip


def _r2_measures() -> None:
    graph = world("C", "LF", {"C": [_tax()]})
    assert names(measures(graph), "F") == {("officer_ban", "R2"), ("exit_review", "R2")}
    catalog = changed(_rule("R2", measures=["exit_review"]))
    assert names(measures(graph, catalog=catalog), "F") == {("exit_review", "R2")}


def _r2_trigger_kinds() -> None:
    graph = world("C", "LF", {"C": [{**_tax(), "kind": "blacklist", "list": "quality"}]})
    assert names(measures(graph), "F") == set()
    catalog = changed(_rule("R2", trigger_kinds=["blacklist"]))
    assert names(measures(graph, catalog=catalog), "F") == {
        ("officer_ban", "R2"),
        ("exit_review", "R2"),
    }


def _r2_named_roles() -> None:
    graph = world("C", "LF", {"C": [_tax()]})
    catalog = changed(_rule("R2", named_roles={"legal_rep": "named_legal_rep_id"}))
    found = measures(graph, catalog=catalog)
    assert names(found, "L") and not names(found, "F")


def _r3_measures() -> None:
    graph = world("C", "L", {"L": [blacklist("B")]}, [holds("L", "C", 55)])
    assert names(measures(graph), "C") == {("enhanced_supervision", "R3")}
    catalog = changed(_rule("R3", measures=["bidding_ban"]))
    assert names(measures(graph, catalog=catalog), "C") == {("bidding_ban", "R3")}


def _bribery_world() -> Any:
    records = {
        "B": [conviction("K1", "B", "briber", "2024-01-10")],
        "T": [conviction("K2", "T", "bribe_taker", "2024-01-10")],
    }
    return world("CD", "BT", records, [rep("B", "C"), rep("T", "D")])


def _r5_measures() -> None:
    assert names(measures(_bribery_world()), "C") == {("bidding_ban", "R5")}
    catalog = changed(_rule("R5", measures=["enhanced_supervision"]))
    assert names(measures(_bribery_world(), catalog=catalog), "C") == {
        ("enhanced_supervision", "R5")
    }


def _r5_conviction_roles() -> None:
    found = measures(
        _bribery_world(), catalog=changed(_rule("R5", conviction_roles=["bribe_taker"]))
    )
    assert (names(found, "C"), names(found, "D")) == (set(), {("bidding_ban", "R5")})


def _r6_measures() -> None:
    graph = world(persons="O", records={"O": [_intervention("intervention")]})
    catalog = changed(_rule("R6", measures=["exit_review"]))
    assert names(measures(graph, catalog=catalog), "O") == {("exit_review", "R6")}


def _r6_intervention_kinds() -> None:
    inquiry = changed(_rule("R6", intervention_kinds=["inquiry"]))
    assert (_r6_of("inquiry", inquiry), _r6_of("intervention", inquiry)) == (True, False)


def _r6_official_categories() -> None:
    record = {"kind": "official_record", "ref": "G1", "category": "discipline",
              "start": "2025-01-01"}  # fmt: skip
    graph = world(persons="O", records={"O": [record]})
    assert R6 in names(measures(graph), "O")
    catalog = changed(_rule("R6", official_categories=["violation"]))
    assert R6 not in names(measures(graph, catalog=catalog), "O")


def _r6_conviction_roles() -> None:
    found = measures(_bribery_world())
    assert (R6 in names(found, "T"), R6 in names(found, "B")) == (True, False)
    found = measures(_bribery_world(), catalog=changed(_rule("R6", conviction_roles=["briber"])))
    assert (R6 in names(found, "T"), R6 in names(found, "B")) == (False, True)


def _risk_weights() -> None:
    graph = world("C", "L", {"C": [debtor("X|C")]}, [rep("L", "C")])
    assert peripheral_risk(graph, default_catalog(), AS_OF)["L"] == 0.5
    catalog = changed(lambda d: d["peripheral_risk"]["weights"].update(LEGAL_REP_OF=0.2))
    assert peripheral_risk(graph, catalog, AS_OF)["L"] == pytest.approx(0.1)


def _court_kinds() -> None:
    # due_process.court_kinds: listings only their court removes (a repair names the court)
    listing = {"kind": "dishonest_debtor", "ref": "X|C", "authority": "某法院", "start": AS_OF}
    entry = {**blacklist("B1"), "start": AS_OF.replace(year=AS_OF.year - 2)}
    with pytest.raises(NotRepairableHere):
        refuse_repair([listing], default_catalog(), AS_OF)
    refuse_repair([entry], default_catalog(), AS_OF)  # past its minimum period: repairable
    catalog = changed(lambda d: d["due_process"].update(court_kinds=["blacklist"]))
    with pytest.raises(NotRepairableHere):
        refuse_repair([entry], catalog, AS_OF)
    with pytest.raises(Conflict):  # no longer a court listing: refused for want of a period
        refuse_repair([listing], catalog, AS_OF)


#: Catalog list (``*`` for any name) → its case.
LIST_CASES: dict[str, Callable[[], None]] = {
    "outcomes": _outcomes,
    "contexts": _contexts,
    "measures.*.row": _rows,
    "record_kinds.*.variants.*.measures": _variant_measures,
    "control.officer_roles": _control_officer_roles,
    "rules.R1.measures": _r1_measures,
    "rules.R1.trigger_kinds": _r1_trigger_kinds,
    "rules.R1.officer_roles": _r1_officer_roles,
    "rules.R2.measures": _r2_measures,
    "rules.R2.trigger_kinds": _r2_trigger_kinds,
    "rules.R2.named_roles": _r2_named_roles,
    "rules.R3.measures": _r3_measures,
    "rules.R5.measures": _r5_measures,
    "rules.R5.conviction_roles": _r5_conviction_roles,
    "rules.R6.measures": _r6_measures,
    "rules.R6.intervention_kinds": _r6_intervention_kinds,
    "rules.R6.official_categories": _r6_official_categories,
    "rules.R6.conviction_roles": _r6_conviction_roles,
    "peripheral_risk.weights": _risk_weights,
    "due_process.court_kinds": _court_kinds,
}
#: Keys whose children are names chosen by the catalog (measures, kinds, variants).
NAMED = {"measures", "record_kinds", "variants"}


def _lists(value: Any, path: tuple[str, ...] = ()) -> set[str]:
    """Paths of every list, and of every mapping of names to plain values, in ``value``."""
    if isinstance(value, list):
        return {".".join(path)}
    if not isinstance(value, dict):
        return set()
    if (
        path
        and all(not isinstance(v, dict | list) for v in value.values())
        and path[-1]
        in {
            "named_roles",
            "weights",
        }
    ):
        return {".".join(path)}
    found: set[str] = set()
    for key, child in value.items():
        step = "*" if path and path[-1] in NAMED else str(key)
        found |= _lists(child, (*path, step))
    return found


def test_every_list_of_the_catalog_has_a_case() -> None:
    assert _lists(_packaged()) == set(LIST_CASES)


@pytest.mark.parametrize("path", sorted(LIST_CASES))
def test_changing_a_list_of_the_catalog_changes_the_answer(path: str) -> None:
    LIST_CASES[path]()


# --- flags on variants: which kinds are serious, which are red lists --------------------------


def test_seriousness_is_the_catalogs() -> None:
    graph = world("C", "L", {"L": [blacklist("B")]}, [holds("L", "C", 55)])
    catalog = changed(
        lambda d: d["record_kinds"]["blacklist"]["variants"]["default"].update(serious=False)
    )
    assert "C" in measures(graph) and "C" not in measures(graph, catalog=catalog)


def test_red_lists_are_the_catalogs() -> None:
    # within a minor penalty's 3-month publication period (due_process.periods)
    minor = {"kind": "admin_penalty", "ref": "P1", "severity": "minor", "start": "2026-10-01"}
    assert red_list_kinds(default_catalog()) == ("red_list",)
    assert not holds_red_list([minor], default_catalog(), AS_OF)

    def red_minor(d: Data) -> None:
        d["record_kinds"]["admin_penalty"]["variants"]["minor"] = {"measures": [], "red_list": True}

    catalog = changed(red_minor)
    assert red_list_kinds(catalog) == ("admin_penalty", "red_list")
    assert holds_red_list([minor], catalog, AS_OF)
    assert not holds_red_list([{**minor, "severity": "general"}], catalog, AS_OF)


class _Party:
    risk_score = None


def test_the_credit_reports_seriousness_red_list_and_convictions_are_the_catalogs() -> None:
    summary = {
        "records": [
            {"kind": "blacklist", "ref": "B", "list": "quality", "start": date(2024, 1, 1)}
        ],
        "convictions": [
            {"case_no": "K1", "role": "briber", "closed_on": date(2022, 2, 28)},
            {"case_no": "K2", "role": "third_party", "closed_on": date(2024, 1, 1)},
        ],
    }
    report = credit_report(summary, [], _Party(), AS_OF, default_catalog())  # type: ignore[arg-type]
    assert (report.serious_dishonesty, report.bribery_convictions) == (True, 1)

    def change(d: Data) -> None:
        d["record_kinds"]["blacklist"]["variants"]["default"].update(serious=False)
        d["record_kinds"]["bribery_conviction"]["variants"]["briber"].update(serious=False)
        d["record_kinds"]["bribery_conviction"]["variants"]["third_party"] = {"measures": []}

    report = credit_report(summary, [], _Party(), AS_OF, changed(change))  # type: ignore[arg-type]
    assert (report.serious_dishonesty, report.bribery_convictions) == (False, 2)
    assert report.active_by_kind[0].kind == "blacklist"


def test_a_conviction_ends_on_the_catalogs_active_years_as_every_record_does() -> None:
    # 29 February: the same reading as every rule (1 March), where the report used to say 28
    summary = {"convictions": [{"case_no": "K", "role": "briber", "closed_on": date(2020, 2, 29)}]}
    on = date(2025, 2, 28)
    report = credit_report(summary, [], _Party(), on, default_catalog())  # type: ignore[arg-type]
    assert report.bribery_convictions == 1
    shorter = changed(lambda d: d["record_kinds"]["bribery_conviction"].update(active_years=3))
    report = credit_report(summary, [], _Party(), on, shorter)  # type: ignore[arg-type]
    assert report.bribery_convictions == 0
