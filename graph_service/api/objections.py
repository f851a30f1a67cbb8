"""``/v1/objections``: objections to records (异议, docs/due-process.md), a thin edge over
:mod:`graph_service.dueprocess.objections`: investigators and admins file and list, admins
decide. Every filing and decision is audited before it is answered.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from graph_service.api.repairs import ERRORS, desk
from graph_service.dueprocess import objections
from graph_service.dueprocess.repairs import Desk
from graph_service.dueprocess.requests import (
    ID_PATTERN,
    ObjectionDismissed,
    ObjectionRequest,
    ObjectionUpheld,
)
from graph_service.security.audit import Actor
from graph_service.security.auth import require_role
from graph_service.security.roles import ADMIN_ROLES, EXPLORE_ROLES, Caller

router = APIRouter(prefix="/v1", tags=["due process"])

ObjectionId = Annotated[str, Path(description="the id a filing returned", pattern=ID_PATTERN)]


@router.post(
    "/objections",
    status_code=201,
    responses={
        **ERRORS,
        404: {"description": "unknown_record: no record has this record_ref"},
        409: {"description": "the party has an open objection to this record already"},
    },
)
async def file_objection(
    body: ObjectionRequest,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    at: Annotated[Desk, Depends(desk)],
) -> JSONResponse:
    """Files an objection; 201 with it, ``state: open`` and ``due_on`` (the catalog's
    deadline). While open, every measure resting on the record is marked contested."""
    filed = await run_in_threadpool(objections.file_objection, at, body, Actor.of(caller))
    return JSONResponse(filed, status_code=201)


@router.get("/objections", responses=ERRORS)
async def list_objections(
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    at: Annotated[Desk, Depends(desk)],
    state: Annotated[
        Literal["open", "overdue", "closed"] | None,
        Query(description="open, overdue (open past due_on) or closed; default all"),
    ] = None,
) -> JSONResponse:
    """Objections, the soonest due first."""
    del caller  # investigators and admins may list
    found = await run_in_threadpool(objections.objections, at.db, state)
    return JSONResponse({"objections": found})


@router.post(
    "/objections/{objection_id}/decision",
    responses={
        **ERRORS,
        404: {"description": "no such id"},
        409: {"description": "closed: the objection is decided already"},
    },
)
async def decide_objection(
    objection_id: ObjectionId,
    body: Annotated[ObjectionUpheld | ObjectionDismissed, Body(discriminator="decision")],
    caller: Annotated[Caller, Depends(require_role(*ADMIN_ROLES))],
    at: Annotated[Desk, Depends(desk)],
) -> JSONResponse:
    """Upholds (a revoked or corrected status update effective today, then the incremental
    propagation) or dismisses an open objection (admins)."""
    decided = await run_in_threadpool(
        objections.decide_objection, at, objection_id, body, Actor.of(caller)
    )
    return JSONResponse(decided)
