"""``/v1/subscriptions``: the webhooks an API key registers for its stop-sharing notices
(due process §4; docs/due-process.md).

Any key that may check may subscribe (its notices are about its own checks); a key sees and
deletes only its own subscriptions. ``url`` must be http(s) and not this service itself,
``secret`` at least 16 bytes (422 naming the field); the secret is stored encrypted and never
returned (:mod:`graph_service.dueprocess.webhooks`). Creating and deleting are audited before
they are answered.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from graph_service.dueprocess import webhooks
from graph_service.errors import ConfigError
from graph_service.security.audit import Actor
from graph_service.security.auth import require_role
from graph_service.security.roles import CHECK_ROLES, Caller
from graph_service.security.state import security_of
from graph_service.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["notices"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "the body cannot be read (not UTF-8)"},
    401: {"description": "no valid API key"},
    403: {"description": "the key's role may not check, so it gets no notices"},
    422: {"description": "url not http(s) or pointing at this service; secret under 16 bytes"},
    429: {"description": "rate limit; see Retry-After"},
    503: {"description": "the audit log cannot be written; nothing was done"},
}


class SubscriptionRequest(BaseModel):
    """A webhook to register: where notices go, and the secret that signs them."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=webhooks.MAX_URL_CHARS,
        pattern=webhooks.URL_PATTERN,
        description=(
            "http(s) URL to POST to (a host name, an IPv4 address or a bracketed IPv6 one; "
            "no user or password)"
        ),
    )
    secret: str = Field(
        min_length=webhooks.MIN_SECRET_BYTES,
        max_length=1024,
        description="HMAC-SHA256 secret: at least 16 characters, random",
    )


@router.post("/subscriptions", status_code=201, responses=_ERRORS)
async def subscribe(
    body: SubscriptionRequest,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> JSONResponse:
    """Registers a webhook for the caller's notices; its id (the secret is never shown)."""
    settings = request.app.state.settings
    own = webhooks.own_addresses(settings, str(request.base_url))
    webhooks.validated(body.url, body.secret, own)
    box = await run_in_threadpool(_box, settings)
    row = webhooks.subscription_row(caller.key_id, body.url, body.secret, box)
    audit = security_of(request).audit
    made = await webhooks.create(audit, Actor.of(caller), row)
    return JSONResponse(made.as_json(), status_code=201)


@router.get("/subscriptions", responses=_ERRORS)
async def subscriptions(
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> dict[str, Any]:
    """The caller's own active webhooks."""
    found = await run_in_threadpool(webhooks.of_key, request.app.state.db, caller.key_id)
    return {"subscriptions": [s.as_json() for s in found]}


@router.delete(
    "/subscriptions/{subscription_id}",
    status_code=204,
    responses={**_ERRORS, 404: {"description": "no such active subscription of this key"}},
)
async def unsubscribe(
    subscription_id: str,
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
) -> Response:
    """Deletes one of the caller's webhooks; its pending deliveries are cancelled."""
    active = await run_in_threadpool(webhooks.of_key, request.app.state.db, caller.key_id)
    audit = security_of(request).audit
    await webhooks.delete(audit, Actor.of(caller), caller.key_id, subscription_id, active)
    return Response(status_code=204)


def _box(settings: Settings) -> webhooks.SecretBox:
    """The notice key's box; a failure is logged in full, answered without the file's path."""
    try:
        return webhooks.secret_box(settings)
    except ConfigError as exc:
        log.error("notice key unavailable", extra={"error": str(exc)})
        raise ConfigError("the notice key cannot be loaded; see the log") from exc
