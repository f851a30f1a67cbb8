"""``/v1/checks``: sanction checks for other agencies' systems, with feedback.

A check is authenticated and rate-limited (:mod:`~graph_service.security.auth`), its body
validated into a :class:`~graph_service.check_run.CheckRequest` (422 naming the field), and
then run by :class:`~graph_service.check_run.CheckService` — evaluated, masked for the
``checker`` role, signed and audited with the stored check before it is answered (503 and no
answer when the audit entry cannot be written). GraphQL's ``sanctionCheck`` runs the same.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graph_service.check_run import (
    CheckRequest,
    CheckService,
    PartyId,
    Text,
    check_service,
    get_evaluator,
)
from graph_service.db import Database
from graph_service.errors import Conflict, InvalidInput, NotFound
from graph_service.identifiers import normalise
from graph_service.policy.catalog import default_catalog
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, now_stamp
from graph_service.security.auth import require_role
from graph_service.security.roles import CHECK_ROLES, EXPLORE_ROLES, Caller, Role
from graph_service.security.state import security_of

__all__ = ["get_evaluator", "router"]  # get_evaluator: tests plug their evaluation in there

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["checks"])

MeasureName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not do this"},
    413: {"description": "body too large"},
    422: {"description": "malformed request; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was answered"},
}


# --- API models ------------------------------------------------------------------------------


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


# --- routes ----------------------------------------------------------------------------------


@router.post("/checks", responses=_ERRORS)
async def run_check(
    body: CheckRequest,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
    service: Annotated[CheckService, Depends(check_service)],
) -> JSONResponse:
    """Decides every party in the context; the answer carries a receipt and is audited."""
    return JSONResponse(await service.run(body, caller))


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
