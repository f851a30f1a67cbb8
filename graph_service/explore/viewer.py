"""Shaping neighbourhoods and paths for a graph viewer: flat node and edge lists.

A viewer (vis-network, Cytoscape, G6 …) draws ``nodes`` with an ``id`` and ``edges`` with a
``source`` and a ``target`` naming those ids. Node ids are the natural keys (``party_id`` for
parties, ``case_no`` for cases), so two answers can be merged on the client.

A neighbourhood is grown breadth first, one step per depth: :meth:`Subgraph.add_step` adds the
edges found from the current frontier and returns the next frontier. It never holds more than
``max_nodes`` nodes; an edge whose far end does not fit is dropped and ``truncated`` is set.

>>> g = Subgraph.start(ViewNode("A", "company", "A Co", 0), max_nodes=3)
>>> g.add_step([step("e1", "P", "A", ViewNode("P", "person", "P", 1)),
...             step("e2", "A", "B", ViewNode("B", "company", "B Co", 1)),
...             step("e3", "A", "C", ViewNode("C", "company", "C Co", 1))])
['P', 'B']
>>> sorted(g.nodes), sorted(g.edges), g.truncated
(['A', 'B', 'P'], ['e1', 'e2'], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ViewNode:
    """A node to draw: a party (``kind`` company / person / official) or a case."""

    id: str
    kind: str
    label: str
    depth: int
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ViewEdge:
    """An edge to draw, directed as stored (holder → company, party → case, …)."""

    id: str
    source: str
    target: str
    type: str
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Step:
    """One edge found from the frontier and the node at its far end."""

    edge: ViewEdge
    other: ViewNode


def step(edge_id: str, source: str, target: str, other: ViewNode, type_: str = "REL") -> Step:
    """A :class:`Step` with an edge of ``type_`` (a shorthand for examples and tests)."""
    return Step(ViewEdge(edge_id, source, target, type_), other)


@dataclass
class Subgraph:
    """Nodes and edges keyed by id, with the node cap and whether anything was left out."""

    root: str
    max_nodes: int
    nodes: dict[str, ViewNode] = field(default_factory=dict)
    edges: dict[str, ViewEdge] = field(default_factory=dict)
    truncated: bool = False

    @classmethod
    def start(cls, root: ViewNode, max_nodes: int) -> Subgraph:
        """A subgraph holding only ``root``."""
        return cls(root.id, max_nodes, nodes={root.id: root})

    def add_step(self, steps: Iterable[Step]) -> list[str]:
        """Adds the edges of one breadth-first step; returns the new nodes (next frontier)."""
        frontier: list[str] = []
        for found in steps:
            if found.other.id not in self.nodes:
                if len(self.nodes) >= self.max_nodes:
                    self.truncated = True
                    continue
                self.nodes[found.other.id] = found.other
                frontier.append(found.other.id)
            self.edges.setdefault(found.edge.id, found.edge)
        return frontier

    def add_path(self, nodes: list[ViewNode], edges: list[ViewEdge]) -> None:
        """Adds one path (nodes in order, depth = position), keeping the first depth seen.

        >>> g = Subgraph.start(ViewNode("A", "person", "A", 0), max_nodes=10)
        >>> g.add_path([ViewNode("A", "person", "A", 0), ViewNode("B", "company", "B", 1)],
        ...            [ViewEdge("e", "A", "B", "HOLDS_SHARES")])
        >>> list(g.nodes), list(g.edges)
        (['A', 'B'], ['e'])
        """
        for node in nodes:
            self.nodes.setdefault(node.id, node)
        for edge in edges:
            self.edges.setdefault(edge.id, edge)
