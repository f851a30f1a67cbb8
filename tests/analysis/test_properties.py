"""Properties over random small worlds: components, determinism, R3 monotonicity, paths."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service.analysis import affected_component, build_graph, compute_measures
from graph_service.analysis.listed import listing
from graph_service.analysis.rule_context import Context
from graph_service.policy import default_catalog

AS_OF = date(2026, 11, 26)
DATES = [None, "2020-01-01", "2026-11-26", "2026-11-27", "2028-01-01"]
STAKES = [10, 25, 30, 49.99, 50, 50.01, 60, 100]
COMPANIES = [f"C{i}" for i in range(7)]
PERSONS = [f"P{i}" for i in range(4)]
PARTIES = COMPANIES + PERSONS

dates = st.sampled_from(DATES)
companies = st.sampled_from(COMPANIES)
persons = st.sampled_from(PERSONS)


@st.composite
def records(draw: st.DrawFn, party: str) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "dishonest_debtor",
                "blacklist",
                "tax_violation",
                "bribery_conviction",
                "official_record",
                "red_list",
            ]
        )
    )
    record: dict[str, Any] = {
        "kind": kind,
        "ref": f"{party}-{draw(st.integers(0, 99))}",
        "start": draw(st.sampled_from(["2021-11-27", "2024-01-01"])),
        "end": draw(dates),
        "voided_on": draw(dates),
    }
    if kind == "bribery_conviction":
        record["role"] = draw(st.sampled_from(["briber", "bribe_taker"]))
    if kind == "official_record":
        record["category"] = draw(st.sampled_from(["discipline", "award"]))
    if kind == "tax_violation":
        record["named_legal_rep_id"] = draw(persons)
    return record


@st.composite
def relationships(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "HOLDS_SHARES",
                "HOLDS_SHARES",
                "OFFICER_OF",
                "LEGAL_REP_OF",
                "BRANCH_OF",
                "SHARES_CONTACT",
            ]
        )
    )
    person_source = kind in ("OFFICER_OF", "LEGAL_REP_OF") or draw(st.booleans())
    source = draw(persons if person_source and kind != "BRANCH_OF" else companies)
    target, since, until = draw(companies), draw(dates), draw(dates)
    rel: dict[str, Any] = {
        "type": kind,
        "source": source,
        "target": target,
        "since": since,
        "until": until,
    }
    if kind == "HOLDS_SHARES":
        rel["stake_pct"] = draw(st.sampled_from(STAKES))
    if kind == "OFFICER_OF":
        rel["role"] = draw(st.sampled_from(["principal", "actual_controller", "chair"]))
    return rel


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    parties = []
    for party in PARTIES:
        kind = "company" if party.startswith("C") else "person"
        own = draw(st.lists(records(party), max_size=2, unique_by=lambda r: r["ref"]))
        parties.append({"party_id": party, "kind": kind, "name": party, "records": own})
    rels = draw(st.lists(relationships(), max_size=14))
    return parties, [r for r in rels if r["source"] != r["target"]]


def _compute(graph: nx.MultiDiGraph[str]) -> dict[str, list[dict[str, Any]]]:
    found = compute_measures(graph, default_catalog(), AS_OF)
    return {party: [m.as_dict() for m in ms] for party, ms in found.items()}


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_components_alone_give_the_same_measures(world: Any) -> None:
    graph = build_graph(*world)
    whole = _compute(graph)
    seen: set[str] = set()
    for party in PARTIES:
        if party in seen:
            continue
        component = affected_component(graph, [party])
        seen |= component
        alone = _compute(graph.subgraph(component & set(graph)))
        assert alone == {p: ms for p, ms in whole.items() if p in component}


@settings(max_examples=100, deadline=None)
@given(worlds(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_insertion_order(world: Any, rnd: random.Random) -> None:
    parties, rels = world
    shuffled_parties, shuffled_rels = parties[:], rels[:]
    rnd.shuffle(shuffled_parties)
    rnd.shuffle(shuffled_rels)
    assert _compute(build_graph(parties, rels)) == _compute(
        build_graph(shuffled_parties, shuffled_rels)
    )


@settings(max_examples=100, deadline=None)
@given(worlds(), st.sampled_from(PARTIES))
def test_r3_is_monotone_in_the_listed_parties(world: Any, newly_listed: str) -> None:
    parties, rels = world
    before = _controlled(build_graph(parties, rels))
    record = {"kind": "blacklist", "ref": "NEW", "start": "2026-01-01"}
    more = [
        {**p, "records": [*p["records"], record]} if p["party_id"] == newly_listed else p
        for p in parties
    ]
    after = _controlled(build_graph(more, rels))
    assert set(before) <= set(after)
    assert all(after[c] >= end for c, end in before.items())


def _controlled(graph: nx.MultiDiGraph[str]) -> dict[str, date]:
    return listing(Context.of(graph, default_catalog(), AS_OF)).controlled


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_every_measure_explains_itself(world: Any) -> None:
    graph = build_graph(*world)
    for party, found in compute_measures(graph, default_catalog(), AS_OF).items():
        assert len({m.key for m in found}) == len(found)
        for m in found:
            assert m.path[0].party_id == m.record.party_id and m.path[-1].party_id == party
            assert m.until is None or m.until >= AS_OF
            assert (
                (m.origin == "direct") == (m.rule is None) == (len(m.path) == 1 and m.rule is None)
            )
            for a, b in zip(m.path, m.path[1:], strict=False):
                assert b.relation == "NAMED_IN" or _linked(
                    graph, a.party_id, b.party_id, str(b.relation)
                )


def _linked(graph: nx.MultiDiGraph[str], a: str, b: str, relation: str) -> bool:
    keys = [*graph.get_edge_data(a, b, default={}), *graph.get_edge_data(b, a, default={})]
    return any(str(key).partition("#")[0] == relation for key in keys)
