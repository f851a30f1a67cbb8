"""R3 — the aggregate 50% rule as a fixed point; R4 — branches inherit every measure."""

from __future__ import annotations

from datetime import date

from graph_service.analysis.listed import listing
from graph_service.analysis.rule_context import Context
from graph_service.policy import default_catalog
from tests.analysis.helpers import (
    AS_OF,
    blacklist,
    branch,
    conviction,
    debtor,
    holds,
    measures,
    names,
    rep,
    route,
    world,
)

ES = ("enhanced_supervision", "R3")
# a listed person (listed in 2025: its 3-year publication period outlasts every date here)
L = {"L": [blacklist("B-L", start="2025-06-01")]}


def _controlled(graph: object) -> set[str]:
    ctx = Context.of(graph, default_catalog(), AS_OF)  # type: ignore[arg-type]
    return set(listing(ctx).controlled)


def test_exactly_fifty_percent_is_enough_but_not_less() -> None:
    assert _controlled(world("C", "L", L, [holds("L", "C", 50)])) == {"C"}
    assert _controlled(world("C", "L", L, [holds("L", "C", 49.99)])) == set()


def test_listed_parties_add_up() -> None:
    records = {**L, "M": [blacklist("B-M")]}
    graph = world(
        "C", "LMN", records, [holds("L", "C", 25), holds("M", "C", 25), holds("N", "C", 50)]
    )
    found = measures(graph)
    assert names(found, "C") == {ES}
    assert sorted(route(m) for m in found["C"]) == [["L", "C"], ["M", "C"]]


def test_listed_controlled_stakes_count_in_full_and_others_not_at_all() -> None:
    # A is listed-controlled (60%): its 25% of C counts in full. N is not listed-controlled
    # (L holds 40% of it), so its 30% of C counts for nothing.
    rels = [
        holds("L", "A", 60),
        holds("L", "N", 40),
        holds("A", "C", 25),
        holds("L", "C", 25),
        holds("N", "D", 30),
        holds("L", "D", 20),
    ]
    graph = world("ANCD", "L", L, rels)
    assert _controlled(graph) == {"A", "C"}
    assert sorted(route(m) for m in measures(graph)["C"]) == [["L", "A", "C"], ["L", "C"]]


def test_ownership_cycle_without_a_listed_party_lists_nobody() -> None:
    graph = world("ABC", rels=[holds("A", "B", 60), holds("B", "C", 60), holds("C", "A", 60)])
    assert measures(graph) == {}


def test_ownership_cycle_with_a_listed_holder_terminates() -> None:
    rels = [
        holds("L", "A", 50),
        holds("A", "B", 60),
        holds("B", "A", 30),
        holds("B", "C", 10),
        holds("C", "B", 40),
    ]
    graph = world("ABC", "L", L, rels)
    assert _controlled(graph) == {"A", "B"}
    found = measures(graph)
    assert sorted(route(m) for m in found["A"]) == [["L", "A"]]  # B's stake via A is circular
    assert sorted(route(m) for m in found["B"]) == [["L", "A", "B"]]


def test_mutual_holdings_do_not_list_themselves_after_the_record_ends() -> None:
    # while L is listed, A and B list each other too; when L's record ends, both drop out
    records = {"L": [blacklist("B-L", end="2027-01-01")]}
    rels = [holds("L", "A", 50), holds("A", "B", 50), holds("B", "A", 50)]
    graph = world("AB", "L", records, rels)
    found = measures(graph)
    assert {m.until for ms in found.values() for m in ms} == {date(2026, 12, 31)}
    assert measures(graph, as_of=date(2027, 1, 1)) == {}


def test_stake_that_ended_counts_no_more() -> None:
    rels = [holds("L", "C", 30), holds("M", "C", 25, until="2026-11-26")]
    graph = world("C", "LM", {**L, "M": [blacklist("B-M")]}, rels)
    assert _controlled(graph) == set()
    assert _controlled(graph.copy()) == set()


def test_until_is_when_the_aggregate_falls_below_the_threshold() -> None:
    rels = [holds("L", "C", 30, until="2027-06-01"), holds("M", "C", 30)]
    records = {  # listed late enough that 3-year publication periods outlast every end here
        "L": [blacklist("B-L", start="2025-06-01")],
        "M": [blacklist("B-M", start="2026-01-01", end="2029-01-01")],
    }
    found = measures(world("C", "LM", records, rels))
    assert {m.until for m in found["C"]} == {date(2027, 5, 31)}
    more = [*rels, holds("N", "C", 25)]
    n = {"N": [blacklist("B-N", start="2026-02-01")]}
    found = measures(world("C", "LMN", {**records, **n}, more))
    assert {m.until for m in found["C"]} == {date(2028, 12, 31)}  # M and N keep 55%


def test_a_branch_of_a_listed_entity_is_listed() -> None:
    rels = [branch("B", "P"), holds("B", "C", 50)]
    graph = world("PBC", records={"P": [debtor("X|P")]}, rels=rels)
    found = measures(graph)
    assert names(found, "C") == {ES}
    assert route(found["C"][0]) == ["P", "B", "C"]


def test_briber_is_a_serious_record_for_r3() -> None:
    records = {"P": [conviction("K", "P", "briber", "2023-01-01")]}
    assert _controlled(world("C", "P", records, [holds("P", "C", 50)])) == {"C"}
    taker = {"P": [conviction("K", "P", "bribe_taker", "2023-01-01")]}
    assert _controlled(world("C", "P", taker, [holds("P", "C", 50)])) == set()


def test_repaired_record_lists_nobody() -> None:
    records = {"L": [blacklist("B-L", voided_on="2026-06-01")]}
    assert measures(world("C", "L", records, [holds("L", "C", 100)])) == {}


# --- R4 ---------------------------------------------------------------------------------------


def test_branch_gets_direct_and_derived_measures_of_its_parent() -> None:
    records = {"L": [blacklist("B-L")], "R": [conviction("K", "R", "briber", "2023-01-01")]}
    rels = [holds("L", "P", 50), rep("R", "P"), branch("B", "P")]
    found = measures(world("PB", "LR", records, rels))
    assert names(found, "P") == {ES, ("bidding_ban", "R5")}
    assert names(found, "B") == {("enhanced_supervision", "R4"), ("bidding_ban", "R4")}
    inherited = next(m for m in found["B"] if m.measure == "bidding_ban")
    assert route(inherited) == ["R", "P", "B"]
    assert inherited.path[-1].relation == "BRANCH_OF"
    assert "分公司不具有法人资格" in inherited.basis and "R5" in inherited.basis


def test_branches_of_listed_controlled_companies_and_of_branches() -> None:
    rels = [holds("L", "P", 100), branch("B", "P"), branch("BB", "B", until="2027-03-01")]
    found = measures(world(["P", "B", "BB"], "L", L, rels))
    assert names(found, "BB") == {("enhanced_supervision", "R4")}
    (m,) = found["BB"]
    assert route(m) == ["L", "P", "B", "BB"] and m.until == date(2027, 2, 28)


def test_branch_cycle_does_not_loop() -> None:
    rels = [branch("A", "B"), branch("B", "A")]
    found = measures(world("AB", records={"A": [debtor("X|A")]}, rels=rels))
    assert names(found, "B") == {("dishonest_debtor", "R4")}
    assert names(found, "A") == {("dishonest_debtor", None)}
