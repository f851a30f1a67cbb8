"""Walking the graph: neighbourhoods and shortest connections, shaped for a graph viewer.

``neighbours`` grows breadth first from a party, one named query per hop (at most
:data:`~graph_service.gql.limits.MAX_NEIGHBOUR_DEPTH`), never beyond ``maxNodes``; ``paths``
asks Neo4j for all shortest paths between two parties, with a search that never goes beyond
``maxHops`` (at most :data:`~graph_service.gql.limits.MAX_PATH_HOPS`). Both answer with
``nodes`` and ``edges`` that a viewer draws directly (:mod:`graph_service.explore.viewer`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    SelectionSetNode,
)

from graph_service.explore.viewer import Step, Subgraph, ViewEdge, ViewNode
from graph_service.gql import inputs, limits
from graph_service.gql.case import Case
from graph_service.gql.context import Info
from graph_service.gql.convert import as_date, as_float, as_str, is_active
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.selections import fields_of
from graph_service.gql.shared import (
    Direction,
    PartyRef,
    Provenance,
    RelationType,
    described,
    party_of,
    provenance,
)

if TYPE_CHECKING:
    from graph_service.gql.party import Party


#: Default for paths: ties between parties. Case and agency links are left out by default
#: because courts and agencies are hubs that connect everyone to everyone.
PATH_TYPES = (
    RelationType.HOLDS_SHARES,
    RelationType.OFFICER_OF,
    RelationType.LEGAL_REP_OF,
    RelationType.BRANCH_OF,
    RelationType.SHARES_CONTACT,
)
#: One shortest-path query per hop bound: a quantifier's bound cannot be a parameter, and a
#: search bounded at 6 and filtered afterwards would explore beyond ``maxHops``.
SHORTEST_PATHS_QUERY = {
    1: "explore/shortest_paths_1",
    2: "explore/shortest_paths_2",
    3: "explore/shortest_paths_3",
    4: "explore/shortest_paths_4",
    5: "explore/shortest_paths_5",
    6: "explore/shortest_paths_6",
}
EXPAND_QUERY = {
    Direction.OUT: "explore/expand_out",
    Direction.IN: "explore/expand_in",
    Direction.BOTH: "explore/expand_both",
}
#: The first step from a party, with the party's own row (and its credit summary): the
#: network view's one read (graph_service/gql/cards.py), the step as EXPAND_QUERY's.
FIRST_STEP_QUERY = {
    Direction.OUT: "explore/first_step_out",
    Direction.IN: "explore/first_step_in",
    Direction.BOTH: "explore/first_step_both",
}


@strawberry.type(description="A node to draw: a party or a case.")
class GraphNode:
    """A viewer node; ``id`` is the party id or the case number."""

    id: strawberry.ID
    kind: str = strawberry.field(description="company, person, official or case.")
    label: str = strawberry.field(description="Name or case number.")
    depth: int = strawberry.field(description="Hops from where the walk started.")
    data: strawberry.Private[Mapping[str, Any]]

    @described("The party, when the node is one.")
    def party(self) -> PartyRef | None:
        """The party object of the node (already read: no query)."""
        return party_of(self.data) if self.kind != "case" else None

    @described("The case, when the node is one.")
    def case(self) -> Case | None:
        """The case object of the node (already read: no query)."""
        return Case.from_props(self.data["props"]) if self.kind == "case" else None


@strawberry.type(description="An edge to draw, directed as stored.")
class GraphEdge:
    """A viewer edge between two :class:`GraphNode` ids."""

    id: strawberry.ID
    source: strawberry.ID
    target: strawberry.ID
    type: RelationType
    label: str = strawberry.field(description="Short text for the edge: stake, role, position.")
    stake_pct: float | None
    role: str | None
    since: date | None
    until: date | None
    active: bool = strawberry.field(description="Active on activeOn (default today).")
    inferred: bool = strawberry.field(description="True for SHARES_CONTACT (疑似关联).")
    provenance: Provenance | None


@strawberry.type(description="Nodes and edges a graph viewer draws directly.")
class GraphView:
    """A subgraph; ``truncated`` says a cap left nodes or edges out."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool
    as_of: date | None = strawberry.field(description="The activeOn the walk used, if any.")


@strawberry.type(description="One shortest path: nodes in order and the edges between them.")
class GraphPath:
    """A path from the starting party to the target."""

    length: int
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    inferred: bool = strawberry.field(description="Uses at least one inferred edge.")


@strawberry.type(description="How two parties are connected: every shortest path (capped).")
class Connections:
    """All shortest paths and their union for drawing."""

    length: int | None = strawberry.field(description="Hops of the shortest paths; null if none.")
    paths: list[GraphPath]
    view: GraphView
    truncated: bool = strawberry.field(description="More shortest paths exist than returned.")


# --- shaping --------------------------------------------------------------------------------


def view_node(node: Mapping[str, Any], depth: int) -> ViewNode:
    """The viewer node of a ``{labels, props}`` row."""
    labels, props = node["labels"], node["props"]
    if "Case" in labels:
        return ViewNode(str(props["case_no"]), "case", str(props["case_no"]), depth, node)
    kind = "official" if "Official" in labels else str(props.get("kind") or "party")
    return ViewNode(
        str(props["party_id"]), kind, str(props.get("name") or props["party_id"]), depth, node
    )


def view_edge(row: Mapping[str, Any]) -> ViewEdge:
    """The viewer edge of an ``{id, type, props, source, target}`` row."""
    return ViewEdge(
        str(row["id"]), str(row["source"]), str(row["target"]), str(row["type"]), row["props"]
    )


def graph_node(node: ViewNode) -> GraphNode:
    """The GraphQL object of a viewer node."""
    return GraphNode(
        id=strawberry.ID(node.id),
        kind=node.kind,
        label=node.label,
        depth=node.depth,
        data=node.data,
    )


def graph_edge(edge: ViewEdge, on: date) -> GraphEdge:
    """The GraphQL object of a viewer edge, judged active on ``on``."""
    props = edge.data
    return GraphEdge(
        id=strawberry.ID(edge.id),
        source=strawberry.ID(edge.source),
        target=strawberry.ID(edge.target),
        type=RelationType(edge.type),
        label=edge_label(edge.type, props),
        stake_pct=as_float(props.get("stake_pct")),
        role=as_str(props.get("role")),
        since=as_date(props.get("since")),
        until=as_date(props.get("until")),
        active=is_active(props, on),
        inferred=edge.type == RelationType.SHARES_CONTACT.value,
        provenance=provenance(props),
    )


def edge_label(type_: str, props: Mapping[str, Any]) -> str:
    """A short text for an edge.

    >>> edge_label("HOLDS_SHARES", {"stake_pct": 60.0}), edge_label("OFFICER_OF", {"role": "chair"})
    ('60%', 'chair')
    >>> edge_label("SHARES_CONTACT", {"via": "phone:031186661234"})
    '疑似关联 phone:031186661234'
    """
    if type_ == "HOLDS_SHARES" and props.get("stake_pct") is not None:
        return f"{float(props['stake_pct']):g}%"
    if type_ == "SHARES_CONTACT":
        return f"疑似关联 {props.get('via') or ''}".strip()
    for key in ("role", "position", "kind"):
        if props.get(key):
            return str(props[key])
    return type_


def graph_view(graph: Subgraph, on: date, as_of: date | None) -> GraphView:
    """The GraphQL view of a subgraph: nodes by depth then id, edges by id."""
    nodes = sorted(graph.nodes.values(), key=lambda n: (n.depth, n.id))
    edges = sorted(graph.edges.values(), key=lambda e: e.id)
    return GraphView(
        nodes=[graph_node(n) for n in nodes],
        edges=[graph_edge(e, on) for e in edges],
        truncated=graph.truncated,
        as_of=as_of,
    )


def root_node(party: Party) -> ViewNode:
    """The viewer node of the party a walk starts from."""
    return view_node({"labels": list(party.labels), "props": party.props}, 0)


# --- neighbours -----------------------------------------------------------------------------

Types = Annotated[
    list[RelationType] | None,
    strawberry.argument(description="Relationship types to follow (default: all)."),
]
ActiveOn = Annotated[
    date | None, strawberry.argument(description="Only relationships active that day.")
]
NeighboursResult = Annotated[GraphView | InvalidInputError, strawberry.union("NeighboursResult")]


async def _neighbours(
    root: Party,
    info: Info,
    types: Types = None,
    direction: Direction = Direction.BOTH,
    depth: Annotated[int, strawberry.argument(description="Hops, 1–3.")] = 1,
    active_on: ActiveOn = None,
    max_nodes: Annotated[int, strawberry.argument(description="Node cap, 1–500.")] = (
        limits.DEFAULT_NEIGHBOUR_NODES
    ),
) -> NeighboursResult:
    try:
        inputs.bounded(depth, "depth", 1, limits.MAX_NEIGHBOUR_DEPTH)
        inputs.bounded(max_nodes, "maxNodes", 1, limits.MAX_NEIGHBOUR_NODES)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    chosen = [t.value for t in (types or list(RelationType))]
    graph = Subgraph.start(root_node(root), max_nodes)
    summaries = walk_wants_summaries(info)
    params = first_step_params(str(root.id), chosen, active_on, max_nodes, summaries)
    found = await info.context.read(FIRST_STEP_QUERY[direction], **params)
    first = found[0] if found else {"credit": None, "steps": []}  # the party's row, its step
    prime_summaries(info, [first["credit"]])  # the party's own ring
    frontier = _add_step(info, graph, first["steps"], 1)
    for level in range(2, depth + 1):
        if not frontier:
            break
        frontier = await _expand(
            info, graph, frontier, level, EXPAND_QUERY[direction], chosen, active_on, summaries
        )
    return graph_view(graph, active_on or info.context.today, active_on)


async def _expand(
    info: Info,
    graph: Subgraph,
    frontier: list[ViewNode],
    level: int,
    query: str,
    types: list[str],
    on: date | None,
    summaries: bool,
) -> list[ViewNode]:
    """One breadth-first step after the first: reads the frontier's edges and adds them to
    ``graph`` (with ``summaries``, the credit summaries of the parties reached)."""
    parties = [n.id for n in frontier if n.kind != "case"]
    cases = [n.id for n in frontier if n.kind == "case"]
    params = expand_params(parties, cases, types, on, graph.max_nodes, summaries)
    return _add_step(info, graph, await info.context.read(query, **params), level)


def _add_step(
    info: Info, graph: Subgraph, rows: Sequence[Mapping[str, Any]], level: int
) -> list[ViewNode]:
    """Adds one step's rows (``explore/expand_*``'s) to ``graph`` and hands the summaries
    they carry to the reports' loader; returns the nodes the step reached first."""
    prime_summaries(info, [r["summary"] for r in rows])
    budget = step_rows(graph.max_nodes) - 1
    if len(rows) > budget:
        graph.truncated = True
    added = graph.add_step(Step(view_edge(r), view_node(r["other"], level)) for r in rows[:budget])
    return [graph.nodes[key] for key in added]


def first_step_params(
    party: str, types: list[str], on: date | None, max_nodes: int, summaries: bool = False
) -> dict[str, Any]:
    """The parameters of a neighbourhood's first step from ``party``
    (``explore/first_step_*``): those :func:`expand_params` gives the step from the party
    alone, the frontier named by ``id``.

    >>> first_step_params("P1", ["HOLDS_SHARES"], None, 40)
    {'id': 'P1', 'types': ['HOLDS_SHARES'], 'on': None, 'limit': 161, 'summaries': False}
    """
    step = expand_params([party], [], types, on, max_nodes, summaries)
    return {"id": party, **{k: v for k, v in step.items() if k not in ("parties", "cases")}}


def expand_params(
    parties: list[str],
    cases: list[str],
    types: list[str],
    on: date | None,
    max_nodes: int,
    summaries: bool = False,
) -> dict[str, Any]:
    """The parameters of one breadth-first step's read (``explore/expand_*``): at most four
    rows per node the view may hold (edges among nodes already seen count too), and one more
    to see that the view is truncated; ``summaries`` asks for the parties' credit summaries."""
    return {
        "parties": parties,
        "cases": cases,
        "types": types,
        "on": on,
        "limit": step_rows(max_nodes),
        "summaries": summaries,
    }


def step_rows(max_nodes: int) -> int:
    """Rows one breadth-first step reads at most: four per node the view may hold (edges among
    nodes already seen count too), and one more to see that the view is truncated.

    >>> step_rows(40)
    161
    """
    return 4 * max_nodes + 1


def wants_summaries(
    nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    """True when a walk's selection (``nodes``: the walk's field in the document) asks for a
    credit report of its nodes (the workbench's rings): the walk's read then brings the
    parties' credit summaries along (one statement, no read after the walk) instead of the
    report's loader reading them once the walk is done.

    Read from the document itself, not from strawberry's ``Info.selected_fields``, which
    builds every field below the walk anew at each call (most of a view's nodes and edges).
    """
    return any(_selects(node.selection_set, "creditReport", fragments) for node in nodes)


def walk_wants_summaries(info: Info) -> bool:
    """:func:`wants_summaries` for the field ``info`` resolves."""
    raw = info._raw_info  # graphql-core's info, which strawberry's own selected_fields reads
    return wants_summaries(raw.field_nodes, raw.fragments)


def _selects(
    selections: SelectionSetNode | None, name: str, fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    """True when ``name`` is selected anywhere in ``selections``, through fragments (a
    validated document: no fragment cycles)."""
    return selections is not None and any(
        node.name.value == name or _selects(node.selection_set, name, fragments)
        for node in fields_of(selections, fragments)
    )


def prime_summaries(info: Info, summaries: Sequence[Mapping[str, Any] | None]) -> None:
    """Hands the credit summaries a walk read (``party/credit_summary`` rows; None for cases
    and when not asked) to the report's loader, so that the nodes' reports read nothing more.
    A party the loader holds already keeps what it holds."""
    loader = info.context.loaders.credit
    for summary in summaries:
        if summary is not None:
            loader.prime(str(summary["id"]), dict(summary))


neighbours_of = strawberry.field(
    resolver=_neighbours,
    description="The neighbourhood as nodes and edges (depth ≤ 3, at most maxNodes nodes).",
)


# --- paths ----------------------------------------------------------------------------------

PathsResult = Annotated[Connections | InvalidInputError, strawberry.union("PathsResult")]


async def _paths(
    root: Party,
    info: Info,
    to: Annotated[str, strawberry.argument(description="Identifier of the other party.")],
    max_hops: Annotated[int, strawberry.argument(description="At most this many hops, 1–6.")] = (
        limits.DEFAULT_PATH_HOPS
    ),
    types: Annotated[
        list[RelationType] | None,
        strawberry.argument(description="Relationship types (default: party-to-party ties)."),
    ] = None,
    active_on: ActiveOn = None,
    limit: Annotated[int, strawberry.argument(description="Paths returned, 1–50.")] = 20,
) -> PathsResult:
    try:
        target = inputs.party_id(to, "to")
        inputs.bounded(max_hops, "maxHops", 1, limits.MAX_PATH_HOPS)
        inputs.bounded(limit, "limit", 1, limits.MAX_PATHS)
        if target == str(root.id):
            raise ArgumentError("to", "is the party itself")
    except ArgumentError as error:
        return InvalidInputError.of(error)
    summaries = walk_wants_summaries(info)
    found = await info.context.read(
        SHORTEST_PATHS_QUERY[max_hops],
        **paths_params(str(root.id), target, types, active_on, limit, summaries),
    )
    rows = found[0]["paths"] if found else []  # the party's row, with its paths
    prime_summaries(info, [s for row in rows[:limit] for s in row["summaries"]])
    return connections(rows[:limit], len(rows) > limit, active_on or info.context.today, active_on)


def paths_params(
    source: str,
    target: str,
    types: list[RelationType] | None,
    on: date | None,
    limit: int,
    summaries: bool = False,
) -> dict[str, Any]:
    """The parameters of ``explore/shortest_paths_N`` for ``paths`` (one row more than
    ``limit``, to see truncation; ``summaries``: the nodes' credit summaries too)."""
    chosen = [t.value for t in (types or PATH_TYPES)]
    return {"source": source, "target": target, "types": chosen, "on": on, "limit": limit + 1,
            "summaries": summaries}  # fmt: skip


def connections(
    rows: Sequence[Mapping[str, Any]], truncated: bool, on: date, as_of: date | None
) -> Connections:
    """The answer of ``explore/shortest_paths_N``'s paths: the paths and their union."""
    union = Subgraph("", max_nodes=limits.MAX_NEIGHBOUR_NODES)
    paths = []
    for row in rows:
        nodes = [view_node(n, depth) for depth, n in enumerate(row["nodes"])]
        edges = [view_edge(r) for r in row["rels"]]
        union.add_path(nodes, edges)
        paths.append(
            GraphPath(
                length=len(edges),
                nodes=[graph_node(n) for n in nodes],
                edges=[graph_edge(e, on) for e in edges],
                inferred=any(e.type == RelationType.SHARES_CONTACT.value for e in edges),
            )
        )
    length = paths[0].length if paths else None
    return Connections(
        length=length, paths=paths, view=graph_view(union, on, as_of), truncated=truncated
    )


paths_of = strawberry.field(
    resolver=_paths,
    description="All shortest connections to another party (maxHops ≤ 6, capped by limit).",
)
