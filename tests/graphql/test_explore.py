"""Pure functions behind the ownership views (graph_service.explore and the control rule of
graph_service.analysis.control): edge cases the doctests do not cover."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph_service.analysis.control import CONTROL, Controller, control_chains, control_graph
from graph_service.analysis.graph import build_graph
from graph_service.explore.penetration import effective_stakes, ownership_chains
from graph_service.explore.viewer import Subgraph, ViewNode, step


def _holdings(*edges: tuple[str, str, float]) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph()
    for holder, company, stake in edges:
        graph.add_edge(holder, company, stake_pct=stake)
    return graph


def test_cross_holdings_terminate_and_count_each_simple_chain_once() -> None:
    # A and B hold each other; P holds A
    graph = _holdings(("A", "B", 40.0), ("B", "A", 30.0), ("P", "A", 70.0))
    chains = ownership_chains(graph, "B", "up", max_depth=6).chains
    assert [c.parties for c in chains] == [("B", "A"), ("B", "A", "P")]
    assert effective_stakes(chains) == {"A": 40.0, "P": pytest.approx(28.0)}


def test_chains_stop_at_max_depth_and_max_chains() -> None:
    graph = _holdings(*[(f"H{i}", f"H{i + 1}", 100.0) for i in range(10)])
    assert len(ownership_chains(graph, "H10", "up", max_depth=3).chains) == 3
    wide = _holdings(*[(f"P{i}", "C", 1.0) for i in range(20)])
    cut = ownership_chains(wide, "C", "up", max_depth=2, max_chains=5)
    assert len(cut.chains) == 5 and cut.truncated is True


def test_unknown_root_has_no_chains() -> None:
    assert ownership_chains(_holdings(), "X", "down", max_depth=3).chains == []


def _controllers(graph: nx.MultiDiGraph[str], company: str) -> list[Controller]:
    """The controllers the GraphQL views show, under the packaged catalog's rule."""
    return control_chains(control_graph(graph, company, CONTROL, date(2026, 11, 26)), company)


def test_exactly_half_never_controls_and_control_cycles_terminate() -> None:
    graph = build_graph(
        [{"party_id": p, "kind": "person" if p in "PQ" else "company"} for p in "PQAB"],
        [
            {"type": "HOLDS_SHARES", "source": "P", "target": "A", "stake_pct": 50.0},
            {"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 51.0},
            {"type": "HOLDS_SHARES", "source": "B", "target": "A", "stake_pct": 60.0},  # cross
            {"type": "OFFICER_OF", "source": "Q", "target": "B", "role": "director"},  # no control
        ],
    )
    found = {c.party: c for c in _controllers(graph, "B")}
    assert set(found) == {"A"}  # P's 50% does not control; B does not control itself
    assert found["A"].chains == [("A", "B")]
    assert found["A"].ultimate is False  # B controls A in turn
    assert _controllers(graph, "nobody") == []


def test_a_subgraph_never_exceeds_its_node_cap_and_keeps_edges_among_kept_nodes() -> None:
    graph = Subgraph.start(ViewNode("R", "company", "R", 0), max_nodes=2)
    added = graph.add_step(
        [
            step("e1", "R", "A", ViewNode("A", "person", "A", 1)),
            step("e2", "A", "R", ViewNode("R", "company", "R", 1)),  # back to the root: kept
            step("e3", "R", "B", ViewNode("B", "person", "B", 1)),  # no room
        ]
    )
    assert added == ["A"]
    assert set(graph.edges) == {"e1", "e2"} and graph.truncated is True
    assert graph.nodes["R"].depth == 0
