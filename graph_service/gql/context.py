"""The per-request GraphQL context: who asks, the database, the audit hook and fresh loaders.

A new :class:`Context` (and with it new DataLoaders) is made for every request, so cached
values never leak between requests or callers.

Access: the caller comes from the request's API key through the security module's
``caller_or_none`` dependency (the check API's keys, rate limits included). Each root field
names the roles it admits: those that read the graph require ``EXPLORE_ROLES`` (investigator,
admin; :class:`InvestigatorOnly`), ``sanctionCheck`` requires ``CHECK_ROLES`` (checker too, as
``POST /v1/checks`` does; :class:`CheckersToo`). Either answers 401 without a valid key and 403
for another role, so a ``checker`` key may run ``sanctionCheck`` and nothing else.

An operation is authorised **as a whole**, after validation and before any resolver runs
(:class:`AuthoriseOperation`): one root field beyond the caller's role refuses the operation,
so a ``checker`` asking for ``sanctionCheck`` and ``party`` together gets no check made and
no party read. The gates on the fields stay as a second line. Every operation that passes is
queued on the audit log before anything is read (:mod:`graph_service.gql.operation_audit`);
a check writes its own ``check`` entry instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Annotated, Any

import strawberry
from fastapi import Depends, Request
from graphql import FieldNode, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.fastapi import BaseContext
from strawberry.permission import BasePermission
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField

from graph_service.analysis.explain import Measure
from graph_service.check import CheckService, check_service
from graph_service.db import Database
from graph_service.gql.cycles import weakly
from graph_service.gql.dataloaders import Loaders, Row
from graph_service.gql.operation_audit import AuditHook, operation_root_fields
from graph_service.propagation.runner import measures_as_of
from graph_service.security.auth import API_KEY_HEADER, caller_or_none
from graph_service.security.roles import CHECK_ROLES, EXPLORE_ROLES, Caller, Role, allowed
from graph_service.security.state import security_of
from graph_service.settings import Settings

__all__ = [
    "API_KEY_HEADER",
    "AuthoriseOperation",
    "Caller",
    "CheckersToo",
    "Context",
    "Info",
    "InvestigatorOnly",
    "get_context",
]

log = logging.getLogger(__name__)


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
        # held weakly, so that the context is freed when its request ends (gql/cycles.py); a
        # batch dispatched after that is cancelled, not failed: nobody awaits its futures, and
        # an exception there would only be logged as never retrieved
        self.loaders = Loaders(
            weakly(self.read, freed=asyncio.CancelledError),
            weakly(self.measures_on, freed=asyncio.CancelledError),
        )
        # reads started before a resolver asks for them (graph_service.gql.prefetch), by
        # query and parameters; each is handed out once
        self._early: dict[tuple[str, str], asyncio.Future[list[Row]]] = {}
        # whether a field of the operation may ask for provenance.loadedAt (DatedReads); the
        # walks return loaded_at only then (their $dated)
        self.dated = True

    async def read(self, name: str, /, **params: Any) -> list[Row]:
        """Runs a named read query off the event loop, with the GraphQL query timeout; or
        awaits the same read (query and parameters) when :meth:`start_read` began it.

        Every GraphQL query returns maps, lists and scalars (``properties(n)``, never a bare
        node), so rows are taken as decoded (:meth:`Database.read_plain`).
        """
        params = self._dated(name, params)
        early = self._early.pop(_read_key(name, params), None)
        if early is not None:
            return await early
        return await self._read_now(name, params)

    def _dated(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with ``dated`` for a statement that takes ``$dated``."""
        takes = _TAKES_DATED.get(name)
        if takes is None:
            takes = _TAKES_DATED[name] = "$dated" in self.db.registry[name].text
        return {**params, "dated": self.dated} if takes else params

    async def read_fresh(self, name: str, /, **params: Any) -> list[Row]:
        """Runs a named read query now, never taking a read begun early (whose future may be
        the one this read is to set: :meth:`expect`)."""
        return await self._read_now(name, self._dated(name, params))

    async def _read_now(self, name: str, params: dict[str, Any]) -> list[Row]:
        timeout = self.settings.graphql_query_timeout_s
        return await asyncio.to_thread(self.db.read_plain, name, timeout_s=timeout, **params)

    def start_read(self, name: str, /, **params: Any) -> None:
        """Begins a read a resolver will ask for with the same parameters, so that it runs
        beside the reads it would otherwise wait for. A read nobody asks for runs to its end
        unused; its failure is logged, and the resolver that asks again gets it raised."""
        params = self._dated(name, params)
        key = _read_key(name, params)
        if key not in self._early:
            # the read itself, not self.read: that would find this very task and await it
            task = asyncio.ensure_future(self._read_now(name, params))
            task.add_done_callback(_retrieved)
            self._early[key] = task

    def expect(self, name: str, /, **params: Any) -> asyncio.Future[list[Row]] | None:
        """A future that a resolver reading ``name`` with ``params`` will be handed, for a
        read that gives those rows among others (graph_service.gql.cards); None when that read
        is begun already. Whoever takes the future must set it."""
        key = _read_key(name, self._dated(name, params))
        if key in self._early:
            return None
        future: asyncio.Future[list[Row]] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._early[key] = future
        return future

    async def measures_on(self, party_ids: list[str], day: date) -> dict[str, list[Measure]]:
        """The measures the policy gives ``party_ids`` on ``day``, computed off the event loop
        from the graph's history (not the stored ones; the check API does the same)."""
        found = await asyncio.to_thread(measures_as_of, self.db, party_ids, day)
        return found.measures


Info = strawberry.Info[Context, None]

#: Whether a named statement takes ``$dated`` (read from its text once).
_TAKES_DATED: dict[str, bool] = {}
#: The field whose value is a node's or relationship's ``loaded_at`` (``Provenance``).
LOADED_AT_FIELD = "loadedAt"


def _read_key(name: str, params: dict[str, Any]) -> tuple[str, str]:
    """A read's identity: its query and parameters (lists, dates and None print exactly)."""
    return name, repr(sorted(params.items()))


def _retrieved(task: asyncio.Future[Any]) -> None:
    """Marks a started read's failure as seen (asyncio would warn about it) and logs it."""
    if not task.cancelled() and task.exception() is not None:
        log.info("a read started early failed", exc_info=task.exception())


class _RoleGate(BasePermission):
    """A root field admitting the callers whose role is one of ``roles`` (admin always)."""

    roles: frozenset[Role] = frozenset()
    message = f"an API key is required (header {API_KEY_HEADER})"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        """True for an admitted role; otherwise sets HTTP 401 (no valid key) or 403 (role) and
        raises the field's error (raised here because the instance is shared by requests)."""
        caller = info.context.caller
        if self.admits(caller):
            return True
        status, code, message = self.refusal(caller, info.field_name)
        if info.context.response is not None:
            info.context.response.status_code = status
        raise GraphQLError(message, extensions={"code": code})

    @classmethod
    def admits(cls, caller: Caller | None) -> bool:
        """True when ``caller`` (None: no valid key) may use the field."""
        return caller is not None and allowed(caller.role, cls.roles)

    @classmethod
    def refusal(cls, caller: Caller | None, field: str) -> tuple[int, str, str]:
        """HTTP status, error code and message refusing ``field`` to ``caller``."""
        if caller is None:
            return 401, "unauthenticated", cls.message
        return 403, "forbidden", f"the role {caller.role.value!r} may not use the field {field!r}"


class InvestigatorOnly(_RoleGate):
    """Root fields that read the graph: the caller needs an investigator or admin key."""

    roles = EXPLORE_ROLES
    message = f"an investigator or admin API key is required (header {API_KEY_HEADER})"


class CheckersToo(_RoleGate):
    """``sanctionCheck``: every role that may call ``POST /v1/checks`` (checker included)."""

    roles = CHECK_ROLES
    message = f"a checker, investigator or admin API key is required (header {API_KEY_HEADER})"


class AuthoriseOperation(SchemaExtension):
    """Refuses an operation as a whole when one of its root fields is beyond the caller.

    Runs after validation and before the audit entry is queued and any resolver runs; a
    refused operation gets one error per refused root field (401 without a valid key, 403
    for a role), ``data`` null as its fields would have been, and nothing else happens.
    """

    def on_execute(self) -> Iterator[None]:
        """Before execution: presets the refusal as the result, so strawberry runs nothing."""
        execution = self.execution_context
        context = execution.context
        fields = operation_root_fields(execution.graphql_document, execution.operation_name)
        caller: Caller | None = getattr(context, "caller", None)
        gated = [(node, _gate(execution.schema, node)) for node in fields]
        refused = [(n, gate) for n, gate in gated if gate is not None and not gate.admits(caller)]
        if refused:
            execution.result = _refusal(execution.schema, fields, refused, caller)
            response = getattr(context, "response", None)
            if response is not None:
                response.status_code = 401 if caller is None else 403
            log.info(
                "graphql operation refused",
                extra={"fields": [node.name.value for node, _ in refused]},
            )
        yield


class DatedReads(SchemaExtension):
    """Tells the context whether the operation may ask for ``provenance.loadedAt``: only then
    do the walks return each node's and relationship's ``loaded_at`` (the driver's decoding
    of those timestamps was most of its work on a walk's rows). A field is asked for by its
    name, so a document whose text does not hold ``loadedAt`` cannot select it; a text that
    holds it elsewhere (an argument's value) only keeps the timestamps read."""

    def on_execute(self) -> Iterator[None]:
        """Before execution: sets ``context.dated``."""
        context = self.execution_context.context
        if isinstance(context, Context):
            context.dated = LOADED_AT_FIELD in (self.execution_context.query or "")
        yield


def _root_field(schema: BaseSchema, node: FieldNode) -> StrawberryField | None:
    """The ``Query`` field ``node`` selects (None for ``__typename``, ``__schema``, …)."""
    if not isinstance(schema, strawberry.Schema):
        return None
    return schema.get_field_for_type(node.name.value, "Query")


def _gate(schema: BaseSchema, node: FieldNode) -> type[_RoleGate] | None:
    """The role gate of a root field (None: a public field, or ``__typename``/``__schema``)."""
    field = _root_field(schema, node)
    gates = [p for p in (field.permission_classes if field else ()) if issubclass(p, _RoleGate)]
    return gates[0] if gates else None


def _refusal(
    schema: BaseSchema,
    fields: Sequence[FieldNode],
    refused: Sequence[tuple[FieldNode, type[_RoleGate]]],
    caller: Caller | None,
) -> ExecutionResult:
    """The answer to a refused operation: an error per refused root field, and ``data`` as
    GraphQL would give it had every root field failed (null root fields, or a null ``data``
    if one of them cannot be null)."""
    errors = []
    for node, gate in refused:
        _, code, message = gate.refusal(caller, node.name.value)
        key = node.alias.value if node.alias else node.name.value
        errors.append(GraphQLError(message, nodes=[node], path=[key], extensions={"code": code}))
    return ExecutionResult(data=_null_data(schema, fields), errors=errors)


def _null_data(schema: BaseSchema, fields: Sequence[FieldNode]) -> dict[str, Any] | None:
    """``{key: None}`` for each root field if all may be null, else None."""
    for node in fields:
        field = _root_field(schema, node)
        if field is None or not isinstance(field.type, StrawberryOptional):
            return None
    return {(n.alias.value if n.alias else n.name.value): None for n in fields}


async def get_context(
    request: Request,
    caller: Annotated[Caller | None, Depends(caller_or_none)],
    checks: Annotated[CheckService, Depends(check_service)],
) -> Context:
    """The context of one request (FastAPI dependency of the GraphQL router)."""
    settings: Settings = request.app.state.settings
    security = security_of(request)
    # the host's local log when the service keeps one (as check entries), else Neo4j's
    audit_log = security.local_audit or security.audit
    audit = AuditHook(audit_log, settings.graphql_audit_wait, settings.audit_timeout_s)
    db: Database = request.app.state.db
    return Context(db=db, settings=settings, caller=caller, audit=audit, checks=checks)
