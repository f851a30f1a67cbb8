"""``Party.whyNot(context, asOf)``: why a party gets no stronger decision in a context
(未受限制的原因, due process §5), the same answer as ``GET /v1/parties/{id}/why-not``.

The answer is :func:`graph_service.explore.why_not_answer.answer`, shown in typed objects:
each fact with its kind, explanation, hops, what ended and when, what it would give and its
source rows. A malformed ``context`` or ``asOf`` is an ``invalid_input`` error naming the
argument (never its value), as every nested field of the schema reports it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph_service.analysis.ended_facts import Fact, WhyNot, WouldGive
from graph_service.analysis.graph import as_date
from graph_service.errors import InvalidInput
from graph_service.explore import why_not_answer as asked
from graph_service.gql.context import Info
from graph_service.gql.inputs import ArgumentError
from graph_service.gql.measures import MeasureHop
from graph_service.policy.catalog import catalog_in_force

if TYPE_CHECKING:
    from graph_service.gql.party import Party


@strawberry.enum(description="What kind of fact no longer restricts the party.")
class WhyNotKind(Enum):
    """The kinds of due process §5."""

    RECORD_ENDED = "record_ended"
    STAKE_BELOW_THRESHOLD = "stake_below_threshold"
    STAKE_ENDED = "stake_ended"
    ROLE_ENDED = "role_ended"
    BRANCH_LINK_ENDED = "branch_link_ended"
    INTERVENTION_TOO_OLD = "intervention_too_old"
    OBJECTION_UPHELD = "objection_upheld"


@strawberry.type(description="A registry row a fact comes from (its provenance).")
class WhyNotSource:
    """``of``: what the row is the source of: record, update or relationship."""

    of: str
    src_kind: str | None
    src_file: str | None
    src_row: int | None
    load_id: str | None
    loaded_at: str | None


@strawberry.type(description="A record a fact is about, as it stands.")
class WhyNotRecord:
    """The record's identity, dates and qualifiers."""

    key: str | None
    kind: str | None
    ref: str | None
    authority: str | None
    start: date | None
    end: date | None = strawberry.field(description="Its own end date; null = open-ended.")
    category: str | None
    list: str | None
    severity: str | None
    role: str | None = strawberry.field(description="For a bribery conviction: the role.")
    status: str | None
    voided_on: date | None


@strawberry.type(description="A relationship that ended, as it was.")
class WhyNotRelationship:
    """The relationship's type, ends and dates."""

    type: str
    source_id: strawberry.ID
    source_name: str | None
    target_id: strawberry.ID
    target_name: str | None
    stake_pct: float | None
    role: str | None
    since: date | None
    until: date | None


@strawberry.type(description="A listed holder counted towards R3's threshold.")
class WhyNotHolder:
    """The holder and its summed active stake."""

    party_id: strawberry.ID
    name: str | None
    stake_pct: float
    provenance: list[WhyNotSource]


@strawberry.type(description="A measure a fact would give the party, were it still in force.")
class WhyNotMeasure:
    """The measure, its rule, its decision in the context and its path."""

    measure: str
    rule: str | None
    decision: str
    path: list[MeasureHop]


@strawberry.type(name="WhyNotFact", description="A fact that would have restricted the party.")
class WhyNotFactView:
    """One fact of the answer; fields that do not apply to its kind are null or empty."""

    kind: WhyNotKind
    explanation: str
    hops: int = strawberry.field(description="0: the party itself; 1 or 2: that far away.")
    party_id: strawberry.ID = strawberry.field(description="The party the fact is about.")
    ended_on: date | None = strawberry.field(description="First day it no longer held.")
    ended_by: str | None = strawberry.field(
        description="record_ended, objection_upheld: expired, period, repaired, revoked or removed."
    )
    objection_id: str | None = strawberry.field(
        description="objection_upheld: the objection whose decision ended the record."
    )
    record: WhyNotRecord | None
    relationship: WhyNotRelationship | None
    lookback_years: int | None = strawberry.field(description="intervention_too_old: R6's.")
    sum_pct: float | None = strawberry.field(description="stake_below_threshold: the sum.")
    threshold_pct: float | None
    holders: list[WhyNotHolder]
    would_give: list[WhyNotMeasure]
    provenance: list[WhyNotSource]


@strawberry.type(name="WhyNot", description="Why the party gets no stronger decision.")
class WhyNotView:
    """The party's decision in the context on the day, and the facts nearest first."""

    party_id: strawberry.ID
    context: str
    as_of: date
    decision: str
    catalog_version: str
    facts: list[WhyNotFactView]


def _sources(rows: Any) -> list[WhyNotSource]:
    return [
        WhyNotSource(
            of=str(r["of"]),
            src_kind=r.get("src_kind"),
            src_file=r.get("src_file"),
            src_row=r.get("src_row"),
            load_id=r.get("load_id"),
            loaded_at=None if r.get("loaded_at") is None else str(r["loaded_at"]),
        )
        for r in rows
    ]


def _record(record: Mapping[str, Any] | None) -> WhyNotRecord | None:
    if record is None:
        return None
    return WhyNotRecord(
        key=record.get("record_key"),
        kind=record.get("kind"),
        ref=record.get("ref"),
        authority=record.get("authority"),
        start=as_date(record.get("start")),
        end=as_date(record.get("end")),
        category=record.get("category"),
        list=record.get("list"),
        severity=record.get("severity"),
        role=record.get("role"),
        status=record.get("status"),
        voided_on=as_date(record.get("voided_on")),
    )


def _relationship(rel: Mapping[str, Any] | None) -> WhyNotRelationship | None:
    if rel is None:
        return None
    return WhyNotRelationship(
        type=str(rel["type"]),
        source_id=strawberry.ID(str(rel["source"])),
        source_name=rel.get("source_name"),
        target_id=strawberry.ID(str(rel["target"])),
        target_name=rel.get("target_name"),
        stake_pct=rel.get("stake_pct"),
        role=rel.get("role"),
        since=as_date(rel.get("since")),
        until=as_date(rel.get("until")),
    )


def _measure(give: WouldGive) -> WhyNotMeasure:
    hops = [
        MeasureHop(
            party_id=strawberry.ID(str(h["party_id"])),
            name=h.get("name"),
            relation=h.get("relation"),
            stake_pct=h.get("stake_pct"),
            role=h.get("role"),
        )
        for h in give.path
    ]
    return WhyNotMeasure(measure=give.measure, rule=give.rule, decision=give.decision, path=hops)


def fact_view(fact: Fact) -> WhyNotFactView:
    """The typed form of one fact."""
    details = fact.details
    holders = [
        WhyNotHolder(
            party_id=strawberry.ID(str(h["party_id"])),
            name=h.get("name"),
            stake_pct=float(h["stake_pct"]),
            provenance=_sources(h["provenance"]),
        )
        for h in details.get("holders", ())
    ]
    return WhyNotFactView(
        kind=WhyNotKind(fact.kind),
        explanation=fact.explanation,
        hops=fact.hops,
        party_id=strawberry.ID(fact.party_id),
        ended_on=fact.ended_on,
        ended_by=details.get("ended_by"),
        objection_id=details.get("objection_id"),
        record=_record(details.get("record")),
        relationship=_relationship(details.get("relationship")),
        lookback_years=details.get("lookback_years"),
        sum_pct=details.get("sum_pct"),
        threshold_pct=details.get("threshold_pct"),
        holders=holders,
        would_give=[_measure(g) for g in fact.would_give],
        provenance=_sources(fact.provenance),
    )


def why_not_view(answer: WhyNot) -> WhyNotView:
    """The typed form of an answer."""
    return WhyNotView(
        party_id=strawberry.ID(answer.party_id),
        context=answer.context,
        as_of=answer.as_of,
        decision=answer.decision,
        catalog_version=answer.catalog_version,
        facts=[fact_view(f) for f in answer.facts],
    )


async def _why_not(
    root: Party,
    info: Info,
    context: Annotated[str, strawberry.argument(description="A context of the catalog.")],
    as_of: Annotated[
        date | None,
        strawberry.argument(name="asOf", description="From 1900-01-01 to today; default today."),
    ] = None,
) -> WhyNotView:
    catalog = catalog_in_force(info.context.settings)
    try:
        chosen = asked.context_of(context, catalog, field="context")
        day = asked.as_of_of(as_of, today=info.context.today, field="asOf")
    except InvalidInput as exc:
        argument, _, reason = str(exc).partition(": ")
        raise ArgumentError(argument, reason) from None
    db = info.context.db
    found = await asyncio.to_thread(asked.answer, db, str(root.id), chosen, day, catalog)
    return why_not_view(found)


why_not_of = strawberry.field(
    resolver=_why_not,
    description="Why the party gets no stronger decision in the context on asOf (default "
    "today): the nearest facts, within two hops, that would have restricted it and do not — "
    "records that ended, listed holders below R3's threshold, stakes, roles and branch links "
    "that ended, interventions older than R6's look-back. Costs a propagation per candidate "
    "fact over the party's neighbourhood.",
)
