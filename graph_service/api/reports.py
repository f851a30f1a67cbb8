"""``GET /v1/reports/{party_id}``: a party's credit report (信用报告) as PDF, HTML or JSON.

Investigators and admins (``EXPLORE_ROLES``, as GraphQL); authenticated and rate-limited by
:func:`~graph_service.security.auth.require_role`. The party id, ``as_of`` and ``format`` are
validated by FastAPI (422 in the service's one error shape, naming the field); an unknown
party is a 404. The report is made (:mod:`graph_service.report.service`), its audit entry
``report`` is written — and waited for: no report leaves unaudited (503 otherwise) — and only
then rendered. Readers who may not see personal data get it masked as checkers do.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, BeforeValidator

from graph_service.errors import InvalidInput
from graph_service.report import service
from graph_service.report.service import Format
from graph_service.security.audit import Actor
from graph_service.security.auth import require_role
from graph_service.security.roles import EXPLORE_ROLES, Caller, sees_personal_data
from graph_service.security.state import security_of

router = APIRouter(prefix="/v1", tags=["reports"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}, "text/html": {}, "application/json": {}},
        "description": "the report; saved under the name in Content-Disposition",
    },
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not read reports (investigator or admin only)"},
    404: {"description": "no such party in the graph"},
    422: {"description": "malformed party id, as_of or format; the message names the field"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; no report was given"},
}


def _party_id(value: str) -> str:
    """FastAPI's validator of the path: the normalised id, or ValueError (a 422)."""
    try:
        return service.party_id_of(value)
    except InvalidInput as exc:
        raise ValueError(str(exc).removeprefix("party_id: ")) from None


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD text: pydantic would otherwise read a number as a Unix time."""
    if value is not None and not (isinstance(value, str) and _ISO_DAY.match(value)):
        raise ValueError("as_of must be a date written YYYY-MM-DD")
    return value


def _known_day(value: date | None) -> date:
    try:
        return service.as_of_of(value)
    except InvalidInput as exc:
        raise ValueError(str(exc).removeprefix("as_of: ")) from None


PartyIdPath = Annotated[
    str,
    Path(description="USCC or resident id number", max_length=64),
    AfterValidator(_party_id),
]
AsOf = Annotated[
    date | None,
    Query(description="YYYY-MM-DD, not after today; default today"),
    BeforeValidator(_iso_date),
    AfterValidator(_known_day),
]
FormatQuery = Annotated[
    Literal["pdf", "html", "json"],
    Query(alias="format", description="pdf (default), html, or json (data + verification)"),
]


@router.get("/reports/{party_id}", responses=_ERRORS, response_class=Response)
async def get_report(
    party_id: PartyIdPath,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*EXPLORE_ROLES))],
    as_of: AsOf = None,
    fmt: FormatQuery = "pdf",
) -> Response:
    """The party's credit report on ``as_of``; audited before it is answered."""
    security = security_of(request)
    chosen, day = Format(fmt), as_of or service.as_of_of(None)
    signer = await run_in_threadpool(lambda: security.signer)
    report = await run_in_threadpool(
        service.make_report,
        request.app.state.db,
        signer,
        party_id,
        day,
        not sees_personal_data(caller.role),
    )
    payload = service.audit_payload(report, party_id, chosen)
    await security.audit.append("report", Actor.of(caller), payload)
    body = await run_in_threadpool(service.render, report, chosen)
    disposition = f'attachment; filename="{service.file_name(report, chosen)}"'
    return Response(
        body,
        media_type=service.MEDIA_TYPES[chosen],
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
