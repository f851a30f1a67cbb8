"""Ownership penetration (股权穿透): holding chains and effective stakes.

The input is a :class:`networkx.DiGraph` whose edges point from a holder to the company it
holds, with the attribute ``stake_pct`` (0–100). A *chain* starts at a root party and follows
holdings up (towards the holders of the root) or down (towards what the root holds); its
effective stake is the product of the stakes along it, and a party's effective stake is the
sum over every chain that reaches it.

Rule
----
Chains are simple (a party never appears twice in one chain), so cross-holdings and cycles
terminate; chains longer than ``max_depth`` are not followed.

Effective stakes say how much a party owns, not who controls: control is the catalog's rule,
decided in :mod:`graph_service.analysis.control` alone.

>>> g = toy_graph()
>>> stakes = effective_stakes(ownership_chains(g, "C", "up", max_depth=4).chains)
>>> {p: round(s, 2) for p, s in sorted(stakes.items())}
{'A': 45.0, 'B': 25.0, 'L': 10.0, 'P1': 31.5, 'P2': 13.5}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from math import prod
from typing import Literal

import networkx as nx

Direction = Literal["up", "down"]


@dataclass(frozen=True)
class Chain:
    """One holding chain from the root: ``parties[0]`` is the root, ``stakes[i]`` the stake
    of the hop between ``parties[i]`` and ``parties[i + 1]``."""

    parties: tuple[str, ...]
    stakes: tuple[float, ...]

    @property
    def end(self) -> str:
        """The party the chain reaches."""
        return self.parties[-1]

    @property
    def depth(self) -> int:
        """How many holdings the chain follows."""
        return len(self.stakes)

    @property
    def effective_pct(self) -> float:
        """The product of the stakes along the chain, in percent.

        >>> Chain(("C", "B", "A"), (25.0, 60.0)).effective_pct
        15.0
        """
        return prod(s / 100 for s in self.stakes) * 100


@dataclass(frozen=True)
class Chains:
    """Chains in depth-first order (a tree, read top to bottom) and whether any were cut."""

    chains: list[Chain]
    truncated: bool


def ownership_chains(
    graph: nx.DiGraph[str], root: str, direction: Direction, max_depth: int, max_chains: int = 500
) -> Chains:
    """Every simple holding chain from ``root``, up to ``max_depth`` hops and ``max_chains``.

    Parameters
    ----------
    graph : holder → company edges with ``stake_pct``.
    root : where the chains start.
    direction : ``"up"`` follows holders of the root, ``"down"`` what the root holds.

    Notes
    -----
    Depth-first, larger stakes first, so the output reads as a tree. Chain enumeration can be
    exponential in dense cross-holdings; ``max_chains`` bounds it and sets ``truncated``.

    >>> [c.parties for c in ownership_chains(toy_graph(), "P1", "down", 3).chains]
    [('P1', 'A'), ('P1', 'A', 'B'), ('P1', 'A', 'B', 'C'), ('P1', 'A', 'C')]
    """
    found: list[Chain] = []
    for chain in _walk(graph, Chain((root,), ()), direction, max_depth):
        if len(found) == max_chains:
            return Chains(found, truncated=True)
        found.append(chain)
    return Chains(found, truncated=False)


def _walk(
    graph: nx.DiGraph[str], chain: Chain, direction: Direction, max_depth: int
) -> Iterator[Chain]:
    if chain.depth >= max_depth:
        return
    for nxt, stake in _hops(graph, chain.end, direction):
        if nxt in chain.parties:  # a cycle: the chain would repeat a party
            continue
        longer = Chain((*chain.parties, nxt), (*chain.stakes, stake))
        yield longer
        yield from _walk(graph, longer, direction, max_depth)


def _hops(graph: nx.DiGraph[str], node: str, direction: Direction) -> list[tuple[str, float]]:
    """The next parties from ``node`` with the stake of each hop, larger stakes first."""
    if node not in graph:
        return []
    if direction == "up":
        hops = [(h, float(d["stake_pct"])) for h, _, d in graph.in_edges(node, data=True)]
    else:
        hops = [(c, float(d["stake_pct"])) for _, c, d in graph.out_edges(node, data=True)]
    return sorted(hops, key=lambda hop: (-hop[1], hop[0]))


def effective_stakes(chains: list[Chain]) -> dict[str, float]:
    """Each reached party's effective stake: the sum over its chains, in percent.

    >>> effective_stakes([Chain(("C", "A"), (30.0,)), Chain(("C", "B", "A"), (25.0, 60.0))])
    {'A': 45.0}
    """
    total: dict[str, float] = {}
    for chain in chains:
        total[chain.end] = total.get(chain.end, 0.0) + chain.effective_pct
    return total


def toy_graph() -> nx.DiGraph[str]:
    """A six-party example: P1 70% and P2 30% of A; A 60% and L 40% of B; B 25% and A 30% of C.

    >>> sorted(toy_graph().edges(data="stake_pct"))[:2]
    [('A', 'B', 60.0), ('A', 'C', 30.0)]
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    for holder, company, stake in [
        ("P1", "A", 70.0),
        ("P2", "A", 30.0),
        ("A", "B", 60.0),
        ("L", "B", 40.0),
        ("B", "C", 25.0),
        ("A", "C", 30.0),
    ]:
        graph.add_edge(holder, company, stake_pct=stake)
    return graph
