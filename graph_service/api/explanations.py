"""``GET /v1/parties/{party_id}/why-not``: why a party gets no stronger decision in a context
(未受限制的原因, due process §5).

Investigators and admins (``EXPLORE_ROLES``, as GraphQL); authenticated and rate-limited by
:func:`~graph_service.security.auth.require_role`. The party id, ``context`` and ``as_of`` are
validated by FastAPI with the rules of :mod:`graph_service.explore.why_not_answer` (422 in the
service's one error shape, naming the field and never the value); an unknown party is a 404.
The answer's audit entry ``why_not`` is written — and waited for: no answer leaves unaudited
(503 otherwise) — before it is sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import AfterValidator

from graph_service.analysis.ended_facts import WhyNot, as_json
from graph_service.errors import InvalidInput
from graph_service.explore import why_not_answer as asked
from graph_service.policy.catalog import catalog_in_force, default_catalog
from graph_service.security.audit import Actor
from graph_service.security.auth import require_role
from graph_service.security.roles import EXPLORE_ROLES, Caller
from graph_service.security.state import security_of

router = APIRouter(prefix="/v1", tags=["explanations"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not ask (investigator or admin only)"},
    404: {"description": "no such party in the graph"},
    422: {"description": "malformed party id, unknown context, or as_of not a day from "
          "1900-01-01 to today; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was answered"},
}  # fmt: skip


def _valid(check: Any) -> Any:
    """A FastAPI validator from a rule of why_not_answer: its InvalidInput becomes the
    ValueError FastAPI answers with 422, without the field name the 422 already gives."""

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except InvalidInput as exc:
            raise ValueError(str(exc).partition(": ")[2]) from None

    return validate


#: The contexts of the API: the packaged catalog's (an operator's catalog must keep them).
CONTEXTS = default_catalog().contexts

PartyIdPath = Annotated[
    str,
    Path(description="USCC or resident id number", max_length=64),
    AfterValidator(_valid(asked.party_id_of)),
]
ContextQuery = Annotated[
    str,
    Query(description="a context of the catalog (GET /v1/contexts)", max_length=64,
          json_schema_extra={"enum": list(CONTEXTS)}),
    AfterValidator(_valid(lambda c: asked.context_of(c, default_catalog()))),
]  # fmt: skip
AsOfQuery = Annotated[
    str | None,
    Query(description="YYYY-MM-DD, from 1900-01-01 to today; default today", max_length=10),
    AfterValidator(_valid(lambda day: asked.as_of_of(day) and day)),
]


@router.get("/parties/{party_id}/why-not", responses=_ERRORS)
async def why_not(
    party_id: PartyIdPath,
    context: ContextQuery,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    as_of: AsOfQuery = None,
) -> JSONResponse:
    """The party's decision in the context on ``as_of`` and the nearest facts (within two
    hops) that would have restricted it more and do not: records that ended, stakes below
    the threshold, stakes, roles and branch links that ended, interventions too old."""
    day = asked.as_of_of(as_of)  # valid (checked above): the day, or today
    catalog = catalog_in_force(request.app.state.settings)
    db = request.app.state.db
    found: WhyNot = await run_in_threadpool(asked.answer, db, party_id, context, day, catalog)
    payload = asked.audit_payload(found)
    await security_of(request).audit.append("why_not", Actor.of(caller), payload)
    return JSONResponse(as_json(found), headers={"Cache-Control": "no-store"})
