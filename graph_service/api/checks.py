"""``/v1/checks``: sanction checks for other agencies' systems, with feedback.

A thin edge over :mod:`graph_service.check`: a check is authenticated and rate-limited
(:mod:`~graph_service.security.auth`), its body validated into a
:class:`~graph_service.check.CheckRequest` (422 naming the field), and then run by
:class:`~graph_service.check.CheckService` — evaluated, masked for the ``checker`` role, signed
and audited with the stored check before it is answered (503 and no answer when the audit
entry cannot be written). GraphQL's ``sanctionCheck`` and ``credit-graph check`` run the same.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from graph_service.check import CheckRequest, CheckService, FeedbackRequest, check_service
from graph_service.policy.catalog import catalog_in_force
from graph_service.security.auth import require_role
from graph_service.security.roles import CHECK_ROLES, EXPLORE_ROLES, Caller

router = APIRouter(prefix="/v1", tags=["checks"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read (not UTF-8)"},
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not do this"},
    413: {"description": "body too large"},
    422: {"description": "malformed request; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was answered"},
}
#: Routes that read a stored check answer this instead of a check the audit log does not vouch for.
_STORED_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    404: {"description": "no such check (or, for feedback, not made with this key)"},
    500: {"description": "stored_check_tampered: the stored check does not match its audit entry"},
}


@router.post("/checks", responses=_ERRORS)
async def run_check(
    body: CheckRequest,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
    service: Annotated[CheckService, Depends(check_service)],
) -> Response:
    """Decides every party in the context; the answer carries a receipt and is audited."""
    # The answer's text as stored with the check: serialised once for both.
    return Response(await service.run_json(body, caller), media_type="application/json")


@router.get("/checks/{check_id}", responses=_STORED_ERRORS)
async def get_check(
    check_id: str,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    service: Annotated[CheckService, Depends(check_service)],
) -> JSONResponse:
    """A stored check as answered, with its feedback (investigators and admins; audited)."""
    return JSONResponse(await service.stored_check(check_id, caller))


@router.post(
    "/checks/{check_id}/feedback",
    status_code=201,
    responses={
        **_STORED_ERRORS,
        409: {"description": "a party the check did not contain, or a measure not returned"},
    },
)
async def give_feedback(
    check_id: str,
    body: FeedbackRequest,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
    service: Annotated[CheckService, Depends(check_service)],
) -> JSONResponse:
    """Records which returned measures the agency applied; 409 for anything not returned."""
    seq = await service.record_feedback(check_id, body, caller)
    body_out = {"check_id": check_id, "party_id": body.party_id, "audit_seq": seq}
    return JSONResponse(body_out, status_code=201)


@router.get("/contexts", responses=_ERRORS)
async def contexts(
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> dict[str, Any]:
    """The contexts and measures of the catalog in force, with each measure's decisions."""
    del caller  # any role that may check may read the catalog
    catalog = catalog_in_force(request.app.state.settings)
    return {
        "catalog_version": catalog.version,
        "contexts": list(catalog.contexts),
        "measures": {
            name: {ctx: outcome.value for ctx, outcome in spec.decisions.items()}
            for name, spec in sorted(catalog.measures.items())
        },
    }
