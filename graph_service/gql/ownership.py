"""Ownership and control: the ownership tree with effective stakes (股权穿透), the actual
controllers with the chains that make them so, and the beneficial owners.

Both are judged on ``activeOn`` (default today): only holdings and roles active that day
count, because stakes from different years do not multiply into anything meaningful. The
arithmetic is in :mod:`graph_service.explore.penetration`; who controls is decided by the one
control rule, :mod:`graph_service.analysis.control`, with the catalog in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import networkx as nx
import strawberry

from graph_service.analysis import control
from graph_service.explore.penetration import Chain, effective_stakes, ownership_chains
from graph_service.explore.viewer import Step, Subgraph, ViewNode
from graph_service.gql import inputs, limits
from graph_service.gql.context import Info
from graph_service.gql.dataloaders import ListKey, Row
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.relations import (
    EXPAND_QUERY,
    GraphView,
    expand_params,
    graph_view,
    root_node,
    step_rows,
    view_edge,
    view_node,
)
from graph_service.gql.shared import Direction, PartyRef, party_of
from graph_service.policy.catalog import catalog_in_force
from graph_service.policy.spec import Control

if TYPE_CHECKING:
    from graph_service.gql.party import Party

ActiveOn = Annotated[
    date | None, strawberry.argument(description="The day that counts (default today).")
]


@strawberry.enum(description="UP: who owns the party; DOWN: what the party owns.")
class OwnershipDirection(Enum):
    """Which way to follow holdings."""

    UP = "up"
    DOWN = "down"


@strawberry.type(description="One node of the ownership tree: a chain from the root to a party.")
class OwnershipEntry:
    """A chain; ``parentId`` is the previous party of the chain (the tree parent)."""

    party: PartyRef
    parent_id: strawberry.ID
    depth: int
    stake_pct: float = strawberry.field(description="Stake of the last hop.")
    effective_pct: float = strawberry.field(description="Product of the stakes along the chain.")
    chain: list[strawberry.ID] = strawberry.field(description="Party ids from the root.")


@strawberry.type(description="A party's effective stake: the sum over all its chains.")
class EffectiveStake:
    """Aggregated over chains."""

    party: PartyRef
    effective_pct: float
    chains: int


@strawberry.type(description="Ownership penetration (股权穿透) from one party.")
class OwnershipTree:
    """Tree entries in depth-first order, effective stakes, and a view to draw."""

    direction: OwnershipDirection
    as_of: date
    entries: list[OwnershipEntry]
    effective: list[EffectiveStake] = strawberry.field(description="Largest first.")
    view: GraphView
    truncated: bool


OwnershipResult = Annotated[OwnershipTree | InvalidInputError, strawberry.union("OwnershipResult")]


async def _ownership_tree(
    root: Party,
    info: Info,
    direction: OwnershipDirection = OwnershipDirection.UP,
    depth: Annotated[int, strawberry.argument(description="Hops, 1–6.")] = 3,
    active_on: ActiveOn = None,
) -> OwnershipResult:
    try:
        inputs.bounded(depth, "depth", 1, limits.MAX_OWNERSHIP_DEPTH)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    on = active_on or info.context.today
    graph, seen = await holdings_graph(info, root, direction, depth, on)
    found = ownership_chains(
        graph.digraph, str(root.id), direction.value, depth, limits.MAX_OWNERSHIP_CHAINS
    )
    return OwnershipTree(
        direction=direction,
        as_of=on,
        entries=[_entry(c, seen) for c in found.chains],
        effective=_effective(found.chains, seen),
        view=graph_view(graph.view, on, on),
        truncated=found.truncated or graph.view.truncated,
    )


class HoldingsGraph:
    """Holdings read breadth first: a networkx graph for the arithmetic, a view to draw."""

    def __init__(self, root: ViewNode) -> None:
        self.digraph: nx.DiGraph[str] = nx.DiGraph()
        self.view = Subgraph.start(root, limits.MAX_NEIGHBOUR_NODES)


async def holdings_graph(
    info: Info, root: Party, direction: OwnershipDirection, depth: int, on: date
) -> tuple[HoldingsGraph, dict[str, Mapping[str, Any]]]:
    """The active holdings within ``depth`` hops of ``root`` and every party's row.

    Every step is read in one statement first (``explore/holdings_walk_*``): a step's rows
    are taken only for the very frontier this code reaches before it, and, after the first,
    not when the statement's row limit cut them; otherwise that step is read as it comes."""
    graph = HoldingsGraph(root_node(root))
    seen: dict[str, Mapping[str, Any]] = {str(root.id): graph.view.nodes[str(root.id)].data}
    query = holdings_query(direction)
    ahead = await _walk(info, str(root.id), direction, depth, on)
    frontier = [str(root.id)]
    for level in range(1, depth + 1):
        if not frontier:
            break
        rows = ahead.rows(level, frontier) if ahead is not None else None
        if rows is None:
            rows = await info.context.read(query, **holdings_params(frontier, on))
        for row in rows:
            graph.digraph.add_edge(
                row["source"], row["target"], stake_pct=float(row["props"].get("stake_pct") or 0.0)
            )
            seen.setdefault(str(row["other"]["props"]["party_id"]), row["other"])
        steps = [_step(r, level) for r in rows]
        frontier = graph.view.add_step(steps)
    return graph, seen


@dataclass(frozen=True)
class Walk:
    """The steps of a tree as one statement read them (``explore/holdings_walk_*``): per
    level, the frontier it read from and its rows."""

    starts: list[list[str]]
    steps: list[list[Row]]

    def rows(self, level: int, frontier: list[str]) -> list[Row] | None:
        """The rows of step ``level`` from ``frontier``, when read ahead (None: read it).

        >>> walk = Walk([["A"], ["B"]], [[{"n": 1}], [{"n": 2}]])
        >>> walk.rows(1, ["A"]), walk.rows(2, ["B"]), walk.rows(2, ["C"]), walk.rows(3, [])
        ([{'n': 1}], [{'n': 2}], None, None)
        """
        if level > len(self.steps):
            return None
        if level == 1:
            return self.steps[0]
        found = self.steps[level - 1]
        if frontier == self.starts[level - 1] and len(found) < HOLDINGS_ROWS:
            return found
        return None


async def _walk(
    info: Info, party_id: str, direction: OwnershipDirection, depth: int, on: date
) -> Walk | None:
    """The steps of the tree of ``party_id`` (None for a tree one level deep)."""
    if depth < 2:
        return None
    rows = await info.context.read(walk_query(direction), **walk_params(party_id, depth, on))
    if not rows:  # no such party: nothing to walk
        return Walk([], [])
    steps = rows[0]["steps"]
    return Walk([[str(p) for p in s["start"]] for s in steps], [s["rows"] for s in steps])


def walk_query(direction: OwnershipDirection) -> str:
    """The read of a tree's steps: holders (UP) or holdings (DOWN)."""
    return WALK_QUERY[direction]


def walk_params(party_id: str, depth: int, on: date) -> dict[str, Any]:
    """The parameters of ``explore/holdings_walk_*``: ``depth`` steps, each bounded as one
    step's read (:func:`holdings_params`), the view's node cap bounding the frontiers."""
    one = holdings_params([party_id], on)
    return {"party": party_id, "types": one["types"], "on": on, "limit": one["limit"],
            "max_nodes": limits.MAX_NEIGHBOUR_NODES, "steps": depth,
            **control_params(None)}  # fmt: skip


def control_params(rule: Control | None) -> dict[str, Any]:
    """The walk's parameters of the control rule's rows (``$control``): as
    ``explore/control_chains`` takes them for ``rule``, or none (None)."""
    if rule is None:
        return {"control": False, "majority_pct": None, "roles": None}
    return {"control": True, "majority_pct": rule.majority_pct, "roles": list(rule.officer_roles)}


def holdings_query(direction: OwnershipDirection) -> str:
    """The breadth-first step of the ownership tree: holders (UP) or holdings (DOWN)."""
    return EXPAND_QUERY[Direction.IN if direction is OwnershipDirection.UP else Direction.OUT]


#: Rows one step of the tree reads at most (a step that many rows long may have been cut).
HOLDINGS_ROWS = step_rows(limits.MAX_NEIGHBOUR_NODES)
WALK_QUERY = {
    OwnershipDirection.UP: "explore/holdings_walk_in",
    OwnershipDirection.DOWN: "explore/holdings_walk_out",
}


def holdings_params(frontier: list[str], on: date) -> dict[str, Any]:
    """The parameters of one step of the ownership tree's read: the active stakes of the
    frontier's parties, as many rows as the widest view holds (and one more)."""
    return expand_params(frontier, [], ["HOLDS_SHARES"], on, limits.MAX_NEIGHBOUR_NODES)


def _step(row: Mapping[str, Any], level: int) -> Step:
    return Step(view_edge(row), view_node(row["other"], level))


def _entry(chain: Chain, seen: Mapping[str, Mapping[str, Any]]) -> OwnershipEntry:
    return OwnershipEntry(
        party=party_of(seen[chain.end]),
        parent_id=strawberry.ID(chain.parties[-2]),
        depth=chain.depth,
        stake_pct=chain.stakes[-1],
        effective_pct=round(chain.effective_pct, 6),
        chain=[strawberry.ID(p) for p in chain.parties],
    )


def _effective(chains: list[Chain], seen: Mapping[str, Mapping[str, Any]]) -> list[EffectiveStake]:
    stakes = effective_stakes(chains)
    counts: dict[str, int] = {}
    for chain in chains:
        counts[chain.end] = counts.get(chain.end, 0) + 1
    ordered = sorted(stakes.items(), key=lambda item: (-item[1], item[0]))
    return [
        EffectiveStake(party=party_of(seen[p]), effective_pct=round(s, 6), chains=counts[p])
        for p, s in ordered
    ]


ownership_tree_of = strawberry.field(
    resolver=_ownership_tree,
    description="Ownership penetration (股权穿透): chains UP or DOWN with effective stakes.",
)


# --- controllers ----------------------------------------------------------------------------


@strawberry.type(description="One link of a control chain.")
class ControlLink:
    """A controller → controlled hop and why it confers control."""

    controller: PartyRef
    controlled: PartyRef
    relations: list[str] = strawberry.field(
        description="HOLDS_SHARES (active stakes above the catalog's control.majority_pct, "
        "50% as packaged) and/or an officer role of control.officer_roles, upper-cased "
        "(ACTUAL_CONTROLLER)."
    )
    stake_pct: float | None


@strawberry.type(description="A controller of the company (policy §3) and why.")
class Controller:
    """A controller with the chains that make it one."""

    party: PartyRef
    ultimate: bool = strawberry.field(description="Nobody controls this controller.")
    chains: list[list[ControlLink]] = strawberry.field(
        description="Each chain runs from the controller down to the company."
    )


async def controllers_of(info: Info, party: Party, on: date) -> list[Controller]:
    """The controllers of ``party`` on ``on`` under the catalog in force: the rows the rule
    needs come through the keyed loader (one query per batch), the decision from
    :mod:`graph_service.analysis.control`, as in the propagation."""
    rule = catalog_in_force(info.context.settings).control
    row = await info.context.loaders.keyed.load(controllers_key(str(party.id), on, rule))
    if row is None:
        return []
    graph, parties = control.control_input(row)
    above = control.control_graph(graph, str(party.id), rule, on)
    return [_controller(c, above, parties) for c in control.control_chains(above, str(party.id))]


def controllers_key(owner: str, on: date, rule: Control) -> ListKey:
    """The list loader's key of the rows the control rule needs above ``owner``."""
    return ListKey.of(
        "explore/control_chains",
        owner,
        on=on,
        majority_pct=rule.majority_pct,
        roles=rule.officer_roles,
    )


def _controller(
    found: control.Controller,
    above: nx.MultiDiGraph[str],
    parties: Mapping[str, Mapping[str, Any]],
) -> Controller:
    chains = [
        [
            ControlLink(
                controller=party_of(parties[hop.controller]),
                controlled=party_of(parties[hop.controlled]),
                relations=list(hop.relations),
                stake_pct=hop.stake_pct,
            )
            for hop in control.chain_hops(above, chain)
        ]
        for chain in found.chains
    ]
    return Controller(party=party_of(parties[found.party]), ultimate=found.ultimate, chains=chains)


async def _actual_controllers(
    root: Party, info: Info, active_on: ActiveOn = None
) -> list[Controller]:
    return await controllers_of(info, root, active_on or info.context.today)


actual_controllers_of = strawberry.field(
    resolver=_actual_controllers,
    description="Controllers (实际控制人) per the policy and the catalog in force: holders "
    "whose active stakes exceed control.majority_pct (50% as packaged), recursively through "
    "majority-owned companies, and persons with an active officer role of "
    "control.officer_roles (actual_controller); each with its chains.",
)


# --- beneficial owners ----------------------------------------------------------------------


@strawberry.type(description="A natural person who ultimately owns or controls the company.")
class BeneficialOwner:
    """A beneficial owner (受益所有人) and the reasons."""

    party: PartyRef
    effective_pct: float = strawberry.field(description="Effective stake over all chains.")
    controls: bool = strawberry.field(description="Is one of the company's controllers.")
    ownership_chains: list[list[strawberry.ID]] = strawberry.field(
        description="Holding chains from the company up to the person."
    )


@strawberry.type(description="Beneficial owners at a threshold.")
class BeneficialOwnership:
    """The persons owning at least ``thresholdPct`` effectively, or controlling."""

    threshold_pct: float
    as_of: date
    owners: list[BeneficialOwner]
    truncated: bool


BeneficialOwnersResult = Annotated[
    BeneficialOwnership | InvalidInputError, strawberry.union("BeneficialOwnersResult")
]


async def _beneficial_owners(
    root: Party,
    info: Info,
    threshold_pct: Annotated[
        float, strawberry.argument(description="Effective stake that makes an owner, 0–100.")
    ] = 25.0,
    active_on: ActiveOn = None,
) -> BeneficialOwnersResult:
    if not 0 < threshold_pct <= 100:
        return InvalidInputError(argument="thresholdPct", message="must be in (0, 100]")
    on = active_on or info.context.today
    depth = limits.MAX_OWNERSHIP_DEPTH
    graph, seen = await holdings_graph(info, root, OwnershipDirection.UP, depth, on)
    found = ownership_chains(graph.digraph, str(root.id), "up", depth, limits.MAX_OWNERSHIP_CHAINS)
    ruling = {str(c.party.id): c for c in await controllers_of(info, root, on)}
    owners = beneficial_owners(found.chains, seen, ruling, threshold_pct)
    return BeneficialOwnership(
        threshold_pct=threshold_pct, as_of=on, owners=owners, truncated=found.truncated
    )


def beneficial_owners(
    chains: list[Chain],
    seen: Mapping[str, Mapping[str, Any]],
    ruling: Mapping[str, Controller],
    threshold_pct: float,
) -> list[BeneficialOwner]:
    """Persons whose effective stake reaches the threshold, and persons who control."""
    stakes = effective_stakes(chains)
    rows = {**{p: _row_of(c) for p, c in ruling.items()}, **seen}
    # a float tolerance, so that 25.0 reached as 0.5 × 50.0 counts as 25
    chosen = [
        p
        for p in set(stakes) | set(ruling)
        if _is_person(rows.get(p)) and (stakes.get(p, 0.0) + 1e-9 >= threshold_pct or p in ruling)
    ]
    owners = [
        BeneficialOwner(
            party=party_of(rows[p]),
            effective_pct=round(stakes.get(p, 0.0), 6),
            controls=p in ruling,
            ownership_chains=[[strawberry.ID(x) for x in c.parties] for c in chains if c.end == p],
        )
        for p in chosen
    ]
    return sorted(owners, key=lambda o: (-o.effective_pct, str(o.party.id)))


def _is_person(row: Mapping[str, Any] | None) -> bool:
    return row is not None and "Company" not in row["labels"]


def _row_of(found: Controller) -> Mapping[str, Any]:
    party = found.party
    return {"labels": list(party.labels), "props": party.props}


beneficial_owners_of = strawberry.field(
    resolver=_beneficial_owners,
    description="Beneficial owners (受益所有人): persons with an effective stake ≥ thresholdPct "
    "or who control the company.",
)
