"""Measures (联合惩戒措施) of a party, their explanations, and the change log.

The propagation (graph_service.propagation) stores each party's measures as of its run date
and logs every measure gained, lost or changed as a :MeasureChange (docs/model.md). This
module reads that shape — ``Party.measures``, ``Party.measuresDate`` and the root field
``measureChanges`` — and shows measures the propagation computes on the fly for any other
date (``Party.measuresAsOf``) in the same ``Measure`` type, through the stored form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph_service.analysis.explain import Measure as Computed
from graph_service.analysis.graph import as_date as day_of
from graph_service.dueprocess.contested import mark_contested
from graph_service.gql.context import Info
from graph_service.gql.convert import as_date, as_datetime, as_float, as_str
from graph_service.gql.inputs import ArgumentError, InvalidInputError, party_id
from graph_service.gql.pagination import Connection, Edge, PageInfo, decode, encode, page
from graph_service.gql.records import Record, load_party, record_from
from graph_service.gql.shared import PartyRef, described
from graph_service.gql.ties import After, First
from graph_service.propagation.store import measure_row

if TYPE_CHECKING:
    from graph_service.gql.party import Party


@strawberry.enum(description="Whether a measure comes from the party's own record or a rule.")
class Origin(Enum):
    """direct: the party's own record; derived: a propagation rule (R1–R6)."""

    DIRECT = "direct"
    DERIVED = "derived"


@strawberry.type(description="One hop of the path from the origin record's party to this party.")
class MeasureHop:
    """An element of a measure's ``path_json``."""

    party_id: strawberry.ID
    name: str | None
    relation: str | None = strawberry.field(description="How this hop was reached (null first).")
    stake_pct: float | None
    role: str | None = strawberry.field(description="The role on this hop, e.g. principal.")

    @described("The party of this hop.")
    async def party(self, info: Info) -> PartyRef | None:
        """The hop's party, through the party loader."""
        return await load_party(info, str(self.party_id))


@strawberry.type(description="A joint-punishment measure that applies to the party (联合惩戒).")
class Measure:
    """A :Measure node written by the propagation."""

    key: strawberry.ID = strawberry.field(description="measure_key (stable identity).")
    measure: str = strawberry.field(description="e.g. high_consumption_ban, bidding_ban.")
    origin: Origin
    rule: str | None = strawberry.field(description="R1…R6 for derived measures.")
    record_key: str | None
    record_ref: str | None
    record_kind: str | None
    authority: str | None
    record_start: date | None
    record_end: date | None
    basis: str | None = strawberry.field(description="Legal basis, from the catalog.")
    path: list[MeasureHop]
    until: date | None = strawberry.field(description="Last day it applies, if known.")
    catalog_version: str | None
    run_id: str | None
    computed_at: datetime | None
    explanation: str = strawberry.field(description="Why the party has it, in one sentence.")

    @described(
        "True while an objection to the originating record is open (异议处理中); the measure "
        "still restricts."
    )
    async def contested(self, info: Info) -> bool:
        """Whether the originating record is under an open objection."""
        return (await self._marked(info))["contested"] is True

    @described("The open objection to the originating record, when contested.")
    async def objection_id(self, info: Info) -> str | None:
        """The open objection's id (null when not contested)."""
        found: str | None = (await self._marked(info))["objection_id"]
        return found

    async def _marked(self, info: Info) -> dict[str, Any]:
        """This measure as :func:`mark_contested` marks it (one query per request's batch)."""
        ref = self.record_ref
        found = await info.context.loaders.objections.load(ref) if ref is not None else None
        opened = {ref: found} if ref is not None and found is not None else {}
        return mark_contested([{"record_ref": ref}], opened)[0]

    @described("The originating record.")
    async def record(self, info: Info) -> Record | None:
        """The origin record, through the record loader."""
        if self.record_key is None:
            return None
        row = await info.context.loaders.record.load(self.record_key)
        return record_from(row["item"], info.context.today) if row else None


def measure_from(props: Mapping[str, Any]) -> Measure:
    """A :class:`Measure` from a :Measure node's properties."""
    hops = [_hop(h) for h in _path(props.get("path_json"))]
    origin = Origin.DERIVED if props.get("origin") == "derived" else Origin.DIRECT
    text = (
        "rule",
        "record_key",
        "record_ref",
        "record_kind",
        "authority",
        "basis",
        "catalog_version",
        "run_id",
    )
    return Measure(
        key=strawberry.ID(str(props.get("measure_key"))),
        measure=str(props.get("measure")),
        origin=origin,
        **{key: as_str(props.get(key)) for key in text},
        record_start=as_date(props.get("record_start")),
        record_end=as_date(props.get("record_end")),
        path=hops,
        until=as_date(props.get("until")),
        computed_at=as_datetime(props.get("computed_at")),
        explanation=explain(props, hops),
    )


def _path(raw: Any) -> list[Mapping[str, Any]]:
    try:
        hops = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    return [h for h in hops or [] if isinstance(h, Mapping) and h.get("party_id")]


def _hop(hop: Mapping[str, Any]) -> MeasureHop:
    return MeasureHop(
        party_id=strawberry.ID(str(hop["party_id"])),
        name=as_str(hop.get("name")),
        relation=as_str(hop.get("relation")),
        stake_pct=as_float(hop.get("stake_pct")),
        role=as_str(hop.get("role")),
    )


def explain(props: Mapping[str, Any], hops: Sequence[MeasureHop]) -> str:
    """Why a party has a measure: the record, the rule and the path, in one sentence.

    >>> explain({"measure": "dishonest_debtor", "origin": "direct",
    ...          "record_key": "dishonest_debtor:X|Y", "authority": "某法院"}, [])
    'dishonest_debtor: own record dishonest_debtor:X|Y (某法院)'
    >>> hop = lambda i, n, r: MeasureHop(party_id=strawberry.ID(i), name=n, relation=r,
    ...                                  stake_pct=None, role=None)
    >>> print(explain({"measure": "officer_ban", "origin": "derived", "rule": "R1",
    ...                "record_key": "dd:K|C", "basis": "限高令"},
    ...               [hop("C", "华北建设", None), hop("P", "张伟", "LEGAL_REP_OF")]))
    officer_ban by rule R1 from record dd:K|C via 华北建设 —LEGAL_REP_OF→ 张伟; basis: 限高令
    """
    record = props.get("record_key") or "an unknown record"
    authority = f" ({props['authority']})" if props.get("authority") else ""
    if props.get("origin") == "derived":
        text = f"{props.get('measure')} by rule {props.get('rule')} from record {record}"
        if hops:
            text += " via " + _route(hops)
    else:
        text = f"{props.get('measure')}: own record {record}{authority}"
    return text + (f"; basis: {props['basis']}" if props.get("basis") else "")


def _route(hops: Sequence[MeasureHop]) -> str:
    parts = [hops[0].name or str(hops[0].party_id)]
    for hop in hops[1:]:
        detail = f" {hop.stake_pct:g}%" if hop.stake_pct is not None else ""
        detail += f" ({hop.role})" if hop.role else ""
        parts.append(f" —{hop.relation or 'RELATED'}{detail}→ {hop.name or hop.party_id}")
    return "".join(parts)


async def _measures(root: Party, info: Info) -> list[Measure]:
    row = await info.context.loaders.measures.load(str(root.id))
    return [measure_from(m) for m in (row or {}).get("items", [])]


measures_of = strawberry.field(
    resolver=_measures,
    description="Measures stored by the latest propagation run, each with its explanation.",
)


def computed_measure(measure: Computed) -> Measure:
    """A measure computed on the fly, shown as if stored (no run stored it: ``runId`` and
    ``computedAt`` are null)."""
    props = measure_row(measure)["props"]
    props.update(measure_key=measure.key, catalog_version=measure.catalog_version)
    return measure_from(props)


async def _measures_as_of(
    root: Party,
    info: Info,
    day: Annotated[
        date, strawberry.argument(name="date", description="The day the measures apply on.")
    ],
) -> list[Measure]:
    computed = await info.context.loaders.measures_on.load((str(root.id), day))
    return sorted(map(computed_measure, computed), key=lambda m: (m.measure, str(m.key)))


measures_as_of_of = strawberry.field(
    resolver=_measures_as_of,
    description="Measures the policy gives the party on a date, computed now from the graph's "
    "history (records active that day, relationships of that day), with explanations. Costs "
    "a propagation over the party's neighbourhood: prefer `measures` for the stored ones.",
)


async def _measures_date(info: Info) -> date | None:
    run = await info.context.loaders.latest_run.load("latest")
    value = run.get("as_of") if run else None
    # the run node keeps its as-of date as ISO text (graph_service.propagation.runner)
    return date.fromisoformat(value) if isinstance(value, str) else as_date(value)


measures_date_of = strawberry.field(
    resolver=_measures_date,
    description="The date the stored `measures` hold for: the as-of date of the latest "
    "propagation run (null before the first run).",
)


# --- change log -----------------------------------------------------------------------------


@strawberry.enum(description="Whether a run added, removed or changed a measure.")
class ChangeKind(Enum):
    """gained, lost, or changed (same measure, new content: path, record, until, catalog)."""

    GAINED = "gained"
    LOST = "lost"
    CHANGED = "changed"


@strawberry.type(description="A measure a party gained, lost or changed in a propagation run.")
class MeasureChange:
    """A :MeasureChange node."""

    change_id: strawberry.ID
    run_id: str | None
    at: datetime | None
    party_id: strawberry.ID
    measure: str | None
    measure_key: str | None
    rule: str | None
    record_key: str | None
    catalog_version: str | None
    change: ChangeKind
    ended_by: str | None = strawberry.field(
        default=None,
        description="lost: why — the origin record ended (expired, period, repaired, revoked, "
        "removed) or related_party_change (it is still active).",
    )
    ended_on: date | None = strawberry.field(
        default=None, description="lost: the first day the origin record was no longer active."
    )
    ended_source: str | None = strawberry.field(
        default=None,
        description="lost: repair or objection when a decision's status update ended the record.",
    )

    @described("The party concerned.")
    async def party(self, info: Info) -> PartyRef | None:
        """The party, through the party loader."""
        return await load_party(info, str(self.party_id))


@strawberry.type(description="One page of the change log.")
class MeasureChangeConnection(Connection[MeasureChange]):
    """Named so that it can be a member of the MeasureChangeResult union."""


MeasureChangeResult = Annotated[
    MeasureChangeConnection | InvalidInputError, strawberry.union("MeasureChangeResult")
]


async def measure_changes(
    info: Info,
    since: Annotated[datetime, strawberry.argument(description="Changes at or after this time.")],
    party: Annotated[str | None, strawberry.argument(description="Only this party.")] = None,
    change: ChangeKind | None = None,
    first: First = None,
    after: After = None,
) -> MeasureChangeResult:
    """Measures gained, lost or changed since a time, oldest first (keyset pages)."""
    try:
        params = _change_params(since, party, change, first, after)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    rows = await info.context.read("changes/measure_changes", **params)
    changes = [_change(r["props"]) for r in rows]
    limit = params["limit"] - 1
    return _keyset_connection(changes[:limit], more=len(changes) > limit)


def _change_params(
    since: datetime,
    party: str | None,
    change: ChangeKind | None,
    first: int | None,
    after: str | None,
) -> dict[str, Any]:
    at = page(first, None)
    after_at, after_id = _after(after)
    return {
        "since": _aware(since),
        "party": party_id(party, "party") if party is not None else None,
        "change": change.value if change else None,
        "after_at": after_at,
        "after_id": after_id,
        "limit": at.limit + 1,  # one more than the page: tells whether another page follows
    }


def _after(cursor: str | None) -> tuple[datetime | None, str | None]:
    if cursor is None:
        return None, None
    value = decode(cursor)
    try:
        return datetime.fromisoformat(value["at"]), str(value["id"])
    except (TypeError, KeyError, ValueError):
        raise ArgumentError("after", "is not a cursor of the change log") from None


def _aware(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC (the log's times carry one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _change(props: Mapping[str, Any]) -> MeasureChange:
    kind = ChangeKind(props.get("change", "gained"))
    text = ("run_id", "measure", "measure_key", "rule", "record_key", "catalog_version",
            "ended_by", "ended_source")  # fmt: skip
    return MeasureChange(
        ended_on=day_of(props.get("ended_on")),  # kept as ISO text on the change
        change_id=strawberry.ID(str(props.get("change_id"))),
        at=as_datetime(props.get("at")),
        party_id=strawberry.ID(str(props.get("party_id"))),
        change=kind,
        **{key: as_str(props.get(key)) for key in text},
    )


def _keyset_connection(changes: list[MeasureChange], more: bool) -> MeasureChangeConnection:
    edges = [Edge(cursor=_cursor(c), node=c) for c in changes]
    info = PageInfo(
        has_next_page=more,
        has_previous_page=False,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return MeasureChangeConnection(edges=edges, page_info=info, total_count=None)


def _cursor(change: MeasureChange) -> str:
    at = change.at.isoformat() if change.at else None
    return encode({"at": at, "id": str(change.change_id)})
