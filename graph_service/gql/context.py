"""The per-request GraphQL context: who asks, the database, the audit hook and fresh loaders.

A new :class:`Context` (and with it new DataLoaders) is made for every request, so cached
values never leak between requests or callers.

Access: the caller comes from the request's API key through the security module's
``caller_or_none`` dependency (the check API's keys, rate limits included); root fields that
read the graph require a role of ``EXPLORE_ROLES`` (investigator, admin):
:class:`InvestigatorOnly` answers 401 without a valid key and 403 for another role. Every
operation of a caller is queued on the audit log before anything is read
(:mod:`graph_service.gql.audit`).
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import strawberry
from fastapi import Depends, Request
from graphql import GraphQLError
from strawberry.fastapi import BaseContext
from strawberry.permission import BasePermission

from graph_service.db import Database
from graph_service.gql.audit import AuditHook
from graph_service.gql.loaders import Loaders, Row
from graph_service.security.auth import API_KEY_HEADER, caller_or_none
from graph_service.security.roles import EXPLORE_ROLES, Caller, allowed
from graph_service.security.state import security_of
from graph_service.settings import Settings

__all__ = ["API_KEY_HEADER", "Caller", "Context", "Info", "InvestigatorOnly", "get_context"]


class Context(BaseContext):
    """Everything a resolver may use; made per request by :func:`get_context`."""

    def __init__(
        self, db: Database, settings: Settings, caller: Caller | None, audit: AuditHook
    ) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.caller = caller
        self.audit = audit
        self.today = date.today()  # one "today" per request, so answers agree with each other
        self.loaders = Loaders(self.read)

    async def read(self, name: str, /, **params: Any) -> list[Row]:
        """Runs a named read query off the event loop, with the GraphQL query timeout."""
        timeout = self.settings.graphql_query_timeout_s
        return await asyncio.to_thread(self.db.read, name, timeout_s=timeout, **params)


Info = strawberry.Info[Context, None]


class InvestigatorOnly(BasePermission):
    """Root fields that read the graph: the caller needs an investigator or admin key."""

    message = f"an investigator or admin API key is required (header {API_KEY_HEADER})"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """True for explorer roles; otherwise sets HTTP 401 (no valid key) or 403 (role) and
        raises the field's error (raised here because the instance is shared by requests)."""
        caller = info.context.caller
        if caller is not None and allowed(caller.role, EXPLORE_ROLES):
            return True
        if caller is None:
            status, code, message = 401, "unauthenticated", self.message
        else:
            status, code = 403, "forbidden"
            message = f"the role {caller.role.value!r} may not explore the graph"
        if info.context.response is not None:
            info.context.response.status_code = status
        raise GraphQLError(message, extensions={"code": code})


async def get_context(
    request: Request, caller: Annotated[Caller | None, Depends(caller_or_none)]
) -> Context:
    """The context of one request (FastAPI dependency of the GraphQL router)."""
    settings: Settings = request.app.state.settings
    audit = AuditHook(
        security_of(request).audit, settings.graphql_audit_wait, settings.audit_timeout_s
    )
    return Context(db=request.app.state.db, settings=settings, caller=caller, audit=audit)
