"""One control rule: the propagation's controllers and the ownership views' chains agree for
any threshold and roles of the catalog, and the threshold moves both alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service.analysis.control import (
    chain_hops,
    control_chains,
    control_graph,
    control_in,
    controllers,
)
from graph_service.analysis.graph import build_graph
from graph_service.policy import Control

AS_OF = date(2026, 11, 26)
COMPANIES = [f"C{i}" for i in range(6)]
PERSONS = [f"P{i}" for i in range(3)]
DATES = [None, "2020-01-01", "2026-11-27"]

holding = st.fixed_dictionaries(
    {
        "type": st.just("HOLDS_SHARES"),
        "source": st.sampled_from(COMPANIES + PERSONS),
        "target": st.sampled_from(COMPANIES),
        "stake_pct": st.sampled_from([10, 20, 30, 35, 40, 50, 60, 100]),
        "until": st.sampled_from(DATES),
    }
)
officer = st.fixed_dictionaries(
    {
        "type": st.just("OFFICER_OF"),
        "source": st.sampled_from(PERSONS),
        "target": st.sampled_from(COMPANIES),
        "role": st.sampled_from(["actual_controller", "nominee", "director"]),
        "until": st.sampled_from(DATES),
    }
)
rules = st.builds(
    Control,
    majority_pct=st.sampled_from([30.0, 50.0, 70.0]),
    officer_roles=st.sampled_from([(), ("actual_controller",), ("actual_controller", "nominee")]),
)


def _world(rels: list[dict[str, Any]]) -> Any:
    parties = [{"party_id": c, "kind": "company"} for c in COMPANIES]
    parties += [{"party_id": p, "kind": "person"} for p in PERSONS]
    return build_graph(parties, [r for r in rels if r["source"] != r["target"]])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(holding, officer), max_size=14), rules, st.sampled_from(COMPANIES))
def test_views_and_propagation_find_the_same_controllers(
    rels: list[dict[str, Any]], rule: Control, company: str
) -> None:
    graph = _world(rels)
    above = control_graph(graph, company, rule, AS_OF)
    shown = control_chains(above, company, max_chains=1000)
    assert {c.party for c in shown} == set(controllers(graph, company, rule, AS_OF))
    for found in shown:  # every hop of every chain is a step of the rule
        for chain in found.chains:
            for hop in chain_hops(above, chain):
                steps = control_in(graph, hop.controlled, rule, AS_OF)
                assert hop.controller in {s.party for s in steps}


@settings(max_examples=100, deadline=None)
@given(st.lists(holding, max_size=14), st.sampled_from(COMPANIES))
def test_a_lower_threshold_never_loses_a_controller(
    rels: list[dict[str, Any]], company: str
) -> None:
    graph = _world(rels)
    found = {pct: set(controllers(graph, company, Control(pct, ()), AS_OF)) for pct in (30.0, 50.0)}
    assert found[50.0] <= found[30.0]


def test_a_holders_rows_add_up_and_the_threshold_is_strict() -> None:
    graph = _world(
        [
            {"type": "HOLDS_SHARES", "source": "P0", "target": "C0", "stake_pct": 20},
            {"type": "HOLDS_SHARES", "source": "P0", "target": "C0", "stake_pct": 20},
            {"type": "HOLDS_SHARES", "source": "P1", "target": "C0", "stake_pct": 30},
        ]
    )
    at_30 = control_chains(control_graph(graph, "C0", Control(30.0, ()), AS_OF), "C0")
    assert [c.party for c in at_30] == ["P0"]  # 20 + 20 > 30; P1's 30 is not above 30
    assert set(controllers(graph, "C0", Control(50.0, ()), AS_OF)) == set()
