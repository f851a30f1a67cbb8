"""The party card, the case view and the ownership view, each read in one statement.

The workbench's card selects a party and five of its lists (credit summary, measures,
cases, legal representative, the measures' date), its hub guard the party's tie counts, and
its case view a case and four lists.
Read by their own loaders, that is five or six statements — each a worker thread, a driver
session, a Bolt round trip and the driver's decoding — where one statement can return it all
(the benchmark's plain side does, bench/cypher/graphql/party_card.cypher and case.cypher).

So ``party(id:)`` and ``case(caseNo:)`` read ``party/card`` and ``case/card`` when the
request selects one of those lists: one row holding the lookup's row and, for each list
asked for, the row its own statement would have given (same order, same page), and each
loader is handed its part — the lookup's loader too — as the future its resolver awaits.
Nothing here decides what a field answers: the resolvers run as before, with the same keys
(the key functions are theirs). A list whose arguments its resolver refuses is not read
here; the resolver refuses it as before. A failed read fails every part it was to hand out.

The ownership view (the party, its tree, its controllers) is the same: the tree's walk
(``explore/holdings_walk_*``) returns the party's own row and, asked, the rows the control
rule needs, so that ``party(id:)`` reads the three in one statement (:func:`read_ownership`)
where it read three beside each other. The records view, the connection view and the network
likewise: ``party/records``, ``explore/shortest_paths_N`` and ``explore/first_step_*`` return
the party's own row with the page, the paths or the network's first step (:func:`read_records`,
:func:`read_paths`, :func:`read_neighbours`; the step brings the party's own credit summary
too, for its ring on the picture).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from strawberry.dataloader import DataLoader

from graph_service.gql import inputs, limits
from graph_service.gql.context import Context, Info
from graph_service.gql.dataloaders import Row
from graph_service.gql.inputs import ArgumentError
from graph_service.gql.ownership import (
    OwnershipDirection,
    control_params,
    controllers_key,
    walk_params,
    walk_query,
)
from graph_service.gql.pagination import Page
from graph_service.gql.prefetch import (
    PartyField,
    day_of,
    listed,
    member,
    neighbours_read,
    page_of,
    paths_read,
    records_page_key,
    selected_fields,
    whole,
)
from graph_service.gql.records import RecordState
from graph_service.gql.ties import page_key, tie_counts_key
from graph_service.policy.catalog import catalog_in_force

log = logging.getLogger(__name__)

PARTY_CARD = "party/card"
CASE_CARD = "case/card"
#: The newest propagation run, as the measures' date loader reads it when the card cannot.
LAST_RUN = "propagation/last_runs"

Pick = Callable[[Row | None], Row | None]


@dataclass
class _Parts:
    """What one card read hands out: its parameters, and per (loader, key) how its value is
    taken from the card's row (None: nothing found)."""

    params: dict[str, Any] = field(default_factory=dict)
    parts: list[tuple[DataLoader[Any, Any], Hashable, Pick]] = field(default_factory=list)

    def hand(self, loader: DataLoader[Any, Any], key: Hashable, pick: Pick) -> None:
        self.parts.append((loader, key, pick))


def read_party_card(info: Info, party_id: str, fields: Sequence[PartyField]) -> None:
    """Begins ``party/card`` for ``party_id`` when ``fields`` (selected on the party) hold one
    of its lists, and gives the party's lookup and each of those lists' loaders their part."""
    ctx = info.context
    card = _Parts({"credit": False, "measures": False, "cases": None, "legal_rep": None})
    card.params |= {"latest_run": False, "tie_counts": None}
    for selected in fields:
        reader = PARTY_LISTS.get(selected.name)
        if reader is None:
            continue
        try:
            reader(ctx, party_id, selected, card)
        except (ArgumentError, KeyError, TypeError, ValueError):
            continue  # arguments the resolver refuses, with its own message
    if not card.parts:
        return
    card.hand(ctx.loaders.party, party_id, _party_row)
    _begin(ctx, PARTY_CARD, {"id": party_id, **card.params}, card.parts)


def read_case_card(info: Info, case_no: str) -> None:
    """Begins ``case/card`` for ``case_no`` (normalised) when the request selects one of the
    case's lists, and gives the case's lookup and those lists' loaders their part of it."""
    ctx = info.context
    card = _Parts({name: None for name in CASE_CARD_LISTS})
    for selected in selected_fields(info):
        if selected.name not in CASE_CARD_LISTS or card.params[selected.name] is not None:
            continue  # not a list of the card, or asked for already (an alias)
        try:
            _case_list(ctx, case_no, selected, card)
        except (ArgumentError, KeyError, TypeError, ValueError):
            continue
    if not card.parts:
        return
    card.hand(ctx.loaders.case, case_no, _case_row)
    _begin(ctx, CASE_CARD, {"id": case_no, **card.params}, card.parts)


def read_ownership(info: Info, party_id: str, fields: Sequence[PartyField]) -> None:
    """Begins the ownership tree's walk for ``party_id`` when ``fields`` (selected on the
    party) hold an ``ownershipTree`` the walk reads (two levels or more), with the party's
    own row and — when ``actualControllers`` is asked for the same day — the control rule's
    rows, and hands each its part: the walk to the tree's resolver, the row to the party's
    lookup, the rows to the controllers' loader."""
    ctx = info.context
    try:
        tree = next(f for f in fields if f.name == "ownershipTree")
        args = tree.arguments
        depth = inputs.bounded(whole(args, "depth", 3), "depth", 1, limits.MAX_OWNERSHIP_DEPTH)
        direction = member(OwnershipDirection, args.get("direction"), "UP")
        on = day_of(args.get("activeOn")) or ctx.today
    except (StopIteration, ArgumentError, KeyError, TypeError, ValueError):
        return  # no tree, or arguments its resolver refuses with its own message
    if depth < 2:
        return
    query, params = walk_query(direction), walk_params(party_id, depth, on)
    walk = ctx.expect(query, **params)
    if walk is None:  # begun already (an alias)
        return
    parts: list[tuple[Any, Hashable, Pick]] = [(ctx.loaders.party, party_id, _party_row)]
    controllers = [f for f in fields if f.name == "actualControllers"]
    if (
        len(controllers) == 1
        and (day_of(controllers[0].arguments.get("activeOn")) or ctx.today) == on
    ):
        rule = catalog_in_force(ctx.settings).control
        params |= control_params(rule)
        parts.append((ctx.loaders.keyed, controllers_key(party_id, on, rule), _control_row))
    _begin(ctx, query, params, parts, [(walk, lambda row: [row] if row else [])])


def read_records(info: Info, party_id: str, fields: Sequence[PartyField]) -> None:
    """Begins the page of ``party_id``'s records that ``fields`` (selected on the party) ask
    for, when nothing else reads the party: ``party/records`` gives the party's own row with
    the page, handed to the party's lookup and to the records' loader."""
    ctx = info.context
    if ctx.loaders.party.cache_map.get(party_id) is not None:
        return  # the party is read already (its card, its tree): the page is read on its own
    try:
        [selected] = [f for f in fields if f.name == "records"]
        key = records_page_key(ctx, party_id, selected)
    except (ArgumentError, KeyError, TypeError, ValueError):
        return  # no records, an alias (read on their own), or arguments refused as before
    params = {name: list(v) if isinstance(v, tuple) else v for name, v in key.params}
    parts: list[tuple[Any, Hashable, Pick]] = [
        (ctx.loaders.party, party_id, _party_row),
        (ctx.loaders.keyed, key, _records_row),
    ]
    _begin(ctx, key.query, {"ids": [party_id], **params}, parts)


def read_paths(info: Info, party_id: str, fields: Sequence[PartyField]) -> None:
    """Begins the shortest paths that ``fields`` (selected on the party) ask for, when nothing
    else reads the party: ``explore/shortest_paths_N`` gives the party's own row with its
    paths, handed to the party's lookup and to the ``paths`` resolver."""
    _read_walk(info, party_id, fields, "paths", paths_read)


def read_neighbours(info: Info, party_id: str, fields: Sequence[PartyField]) -> None:
    """Begins the network's first step that ``fields`` (selected on the party) ask for, when
    nothing else reads the party: ``explore/first_step_*`` gives the party's own row with the
    step (and the party's credit summary, which the resolver hands to the reports' loader),
    handed to the party's lookup and to the ``neighbours`` resolver."""
    _read_walk(info, party_id, fields, "neighbours", neighbours_read)


def _read_walk(
    info: Info,
    party_id: str,
    fields: Sequence[PartyField],
    name: str,
    read_of: Callable[[str, PartyField], tuple[str, dict[str, Any]] | None],
) -> None:
    """Begins the walk of the field ``name`` whose statement (``read_of``) returns the party's
    own row with the walk, when nothing else reads the party, and hands the row to the party's
    lookup and the row, as the walk's rows, to the walk's resolver."""
    ctx = info.context
    if ctx.loaders.party.cache_map.get(party_id) is not None:
        return  # the party is read already: the walk is read on its own
    try:
        [selected] = [f for f in fields if f.name == name]
        read = read_of(party_id, selected)
    except (ArgumentError, KeyError, TypeError, ValueError):
        return  # no such walk, an alias (read on its own), or arguments refused as before
    if read is None:
        return  # refused without a read (paths to the party itself)
    query, params = read
    walk = ctx.expect(query, **params)
    if walk is None:  # begun already
        return
    parts: list[tuple[Any, Hashable, Pick]] = [(ctx.loaders.party, party_id, _party_row)]
    _begin(ctx, query, params, parts, [(walk, lambda row: [row] if row else [])])


def _records_row(row: Row | None) -> Row | None:
    """party/records' row (one for every party found)."""
    return row


def _control_row(row: Row | None) -> Row | None:
    """explore/control_chains' row (one for every party found)."""
    return row["control"] if row else None


def _begin(
    ctx: Context,
    query: str,
    params: dict[str, Any],
    parts: list[tuple[Any, Hashable, Pick]],
    made: list[tuple[asyncio.Future[Any], Callable[[Row | None], Any]]] | None = None,
) -> None:
    """Runs ``query`` and sets each part's future in its loader's cache before anyone asks
    (``made``: futures set already where their resolvers will find them)."""
    loop = asyncio.get_running_loop()
    futures = list(made or [])
    for loader, key, pick in parts:
        if loader.cache_map.get(key) is None:  # asked for already: that read stands
            future: asyncio.Future[Any] = loop.create_future()
            future.add_done_callback(_seen)
            loader.cache_map.set(key, future)
            futures.append((future, pick))
    if not futures:  # every part is read already (an alias of the same party): no card
        return
    task = asyncio.ensure_future(_hand_out(ctx, query, params, futures))
    task.add_done_callback(_seen)


async def _hand_out(
    ctx: Context,
    query: str,
    params: dict[str, Any],
    futures: list[tuple[asyncio.Future[Any], Callable[[Row | None], Any]]],
) -> None:
    try:
        rows = await ctx.read_fresh(query, **params)
        row = rows[0] if rows else None
        for future, pick in futures:
            if row is None and pick is _latest_run:  # no party: the run is read on its own
                runs = await ctx.read(LAST_RUN, limit=1)
                future.set_result(runs[0]["run"] if runs else None)
            elif not future.done():
                future.set_result(pick(row))
    except Exception as exc:  # every part not handed out fails as its own read would have
        for future, _ in futures:
            if not future.done():
                future.set_exception(exc)
        raise


def _seen(future: asyncio.Future[Any]) -> None:
    """Marks a failure as seen (asyncio would warn about a future nobody awaits) and logs it;
    the resolvers that await a part get it raised."""
    if not future.cancelled() and future.exception() is not None:
        log.info("a card read failed", exc_info=future.exception())


# --- the party card ---------------------------------------------------------------------------


def _party_row(row: Row | None) -> Row | None:
    """party/by_id's row."""
    return {"id": row["id"], "labels": row["labels"], "props": row["props"]} if row else None


def _credit(ctx: Context, party_id: str, _: PartyField, card: _Parts) -> None:
    card.params["credit"] = True
    card.hand(ctx.loaders.credit, party_id, _credit_row)


def _credit_row(row: Row | None) -> Row | None:
    """party/credit_summary's row (one for every party found)."""
    if not row or row.get("credit") is None:
        return None
    return {"id": row["id"], **row["credit"]}


def _measures(ctx: Context, party_id: str, _: PartyField, card: _Parts) -> None:
    card.params["measures"] = True
    card.hand(ctx.loaders.measures, party_id, _measures_row)


def _measures_row(row: Row | None) -> Row | None:
    """party/measures' row: none for a party without measures."""
    items = (row or {}).get("measures")
    return {"id": row["id"], "items": items} if row and items else None


def _cases(ctx: Context, party_id: str, selected: PartyField, card: _Parts) -> None:
    if card.params["cases"] is not None:
        return  # an alias with other arguments: its resolver reads it
    args = selected.arguments
    at = page_of(args)
    roles = listed(args.get("roles"))
    key = page_key("party/cases", party_id, at, roles=roles)
    card.params["cases"] = {
        "offset": at.offset, "limit": at.limit, "roles": list(roles) if roles is not None else None
    }  # fmt: skip
    card.hand(ctx.loaders.keyed, key, _page("case_total", "case_items"))


def _legal_representative(ctx: Context, party_id: str, _: PartyField, card: _Parts) -> None:
    at = Page(0, 1)  # the resolver's page (ties._first_other)
    card.params["legal_rep"] = {"offset": at.offset, "limit": at.limit}
    card.hand(ctx.loaders.keyed, page_key("party/legal_rep", party_id, at), _legal_rep_page)


def _legal_rep_page(row: Row | None) -> Row | None:
    """party/legal_rep's row: each item's ``end`` is the company itself."""
    found = _page("legal_rep_total", "legal_rep_items")(row)
    if found is None or row is None:
        return None
    end = {"labels": row["labels"], "props": row["props"]}
    return {**found, "items": [{**item, "end": end} for item in found["items"]]}


def _measures_date(ctx: Context, _party: str, _: PartyField, card: _Parts) -> None:
    card.params["latest_run"] = True
    card.hand(ctx.loaders.latest_run, "latest", _latest_run)


def _latest_run(row: Row | None) -> Row | None:
    """The latest run loader's value: the newest run (None: no run yet)."""
    runs = (row or {}).get("latest_run") or []
    return runs[0] if runs else None


def _page(total: str, items: str, extra: Mapping[str, Any] | None = None) -> Pick:
    """A list loader's row ``{id, total, items}`` from the card's columns; none for an empty
    list, as the list's own statement gives none (``extra`` is added to every item)."""

    def pick(row: Row | None) -> Row | None:
        if not row or not row.get(total):
            return None
        listed = row[items]
        if extra is not None:
            listed = [{**item, **extra} for item in listed]
        return {"id": row["id"], "total": row[total], "items": listed}

    return pick


def _tie_counts(ctx: Context, party_id: str, selected: PartyField, card: _Parts) -> None:
    if card.params["tie_counts"] is not None:
        return  # an alias with another day: its resolver reads it
    on = day_of(selected.arguments.get("activeOn"))
    card.params["tie_counts"] = {"on": on}
    card.hand(ctx.loaders.keyed, tie_counts_key(party_id, on), _tie_counts_row)


def _tie_counts_row(row: Row | None) -> Row | None:
    """party/tie_counts' row (one for every party found)."""
    if not row or row.get("tie_counts") is None:
        return None
    return {"id": row["id"], "counts": row["tie_counts"]}


Reader = Callable[[Context, str, PartyField, _Parts], None]

#: Party fields the card reads, by GraphQL name.
PARTY_LISTS: Mapping[str, Reader] = {
    "creditReport": _credit,
    "measures": _measures,
    "cases": _cases,
    "legalRepresentative": _legal_representative,
    "measuresDate": _measures_date,
    "tieCounts": _tie_counts,
}


# --- the case ---------------------------------------------------------------------------------

#: The case's lists the card reads: GraphQL name (the card's parameter) → the list's own query.
CASE_CARD_LISTS: Mapping[str, str] = {
    "parties": "case/parties",
    "officials": "case/officials",
    "interventions": "case/interventions",
    "records": "case/records",
}
#: The card's columns of each list: its total and its page.
_CASE_ITEMS: Mapping[str, tuple[str, str]] = {
    "parties": ("party_total", "party_items"),
    "officials": ("official_total", "official_items"),
    "interventions": ("intervention_total", "intervention_items"),
    "records": ("record_total", "record_items"),
}


def _case_row(row: Row | None) -> Row | None:
    """case/by_nos' row."""
    return {"id": row["id"], "props": row["props"], "court": row["court"]} if row else None


def _case_list(ctx: Context, case_no: str, selected: PartyField, card: _Parts) -> None:
    """One list of the case, with the parameters and key its resolver uses (case.py)."""
    name = selected.name
    args = selected.arguments
    at = page_of(args)
    given: dict[str, Any] = {}
    if name == "parties":
        given = {"roles": listed(args.get("roles"))}
    elif name == "records":
        given = {
            "on": day_of(args.get("activeOn")) or ctx.today,
            "state": member(RecordState, args.get("state"), "ALL").value,
        }
    key = page_key(CASE_CARD_LISTS[name], case_no, at, **given)
    card.params[name] = {
        "offset": at.offset,
        "limit": at.limit,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in given.items()},
    }
    total, items = _CASE_ITEMS[name]
    card.hand(ctx.loaders.keyed, key, _case_page(total, items, name != "records"))


def _case_page(total: str, items: str, with_case: bool) -> Pick:
    """A case list's row; the lists of relationships carry the case in every item, as their
    statements give it (records carry its number)."""

    def pick(row: Row | None) -> Row | None:
        extra = {"case": row["props"]} if row and with_case else None
        return _page(total, items, extra)(row)

    return pick
