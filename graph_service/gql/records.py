"""Records (失信、处罚、名单、诚信档案 …) of a party, their status history, and the credit report.

A record is active on day D when ``start <= D``, its ``end`` is null or after D, and it was not
voided (repaired, revoked, removed) on or before D (docs/model.md). Inactive records stay
visible: an investigator asks for ``state: ACTIVE``, ``INACTIVE`` or ``ALL`` on ``activeOn``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graph_service.analysis.activity import Active, activate, period_params
from graph_service.analysis.graph import DATE_FIELDS
from graph_service.gql.context import Info
from graph_service.gql.convert import (
    INTERNAL_KEYS,
    as_date,
    as_str,
    json_safe,
    parse_history,
    record_state,
)
from graph_service.gql.dataloaders import ListKey
from graph_service.gql.decisions import ContextDecision, context_decisions
from graph_service.gql.pagination import Connection, Page, connection, page
from graph_service.gql.shared import (
    CaseRef,
    PartyRef,
    Provenance,
    case_of,
    described,
    party_of,
    provenance,
)
from graph_service.gql.ties import After, First, page_key
from graph_service.model import RECORD_FIELDS
from graph_service.policy.catalog import CONVICTION, Catalog, catalog_in_force

if TYPE_CHECKING:
    from graph_service.gql.party import Party


_NOT_DETAILS = RECORD_FIELDS | INTERNAL_KEYS


@strawberry.enum(description="Which records to list, judged on activeOn (default today).")
class RecordState(Enum):
    """Filter on activity."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    ALL = "ALL"


@strawberry.type(description="A status change of a record (信用修复、撤销、更正、移出).")
class RecordUpdate:
    """A :RecordUpdate node."""

    status: str | None = strawberry.field(description="repaired, revoked, corrected or removed.")
    effective_on: date | None
    authority: str | None
    reason: str | None
    provenance: Provenance | None


@strawberry.type(description="A person named in a record (e.g. a tax case's finance officer).")
class NamedPerson:
    """A NAMED_IN relationship."""

    role: str | None = strawberry.field(description="legal_rep or finance_officer.")
    party_id: strawberry.ID

    @described("The named person.")
    async def party(self, info: Info) -> PartyRef | None:
        """The person, through the party loader."""
        return await load_party(info, str(self.party_id))


@strawberry.type(description="One registry entry about a party's credit.")
class Record:
    """A :Record node; ``active`` is judged on ``asOf``."""

    key: strawberry.ID = strawberry.field(description="record_key: kind:ref.")
    kind: str | None = strawberry.field(
        description="dishonest_debtor, tax_violation, admin_penalty, blacklist, red_list, "
        "official_record or intervention."
    )
    ref: str | None = strawberry.field(description="The registry's own reference.")
    subject_id: str | None
    start: date | None
    end: date | None = strawberry.field(description="Null = open-ended.")
    status: str | None = strawberry.field(description="Latest status: active, repaired, …")
    voided_on: date | None = strawberry.field(
        description="When a repair/revocation/removal took effect."
    )
    authority: str | None
    severity: str | None
    domain: str | None
    list_name: str | None = strawberry.field(name="list", description="Blacklists, red lists.")
    category: str | None
    as_of: date = strawberry.field(description="The day `active` is judged on.")
    active: bool
    ended_by: str | None = strawberry.field(
        description="Why it is no longer active on asOf: expired, period (its publication "
        "period ran), repaired, revoked or removed; null while active or not yet begun."
    )
    ended_on: date | None = strawberry.field(description="The first day it was no longer active.")
    details: JSON = strawberry.field(description="The registry's own fields of this record.")
    history: list[JSON] = strawberry.field(description="Earlier values replaced by corrections.")
    updates: list[RecordUpdate]
    named: list[NamedPerson]
    provenance: Provenance | None
    case_no: strawberry.Private[str | None]

    @described("The case this record refers to, if any.")
    async def case(self, info: Info) -> CaseRef | None:
        """The case by number, through the case loader."""
        if self.case_no is None:
            return None
        row = await info.context.loaders.case.load(self.case_no)
        return case_of(row["props"], row["court"]) if row else None

    @described("The party the record is about.")
    async def subject(self, info: Info) -> PartyRef | None:
        """The subject party, through the party loader."""
        return await load_party(info, self.subject_id)


async def load_party(info: Info, party_id: str | None) -> Party | None:
    """A party by id through the request's party loader; None when unknown."""
    if party_id is None:
        return None
    row = await info.context.loaders.party.load(party_id)
    return party_of(row) if row else None


def record_from(item: Mapping[str, Any], on: date, catalog: Catalog | None = None) -> Record:
    """A :class:`Record` from a ``{props, updates, case_no, named}`` row, judged on ``on``
    under ``catalog`` (default: the packaged one)."""
    props = item["props"]
    active, end = record_state({**props, "updates": item.get("updates") or []}, on, catalog)
    text = ("kind", "ref", "subject_id", "status", "authority", "severity", "domain", "category")
    return Record(
        key=strawberry.ID(str(props["record_key"])),
        **{key: as_str(props.get(key)) for key in text},
        list_name=as_str(props.get("list")),
        start=as_date(props.get("start")),
        end=as_date(props.get("end")),
        voided_on=as_date(props.get("voided_on")),
        as_of=on,
        active=active,
        ended_by=end.ended_by if end else None,
        ended_on=end.ended_on if end else None,
        details=JSON(json_safe(props, skip=_NOT_DETAILS)),
        history=[JSON(entry) for entry in parse_history(props.get("history"))],
        updates=sorted((_update(u) for u in item.get("updates") or []), key=_update_order),
        named=[_named(n) for n in item.get("named") or []],
        provenance=provenance(props),
        case_no=as_str(item.get("case_no")),
    )


def _update(props: Mapping[str, Any]) -> RecordUpdate:
    return RecordUpdate(
        status=as_str(props.get("status")),
        effective_on=as_date(props.get("effective_on")),
        authority=as_str(props.get("authority")),
        reason=as_str(props.get("reason")),
        provenance=provenance(props),
    )


def _update_order(update: RecordUpdate) -> tuple[date, str]:
    return (update.effective_on or date.min, update.status or "")


def _named(row: Mapping[str, Any]) -> NamedPerson:
    return NamedPerson(role=as_str(row.get("role")), party_id=strawberry.ID(str(row["party_id"])))


# --- lists ----------------------------------------------------------------------------------

Kinds = Annotated[list[str] | None, strawberry.argument(description="Only these record kinds.")]
State = Annotated[RecordState, strawberry.argument(description="Active, inactive or all.")]
On = Annotated[
    date | None, strawberry.argument(description="Day activity is judged on (default today).")
]


async def record_page(
    info: Info,
    owner: str,
    kinds: list[str] | None,
    state: RecordState,
    active_on: date | None,
    first: int | None,
    after: str | None,
) -> Connection[Record]:
    """One page of ``owner``'s records (newest first) of ``kinds`` in ``state``."""
    at = page(first, after)
    on = active_on or info.context.today
    catalog = catalog_in_force(info.context.settings)
    found = await info.context.loaders.page(records_key(owner, kinds, state, on, at, catalog))
    return connection([record_from(i, on, catalog) for i in found.items], at, found.total)


def records_key(
    owner: str, kinds: list[str] | None, state: RecordState, on: date, at: Page, catalog: Catalog
) -> ListKey:
    """The list loader's key of one page of ``owner``'s records judged on ``on``."""
    return page_key(
        "party/records",
        owner,
        at,
        on=on,
        state=state.value,
        kinds=tuple(kinds) if kinds is not None else None,
        periods=_periods(catalog),
    )


def _periods(catalog: Catalog) -> tuple[str, ...]:
    """The catalog's maximum periods as ``party/records``' ``$periods``: texts (a list key's
    parameters are hashable) ``kind|by|class|months``.

    >>> from graph_service.policy import default_catalog
    >>> [p for p in _periods(default_catalog()) if p.startswith("tax")]
    ['tax_violation||default|36']
    """
    rows = period_params(catalog)
    return tuple(f"{r['kind']}|{r['by'] or ''}|{r['class']}|{r['months']}" for r in rows)


async def _records(
    root: Party,
    info: Info,
    kinds: Kinds = None,
    state: State = RecordState.ALL,
    active_on: On = None,
    first: First = None,
    after: After = None,
) -> Connection[Record]:
    return await record_page(info, str(root.id), kinds, state, active_on, first, after)


async def _integrity_records(
    root: Party,
    info: Info,
    state: State = RecordState.ALL,
    active_on: On = None,
    first: First = None,
    after: After = None,
) -> Connection[Record]:
    return await record_page(
        info, str(root.id), ["official_record"], state, active_on, first, after
    )


records_of = strawberry.field(
    resolver=_records,
    description="Records about this party, active and past, newest first, with provenance.",
)
integrity_records_of = strawberry.field(
    resolver=_integrity_records, description="Integrity records (公务员诚信档案) of this official."
)


# --- credit report --------------------------------------------------------------------------


@strawberry.type(description="How many records of one kind.")
class KindCount:
    """A count per record kind."""

    kind: str
    count: int


@strawberry.type(description="A one-look summary of a party's credit on a day.")
class CreditReport:
    """Computed from the party's records, bribery convictions, cases and stored measures."""

    as_of: date
    active_records: int
    inactive_records: int
    active_by_kind: list[KindCount]
    serious_dishonesty: bool = strawberry.field(
        description="Holds an active serious dishonesty record (严重失信, policy §1)."
    )
    red_listed: bool = strawberry.field(description="Holds an active red-list entry (守信).")
    bribery_convictions: int = strawberry.field(
        description="Active briber / bribe-taker convictions."
    )
    case_count: int
    measures: list[str] = strawberry.field(
        description="Distinct measures stored by the latest propagation run."
    )
    risk_score: float | None
    headline: str = strawberry.field(description="One line for a list view.")

    @described(
        "The decision in each context of the catalog, from the stored measures and the red "
        "list, as POST /v1/checks would answer it today (no check is run or audited)."
    )
    def decisions(self, info: Info) -> list[ContextDecision]:
        """One decision per context (graph_service/gql/decisions.py), under the catalog in
        force, as the check decides."""
        catalog = catalog_in_force(info.context.settings)
        return context_decisions(self.measures, self.red_listed, catalog)


async def _credit_report(root: Party, info: Info, active_on: On = None) -> CreditReport:
    on = active_on or info.context.today
    owner = str(root.id)
    # One read: the summary row carries the stored measures' names too (a second loader for
    # them cost a second query per list of parties, and a thread and a round trip more).
    summary = await info.context.loaders.credit.load(owner)
    measure_names = sorted({str(m) for m in (summary or {}).get("measures") or []})
    catalog = catalog_in_force(info.context.settings)
    return credit_report(summary or {}, measure_names, root, on, catalog)


def credit_report(
    summary: Mapping[str, Any], measures: list[str], party: Party, on: date, catalog: Catalog
) -> CreditReport:
    """The report of one party from its ``party/credit_summary`` row: activity, seriousness
    and red lists as the catalog says (graph_service.analysis.activity), like the checks."""
    records = [_dated(r) for r in summary.get("records") or []]
    active = [a for r in records if (a := activate(r, catalog, on)) is not None]
    kinds = Counter(str(a.record.get("kind")) for a in active)
    convictions = _convictions(summary.get("convictions") or [], catalog, on)
    serious = any(a.variant.serious for a in (*active, *convictions))
    red_kinds = frozenset(str(a.record.get("kind")) for a in active if a.variant.red_list)
    return CreditReport(
        as_of=on,
        active_records=len(active),
        inactive_records=len(records) - len(active),
        active_by_kind=[KindCount(kind=k, count=n) for k, n in sorted(kinds.items())],
        serious_dishonesty=serious,
        red_listed=bool(red_kinds),
        bribery_convictions=len(convictions),
        case_count=int(summary.get("case_count") or 0),
        measures=measures,
        risk_score=party.risk_score,
        headline=headline(serious, bool(red_kinds), kinds, measures, red_kinds),
    )


def _dated(record: Mapping[str, Any]) -> dict[str, Any]:
    """A summary record with its dates as :class:`date` (the analysis compares them)."""
    return {k: as_date(v) if k in DATE_FIELDS else v for k, v in record.items()}


def _convictions(cases: list[Mapping[str, Any]], catalog: Catalog, on: date) -> list[Active]:
    """The party's active bribery convictions: its roles in bribery cases that the catalog's
    ``bribery_conviction`` kind names (briber, bribe_taker as packaged), for its active years."""
    roles = set(catalog.record_kind(CONVICTION).variants) - {"default"}
    found = []
    for case in cases:
        if case.get("role") in roles:
            record = {"kind": CONVICTION, "role": case["role"], "start": as_date(case["closed_on"])}
            if (active := activate(record, catalog, on)) is not None:
                found.append(active)
    return found


def headline(
    serious: bool,
    red: bool,
    kinds: Counter[str],
    measures: list[str],
    red_kinds: frozenset[str] = frozenset(),
) -> str:
    """One line: the worst standing first, then the measures; a serious standing lists the
    kinds of the active records other than red-list ones (``red_kinds``).

    >>> headline(True, False, Counter({"dishonest_debtor": 1}), ["high_consumption_ban"])
    '严重失信 serious dishonesty: dishonest_debtor ×1; measures: high_consumption_ban'
    >>> headline(False, True, Counter({"red_list": 1}), [])
    '守信 red-listed; no measures'
    """
    if serious:
        standing = "严重失信 serious dishonesty: " + ", ".join(
            f"{k} ×{n}" for k, n in sorted(kinds.items()) if k not in red_kinds
        )
    elif red:
        standing = "守信 red-listed"
    elif kinds:
        standing = "records: " + ", ".join(f"{k} ×{n}" for k, n in sorted(kinds.items()))
    else:
        standing = "no active records"
    tail = f"measures: {', '.join(measures)}" if measures else "no measures"
    return f"{standing}; {tail}"


credit_report_of = strawberry.field(
    resolver=_credit_report,
    description="Summary of the party's credit on activeOn (default today).",
)
