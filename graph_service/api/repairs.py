"""``/v1/repairs``: repair applications (信用修复, docs/due-process.md), a thin edge over
:mod:`graph_service.dueprocess.repairs`: investigators and admins file and read, admins decide.
Every filing and decision is audited before it is answered.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from graph_service.dueprocess import repairs
from graph_service.dueprocess.requests import ID_PATTERN, RepairDecision, RepairRequest
from graph_service.policy.catalog import catalog_in_force
from graph_service.security.audit import Actor
from graph_service.security.auth import require_role
from graph_service.security.roles import ADMIN_ROLES, EXPLORE_ROLES, Caller
from graph_service.security.state import security_of

router = APIRouter(prefix="/v1", tags=["due process"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read (not UTF-8)"},
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not do this"},
    413: {"description": "body too large"},
    422: {"description": "malformed request; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was done"},
}
RepairId = Annotated[str, Path(description="the id a filing returned", pattern=ID_PATTERN)]


def desk(request: Request) -> repairs.Desk:
    """The app's graph, audit log and catalog in force (a FastAPI dependency)."""
    settings = request.app.state.settings
    return repairs.Desk(
        request.app.state.db, security_of(request).audit, catalog_in_force(settings)
    )


@router.post(
    "/repairs",
    status_code=201,
    responses={
        **ERRORS,
        404: {"description": "unknown_record: no record has this record_ref"},
        409: {"description": "too_early (with earliest_on), or the record is not active / has"
              " no publication period"},
        422: {"description": "malformed request (naming the field), or not_repairable_here: a"
              " court listing, with the court that must remove it"},
    },
)  # fmt: skip
async def file_repair(
    body: RepairRequest,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    at: Annotated[repairs.Desk, Depends(desk)],
) -> JSONResponse:
    """Files an application to end one record early; 201 with it, ``state: pending``."""
    filed = await run_in_threadpool(repairs.file_repair, at, body, Actor.of(caller))
    return JSONResponse(filed, status_code=201)


@router.get("/repairs/{repair_id}", responses={**ERRORS, 404: {"description": "no such id"}})
async def get_repair(
    repair_id: RepairId,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    at: Annotated[repairs.Desk, Depends(desk)],
) -> JSONResponse:
    """The application as it stands (pending, approved or rejected, with the reason)."""
    del caller  # investigators and admins may read
    return JSONResponse(await run_in_threadpool(repairs.repair, at.db, repair_id))


@router.post(
    "/repairs/{repair_id}/decision",
    responses={
        **ERRORS,
        404: {"description": "no such id"},
        409: {"description": "closed: the application is decided already"},
    },
)
async def decide_repair(
    repair_id: RepairId,
    body: RepairDecision,
    caller: Annotated[Caller, Depends(require_role(*ADMIN_ROLES))],
    at: Annotated[repairs.Desk, Depends(desk)],
) -> JSONResponse:
    """Approves (a ``repaired`` status update effective today, then the incremental
    propagation) or rejects a pending application (admins)."""
    decided = await run_in_threadpool(repairs.decide_repair, at, repair_id, body, Actor.of(caller))
    return JSONResponse(decided)
