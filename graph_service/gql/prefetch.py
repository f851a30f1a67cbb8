"""Reads a party's fields will ask for, begun together with the party's own lookup.

``party(id:)`` must read the party before GraphQL can resolve any of its fields (the node's
labels decide whether it is a Company, a Person or an Official), and each field's read waits
for that: one Neo4j round trip more, in sequence, on every party view of the workbench. Most
of those reads need only the party id and the field's arguments, so :func:`start_party_reads`
begins them at once, beside the lookup:

* reads through a DataLoader are *primed*: the loader is asked for the very key the
  resolver will ask for, and hands the resolver the same future;
* the first read of a walk (neighbours, paths, ownership tree) is begun with
  :meth:`Context.start_read` under the exact parameters the resolver will read with.

``case(caseNo:)`` is the same: its lists are read beside the case (:func:`start_case_reads`).

Nothing here decides what a field answers: the resolvers run as before and take the early
result only when their key or parameters are the same (the key functions are theirs). A
field whose arguments the resolver would refuse is not read early; an unknown party's reads
run for nothing and return nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
)
from strawberry.types.nodes import convert_arguments

from graph_service.gql import inputs, limits
from graph_service.gql.context import Context, Info
from graph_service.gql.dataloaders import ListKey
from graph_service.gql.inputs import ArgumentError
from graph_service.gql.ownership import (
    OwnershipDirection,
    controllers_key,
    holdings_params,
    holdings_query,
    walk_params,
    walk_query,
)
from graph_service.gql.pagination import Page, page
from graph_service.gql.records import RecordState, records_key
from graph_service.gql.relations import (
    FIRST_STEP_QUERY,
    SHORTEST_PATHS_QUERY,
    first_step_params,
    paths_params,
    wants_summaries,
)
from graph_service.gql.selections import fields_of
from graph_service.gql.shared import Direction, RelationType
from graph_service.gql.ties import page_key, tie_counts_key
from graph_service.policy.catalog import catalog_in_force

log = logging.getLogger(__name__)

Args = Mapping[str, Any]


def start_party_reads(
    info: Info, party_id: str, fields: Sequence[PartyField] | None = None
) -> None:
    """Begins the reads of the fields selected on the party ``party_id`` (see the module);
    ``fields``: :func:`selected_fields`, when the caller has them already."""
    for field in selected_fields(info) if fields is None else fields:
        starter = STARTERS.get(field.name)
        if starter is None:
            continue
        try:
            starter(info.context, party_id, field)
        except (ArgumentError, KeyError, TypeError, ValueError):
            continue  # arguments the resolver refuses, with its own message: nothing early


def start_case_reads(info: Info, case_no: str) -> None:
    """Begins the reads of the lists selected on the case ``case_no`` (its parties,
    officials, interventions and records), beside the case's own lookup."""
    for field in selected_fields(info):
        if field.name not in CASE_LISTS:
            continue
        try:
            at = page_of(field.arguments)
            key = page_key(CASE_LISTS[field.name], case_no, at, **_case_params(info, field))
        except (ArgumentError, KeyError, TypeError, ValueError):
            continue
        _primed(info.context.loaders.keyed.load(key))


def _case_params(info: Info, field: PartyField) -> dict[str, Any]:
    """The list parameters besides the page, as ``Case``'s resolvers pass them."""
    args = field.arguments
    if field.name == "parties":
        return {"roles": listed(args.get("roles"))}
    if field.name == "records":
        on = day_of(args.get("activeOn")) or info.context.today
        return {"on": on, "state": member(RecordState, args.get("state"), "ALL").value}
    return {}


@dataclass(frozen=True)
class PartyField:
    """A field selected on the root field's object (a party, a case): its name and its
    arguments as strawberry's ``SelectedField`` gives them (variables filled in, literals as
    their text), and its node in the document, looked below only where a reader asks."""

    name: str
    arguments: dict[str, Any]
    node: FieldNode
    fragments: Mapping[str, FragmentDefinitionNode]

    def wants_summaries(self) -> bool:
        """:func:`~graph_service.gql.relations.wants_summaries` for this field."""
        return wants_summaries([self.node], self.fragments)


#: Begins the reads of one selected field (its arguments and selections) of a party.
Starter = Callable[[Context, str, PartyField], None]


def selected_fields(info: Info) -> Iterator[PartyField]:
    """The fields selected on the root field's object, through fragments.

    Read from the document, one level down: strawberry's ``Info.selected_fields`` builds
    every field below the root at each call, with its arguments and directives — for a
    party view some 50–80 fields, about a tenth of the request's CPU on the event loop
    (profiled, docs/benchmarks.md), of which the readers here need the first level only.
    """
    raw = info._raw_info  # graphql-core's info, which strawberry's own selected_fields reads
    for root in raw.field_nodes:
        for node in fields_of(root.selection_set, raw.fragments) if root.selection_set else ():
            arguments = convert_arguments(raw, node.arguments)
            yield PartyField(node.name.value, arguments, node, raw.fragments)


def whole(args: Args, name: str, default: int | None = None) -> Any:
    """An Int argument as selected: a variable's value, or a literal's digits as a number
    (strawberry hands a literal over as its text: ``first: 20`` is ``"20"``, which a page or
    a bound would refuse, and the read would not begin early)."""
    value = args.get(name, default)
    return int(value) if isinstance(value, str) else value


E = TypeVar("E", bound=Enum)


def member(enum: type[E], value: Any, default: str) -> E:
    """An enum argument as selected (``default``'s member when absent): a literal comes as
    the member's name, a variable as the member strawberry made of it — which ``enum[...]``
    alone would refuse, and the read would not begin early.

    >>> member(Direction, "OUT", "BOTH"), member(Direction, Direction.OUT, "BOTH")
    (<Direction.OUT: 'OUT'>, <Direction.OUT: 'OUT'>)
    >>> member(Direction, None, "BOTH")
    <Direction.BOTH: 'BOTH'>
    """
    if value is None:
        return enum[default]
    return value if isinstance(value, enum) else enum[value]


def listed(value: Any) -> tuple[Any, ...] | None:
    """A list argument as selected, None when absent: one value given where a list is
    expected is valid GraphQL (input coercion makes it a list of one) and comes as the value
    itself — a text would otherwise be taken for its characters.

    >>> listed(["a", "b"]), listed("defendant"), listed(None)
    (('a', 'b'), ('defendant',), None)
    """
    if value is None:
        return None
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def page_of(args: Args) -> Page:
    """The page a list's resolver reads for the arguments ``first`` and ``after`` as selected."""
    return page(whole(args, "first"), args.get("after"))


def _primed(future: Awaitable[Any]) -> None:
    """A loader's future nobody may await (an unknown party): its failure is seen and logged
    here, and raised again to any resolver that awaits it."""
    asyncio.ensure_future(future).add_done_callback(_seen)


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.info("a read started early failed", exc_info=future.exception())


def day_of(value: Any) -> date | None:
    """A ``Date`` argument as selected, or None when absent: a literal comes as its ISO text,
    a variable as the date strawberry made of it.

    >>> day_of("2024-05-01"), day_of(date(2024, 5, 1)), day_of(None)
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 1), None)
    """
    return date.fromisoformat(value) if isinstance(value, str) else value


def _credit_report(ctx: Context, party_id: str, _: PartyField) -> None:
    _primed(ctx.loaders.credit.load(party_id))


def _measures(ctx: Context, party_id: str, _: PartyField) -> None:
    _primed(ctx.loaders.measures.load(party_id))


def _measures_date(ctx: Context, _party: str, _: PartyField) -> None:
    _primed(ctx.loaders.latest_run.load("latest"))


def _tie_counts(ctx: Context, party_id: str, field: PartyField) -> None:
    on = day_of(field.arguments.get("activeOn"))
    _primed(ctx.loaders.keyed.load(tie_counts_key(party_id, on)))


def _cases(ctx: Context, party_id: str, field: PartyField) -> None:
    args = field.arguments
    at = page_of(args)
    key = page_key("party/cases", party_id, at, roles=listed(args.get("roles")))
    _primed(ctx.loaders.keyed.load(key))


def _legal_representative(ctx: Context, party_id: str, _: PartyField) -> None:
    _primed(ctx.loaders.keyed.load(page_key("party/legal_rep", party_id, Page(0, 1))))


def _records(ctx: Context, party_id: str, field: PartyField) -> None:
    _primed(ctx.loaders.keyed.load(records_page_key(ctx, party_id, field)))


def records_page_key(ctx: Context, party_id: str, field: PartyField) -> ListKey:
    """The list loader's key of the page of records ``field`` selects, as its resolver
    makes it."""
    args = field.arguments
    at = page_of(args)
    on = day_of(args.get("activeOn")) or ctx.today
    state = member(RecordState, args.get("state"), "ALL")
    catalog = catalog_in_force(ctx.settings)
    kinds = listed(args.get("kinds"))
    return records_key(party_id, list(kinds) if kinds is not None else None, state, on, at, catalog)


def neighbours_read(party_id: str, field: PartyField) -> tuple[str, dict[str, Any]]:
    """The statement and parameters of the first step the ``neighbours`` resolver reads for
    ``field`` selected on ``party_id`` (which brings the party's own row and, when the nodes'
    reports are asked, its credit summary); raises as :func:`start_party_reads` expects for
    arguments the resolver refuses."""
    args = field.arguments
    inputs.bounded(whole(args, "depth", 1), "depth", 1, limits.MAX_NEIGHBOUR_DEPTH)
    max_nodes = whole(args, "maxNodes", limits.DEFAULT_NEIGHBOUR_NODES)
    inputs.bounded(max_nodes, "maxNodes", 1, limits.MAX_NEIGHBOUR_NODES)
    given = listed(args.get("types")) or tuple(RelationType.__members__)
    types = [member(RelationType, t, "").value for t in given]
    query = FIRST_STEP_QUERY[member(Direction, args.get("direction"), "BOTH")]
    on = day_of(args.get("activeOn"))
    summaries = field.wants_summaries()
    return query, first_step_params(party_id, types, on, max_nodes, summaries)


def _neighbours(ctx: Context, party_id: str, field: PartyField) -> None:
    query, params = neighbours_read(party_id, field)
    ctx.start_read(query, **params)


def paths_read(party_id: str, field: PartyField) -> tuple[str, dict[str, Any]] | None:
    """The statement and parameters the ``paths`` resolver reads for ``field`` selected on
    ``party_id`` (None: paths to the party itself, which it refuses without reading);
    raises as :func:`start_party_reads` expects for arguments the resolver refuses."""
    args = field.arguments
    target = inputs.party_id(args["to"], "to")
    hops = whole(args, "maxHops", limits.DEFAULT_PATH_HOPS)
    inputs.bounded(hops, "maxHops", 1, limits.MAX_PATH_HOPS)
    limit = inputs.bounded(whole(args, "limit", 20), "limit", 1, limits.MAX_PATHS)
    given = listed(args.get("types"))
    types = [member(RelationType, t, "") for t in given] if given else None
    if target == party_id:
        return None
    on = day_of(args.get("activeOn"))
    params = paths_params(party_id, target, types, on, limit, field.wants_summaries())
    return SHORTEST_PATHS_QUERY[hops], params


def _paths(ctx: Context, party_id: str, field: PartyField) -> None:
    read = paths_read(party_id, field)
    if read is not None:
        query, params = read
        ctx.start_read(query, **params)


def _ownership_tree(ctx: Context, party_id: str, field: PartyField) -> None:
    args = field.arguments
    depth = inputs.bounded(whole(args, "depth", 3), "depth", 1, limits.MAX_OWNERSHIP_DEPTH)
    direction = member(OwnershipDirection, args.get("direction"), "UP")
    on = day_of(args.get("activeOn")) or ctx.today
    if depth >= 2:  # every step in one statement, as the resolver reads them
        ctx.start_read(walk_query(direction), **walk_params(party_id, depth, on))
    else:
        ctx.start_read(holdings_query(direction), **holdings_params([party_id], on))


def _actual_controllers(ctx: Context, party_id: str, field: PartyField) -> None:
    on = day_of(field.arguments.get("activeOn")) or ctx.today
    rule = catalog_in_force(ctx.settings).control
    _primed(ctx.loaders.keyed.load(controllers_key(party_id, on, rule)))


#: Party fields read early, by GraphQL name (those the workbench's views select).
STARTERS: Mapping[str, Starter] = {
    "creditReport": _credit_report,
    "measures": _measures,
    "measuresDate": _measures_date,
    "tieCounts": _tie_counts,
    "cases": _cases,
    "legalRepresentative": _legal_representative,
    "records": _records,
    "neighbours": _neighbours,
    "paths": _paths,
    "ownershipTree": _ownership_tree,
    "actualControllers": _actual_controllers,
}
#: Lists of a case read early: GraphQL name → query.
CASE_LISTS: Mapping[str, str] = {
    "parties": "case/parties",
    "officials": "case/officials",
    "interventions": "case/interventions",
    "records": "case/records",
}
