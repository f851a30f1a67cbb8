"""The sanction check as a GraphQL query: ``sanctionCheck(context, parties, asOf, purpose)``.

The answer has the shape of ``POST /v1/checks`` (fields in camelCase) and comes from the same
pipeline (:class:`graph_service.check.CheckService`): the same validation, evaluation,
masking for ``checker`` keys, audit entry (kind ``check``: ``GET /v1/checks/{id}`` and
feedback work on it) and receipt. ``signedAnswer`` is the answer exactly as signed, the REST
body, which ``credit-graph receipt verify`` checks offline.

The types carry data only, no links into the graph: a ``checker`` key, admitted to this field
alone, cannot walk from a decision into exploration.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graph_service.check import InvalidCheckRequest, parse_request
from graph_service.errors import CreditGraphError, Unauthenticated
from graph_service.gql.context import Info
from graph_service.gql.inputs import InvalidInputError
from graph_service.security.roles import Caller

#: REST field → GraphQL argument, for errors naming the argument.
_ARGUMENTS = {"as_of": "asOf"}


@strawberry.type(description="The record a measure comes from.")
class CheckRecord:
    """``record`` of a measure in a check answer."""

    ref: str | None = strawberry.field(description="Case number or document number, with party.")
    kind: str | None = strawberry.field(description="Record kind, e.g. dishonest_debtor.")
    authority: str | None = strawberry.field(description="Who issued it.")
    start: date | None
    end: date | None


@strawberry.type(description="One hop from the record's party to the checked party.")
class CheckPathHop:
    """An element of a measure's ``path`` (persons masked for checkers)."""

    party_id: str
    name: str | None
    relation: str | None = strawberry.field(description="How this hop was reached (null first).")
    stake_pct: float | None


@strawberry.type(description="A measure that applies to the party, with its decision here.")
class CheckMeasure:
    """One entry of a party's ``measures`` in a check answer."""

    measure: str
    origin: str | None = strawberry.field(description="direct or derived.")
    rule: str | None = strawberry.field(description="R1…R6 for derived measures.")
    record: CheckRecord
    basis: str | None = strawberry.field(description="Legal basis, from the catalog.")
    path: list[CheckPathHop]
    until: date | None = strawberry.field(description="Last day it applies, if known.")
    decision: str | None = strawberry.field(description="deny, restrict, review or allow.")
    contested: bool = strawberry.field(
        default=False,
        description="An objection to its originating record is open (异议处理中); it still "
        "restricts.",
    )
    objection_id: str | None = strawberry.field(
        default=None, description="The open objection, when contested."
    )


@strawberry.type(description="The decision for one requested party.")
class PartyDecision:
    """One entry of ``results``, in request order."""

    party_id: str = strawberry.field(description="The identifier as sent.")
    found: bool = strawberry.field(description="Whether the graph knows the party.")
    name: str | None
    kind: str | None = strawberry.field(description="company or person.")
    decision: str | None = strawberry.field(
        description="deny, restrict, review, allow or fast_track; null with an error."
    )
    measures: list[CheckMeasure]
    error: str | None = strawberry.field(description="invalid_identifier, or null.")


@strawberry.type(description="Ed25519 signature over the answer (docs/security.md).")
class Receipt:
    """``receipt`` of a check answer."""

    key_id: str = strawberry.field(description="Id of the key; see GET /v1/receipt-key.")
    algorithm: str
    signature: str = strawberry.field(description="Base64.")


@strawberry.type(description="The answer of a sanction check, audited under `checkId`.")
class SanctionCheck:
    """The REST answer of ``POST /v1/checks``, field by field."""

    check_id: str
    context: str
    as_of: date
    catalog_version: str
    run_id: str | None = strawberry.field(
        description="The propagation run whose stored measures decided a check for today"
        " (null for another date, computed from history)."
    )
    snapshot_at: str | None = strawberry.field(
        description="When the decision snapshot a check for today read was last confirmed"
        " to hold the newest run (UTC, ISO 8601): how old the answer's data may be."
    )
    results: list[PartyDecision] = strawberry.field(description="In request order.")
    receipt: Receipt
    signed_answer: JSON = strawberry.field(
        description="The answer exactly as signed (the REST body): save it and verify it with "
        "`credit-graph receipt verify FILE`."
    )

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> SanctionCheck:
        """The typed form of a check answer (plain JSON, as sent)."""
        return cls(
            check_id=answer["check_id"],
            context=answer["context"],
            as_of=date.fromisoformat(answer["as_of"]),
            catalog_version=answer["catalog_version"],
            run_id=answer.get("run_id"),
            snapshot_at=answer.get("snapshot_at"),
            results=[_party(r) for r in answer["results"]],
            receipt=Receipt(**answer["receipt"]),
            signed_answer=JSON(dict(answer)),
        )


SanctionCheckResult = Annotated[
    SanctionCheck | InvalidInputError, strawberry.union("SanctionCheckResult")
]


async def sanction_check(
    info: Info,
    context: Annotated[str, strawberry.argument(description="A context of GET /v1/contexts.")],
    parties: Annotated[
        list[str], strawberry.argument(description="1 to 1000 USCCs or resident id numbers.")
    ],
    as_of: Annotated[
        str | None, strawberry.argument(description="YYYY-MM-DD; default today.")
    ] = None,
    purpose: Annotated[
        str | None,
        strawberry.argument(description="Required: why you check (kept in the audit log)."),
    ] = None,
) -> SanctionCheckResult:
    """Decides every party in the context, audited and signed exactly as ``POST /v1/checks``."""
    given = {"context": context, "parties": parties, "purpose": purpose, "as_of": as_of}
    try:
        request = parse_request({k: v for k, v in given.items() if v is not None})
    except InvalidCheckRequest as error:
        return _invalid(error.field, error.reason)
    if info.context.checks_run:  # the rate limit counts requests: one check per request
        return _invalid("sanctionCheck", "one sanction check per request; send another request")
    info.context.checks_run += 1
    try:
        # The request's day: the rest of the answer (records, activeOn defaults) is of it.
        answer = await info.context.checks.run(request, _caller(info), info.context.today)
    except CreditGraphError as exc:  # 503 when not audited, as REST answers
        if info.context.response is not None:
            info.context.response.status_code = exc.http_status
        raise
    return SanctionCheck.of(answer)


def _invalid(field: str, reason: str) -> InvalidInputError:
    """The typed error naming the argument (``parties[3]`` → ``parties``), as REST's 422."""
    name = field.split("[")[0].split(".")[0]
    return InvalidInputError(argument=_ARGUMENTS.get(name, name), message=f"{field}: {reason}")


def _caller(info: Info) -> Caller:
    """The caller (the field's permission admitted one, so it is never None here)."""
    caller = info.context.caller
    if caller is None:  # unreachable behind CheckersToo; refuse rather than run unattributed
        raise Unauthenticated("a valid API key is required")
    return caller


def _party(result: Mapping[str, Any]) -> PartyDecision:
    return PartyDecision(
        party_id=result["party_id"],
        found=result["found"],
        name=result["name"],
        kind=result["kind"],
        decision=result["decision"],
        measures=[_measure(m) for m in result["measures"]],
        error=result["error"],
    )


def _measure(measure: Mapping[str, Any]) -> CheckMeasure:
    """A measure of the answer; only ``measure`` is sure to be there (evaluate's contract)."""
    record = measure.get("record") or {}
    return CheckMeasure(
        measure=measure["measure"],
        origin=measure.get("origin"),
        rule=measure.get("rule"),
        record=CheckRecord(
            ref=record.get("ref"),
            kind=record.get("kind"),
            authority=record.get("authority"),
            start=_date(record.get("start")),
            end=_date(record.get("end")),
        ),
        basis=measure.get("basis"),
        path=[_hop(h) for h in measure.get("path") or ()],
        until=_date(measure.get("until")),
        decision=measure.get("decision"),
        contested=bool(measure.get("contested")),
        objection_id=measure.get("objection_id"),
    )


def _hop(hop: Mapping[str, Any]) -> CheckPathHop:
    return CheckPathHop(
        party_id=hop["party_id"],
        name=hop.get("name"),
        relation=hop.get("relation"),
        stake_pct=hop.get("stake_pct"),
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
