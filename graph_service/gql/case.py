"""Cases (案件): their parties, the officials who handled them, and interventions recorded on
them (司法公信: who asked about or interfered with a case); a party's and an official's cases.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph_service.gql import inputs
from graph_service.gql.context import Info
from graph_service.gql.convert import as_date, as_str
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.pagination import Connection, connection, page
from graph_service.gql.records import On, Record, RecordState, State, record_from
from graph_service.gql.shared import (
    PartyRef,
    Provenance,
    described,
    party_of,
    party_or_none,
    provenance,
    register_case_builder,
)
from graph_service.gql.ties import After, First, Roles, read_page

if TYPE_CHECKING:
    from graph_service.gql.party import Party


@strawberry.type(description="A court, procuratorial or enforcement case.")
class Case:
    """A :Case node."""

    case_no: strawberry.ID = strawberry.field(description="Case number, half-width brackets.")
    case_type: str | None = strawberry.field(
        description="civil, criminal, administrative, enforcement or bribery."
    )
    cause: str | None = strawberry.field(description="案由.")
    filed_on: date | None
    closed_on: date | None
    court_name: str | None
    known_only_from: str | None = strawberry.field(
        description="Set while the case is known only from another registry's reference."
    )
    provenance: Provenance | None
    court_row: strawberry.Private[Mapping[str, Any] | None]
    court_read: strawberry.Private[bool]

    @described("The court that heard the case (HEARD_BY), if registered.")
    async def court(self, info: Info) -> PartyRef | None:
        """The court read with the case, else through the case loader."""
        if self.court_read:
            return party_or_none(self.court_row)
        row = await info.context.loaders.case.load(str(self.case_no))
        return party_or_none(row["court"] if row else None)

    @described("Parties to the case with their procedural roles.")
    async def parties(
        self, info: Info, roles: Roles = None, first: First = None, after: After = None
    ) -> Connection[CaseParty]:
        """One page of the parties, by role."""
        at = page(first, after)
        found = await read_page(info, "case/parties", str(self.case_no), at, roles=_tuple(roles))
        return connection([case_party(r) for r in found.items], at, found.total)

    @described("Officials who handled the case (承办人员).")
    async def officials(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[CaseOfficial]:
        """One page of the handling officials."""
        at = page(first, after)
        found = await read_page(info, "case/officials", str(self.case_no), at)
        return connection([case_official(r) for r in found.items], at, found.total)

    @described("Officials who intervened in or asked about the case (干预/过问).")
    async def interventions(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[Intervention]:
        """One page of the interventions, oldest first."""
        at = page(first, after)
        found = await read_page(info, "case/interventions", str(self.case_no), at)
        today = info.context.today
        return connection([intervention(r, today) for r in found.items], at, found.total)

    @described("Records that refer to the case (listings, entries).")
    async def records(
        self,
        info: Info,
        state: State = RecordState.ALL,
        active_on: On = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Record]:
        """One page of the records concerning the case in ``state`` on ``activeOn``, newest
        first."""
        at = page(first, after)
        on = active_on or info.context.today
        found = await read_page(
            info, "case/records", str(self.case_no), at, on=on, state=state.value
        )
        return connection([record_from(r, on) for r in found.items], at, found.total)

    @classmethod
    def from_props(cls, props: Mapping[str, Any], *court: Mapping[str, Any] | None) -> Case:
        """The case of a :Case node's properties; pass the court's ``{labels, props}`` row
        (None: no court registered) when it was read with the case, else the court is looked
        up when asked for."""
        text = ("case_type", "cause", "court_name", "known_only_from")
        return cls(
            case_no=strawberry.ID(str(props["case_no"])),
            **{key: as_str(props.get(key)) for key in text},
            filed_on=as_date(props.get("filed_on")),
            closed_on=as_date(props.get("closed_on")),
            provenance=provenance(props),
            court_row=court[0] if court else None,
            court_read=bool(court),
        )


# Families below this module (records) build cases through shared.case_of.
register_case_builder(Case.from_props)


@strawberry.type(description="A party's procedural role in a case (当事人).")
class CaseParty:
    """A PARTY_TO relationship."""

    party: PartyRef
    case: Case
    role: str | None = strawberry.field(
        description="plaintiff, defendant, applicant, enforcee, third_party, briber or bribe_taker."
    )
    provenance: Provenance | None


@strawberry.type(description="An official's role in handling a case (承办人员).")
class CaseOfficial:
    """A HANDLED relationship."""

    official: PartyRef
    case: Case
    role: str | None = strawberry.field(
        description="presiding_judge, judge, clerk, prosecutor, enforcement_officer or "
        "police_officer."
    )
    provenance: Provenance | None


@strawberry.type(description="An intervention in or inquiry about a case by an official.")
class Intervention:
    """An INTERVENED_IN relationship with its intervention record."""

    official: PartyRef
    case: Case
    record_no: str | None
    kind: str | None = strawberry.field(description="intervention (干预) or inquiry (过问).")
    occurred_on: date | None
    description: str | None
    recorded_by_id: str | None = strawberry.field(description="Id number of who recorded it.")
    record: Record | None
    provenance: Provenance | None


def case_party(row: Mapping[str, Any]) -> CaseParty:
    """A :class:`CaseParty` from a ``{rel, case, party}`` row."""
    return CaseParty(
        party=party_of(row["party"]),
        case=Case.from_props(row["case"]),
        role=as_str(row["rel"].get("role")),
        provenance=provenance(row["rel"]),
    )


def case_official(row: Mapping[str, Any]) -> CaseOfficial:
    """A :class:`CaseOfficial` from a ``{rel, case, party}`` row."""
    return CaseOfficial(
        official=party_of(row["party"]),
        case=Case.from_props(row["case"]),
        role=as_str(row["rel"].get("role")),
        provenance=provenance(row["rel"]),
    )


def intervention(row: Mapping[str, Any], today: date) -> Intervention:
    """An :class:`Intervention` from a ``{rel, case, official, record}`` row."""
    rel, record = row["rel"], row.get("record") or {}
    return Intervention(
        official=party_of(row["official"]),
        case=Case.from_props(row["case"]),
        record_no=as_str(rel.get("record_no")),
        kind=as_str(rel.get("kind")),
        occurred_on=as_date(rel.get("occurred_on")),
        description=as_str(record.get("description")),
        recorded_by_id=as_str(record.get("recorded_by_id")),
        record=record_from({"props": record, "case_no": None}, today) if record else None,
        provenance=provenance(rel),
    )


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values is not None else None


# --- party and official fields --------------------------------------------------------------


@strawberry.type(description="A case a party is party to, with its role.")
class PartyCase:
    """A PARTY_TO relationship seen from the party."""

    case: Case
    role: str | None
    provenance: Provenance | None


async def _cases(
    root: Party, info: Info, roles: Roles = None, first: First = None, after: After = None
) -> Connection[PartyCase]:
    at = page(first, after)
    found = await read_page(info, "party/cases", str(root.id), at, roles=_tuple(roles))
    cases = [
        PartyCase(
            case=Case.from_props(r["case"]),
            role=as_str(r["rel"].get("role")),
            provenance=provenance(r["rel"]),
        )
        for r in found.items
    ]
    return connection(cases, at, found.total)


async def _handled_cases(
    root: Party, info: Info, first: First = None, after: After = None
) -> Connection[PartyCase]:
    at = page(first, after)
    found = await read_page(info, "party/handled_cases", str(root.id), at)
    cases = [
        PartyCase(
            case=Case.from_props(r["case"]),
            role=as_str(r["rel"].get("role")),
            provenance=provenance(r["rel"]),
        )
        for r in found.items
    ]
    return connection(cases, at, found.total)


async def _interventions(
    root: Party, info: Info, first: First = None, after: After = None
) -> Connection[Intervention]:
    at = page(first, after)
    found = await read_page(info, "party/interventions", str(root.id), at)
    today = info.context.today
    return connection([intervention(r, today) for r in found.items], at, found.total)


cases_of = strawberry.field(
    resolver=_cases, description="Cases the party is party to, newest filed first."
)
handled_cases_of = strawberry.field(
    resolver=_handled_cases, description="Cases this official handled, with the role."
)
interventions_of = strawberry.field(
    resolver=_interventions,
    description="Interventions and inquiries recorded against this official, newest first.",
)


# --- root lookup ----------------------------------------------------------------------------

CaseLookup = Annotated[Case | InvalidInputError, strawberry.union("CaseLookup")]


CaseNo = Annotated[str, strawberry.argument(description="Case number, any bracket width.")]


async def case_by_no(info: Info, case_no: CaseNo) -> CaseLookup | None:
    """A case by number (normalised as the loaders store it); null when there is none."""
    try:
        number = inputs.case_no(case_no)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    row = await info.context.loaders.case.load(number)
    return Case.from_props(row["props"], row["court"]) if row else None
