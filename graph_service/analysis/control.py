"""Controllers of a company (§3), and until when each chain of control holds.

Rule
----
The controllers of a company are every holder whose active stake exceeds the majority
threshold (50%, strictly: exactly 50% never controls), recursively the controllers of such a
holder when it is a company (a chain of majority-owned companies), and every person with an
active officer role ``actual_controller``. A holder's rows in one company are added up.

Each controller is reached by its *widest* chain: the chain that stays active longest (the
latest of the chains' earliest ends), so that ``until`` is exact; among equally long-lived
chains, the one found first by a best-first search over sorted steps.

>>> from graph_service.analysis.graph import build_graph
>>> g = build_graph([{"party_id": n, "kind": "person" if n in "PQR" else "company"}
...                  for n in ("P", "Q", "R", "A", "B")],
...     [{"type": "HOLDS_SHARES", "source": "P", "target": "A", "stake_pct": 70},
...      {"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 60},
...      {"type": "HOLDS_SHARES", "source": "Q", "target": "B", "stake_pct": 40},
...      {"type": "OFFICER_OF", "source": "R", "target": "A", "role": "actual_controller",
...       "until": "2028-01-01"}])
>>> found = controllers(g, "B", CONTROL, date(2026, 11, 26))
>>> {party: [s.party for s in reach.steps] for party, reach in sorted(found.items())}
{'A': ['A'], 'P': ['A', 'P'], 'R': ['A', 'R']}
>>> found["R"].end
datetime.date(2028, 1, 1)
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from itertools import count
from typing import Any, NamedTuple

import networkx as nx

from graph_service.analysis.graph import (
    OPEN,
    edge_active,
    edge_end,
    in_adjacency,
    out_adjacency,
    rel_type,
)
from graph_service.model import RelType
from graph_service.policy.catalog import Control

#: Float noise allowed when stakes are added up (stakes are given to two decimals).
EPSILON = 1e-9
#: The default controller definition, for the doctests.
CONTROL = Control(majority_pct=50.0, officer_roles=("actual_controller",))


class Step(NamedTuple):
    """One hop of a chain: the party reached, by which relationship, and until when."""

    party: str
    relation: str
    role: str | None
    stake_pct: float | None
    end: date  # first day the hop no longer holds


class Reach(NamedTuple):
    """How a party is reached: the chain's end (its earliest hop end) and its hops."""

    end: date
    steps: tuple[Step, ...]


def meets(total: float, threshold: float, inclusive: bool) -> bool:
    """``total ≥ threshold`` (inclusive) or ``total > threshold``, up to float noise.

    >>> meets(50.0, 50, inclusive=True), meets(50.0, 50, inclusive=False), meets(49.99, 50, True)
    (True, False, False)
    """
    if inclusive:
        return total >= threshold - EPSILON
    return total > threshold + EPSILON


def threshold_end(
    parts: Iterable[tuple[float, date]], threshold: float, inclusive: bool, bottom: date
) -> date:
    """Until when ``parts`` (stake, exclusive end) together keep meeting ``threshold``.

    The sum on a later day counts only the parts still active, so the answer is the end of
    the part that completes the threshold when parts are added longest-lived first;
    ``bottom`` when the parts never meet it. O(k log k) for k parts.

    >>> d = date
    >>> threshold_end([(30.0, d(2027, 1, 1)), (25.0, d(2030, 1, 1))], 50, True, d(2026, 1, 1))
    datetime.date(2027, 1, 1)
    """
    total = 0.0
    for end, stake in sorted(((end, stake) for stake, end in parts), reverse=True):
        total += stake
        if meets(total, threshold, inclusive):
            return end
    return bottom


def stakes(keyed: Mapping[Any, Mapping[str, Any]], as_of: date) -> list[tuple[float, date]]:
    """``(stake_pct, end)`` of the active HOLDS_SHARES edges among one pair's edges."""
    return [
        (float(data.get("stake_pct") or 0.0), edge_end(data))
        for key, data in keyed.items()
        if rel_type(key) == RelType.HOLDS_SHARES and edge_active(data, as_of)
    ]


def _pair_steps(
    party: str, keyed: Mapping[Any, Mapping[str, Any]], control: Control, as_of: date
) -> list[Step]:
    """The steps to ``party`` that one pair's edges give: a majority stake, control roles."""
    found = []
    parts = stakes(keyed, as_of)
    end = threshold_end(parts, control.majority_pct, False, as_of) if parts else as_of
    if end > as_of:
        total = sum(stake for stake, _ in parts)
        found.append(Step(party, RelType.HOLDS_SHARES, None, total, end))
    for key, data in keyed.items():
        role = data.get("role")
        if rel_type(key) == RelType.OFFICER_OF and role in control.officer_roles:
            if edge_active(data, as_of):
                found.append(Step(party, RelType.OFFICER_OF, role, None, edge_end(data)))
    return found


def control_in(
    graph: nx.MultiDiGraph[str], company: str, control: Control, as_of: date
) -> list[Step]:
    """The direct controllers of ``company``, sorted by party and relation."""
    found = []
    for holder, keyed in in_adjacency(graph)[company].items():
        found.extend(_pair_steps(holder, keyed, control, as_of))
    return sorted(found)


def control_out(
    graph: nx.MultiDiGraph[str], party: str, control: Control, as_of: date
) -> list[Step]:
    """The companies ``party`` directly controls, sorted by company and relation."""
    found = []
    for company, keyed in out_adjacency(graph)[party].items():
        found.extend(_pair_steps(company, keyed, control, as_of))
    return sorted(found)


def widest_paths(start: str, steps: Callable[[str], Iterable[Step]]) -> dict[str, Reach]:
    """Every party reachable from ``start`` by ``steps``, each by its longest-lived chain.

    Notes
    -----
    A best-first search on (latest end, fewest hops), like Dijkstra's algorithm with
    ``min`` in place of ``+``: O(E log V) over the reachable part. Cycles end the search
    because a party is expanded once.
    """
    reach: dict[str, Reach] = {start: Reach(OPEN, ())}
    heap, order, done = [(-OPEN.toordinal(), 0, 0, start)], count(1), set()
    while heap:
        _, hops, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for step in steps(node):
            end = min(reach[node].end, step.end)
            known = reach.get(step.party)
            if step.party in done or (known is not None and known.end >= end):
                continue
            reach[step.party] = Reach(end, (*reach[node].steps, step))
            heapq.heappush(heap, (-end.toordinal(), hops + 1, next(order), step.party))
    del reach[start]
    return reach


def controllers(
    graph: nx.MultiDiGraph[str], company: str, control: Control, as_of: date
) -> dict[str, Reach]:
    """Every controller of ``company`` on ``as_of`` (persons and companies), with its chain
    from the company up to the controller."""
    return widest_paths(company, lambda node: control_in(graph, node, control, as_of))


def controlled(
    graph: nx.MultiDiGraph[str], party: str, control: Control, as_of: date
) -> dict[str, Reach]:
    """Every company that ``party`` controls on ``as_of``, with its chain down from the party.

    >>> from graph_service.analysis.graph import build_graph
    >>> g = build_graph([{"party_id": n, "kind": "company"} for n in "ABCD"],
    ...     [{"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 50.01},
    ...      {"type": "HOLDS_SHARES", "source": "B", "target": "C", "stake_pct": 50},
    ...      {"type": "HOLDS_SHARES", "source": "B", "target": "D", "stake_pct": 100},
    ...      {"type": "HOLDS_SHARES", "source": "D", "target": "A", "stake_pct": 100}])
    >>> sorted(controlled(g, "A", CONTROL, date(2026, 1, 1)))
    ['B', 'D']
    """
    return widest_paths(party, lambda node: control_out(graph, node, control, as_of))
