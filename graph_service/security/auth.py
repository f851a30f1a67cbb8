"""Authentication, authorisation and rate limiting as FastAPI dependencies.

``Depends(require_role(Role.CHECKER, Role.INVESTIGATOR))`` gives a route the typed
:class:`~.roles.Caller` of a request, or answers before the route runs:

* 401 ``unauthenticated`` — no key, or a key that is malformed, unknown or revoked. Which of
  these it was is not said, so a caller learns nothing about the keys that exist.
* 403 ``forbidden`` — the key is valid but its role is not among the route's (admin always is).
* 429 ``rate_limited`` with ``Retry-After`` — the key's token bucket is empty.

The key is read from ``X-API-Key`` (or ``Authorization: Bearer <key>``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from graph_service.errors import Forbidden, RateLimited, Unauthenticated
from graph_service.security.keys import MISS
from graph_service.security.ratelimit import retry_after_header
from graph_service.security.roles import Caller, Role, allowed
from graph_service.security.state import security_of

#: The header carrying the API key.
API_KEY_HEADER = "X-API-Key"
_BEARER = "bearer "


def presented_key(request: Request) -> str | None:
    """The API key the request presents, if any."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key.strip()
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith(_BEARER):
        return authorization[len(_BEARER) :].strip()
    return None


async def identify(request: Request) -> Caller | None:
    """The caller the request's key belongs to; None without a valid key.

    The key cache answers most requests; only a miss reads the graph, off the event loop.
    """
    key = presented_key(request)
    if not key:
        return None
    keys = security_of(request).keys
    cached = keys.cached(key)
    if cached is not MISS:
        return cached
    return await run_in_threadpool(keys.authenticate, key)


def require_role(*roles: Role) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency admitting callers with one of ``roles`` (or admin), within their rate."""
    accepted = frozenset(roles)

    async def caller_with_role(request: Request) -> Caller:
        caller = await identify(request)
        if caller is None:
            raise Unauthenticated(
                f"a valid API key is required in the {API_KEY_HEADER} header"
                " (missing, unknown and revoked keys are all refused alike)"
            )
        if not allowed(caller.role, accepted):
            raise Forbidden(f"the role {caller.role.value!r} may not use this endpoint")
        enforce_rate(request, caller)
        request.state.caller = caller
        return caller

    return caller_with_role


def enforce_rate(request: Request, caller: Caller) -> None:
    """Takes a token of the caller's bucket, or raises 429 with the seconds to wait."""
    wait = security_of(request).limiter.take(caller.key_id)
    if wait is not None:
        raise RateLimited(
            "too many requests for this API key; retry later", retry_after_header(wait)
        )


async def caller_or_none(request: Request) -> Caller | None:
    """For GraphQL: the caller of a valid key (rate-limited), else None (the schema's
    permissions then answer 401/403 per field).
    """
    caller = await identify(request)
    if caller is not None:
        enforce_rate(request, caller)
    return caller
