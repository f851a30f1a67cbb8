"""Controllers of a company (实际控制人), as the joint-punishment policy defines them (§3).

A *control edge* points from a controller to the party it controls:

* ``HOLDS_SHARES`` — a holder whose active stake exceeds 50%;
* ``ACTUAL_CONTROLLER`` — a person with an active officer role ``actual_controller``.

The controllers of a company are the sources of its control edges and, recursively, the
controllers of those sources (a chain of majority-owned companies): in the control graph they
are exactly the company's ancestors. The *ultimate* controllers are those nobody controls.

Activity on a date is decided when the edges are read; this module applies the >50% rule so
that a stake of exactly 50% never controls, whoever supplied the edges.

>>> g = control_graph([
...     ControlEdge("P", "A", "HOLDS_SHARES", 70.0),
...     ControlEdge("A", "B", "HOLDS_SHARES", 60.0),
...     ControlEdge("Q", "B", "HOLDS_SHARES", 40.0),
...     ControlEdge("R", "A", "ACTUAL_CONTROLLER"),
... ])
>>> [(c.party, c.chains, c.ultimate) for c in controllers(g, "B")]
[('A', [('A', 'B')], False), ('P', [('P', 'A', 'B')], True), ('R', [('R', 'A', 'B')], True)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice, pairwise

import networkx as nx

#: A holder controls when its stake exceeds this many percent (never at exactly 50).
MAJORITY_PCT = 50.0


@dataclass(frozen=True)
class ControlEdge:
    """One relationship that may make ``controller`` control ``controlled``."""

    controller: str
    controlled: str
    relation: str  # HOLDS_SHARES | ACTUAL_CONTROLLER
    stake_pct: float | None = None


@dataclass(frozen=True)
class ControlHop:
    """One link of a control chain and the relations that make it one."""

    controller: str
    controlled: str
    relations: tuple[str, ...]
    stake_pct: float | None


@dataclass(frozen=True)
class Controller:
    """A controller of the company and every chain (controller first) that makes it one."""

    party: str
    chains: list[tuple[str, ...]]
    ultimate: bool


def is_control(edge: ControlEdge) -> bool:
    """True when the edge confers control under the policy.

    >>> is_control(ControlEdge("P", "A", "HOLDS_SHARES", 50.0))
    False
    >>> is_control(ControlEdge("P", "A", "ACTUAL_CONTROLLER"))
    True
    """
    if edge.relation == "HOLDS_SHARES":
        return edge.stake_pct is not None and edge.stake_pct > MAJORITY_PCT
    return edge.relation == "ACTUAL_CONTROLLER"


def control_graph(edges: Iterable[ControlEdge]) -> nx.MultiDiGraph[str]:
    """The control graph of ``edges`` (those that confer control), keyed by relation."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for edge in edges:
        if is_control(edge):
            graph.add_edge(
                edge.controller, edge.controlled, key=edge.relation, stake_pct=edge.stake_pct
            )
    return graph


def controllers(
    graph: nx.MultiDiGraph[str], company: str, max_chains: int = 20
) -> list[Controller]:
    """The company's controllers, sorted by id, each with up to ``max_chains`` chains.

    Notes
    -----
    Ancestors by one reverse traversal, O(V + E); chains by simple-path enumeration, which
    majority control keeps short (each company has at most one majority holder).
    """
    if company not in graph:
        return []
    found = []
    for party in sorted(nx.ancestors(graph, company)):
        paths = nx.all_simple_paths(graph, party, company)
        chains = sorted({tuple(p) for p in islice(paths, max_chains)}, key=lambda c: (len(c), c))
        found.append(Controller(party, chains, ultimate=graph.in_degree(party) == 0))
    return found


def chain_hops(graph: nx.MultiDiGraph[str], chain: tuple[str, ...]) -> list[ControlHop]:
    """Each hop of ``chain`` with every relation that confers control on it.

    >>> g = control_graph([ControlEdge("R", "A", "ACTUAL_CONTROLLER"),
    ...                    ControlEdge("R", "A", "HOLDS_SHARES", 80.0)])
    >>> [(h.relations, h.stake_pct) for h in chain_hops(g, ("R", "A"))]
    [(('ACTUAL_CONTROLLER', 'HOLDS_SHARES'), 80.0)]
    """
    hops = []
    for controller, controlled in pairwise(chain):
        keys = graph[controller][controlled]
        stake = keys["HOLDS_SHARES"]["stake_pct"] if "HOLDS_SHARES" in keys else None
        hops.append(ControlHop(controller, controlled, tuple(sorted(keys)), stake))
    return hops
