"""The per-request GraphQL context: who asks, the database, the audit hook and fresh loaders.

A new :class:`Context` (and with it new DataLoaders) is made for every request, so cached
values never leak between requests or callers.

Access: the caller comes from the request's API key through the security module's
``caller_or_none`` dependency (the check API's keys, rate limits included). Each root field
names the roles it admits: those that read the graph require ``EXPLORE_ROLES`` (investigator,
admin; :class:`InvestigatorOnly`), ``sanctionCheck`` requires ``CHECK_ROLES`` (checker too, as
``POST /v1/checks`` does; :class:`CheckersToo`). Either answers 401 without a valid key and 403
for another role, so a ``checker`` key may run ``sanctionCheck`` and nothing else. Every
operation of a caller is queued on the audit log before anything is read
(:mod:`graph_service.gql.operation_audit`); a check writes its own ``check`` entry instead.
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

from graph_service.analysis.explain import Measure
from graph_service.check import CheckService, check_service
from graph_service.db import Database
from graph_service.gql.dataloaders import Loaders, Row
from graph_service.gql.operation_audit import AuditHook
from graph_service.propagation.runner import measures_as_of
from graph_service.security.auth import API_KEY_HEADER, caller_or_none
from graph_service.security.roles import CHECK_ROLES, EXPLORE_ROLES, Caller, Role, allowed
from graph_service.security.state import security_of
from graph_service.settings import Settings

__all__ = [
    "API_KEY_HEADER",
    "Caller",
    "CheckersToo",
    "Context",
    "Info",
    "InvestigatorOnly",
    "get_context",
]


class Context(BaseContext):
    """Everything a resolver may use; made per request by :func:`get_context`."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        caller: Caller | None,
        audit: AuditHook,
        checks: CheckService,
    ) -> None:
        super().__init__()
        self.db = db
        self.settings = settings
        self.caller = caller
        self.audit = audit
        self.checks = checks  # the check pipeline the REST endpoint runs too
        self.checks_run = 0  # sanctionCheck fields resolved in this request (at most one)
        self.today = date.today()  # one "today" per request, so answers agree with each other
        self.loaders = Loaders(self.read, self.measures_on)

    async def read(self, name: str, /, **params: Any) -> list[Row]:
        """Runs a named read query off the event loop, with the GraphQL query timeout.

        Every GraphQL query returns maps, lists and scalars (``properties(n)``, never a bare
        node), so rows are taken as decoded (:meth:`Database.read_plain`).
        """
        timeout = self.settings.graphql_query_timeout_s
        return await asyncio.to_thread(self.db.read_plain, name, timeout_s=timeout, **params)

    async def measures_on(self, party_ids: list[str], day: date) -> dict[str, list[Measure]]:
        """The measures the policy gives ``party_ids`` on ``day``, computed off the event loop
        from the graph's history (not the stored ones; the check API does the same)."""
        found = await asyncio.to_thread(measures_as_of, self.db, party_ids, day)
        return found.measures


Info = strawberry.Info[Context, None]


class _RoleGate(BasePermission):
    """A root field admitting the callers whose role is one of ``roles`` (admin always)."""

    roles: frozenset[Role] = frozenset()
    message = f"an API key is required (header {API_KEY_HEADER})"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """True for an admitted role; otherwise sets HTTP 401 (no valid key) or 403 (role) and
        raises the field's error (raised here because the instance is shared by requests)."""
        caller = info.context.caller
        if caller is not None and allowed(caller.role, self.roles):
            return True
        if caller is None:
            status, code, message = 401, "unauthenticated", self.message
        else:
            status, code = 403, "forbidden"
            message = f"the role {caller.role.value!r} may not use the field {info.field_name!r}"
        if info.context.response is not None:
            info.context.response.status_code = status
        raise GraphQLError(message, extensions={"code": code})


class InvestigatorOnly(_RoleGate):
    """Root fields that read the graph: the caller needs an investigator or admin key."""

    roles = EXPLORE_ROLES
    message = f"an investigator or admin API key is required (header {API_KEY_HEADER})"


class CheckersToo(_RoleGate):
    """``sanctionCheck``: every role that may call ``POST /v1/checks`` (checker included)."""

    roles = CHECK_ROLES
    message = f"a checker, investigator or admin API key is required (header {API_KEY_HEADER})"


async def get_context(
    request: Request,
    caller: Annotated[Caller | None, Depends(caller_or_none)],
    checks: Annotated[CheckService, Depends(check_service)],
) -> Context:
    """The context of one request (FastAPI dependency of the GraphQL router)."""
    settings: Settings = request.app.state.settings
    audit = AuditHook(
        security_of(request).audit, settings.graphql_audit_wait, settings.audit_timeout_s
    )
    db: Database = request.app.state.db
    return Context(db=db, settings=settings, caller=caller, audit=audit, checks=checks)
