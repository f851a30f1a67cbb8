"""``/v1/checks``: sanction checks for other agencies' systems, with feedback.

Every check is, in this order: authenticated and rate-limited (:mod:`~graph_service.security
.auth`), evaluated (:func:`graph_service.checks.evaluate`), masked for the ``checker`` role,
signed (``receipt``), and written to the audit log together with the stored check — and only
then answered. If the audit entry cannot be written the caller gets 503 and no answer.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from graph_service import checks
from graph_service.checks import CONTEXTS, CheckResult
from graph_service.db import Database
from graph_service.errors import CheckFailed, Conflict, CreditGraphError, InvalidInput, NotFound
from graph_service.identifiers import normalise
from graph_service.policy.catalog import default_catalog
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, now_stamp
from graph_service.security.auth import require_role
from graph_service.security.canonical import jsonable
from graph_service.security.masking import mask_result
from graph_service.security.roles import CHECK_ROLES, EXPLORE_ROLES, Caller, Role
from graph_service.security.roles import sees_personal_data as unmasked
from graph_service.security.state import security_of

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["checks"])

MAX_PARTIES = 1000
PartyId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
MeasureName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Evaluator = Callable[[Database, str, Sequence[str], date, Caller], CheckResult]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not do this"},
    413: {"description": "body too large"},
    422: {"description": "malformed request; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was answered"},
}


# --- API models ------------------------------------------------------------------------------


class CheckRequest(BaseModel):
    """A sanction check: which parties, in which context, on which day, and why."""

    model_config = ConfigDict(extra="forbid")

    context: str = Field(description="one of: " + ", ".join(CONTEXTS))
    parties: list[PartyId] = Field(min_length=1, max_length=MAX_PARTIES)
    as_of: date | None = Field(default=None, description="YYYY-MM-DD; default today")
    purpose: Text = Field(description="why the check is made (kept in the audit log)")

    @field_validator("context")
    @classmethod
    def _known_context(cls, value: str) -> str:
        if value not in CONTEXTS:
            raise ValueError(f"unknown context {value[:40]!r}; known: {', '.join(CONTEXTS)}")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Only YYYY-MM-DD text: pydantic would otherwise read a number as a Unix time.
        if value is not None and not (isinstance(value, str) and len(value) == 10):
            raise ValueError("as_of must be a date written YYYY-MM-DD")
        return value


class NotApplied(BaseModel):
    """A returned measure the agency did not apply, and why."""

    model_config = ConfigDict(extra="forbid")

    measure: MeasureName
    reason: Text


class FeedbackRequest(BaseModel):
    """What the agency did with one party's measures."""

    model_config = ConfigDict(extra="forbid")

    party_id: PartyId
    applied: list[MeasureName] = Field(default_factory=list, max_length=1000)
    not_applied: list[NotApplied] = Field(default_factory=list, max_length=1000)


def get_evaluator() -> Evaluator:
    """The evaluation in use (a dependency, so tests can plug in their own)."""
    return checks.evaluate


# --- routes ----------------------------------------------------------------------------------


@router.post("/checks", responses=_ERRORS)
async def run_check(
    body: CheckRequest,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
    evaluator: Annotated[Evaluator, Depends(get_evaluator)],
) -> JSONResponse:
    """Decides every party in the context; the answer carries a receipt and is audited."""
    security = security_of(request)
    check_id = str(uuid.uuid4())
    as_of = body.as_of or date.today()
    result = await _evaluate(evaluator, request.app.state.db, body, as_of, caller, check_id)
    answer = _answer(check_id, body, as_of, result, caller.role)
    answer["receipt"] = security.signer.sign(answer)
    await security.audit.append(
        "check",
        Actor.of(caller),
        _audit_payload(body, as_of, answer),
        Attachment("audit/create_checks", _stored_check(caller, body, answer)),
    )
    return JSONResponse(answer)


@router.get("/checks/{check_id}", responses=_ERRORS)
async def get_check(
    check_id: str,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
) -> JSONResponse:
    """A stored check as answered, with its feedback (investigators and admins; audited)."""
    stored = await run_in_threadpool(_load_check, request.app.state.db, check_id)
    parties = json.loads(stored["check"]["request"])["parties"]
    payload = {"check_id": check_id, "parties": parties}
    await security_of(request).audit.append("check_viewed", Actor.of(caller), payload)
    return JSONResponse(_check_view(stored))


@router.post("/checks/{check_id}/feedback", status_code=201, responses=_ERRORS)
async def give_feedback(
    check_id: str,
    body: FeedbackRequest,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> JSONResponse:
    """Records which returned measures the agency applied; 409 for anything not returned."""
    stored = await run_in_threadpool(_load_check, request.app.state.db, check_id)
    check = stored["check"]
    if caller.role is not Role.ADMIN and check["caller_name"] != caller.name:
        raise NotFound(f"no check {check_id!r} made with this API key")
    _check_feedback(body, json.loads(check["response"]))
    row = _feedback_row(check_id, body, caller)
    payload = {"check_id": check_id, "parties": [body.party_id], **_feedback_json(body)}
    attachment = Attachment("audit/add_feedback", row)
    stamp = await security_of(request).audit.append(
        "feedback", Actor.of(caller), payload, attachment
    )
    body_out = {"check_id": check_id, "party_id": body.party_id, "audit_seq": stamp.seq}
    return JSONResponse(body_out, status_code=201)


# --- checks ----------------------------------------------------------------------------------


async def _evaluate(
    evaluator: Evaluator,
    db: Database,
    body: CheckRequest,
    as_of: date,
    caller: Caller,
    check_id: str,
) -> CheckResult:
    """Runs the evaluation off the event loop; failures are answered without internals."""
    try:
        result = await run_in_threadpool(evaluator, db, body.context, body.parties, as_of, caller)
    except CreditGraphError as exc:
        if exc.http_status < 500:
            raise
        log.error("check failed", extra={"check_id": check_id, "code": exc.code})
        raise CheckFailed(
            f"the check could not be completed ({exc.code}); reference {check_id}",
            exc.http_status,
        ) from exc
    except Exception as exc:
        log.exception("check failed", extra={"check_id": check_id})
        raise CheckFailed(f"the check failed; reference {check_id}") from exc
    _require_request_order(result, body.parties, check_id)
    return result


def _require_request_order(result: CheckResult, parties: list[str], check_id: str) -> None:
    """The evaluation must answer every party in request order; never pass on a mix-up."""
    answered = [r.party_id for r in result.results]
    if answered != parties:
        log.error("evaluation answered other parties", extra={"check_id": check_id})
        raise CheckFailed(f"the check failed; reference {check_id}")


def _answer(
    check_id: str, body: CheckRequest, as_of: date, result: CheckResult, role: Role
) -> dict[str, Any]:
    """The response body before its receipt: plain JSON, masked for checkers."""
    results = [jsonable(r.as_json()) for r in result.results]
    if not unmasked(role):
        results = [mask_result(r) for r in results]
    return {
        "check_id": check_id,
        "context": body.context,
        "as_of": as_of.isoformat(),
        "catalog_version": result.catalog_version,
        "results": results,
    }


def _audit_payload(body: CheckRequest, as_of: date, answer: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of a check: who was checked, why, and what was decided."""
    decisions = [
        {
            "party_id": r["party_id"],
            "decision": r["decision"],
            "error": r["error"],
            "measures": [m.get("measure") for m in r["measures"]],
        }
        for r in answer["results"]
    ]
    return {
        "check_id": answer["check_id"],
        "purpose": body.purpose,
        "context": body.context,
        "as_of": as_of.isoformat(),
        "catalog_version": answer["catalog_version"],
        "parties": body.parties,
        "decisions": decisions,
        "receipt": answer["receipt"],
    }


def _stored_check(caller: Caller, body: CheckRequest, answer: dict[str, Any]) -> dict[str, Any]:
    """The ``:Check`` node: the request and the answer exactly as sent."""
    return {
        "check_id": answer["check_id"],
        "created_at": now_stamp(),
        "caller_name": caller.name,
        "caller_role": caller.role.value,
        "caller_key_id": caller.key_id,
        "purpose": body.purpose,
        "request": json.dumps(body.model_dump(mode="json"), ensure_ascii=False),
        "response": json.dumps(answer, ensure_ascii=False),
    }


# --- stored checks and feedback --------------------------------------------------------------


def _load_check(db: Database, check_id: str) -> dict[str, Any]:
    rows = db.read("audit/check_by_id", check_id=check_id)
    if not rows:
        raise NotFound(f"no check {check_id!r}")
    return rows[0]


def _check_view(stored: dict[str, Any]) -> dict[str, Any]:
    check = stored["check"]
    return {
        "check_id": check["check_id"],
        "created_at": check["created_at"],
        "caller": {"name": check["caller_name"], "role": check["caller_role"]},
        "purpose": check["purpose"],
        "audit_seq": check.get("audit_seq"),
        "request": json.loads(check["request"]),
        "response": json.loads(check["response"]),
        "feedback": [_feedback_view(f) for f in stored["feedback"]],
    }


def _feedback_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "party_id": row["party_id"],
        "applied": row.get("applied") or [],
        "not_applied": json.loads(row.get("not_applied") or "[]"),
        "given_by": {"name": row["given_by_name"], "role": row["given_by_role"]},
        "given_at": row["given_at"],
        "audit_seq": row.get("audit_seq"),
    }


def _check_feedback(body: FeedbackRequest, response: dict[str, Any]) -> None:
    """409 unless the party and every measure named were in the check's answer."""
    wanted = normalise(body.party_id)
    results = [r for r in response["results"] if normalise(r["party_id"]) == wanted]
    if not results:
        raise Conflict(f"party {body.party_id!r} was not part of this check")
    returned = {m.get("measure") for r in results for m in r["measures"]}
    named = [*body.applied, *(n.measure for n in body.not_applied)]
    unknown = sorted({m for m in named if m not in returned})
    if unknown:
        raise Conflict(f"measures {unknown} were not returned for party {body.party_id!r}")
    both = sorted(set(body.applied) & {n.measure for n in body.not_applied})
    if both:
        raise InvalidInput(f"measures {both} are both applied and not applied")


def _feedback_json(body: FeedbackRequest) -> dict[str, Any]:
    return {"applied": body.applied, "not_applied": [n.model_dump() for n in body.not_applied]}


def _feedback_row(check_id: str, body: FeedbackRequest, caller: Caller) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "party_id": body.party_id,
        "applied": body.applied,
        "not_applied": json.dumps(_feedback_json(body)["not_applied"], ensure_ascii=False),
        "given_by_name": caller.name,
        "given_by_role": caller.role.value,
        "given_at": now_stamp(),
    }


@router.get("/contexts", responses=_ERRORS)
async def contexts(
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> dict[str, Any]:
    """The contexts and measures of the catalog in force, with each measure's decisions."""
    del caller  # any role that may check may read the catalog
    catalog = default_catalog()
    return {
        "catalog_version": catalog.version,
        "contexts": list(catalog.contexts),
        "measures": {
            name: {ctx: outcome.value for ctx, outcome in spec.decisions.items()}
            for name, spec in sorted(catalog.measures.items())
        },
    }
