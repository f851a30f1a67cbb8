"""Why not (due process §5): the nearest facts that would have restricted a party and do not,
one case per kind of fact, the two-hop limit, and what is never reported."""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import networkx as nx
import pytest
import yaml

from graph_service.analysis.ended_facts import WhyNot, as_json
from graph_service.analysis.why_not import why_not
from graph_service.policy import Catalog, decide, default_catalog, parse_catalog
from tests.analysis.helpers import (
    AS_OF,
    blacklist,
    branch,
    conviction,
    debtor,
    holds,
    measures,
    officer,
    rep,
    world,
)


def ask(
    graph: nx.MultiDiGraph[str],
    party: str,
    context: str,
    as_of: date = AS_OF,
    catalog: Catalog | None = None,
) -> WhyNot:
    return why_not(graph, catalog or default_catalog(), party, context, as_of)


def kinds(answer: WhyNot) -> list[tuple[str, int, str]]:
    """(kind, hops, party) of each fact."""
    return [(f.kind, f.hops, f.party_id) for f in answer.facts]


def gives(answer: WhyNot) -> list[list[tuple[str, str | None, str]]]:
    """(measure, rule, decision) that each fact would give."""
    return [[(g.measure, g.rule, g.decision) for g in f.would_give] for f in answer.facts]


# --- record_ended ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["repaired", "revoked", "removed"])
def test_an_own_record_voided_by_an_update(status: str) -> None:
    update = {"status": status, "effective_on": "2024-01-10", "reason": "x", "provenance": {
        "src_kind": "record_updates", "src_file": "record_updates.csv", "src_row": 2}}  # fmt: skip
    record = debtor("X|C", voided_on="2024-01-10", updates=[update])
    answer = ask(world("C", records={"C": [record]}), "C", "bidding")
    assert answer.decision == "allow"
    (fact,) = answer.facts
    assert (fact.kind, fact.hops, fact.details["ended_by"], fact.ended_on) == (
        "record_ended", 0, status, date(2024, 1, 10),
    )  # fmt: skip
    assert gives(answer) == [[("dishonest_debtor", None, "deny")]]
    assert fact.provenance == (
        {"of": "update", "src_kind": "record_updates", "src_file": "record_updates.csv",
         "src_row": 2, "load_id": None, "loaded_at": None},
    )  # fmt: skip
    assert fact.explanation.startswith(
        f"dishonest_debtor record X|C of C (the party itself) was {status} on 2024-01-10"
    )


def test_an_own_record_that_expired() -> None:
    answer = ask(
        world(persons="P", records={"P": [blacklist("B1", end="2026-05-01")]}), "P", "bidding"
    )
    (fact,) = answer.facts
    assert (fact.details["ended_by"], fact.ended_on) == ("expired", date(2026, 5, 1))
    assert gives(answer) == [[("blacklist", None, "deny")]]


def test_a_conviction_past_its_active_years_expired() -> None:
    graph = world(persons="B", records={"B": [conviction("K", "B", "briber", "2021-06-01")]})
    (fact,) = ask(graph, "B", "bidding").facts
    assert (fact.details["ended_by"], fact.ended_on) == ("expired", date(2026, 6, 1))
    assert fact.would_give[0].measure == "briber_conviction"


def test_a_record_one_hop_away_reached_by_a_rule() -> None:
    graph = world("C", "L", {"C": [debtor("X|C", end="2025-01-01")]}, [rep("L", "C")])
    answer = ask(graph, "L", "high_consumption")
    assert kinds(answer) == [("record_ended", 1, "C")]
    assert gives(answer) == [[("high_consumption_ban", "R1", "deny")]]
    assert [h["party_id"] for h in answer.facts[0].would_give[0].path] == ["C", "L"]


def test_a_record_two_hops_away_and_none_three_hops_away() -> None:
    rels = [holds("P", "H", 80), holds("H", "C", 60)]
    graph = world("HC", "P", {"C": [debtor("X|C", end="2025-01-01")]}, rels)
    answer = ask(graph, "P", "high_consumption")
    assert kinds(answer) == [("record_ended", 2, "C")]
    assert [h["party_id"] for h in answer.facts[0].would_give[0].path] == ["C", "H", "P"]
    rels = [holds("P", "H1", 80), holds("H1", "H2", 80), holds("H2", "C", 60)]
    far = world(["H1", "H2", "C"], "P", {"C": [debtor("X|C", end="2025-01-01")]}, rels)
    assert ask(far, "P", "high_consumption").facts == ()
    # … though the rule itself reaches three hops while the listing lasts
    assert "P" in measures(far, as_of=date(2024, 12, 31))


# --- relationships that ended ------------------------------------------------------------------


def test_a_stake_that_ended() -> None:
    rels = [holds("L", "C", 60, until="2026-01-01")]
    answer = ask(world("C", "L", {"L": [blacklist("B")]}, rels), "C", "bidding")
    assert kinds(answer) == [("stake_ended", 1, "L")]
    assert gives(answer) == [[("enhanced_supervision", "R3", "review")]]
    rel = answer.facts[0].details["relationship"]
    assert (rel["type"], rel["source"], rel["target"], rel["stake_pct"], rel["until"]) == (
        "HOLDS_SHARES", "L", "C", 60.0, date(2026, 1, 1),
    )  # fmt: skip
    assert answer.facts[0].ended_on == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("relationship", "role"),
    [
        (rep("L", "C", until="2026-01-01"), None),
        (officer("L", "C", "principal", until="2026-01-01"), "principal"),
    ],
)
def test_a_role_that_ended(relationship: dict[str, Any], role: str | None) -> None:
    answer = ask(world("C", "L", {"C": [debtor("X|C")]}, [relationship]), "L", "high_consumption")
    assert kinds(answer) == [("role_ended", 1, "L")]
    assert answer.facts[0].details["relationship"]["role"] == role
    assert gives(answer) == [[("high_consumption_ban", "R1", "deny")]]


def test_a_branch_link_that_ended() -> None:
    graph = world("PB", records={"P": [debtor("X|P")]}, rels=[branch("B", "P", until="2026-01-01")])
    answer = ask(graph, "B", "bidding")
    assert kinds(answer) == [("branch_link_ended", 1, "B")]
    assert gives(answer) == [[("dishonest_debtor", "R4", "deny")]]
    assert "B was a branch of P (1 hop away) until 2026-01-01" in answer.facts[0].explanation


# --- R6: the look-back, and only the kinds it counts --------------------------------------------


def test_an_intervention_older_than_the_look_back() -> None:
    old = {"kind": "intervention", "ref": "GY-1", "category": "intervention", "start": "2021-01-10"}
    answer = ask(world(persons="O", records={"O": [old]}), "O", "promotion")
    (fact,) = answer.facts
    assert (fact.kind, fact.ended_on, fact.details["lookback_years"]) == (
        "intervention_too_old", date(2026, 1, 10), 5,
    )  # fmt: skip
    assert gives(answer) == [[("promotion_review", "R6", "review")]]


def test_an_old_inquiry_is_no_fact_it_never_counts() -> None:
    old = {"kind": "intervention", "ref": "GY-2", "category": "inquiry", "start": "2021-01-10"}
    assert ask(world(persons="O", records={"O": [old]}), "O", "promotion").facts == ()


# --- R3: listed holders below the threshold -----------------------------------------------------


@cache
def _packaged() -> dict[str, Any]:
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _threshold(pct: float) -> Catalog:
    data = copy.deepcopy(_packaged())
    data["rules"]["R3"]["threshold_pct"] = pct
    return parse_catalog(data, "changed.yaml")


def test_listed_holders_below_the_threshold() -> None:
    records = {"L": [blacklist("B1")], "M": [blacklist("B2")]}
    rels = [holds("L", "C", 30), holds("M", "C", 10), holds("N", "C", 60)]
    graph = world("C", "LMN", records, rels)
    answer = ask(graph, "C", "bidding")
    (fact,) = answer.facts
    assert (fact.kind, fact.details["sum_pct"], fact.details["threshold_pct"]) == (
        "stake_below_threshold", 40.0, 50.0,
    )  # fmt: skip
    assert [(h["party_id"], h["stake_pct"]) for h in fact.details["holders"]] == [
        ("L", 30.0),
        ("M", 10.0),
    ]
    assert gives(answer) == [[("enhanced_supervision", "R3", "review")]]
    # the catalog's threshold decides: at 40% they control it, and nothing is missing
    lower = ask(graph, "C", "bidding", catalog=_threshold(40))
    assert (lower.decision, lower.facts) == ("review", ())
    # nor is it a fact where R3's measure has no effect
    assert ask(graph, "C", "civil_service_hiring").facts == ()


# --- what is never reported ---------------------------------------------------------------------


def test_nothing_is_stronger_than_deny() -> None:
    answer = ask(
        world("C", records={"C": [debtor("X|C"), debtor("Y|C", end="2025-01-01")]}), "C", "bidding"
    )
    assert (answer.decision, answer.facts) == ("deny", ())


def test_a_fact_that_would_not_restrict_in_this_context() -> None:
    graph = world("C", "L", {"C": [debtor("X|C", end="2025-01-01")]}, [rep("L", "C")])
    assert ask(graph, "L", "bidding").facts == ()  # R1's bans have no effect in bidding


def test_the_decision_is_the_propagations_and_only_stronger_facts_count() -> None:
    graph = world(
        "C", "L", {"L": [blacklist("B")], "C": [blacklist("OLD", end="2025-01-01")]},
        [holds("L", "C", 60)],
    )  # fmt: skip
    answer = ask(graph, "C", "land_supply")
    names = [m.measure for m in measures(graph)["C"]]
    assert answer.decision == decide(names, "land_supply", False).value == "review"
    assert kinds(answer) == [("record_ended", 0, "C")]
    assert gives(answer) == [[("blacklist", None, "restrict")]]


def test_a_day_before_any_data_has_no_facts() -> None:
    graph = world(
        "C", "L", {"C": [debtor("X|C", end="2025-01-01")]}, [rep("L", "C", until="2022-01-01")]
    )
    answer = ask(graph, "L", "high_consumption", as_of=date(1990, 1, 1))
    assert (answer.decision, answer.facts) == ("allow", ())


def test_the_json_answer() -> None:
    graph = world("C", "L", {"C": [debtor("X|C", end="2025-01-01")]}, [rep("L", "C")])
    body = as_json(ask(graph, "L", "high_consumption"))
    assert list(body) == ["party_id", "context", "as_of", "decision", "catalog_version", "facts"]
    (fact,) = body["facts"]
    assert (fact["kind"], fact["ended_by"], fact["ended_on"], fact["record"]["start"]) == (
        "record_ended", "expired", "2025-01-01", "2021-06-01",
    )  # fmt: skip
    assert {"explanation", "hops", "would_give", "provenance"} <= set(fact)
