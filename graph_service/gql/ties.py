"""Ties between parties as registered: shareholdings, officers, legal representatives,
branches, posts of officials, contacts and the inferred shared contacts.

Every list is a Relay connection read through the request's list loader; every relationship
list takes ``activeOn`` (only what was active that day: ``since <= activeOn < until``), and
each item says whether it is ``active`` on that day (today when ``activeOn`` is not given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph_service.gql.context import Info
from graph_service.gql.convert import as_date, as_float, as_str, is_active
from graph_service.gql.dataloaders import ListKey, ListPage
from graph_service.gql.pagination import Connection, Page, connection, page
from graph_service.gql.shared import (
    Direction,
    PartyRef,
    Provenance,
    RelationType,
    party_of,
    provenance,
)

if TYPE_CHECKING:
    from graph_service.gql.party import Party

ActiveOn = Annotated[
    date | None,
    strawberry.argument(description="Only what was active that day (default: past and present)."),
]
First = Annotated[int | None, strawberry.argument(description="Page size (default 20, max 100).")]
After = Annotated[str | None, strawberry.argument(description="Cursor to continue after.")]
Roles = Annotated[list[str] | None, strawberry.argument(description="Only these roles.")]


@strawberry.type(description="A stake one party holds in a company (股东及出资).")
class Shareholding:
    """A HOLDS_SHARES relationship."""

    holder: PartyRef
    company: PartyRef
    stake_pct: float | None = strawberry.field(description="Percent of the company, 0–100.")
    subscribed_cny: float | None
    since: date | None
    until: date | None = strawberry.field(description="Null while the stake is held.")
    active: bool = strawberry.field(description="Held on activeOn (default today).")
    provenance: Provenance | None


@strawberry.type(description="An officer role of a person in a company (主要人员).")
class Officer:
    """An OFFICER_OF relationship."""

    person: PartyRef
    company: PartyRef
    role: str | None = strawberry.field(
        description="chair, director, supervisor, manager, finance_officer, principal or "
        "actual_controller."
    )
    since: date | None
    until: date | None
    active: bool
    provenance: Provenance | None


@strawberry.type(description="A post of an official at an agency or court (任职).")
class Employment:
    """An EMPLOYED_AT relationship."""

    official: PartyRef
    agency: PartyRef
    position: str | None
    rank: str | None
    since: date | None
    until: date | None
    active: bool
    provenance: Provenance | None


@strawberry.type(description="A contact detail a party reported in an annual report.")
class Contact:
    """A HAS_CONTACT relationship and its :Contact."""

    kind: str | None = strawberry.field(description="phone, email or address.")
    value: str | None = strawberry.field(description="Normalised value.")
    reported_on: date | None
    shared_by: int = strawberry.field(description="How many parties report this contact.")


@strawberry.type(
    description="Another party reporting the same contact: suspected related (疑似关联)."
)
class SharedContact:
    """A SHARES_CONTACT relationship, seen from one of its two parties."""

    party: PartyRef = strawberry.field(description="The other party.")
    via: str | None = strawberry.field(description="The shared contact (kind:value).")
    inferred: bool = strawberry.field(
        description="Always true: derived from shared contacts, not a registry fact."
    )
    provenance: Provenance | None


@strawberry.type(description="How many ties of one type a party has in one direction.")
class TieCount:
    """A degree of the party's node, counted without reading the ties."""

    type: RelationType
    direction: Direction = strawberry.field(
        description="OUT: the stored direction (holder → company, branch → parent); IN the "
        "reverse; BOTH for shared contacts, which have no direction."
    )
    count: int


# --- shaping --------------------------------------------------------------------------------


def _dates(rel: Mapping[str, Any], on: date) -> dict[str, Any]:
    return {
        "since": as_date(rel.get("since")),
        "until": as_date(rel.get("until")),
        "active": is_active(rel, on),
        "provenance": provenance(rel),
    }


def shareholding(row: Mapping[str, Any], on: date) -> Shareholding:
    """A :class:`Shareholding` from a ``{rel, start, end}`` row."""
    rel = row["rel"]
    return Shareholding(
        holder=party_of(row["start"]),
        company=party_of(row["end"]),
        stake_pct=as_float(rel.get("stake_pct")),
        subscribed_cny=as_float(rel.get("subscribed_cny")),
        **_dates(rel, on),
    )


def officer(row: Mapping[str, Any], on: date) -> Officer:
    """An :class:`Officer` from a ``{rel, start, end}`` row."""
    rel = row["rel"]
    return Officer(
        person=party_of(row["start"]),
        company=party_of(row["end"]),
        role=as_str(rel.get("role")),
        **_dates(rel, on),
    )


def employment(row: Mapping[str, Any], on: date) -> Employment:
    """An :class:`Employment` from a ``{rel, start, end}`` row."""
    rel = row["rel"]
    return Employment(
        official=party_of(row["start"]),
        agency=party_of(row["end"]),
        position=as_str(rel.get("position")),
        rank=as_str(rel.get("rank")),
        **_dates(rel, on),
    )


# --- reading --------------------------------------------------------------------------------


def page_key(query: str, owner: str, at: Page, **params: Any) -> ListKey:
    """The list loader's key of one page of ``owner``'s list from ``query``."""
    return ListKey.of(query, owner, offset=at.offset, limit=at.limit, **params)


async def read_page(info: Info, query: str, owner: str, at: Page, **params: Any) -> ListPage:
    """One page of ``owner``'s list from ``query``, through the request's list loader."""
    return await info.context.loaders.page(page_key(query, owner, at, **params))


async def _ties(
    root: Party,
    info: Info,
    query: str,
    active_on: date | None,
    first: int | None,
    after: str | None,
    **params: Any,
) -> tuple[Sequence[Mapping[str, Any]], Page, int, date]:
    at = page(first, after)
    found = await read_page(info, query, str(root.id), at, on=active_on, **params)
    return found.items, at, found.total, active_on or info.context.today


async def _shareholders(
    root: Party, info: Info, active_on: ActiveOn = None, first: First = None, after: After = None
) -> Connection[Shareholding]:
    rows, at, total, on = await _ties(root, info, "party/shareholders", active_on, first, after)
    return connection([shareholding(r, on) for r in rows], at, total)


async def _holdings(
    root: Party, info: Info, active_on: ActiveOn = None, first: First = None, after: After = None
) -> Connection[Shareholding]:
    rows, at, total, on = await _ties(root, info, "party/holdings", active_on, first, after)
    return connection([shareholding(r, on) for r in rows], at, total)


async def _officers(
    root: Party,
    info: Info,
    roles: Roles = None,
    active_on: ActiveOn = None,
    first: First = None,
    after: After = None,
) -> Connection[Officer]:
    rows, at, total, on = await _ties(
        root, info, "party/officers", active_on, first, after, roles=_tuple(roles)
    )
    return connection([officer(r, on) for r in rows], at, total)


async def _positions(
    root: Party,
    info: Info,
    roles: Roles = None,
    active_on: ActiveOn = None,
    first: First = None,
    after: After = None,
) -> Connection[Officer]:
    rows, at, total, on = await _ties(
        root, info, "party/positions", active_on, first, after, roles=_tuple(roles)
    )
    return connection([officer(r, on) for r in rows], at, total)


async def _employments(
    root: Party, info: Info, active_on: ActiveOn = None, first: First = None, after: After = None
) -> Connection[Employment]:
    rows, at, total, on = await _ties(root, info, "party/employments", active_on, first, after)
    return connection([employment(r, on) for r in rows], at, total)


async def _staff(
    root: Party, info: Info, active_on: ActiveOn = None, first: First = None, after: After = None
) -> Connection[Employment]:
    rows, at, total, on = await _ties(root, info, "party/staff", active_on, first, after)
    return connection([employment(r, on) for r in rows], at, total)


async def _branches(
    root: Party, info: Info, first: First = None, after: After = None
) -> Connection[PartyRef]:
    at = page(first, after)
    found = await read_page(info, "party/branches", str(root.id), at)
    return connection([party_of(r["start"]) for r in found.items], at, found.total)


async def _represented(
    root: Party, info: Info, first: First = None, after: After = None
) -> Connection[PartyRef]:
    at = page(first, after)
    found = await read_page(info, "party/legal_rep_of", str(root.id), at)
    return connection([party_of(r["end"]) for r in found.items], at, found.total)


async def _first_other(root: Party, info: Info, query: str, side: str) -> Party | None:
    found = await read_page(info, query, str(root.id), Page(0, 1))
    return party_of(found.items[0][side]) if found.items else None


async def _legal_representative(root: Party, info: Info) -> PartyRef | None:
    return await _first_other(root, info, "party/legal_rep", "start")


async def _parent(root: Party, info: Info) -> PartyRef | None:
    return await _first_other(root, info, "party/parent", "end")


async def _contacts(root: Party, info: Info) -> list[Contact]:
    row = await info.context.loaders.contacts.load(str(root.id))
    return [_contact(item) for item in (row["items"] if row else [])]


def _contact(item: Mapping[str, Any]) -> Contact:
    rel, contact = item["rel"], item["contact"]
    return Contact(
        kind=as_str(contact.get("kind")),
        value=as_str(contact.get("value")),
        reported_on=as_date(rel.get("reported_on")),
        shared_by=int(item["shared_by"]),
    )


async def _shared_contacts(
    root: Party, info: Info, first: First = None, after: After = None
) -> Connection[SharedContact]:
    at = page(first, after)
    found = await read_page(info, "party/shared_contacts", str(root.id), at)
    shared = [
        SharedContact(
            party=party_of(r["end"]),
            via=as_str(r["rel"].get("via")),
            inferred=True,
            provenance=provenance(r["rel"]),
        )
        for r in found.items
    ]
    return connection(shared, at, found.total)


def tie_counts_key(owner: str, active_on: date | None) -> ListKey:
    """The list loader's key of ``owner``'s tie counts."""
    return ListKey.of("party/tie_counts", owner, on=active_on)


async def _tie_counts(root: Party, info: Info, active_on: ActiveOn = None) -> list[TieCount]:
    row = await info.context.loaders.keyed.load(tie_counts_key(str(root.id), active_on))
    return [
        TieCount(
            type=RelationType(c["type"]), direction=Direction(c["direction"]), count=c["count"]
        )
        for c in (row["counts"] if row else [])
    ]


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


# --- fields (attached to the party types in graph_service.gql.party) ------------------------

shareholders_of = strawberry.field(
    resolver=_shareholders, description="Holders of stakes in this company, largest first."
)
holdings_of = strawberry.field(
    resolver=_holdings, description="Stakes this party holds in companies, largest first."
)
officers_of = strawberry.field(resolver=_officers, description="Key personnel (主要人员).")
positions_of = strawberry.field(
    resolver=_positions, description="Officer roles this person holds or held."
)
employments_of = strawberry.field(
    resolver=_employments, description="Posts of this official, newest first."
)
staff_of = strawberry.field(
    resolver=_staff, description="Officials employed here (agencies, courts)."
)
branches_of = strawberry.field(resolver=_branches, description="Branch offices (分支机构).")
represented_of = strawberry.field(
    resolver=_represented, description="Companies this person legally represents."
)
representative_of = strawberry.field(
    resolver=_legal_representative, description="The legal representative (法定代表人)."
)
parent_of = strawberry.field(
    resolver=_parent, description="For a branch office: the entity it belongs to."
)
contacts_of = strawberry.field(
    resolver=_contacts, description="Contact details from annual reports."
)
tie_counts_of = strawberry.field(
    resolver=_tie_counts,
    description="How many ties of each type and direction the party has (dated ties: those "
    "active on activeOn, or all): one count per type, nothing read but the degrees. What a "
    "picture needs before deciding how much to draw.",
)
shared_contacts_of = strawberry.field(
    resolver=_shared_contacts,
    description="Parties sharing a phone, e-mail or address: inferred (疑似关联), not registered.",
)
