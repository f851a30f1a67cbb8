"""The incremental scope is exact: recomputing affected(X) from dependencies(affected(X))
gives what a full run gives, and parties outside affected(X) do not change.

Random small worlds (the same strategies as the analysis property tests) and random changes:
a new record at a party, or a new relationship.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service.analysis import build_graph, compute_measures
from graph_service.policy import default_catalog
from graph_service.propagation.scope import (
    CountedHops,
    GraphHops,
    affected,
    dependencies,
    within,
)
from tests.analysis.test_properties import AS_OF, PARTIES, records, relationships, worlds


def _measures(graph: nx.MultiDiGraph[str]) -> dict[str, list[dict[str, Any]]]:
    found = compute_measures(graph, default_catalog(), AS_OF)
    return {party: [m.as_dict() for m in ms] for party, ms in found.items()}


def _hops(parties: list[dict[str, Any]], rels: list[dict[str, Any]]) -> GraphHops:
    edges = [(r["source"], r["target"], r["type"]) for r in rels]
    named = [
        (p["party_id"], str(rec[field]))
        for p in parties
        for rec in p["records"]
        for field in ("named_legal_rep_id", "named_finance_officer_id")
        if rec.get(field)
    ]
    return GraphHops.of(edges, named)


@st.composite
def changes(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    if draw(st.booleans()):
        party = draw(st.sampled_from(PARTIES))
        return "record", {"party": party, "record": draw(records(party))}
    return "relationship", draw(relationships())


def _apply(world: Any, change: tuple[str, dict[str, Any]]) -> tuple[Any, set[str]]:
    parties, rels = world
    what, data = change
    if what == "record":
        party, record = data["party"], {**data["record"], "ref": "CHANGED"}
        touched = {party} | {str(record[f]) for f in ("named_legal_rep_id",) if record.get(f)}
        parties = [
            {**p, "records": [*p["records"], record]} if p["party_id"] == party else p
            for p in parties
        ]
        return (parties, rels), touched
    if data["source"] == data["target"]:
        return (parties, rels), set()
    return (parties, [*rels, data]), {data["source"], data["target"]}


@settings(max_examples=150, deadline=None)
@given(worlds(), st.lists(changes(), min_size=1, max_size=3))
def test_incremental_scope_gives_the_full_result(world: Any, steps: list[Any]) -> None:
    before = _measures(build_graph(*world))
    for step in steps:
        world, touched = _apply(world, step)
        graph = build_graph(*world)
        hops = _hops(*world)
        targets = affected(hops, touched)
        deps = dependencies(hops, targets)
        incremental = _measures(graph.subgraph(deps & set(graph)))
        full = _measures(graph)
        # Affected parties: the scoped computation equals the full one.
        assert {p: m for p, m in incremental.items() if p in targets} == {
            p: m for p, m in full.items() if p in targets
        }
        # Everyone else: unchanged by the change.
        assert {p: m for p, m in full.items() if p not in targets} == {
            p: m for p, m in before.items() if p not in targets
        }
        before = full


def _chain_world(with_record_at: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """P is actual controller of C1, which holds 60% of C2: P controls C2 through the chain."""
    record = {
        "C2": {"kind": "dishonest_debtor", "ref": "D|C2", "start": "2024-01-01"},
        "P": {"kind": "bribery_conviction", "ref": "K", "role": "briber", "start": "2024-01-01"},
    }
    parties = [
        {"party_id": p, "kind": k, "name": p, "records": []}
        for p, k in (("P", "person"), ("C1", "company"), ("C2", "company"))
    ]
    for party in parties:
        if party["party_id"] == with_record_at:
            party["records"] = [record[str(with_record_at)]]
    rels = [
        {"type": "OFFICER_OF", "source": "P", "target": "C1", "role": "actual_controller"},
        {"type": "HOLDS_SHARES", "source": "C1", "target": "C2", "stake_pct": 60},
    ]
    return parties, rels


def test_a_listing_reaches_the_controller_of_a_holding_company() -> None:
    # R1: C2 listed → P (actual controller of C2's majority holder) is restricted.
    world = _chain_world("C2")
    hops = _hops(*world)
    targets = affected(hops, {"C2"})
    assert "P" in targets
    full = _measures(build_graph(*world))
    graph = build_graph(*world)
    scoped = _measures(graph.subgraph(dependencies(hops, targets)))
    assert [m["rule"] for m in full["P"]] == ["R1", "R1"]
    assert scoped["P"] == full["P"]


def test_a_conviction_reaches_the_company_controlled_through_a_chain() -> None:
    # R5: P convicted of bribery → C2 (controlled by P through C1) gets a bidding ban.
    world = _chain_world("P")
    hops = _hops(*world)
    targets = affected(hops, {"P"})
    assert "C2" in targets
    graph = build_graph(*world)
    full = _measures(graph)
    scoped = _measures(graph.subgraph(dependencies(hops, {"C2"})))
    assert "bidding_ban" in [m["measure"] for m in full["C2"]]
    assert scoped["C2"] == full["C2"]


@settings(max_examples=150, deadline=None)
@given(worlds(), st.sampled_from(PARTIES), st.integers(min_value=0, max_value=12))
def test_a_search_with_a_limit_finds_the_exact_sets_or_none(
    world: Any, party: str, limit: int
) -> None:
    hops = _hops(*world)
    targets = affected(hops, {party})
    read = dependencies(hops, targets)
    expected = (targets, read) if max(len(targets), len(read)) <= limit else None
    assert within(hops, {party}, limit) == expected


def test_a_search_past_its_limit_stops_reading_within_the_level() -> None:
    # C2 has 30 holders: with a limit of 10, 11 rows of the level show the scope is too large
    hops = CountedHops(GraphHops.of([(f"P{i:02}", "C2", "HOLDS_SHARES") for i in range(30)]))
    assert within(hops, {"C2"}, 10) is None
    assert hops.rows == [11]


def test_a_level_cut_short_below_the_limit_is_asked_again_until_whole() -> None:
    # 12 persons each hold shares in C2 and are its officers: 24 rows, 12 new parties; cut at
    # 14 rows the level has not passed the limit of 13, so it is asked again (56 rows: whole)
    edges = [(f"P{i:02}", "C2", t) for i in range(12) for t in ("HOLDS_SHARES", "OFFICER_OF")]
    hops = CountedHops(GraphHops.of(edges))
    found = within(hops, {"C2"}, 13)
    assert found is not None and found[0] == {"C2", *(f"P{i:02}" for i in range(12))}
    assert hops.rows[:2] == [14, 24]


def test_a_larger_limit_is_asked_for_only_when_the_search_passes_the_first() -> None:
    # The runner's limit beyond 1,000 parties needs the party count (a round trip): a search
    # that stays within the first limit never asks for it, one that passes it asks once
    hops = GraphHops.of([(f"P{i:02}", "C2", "HOLDS_SHARES") for i in range(30)])
    asked: list[int] = []

    def larger(value: int) -> Callable[[], int]:
        return lambda: asked.append(value) or value

    assert within(hops, {"C2"}, 31, larger(40)) is not None and asked == []
    found = within(hops, {"C2"}, 10, larger(40))
    assert found is not None and len(found[0]) == 31 and asked == [40]
    assert within(hops, {"C2"}, 10, larger(20)) is None and asked == [40, 20]
