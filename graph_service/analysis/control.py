"""Controllers of a company (§3): the one control rule of the service, and until when each
chain of control holds.

Rule
----
The controllers of a company are every holder whose active stake exceeds the catalog's
``control.majority_pct`` (strictly: a stake of exactly the threshold never controls),
recursively the controllers of such a holder when it is a company (a chain of majority-owned
companies), and every person with an active officer role among ``control.officer_roles``. A
holder's rows in one company are added up.

Propagation and checks (:func:`controllers`, :func:`controlled`: each controller by its
*widest* chain) and the GraphQL views ``actualControllers`` / ``beneficialOwners``
(:func:`control_graph`, :func:`control_chains`: every chain) all decide one hop with
:func:`control_in` / :func:`control_out`, so one catalog gives one answer everywhere. Callers
pass the :class:`~graph_service.policy.catalog.Control` of the catalog in force; nothing here
has a threshold of its own (``CONTROL`` below is the packaged catalog's, for the examples).

The widest chain is the one that stays active longest (the latest of the chains' earliest
ends), so that ``until`` is exact; among equally long-lived chains, the one found first by a
best-first search over sorted steps.

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

A lower threshold in the catalog makes Q's 40% a controlling stake:

>>> sorted(controllers(g, "B", Control(30.0, ("actual_controller",)), date(2026, 11, 26)))
['A', 'P', 'Q', 'R']
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from itertools import count, islice, pairwise
from typing import Any, NamedTuple

import networkx as nx

from graph_service.analysis.graph import (
    OPEN,
    build_graph,
    edge_active,
    edge_end,
    in_adjacency,
    out_adjacency,
    rel_type,
)
from graph_service.model import RelType
from graph_service.policy.catalog import Control, default_catalog

#: Float noise allowed when stakes are added up (stakes are given to two decimals).
EPSILON = 1e-9
#: The packaged catalog's controller definition, for the examples only: callers pass the
#: ``control`` of the catalog in force.
CONTROL = default_catalog().control


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
    """The steps to ``party`` that one pair's edges give: a majority stake, control roles.

    This is the rule itself; every other function here only walks it.
    """
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


# --- every chain, for the ownership views ------------------------------------------------------


class Controller(NamedTuple):
    """A controller of the company, every chain (controller first) that makes it one, and
    whether it is *ultimate* (nobody controls it in turn)."""

    party: str
    chains: list[tuple[str, ...]]
    ultimate: bool


class ControlHop(NamedTuple):
    """One link of a control chain and every relation that makes it one (see
    :func:`relation_of`); ``stake_pct`` is the holder's summed active stake, if any."""

    controller: str
    controlled: str
    relations: tuple[str, ...]
    stake_pct: float | None


def relation_of(step: Step) -> str:
    """How a step confers control: ``HOLDS_SHARES``, or the officer role upper-cased.

    >>> relation_of(Step("R", "OFFICER_OF", "actual_controller", None, date.max))
    'ACTUAL_CONTROLLER'
    """
    return str(step.relation) if step.role is None else step.role.upper()


def control_graph(
    graph: nx.MultiDiGraph[str], company: str, control: Control, as_of: date
) -> nx.MultiDiGraph[str]:
    """The control edges above ``company`` (controller → controlled, keyed by
    :func:`relation_of`, with ``stake_pct``): every party's direct controllers, from the
    company up, each party expanded once. O(V + E) over the part above the company."""
    above: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    if company not in graph:
        return above
    above.add_node(company)
    todo = [company]
    while todo:
        node = todo.pop()
        for step in control_in(graph, node, control, as_of):
            if step.party not in above:
                todo.append(step.party)
            above.add_edge(step.party, node, key=relation_of(step), stake_pct=step.stake_pct)
    return above


def control_chains(
    above: nx.MultiDiGraph[str], company: str, max_chains: int = 20
) -> list[Controller]:
    """Every controller in ``above`` (the :func:`control_graph` of ``company``), sorted by id,
    each with up to ``max_chains`` chains (shortest first): the same controllers as
    :func:`controllers`, with all their chains instead of the widest.

    Notes
    -----
    The controllers are the company's ancestors in the control graph, O(V + E); chains come
    from simple-path enumeration, which majority control keeps short (a company has at most
    one majority holder while the threshold is 50% or more). Cycles terminate: a chain never
    repeats a party, and a company never controls itself.

    >>> from graph_service.analysis.graph import build_graph
    >>> g = build_graph([{"party_id": n, "kind": "company"} for n in "PAB"],
    ...     [{"type": "HOLDS_SHARES", "source": "P", "target": "A", "stake_pct": 70},
    ...      {"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 60},
    ...      {"type": "HOLDS_SHARES", "source": "B", "target": "A", "stake_pct": 20}])
    >>> above = control_graph(g, "B", CONTROL, date(2026, 11, 26))
    >>> [(c.party, c.chains, c.ultimate) for c in control_chains(above, "B")]
    [('A', [('A', 'B')], False), ('P', [('P', 'A', 'B')], True)]
    """
    if company not in above:
        return []
    found = []
    for party in sorted(nx.ancestors(above, company)):
        paths = islice(nx.all_simple_paths(above, party, company), max_chains)
        chains = sorted({tuple(path) for path in paths}, key=lambda c: (len(c), c))
        found.append(Controller(party, chains, ultimate=above.in_degree(party) == 0))
    return found


def chain_hops(above: nx.MultiDiGraph[str], chain: tuple[str, ...]) -> list[ControlHop]:
    """Each hop of ``chain`` (a path of :func:`control_graph`) with every relation that
    confers control on it, sorted.

    >>> from graph_service.analysis.graph import build_graph
    >>> g = build_graph([{"party_id": "R", "kind": "person"}, {"party_id": "A", "kind": "company"}],
    ...     [{"type": "OFFICER_OF", "source": "R", "target": "A", "role": "actual_controller"},
    ...      {"type": "HOLDS_SHARES", "source": "R", "target": "A", "stake_pct": 80}])
    >>> above = control_graph(g, "A", CONTROL, date(2026, 11, 26))
    >>> [(h.relations, h.stake_pct) for h in chain_hops(above, ("R", "A"))]
    [(('ACTUAL_CONTROLLER', 'HOLDS_SHARES'), 80.0)]
    """
    hops = []
    for controller, controlled_ in pairwise(chain):
        keyed = above[controller][controlled_]
        stake = keyed[RelType.HOLDS_SHARES]["stake_pct"] if RelType.HOLDS_SHARES in keyed else None
        hops.append(ControlHop(controller, controlled_, tuple(sorted(keyed)), stake))
    return hops


def control_input(
    row: Mapping[str, Any],
) -> tuple[nx.MultiDiGraph[str], dict[str, Mapping[str, Any]]]:
    """The analysis graph of one ``explore/control_chains`` row and every party's
    ``{labels, props}`` row by id (read the same way by GraphQL's ``actualControllers`` and
    the report's controllers). An officer who is no member of the row is taken from its
    officer row.

    >>> r = {"labels": ["Party", "Person"], "props": {"party_id": "R"}}
    >>> row = {"members": [{"labels": ["Party", "Company"], "props": {"party_id": "A"}}],
    ...        "holdings": [],
    ...        "officers": [[{"holder": "R", "company": "A",
    ...                       "props": {"role": "actual_controller"}, "party": r}]]}
    >>> graph, parties = control_input(row)
    >>> sorted(graph.nodes(data="kind")), sorted(parties)
    ([('A', 'company'), ('R', 'person')], ['A', 'R'])
    >>> list(graph.edges(keys=True, data="role"))
    [('R', 'A', 'OFFICER_OF', 'actual_controller')]
    """
    parties = {str(m["props"]["party_id"]): m for m in row["members"]}
    officers = [found for per_member in row["officers"] for found in per_member]
    for found in officers:
        parties.setdefault(str(found["holder"]), found["party"])
    rels = [_row_rel("HOLDS_SHARES", found) for found in row["holdings"]]
    rels += [_row_rel("OFFICER_OF", found) for found in officers]
    nodes = [{"party_id": p, "kind": _kind(r)} for p, r in parties.items()]
    return build_graph(nodes, rels), parties


def _row_rel(kind: str, found: Mapping[str, Any]) -> dict[str, Any]:
    return {**found["props"], "type": kind, "source": found["holder"], "target": found["company"]}


def _kind(row: Mapping[str, Any]) -> str:
    return "company" if "Company" in row["labels"] else "person"
