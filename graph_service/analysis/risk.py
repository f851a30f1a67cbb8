"""Peripheral risk (周边风险): how close a party sits to serious dishonesty in the graph.

Rule
----
Parties with an active serious dishonesty record score 1. Any other party scores the best,
over paths from such a party, of the product of ``decay × weight(relation)`` per hop, where
the relations are ownership, officer, legal representative, branch and shared contact, each
followed in both directions while active (weights and decay from the catalog). Scores below
``min_score`` are not kept. The score ranks leads for investigators; it never changes a
decision.

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "D", "kind": "company", "records": [
...         {"kind": "dishonest_debtor", "ref": "X|D", "start": "2021-06-01"}]},
...      {"party_id": "P", "kind": "person"}, {"party_id": "Q", "kind": "company"},
...      {"party_id": "S", "kind": "company"}],
...     [{"type": "HOLDS_SHARES", "source": "P", "target": "D", "stake_pct": 70},
...      {"type": "OFFICER_OF", "source": "P", "target": "Q", "role": "director"},
...      {"type": "SHARES_CONTACT", "source": "Q", "target": "S", "via": "phone:1"}])
>>> peripheral_risk(g, default_catalog(), date(2026, 11, 26))
{'D': 1.0, 'P': 0.5, 'Q': 0.2, 'S': 0.05}
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.activity import active_index, serious_until
from graph_service.analysis.graph import in_adjacency, out_adjacency, rel_type
from graph_service.policy.catalog import Catalog, RiskSpec


class _Factors(dict[str, float]):
    """``decay × weight`` per edge key, worked out once per distinct key (``OFFICER_OF#2``)."""

    def __init__(self, spec: RiskSpec) -> None:
        super().__init__()
        self.by_type = {rel: spec.decay * weight for rel, weight in spec.weights.items()}

    def __missing__(self, key: str) -> float:
        factor = self[key] = self.by_type.get(rel_type(key), 0.0)
        return factor


def _best_factor(keyed: Mapping[str, Mapping[str, Any]], factors: _Factors, as_of: date) -> float:
    """The largest factor among one pair's active relationships (0 if none counts)."""
    best = 0.0
    for key, data in keyed.items():
        factor = factors[key]
        if factor > best:
            since, until = data.get("since"), data.get("until")
            if (since is None or since <= as_of) and (until is None or as_of < until):
                best = factor
    return best


def link_factor(keyed: Mapping[str, Mapping[str, Any]], spec: RiskSpec, as_of: date) -> float:
    """The factor (``decay × weight``) by which a score spreads over one pair's relationships
    on ``as_of``: the best of those active (``keyed``: edge key → data), 0 if none counts."""
    return _best_factor(keyed, _Factors(spec), as_of)


def spread(score: float, factor: float) -> float:
    """The score one hop further (rounded as the search rounds, so results compare exactly)."""
    return round(score * factor, 12)


class _Search:
    """A best-first search on products below 1 with a bucket queue: every new score is lower
    than the one being expanded, so buckets (one per distinct score, rounded to 12 digits)
    are taken highest first and each party is final when its bucket is reached."""

    def __init__(self, graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date) -> None:
        self.directions = (out_adjacency(graph), in_adjacency(graph))
        self.factors, self.as_of = _Factors(catalog.risk), as_of
        self.cut_off = catalog.risk.min_score
        self.top = max(self.factors.by_type.values(), default=0.0)
        self.score: dict[str, float] = {}
        self.buckets: dict[float, list[str]] = {}
        self.levels: list[float] = []  # negated bucket scores, a heap

    def offer(self, party: str, value: float) -> None:
        """Records ``value`` for ``party`` if it is its best so far and above the cut-off."""
        if value >= self.cut_off and value > self.score.get(party, 0.0):
            self.score[party] = value
            bucket = self.buckets.get(value)
            if bucket is None:
                self.buckets[value] = bucket = []
                heapq.heappush(self.levels, -value)
            bucket.append(party)

    def expand(self, party: str, value: float) -> None:
        """Offers every neighbour of ``party`` its score through the best active link."""
        reachable = value * self.top
        for adjacency in self.directions:
            for other, keyed in adjacency[party].items():
                if self.score.get(other, 0.0) < reachable:  # else no link can improve it
                    factor = _best_factor(keyed, self.factors, self.as_of)
                    self.offer(other, spread(value, factor))

    def run(self) -> dict[str, float]:
        """Expands the buckets highest first; stale entries (since improved) are skipped."""
        while self.levels:
            value = -heapq.heappop(self.levels)
            for party in self.buckets.pop(value):
                if self.score[party] == value:
                    self.expand(party, value)
        return self.score


def peripheral_risk(
    graph: nx.MultiDiGraph[str],
    catalog: Catalog,
    as_of: date,
    seeds: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Each scored party's peripheral risk on ``as_of``, in party order.

    ``seeds`` are scores some parties are known to reach through parts of the graph that
    are not given (an incremental update, graph_service/propagation/riskscope.py): they are
    offered like sources and spread from there.

    >>> from graph_service.analysis.graph import build_graph
    >>> from graph_service.policy import default_catalog
    >>> g = build_graph(
    ...     [{"party_id": "A", "kind": "company"}, {"party_id": "B", "kind": "company"}],
    ...     [{"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 10}])
    >>> peripheral_risk(g, default_catalog(), date(2026, 11, 26), seeds={"A": 0.25})
    {'A': 0.25, 'B': 0.125}

    Notes
    -----
    One multi-source best-first search (Dijkstra on products < 1) with a bucket queue, since
    scores take few distinct values: O(V' + E') over the V' parties within reach of
    ``min_score``; with decay ≤ 0.5 and a cut-off of 0.01 that is at most 6 hops from a source.
    """
    search = _Search(graph, catalog, as_of)
    for party in sorted(serious_until(active_index(graph, catalog, as_of))):
        search.offer(party, 1.0)
    for party, seed in sorted((seeds or {}).items()):
        search.offer(party, seed)
    score = search.run()
    return {party: score[party] for party in sorted(score)}
