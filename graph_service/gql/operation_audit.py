"""The audit trail of GraphQL operations: who asked what.

Every operation of a caller with a key is written to the security module's audit log (kind
``graphql``): the host's local log (:mod:`graph_service.security.local_audit`: SQLite, fsync'd,
group commit, copied to Neo4j's chain by the mirror) when the service keeps one, as check
entries are, else Neo4j's own appender. The entry is queued once the operation has been
validated and *before* any resolver runs; if the log cannot take it, nothing is read and the
caller gets HTTP 503 (``audit_unavailable``). With ``Settings.graphql_audit_wait`` the answer
also waits until the entry is committed, as the check API's answers do; without it (the
default) the group-commit writer commits it just after the answer, and a failed commit is
logged as an error. Writing to the local log keeps a Neo4j write transaction per operation off
the machine the next request runs on (three statements, 12–30 ms each under load, measured in
docs/benchmarks.md); the mirror copies entries in batches, niced, and "who looked at this
party" (the audit log's ``parties`` index) sees them once copied.

The payload names the operation, its root fields, its variables and the party ids it asked
about (``parties``, which the audit log indexes: "who looked at this party"). ``sanctionCheck``
writes the ``check`` entry of the check API itself (:mod:`graph_service.check`), so an
operation asking for nothing else gets no ``graphql`` entry as well. Requests without
a valid key are refused before anything is read and are only logged, like operations that
touch nothing but ``version`` and introspection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from graph_service.errors import AuditUnavailable, CreditGraphError
from graph_service.gql.selections import fields_of
from graph_service.identifiers import normalise
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor, Event
from graph_service.security.local_audit import LocalAuditLog

if TYPE_CHECKING:
    from graph_service.security.roles import Caller

log = logging.getLogger(__name__)

#: Root fields that read nothing about anybody: not worth an audit entry.
UNAUDITED_FIELDS = frozenset({"version", "__typename", "__schema", "__type"})
#: Root fields that write an audit entry of their own (a check's entry, waited for).
SELF_AUDITED_FIELDS = frozenset({"sanctionCheck"})
#: Arguments that name parties (party ids), anywhere in the document.
PARTY_ARGUMENTS = frozenset({"id", "ids", "to", "party"})


@dataclass(frozen=True)
class AuditEvent:
    """One GraphQL operation, as the audit log records it."""

    caller: Caller | None
    operation: str | None
    fields: tuple[str, ...]
    variables: dict[str, Any] = field(default_factory=dict)
    parties: tuple[str, ...] = ()

    @property
    def audited(self) -> bool:
        """True when the operation reads the graph for a caller."""
        logged_anyway = UNAUDITED_FIELDS | SELF_AUDITED_FIELDS
        return self.caller is not None and bool(set(self.fields) - logged_anyway)

    def payload(self) -> dict[str, Any]:
        """The audit entry's payload."""
        return {
            "operation": self.operation,
            "fields": list(self.fields),
            "variables": self.variables,
            "parties": list(self.parties),
        }


@dataclass(frozen=True)
class AuditHook:
    """What the context carries: queues events on the audit log and settles them."""

    log: AuditLog | LocalAuditLog  # the host's local log when kept (Security.local_audit)
    wait: bool  # Settings.graphql_audit_wait
    timeout_s: float  # Settings.audit_timeout_s

    def submit(self, event: AuditEvent) -> Future[Any] | None:
        """Queues the event's entry (None when it is not audited); AuditUnavailable if the
        log cannot take it."""
        if event.caller is None or not event.audited:
            log.info(
                "graphql operation",
                extra={"operation": event.operation, "fields": list(event.fields)},
            )
            return None
        return self.log.submit(Event("graphql", Actor.of(event.caller), event.payload()))

    async def settle(self, pending: Future[Any] | None) -> None:
        """Waits for the entry's commit when configured to; else makes a failure visible."""
        if pending is None:
            return
        if not self.wait:
            pending.add_done_callback(_log_failure)
            return
        try:
            await asyncio.wait_for(asyncio.wrap_future(pending), self.timeout_s)
        except CreditGraphError:
            raise
        except Exception as exc:  # timeout or a failed commit: the answer is withheld
            raise AuditUnavailable(f"the audit log did not confirm the entry: {exc}") from exc


def _log_failure(pending: Future[Any]) -> None:
    if not pending.cancelled() and pending.exception() is not None:
        log.error("graphql audit entry not committed", exc_info=pending.exception())


class AuditOperations(SchemaExtension):
    """Queues each operation's entry before it runs and settles it before it is answered."""

    def __init__(self) -> None:
        self._pending: Future[Any] | None = None
        self._failure: CreditGraphError | None = None

    def on_execute(self) -> Iterator[None]:
        """After validation, before any resolver: queue the entry, or run nothing. An
        operation refused already (a preset result: AuthoriseOperation) reads nothing and
        gets no entry."""
        hook: AuditHook | None = getattr(self.execution_context.context, "audit", None)
        if hook is not None and self.execution_context.result is None:
            try:
                self._pending = hook.submit(self._event())
            except CreditGraphError as exc:
                self._failure = exc
                self._withhold(exc)  # a preset result: strawberry executes nothing
        yield

    async def on_operation(self) -> AsyncIterator[None]:
        """After the operation: settle the entry; withhold the answer if that fails."""
        yield
        hook: AuditHook | None = getattr(self.execution_context.context, "audit", None)
        if hook is None or self._failure is not None:
            return
        try:
            await hook.settle(self._pending)
        except CreditGraphError as exc:
            self._withhold(exc)

    def _event(self) -> AuditEvent:
        document = self.execution_context.graphql_document
        variables = dict(self.execution_context.variables or {})
        return AuditEvent(
            caller=getattr(self.execution_context.context, "caller", None),
            operation=self.execution_context.operation_name,
            fields=root_fields(document),
            variables=variables,
            parties=tuple(sorted(parties_asked(document, variables))),
        )

    def _withhold(self, exc: CreditGraphError) -> None:
        log.error("graphql answer withheld: audit log unavailable", exc_info=exc)
        error = GraphQLError(exc.public_message(), extensions={"code": exc.code})
        result = self.execution_context.result
        if result is None:  # before execution: a preset result, so nothing is executed
            self.execution_context.result = ExecutionResult(data=None, errors=[error])
        else:  # after execution: the result object being answered is changed in place
            result.data, result.errors = None, [error]
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:
            response.status_code = exc.http_status
            response.headers.update(exc.headers())  # Retry-After


def root_fields(document: DocumentNode | None) -> tuple[str, ...]:
    """The names of the operations' root fields, also those inside root-level fragments
    (``{ ... on Query { party(…) } }`` reads as much as ``{ party(…) }``)."""
    definitions = document.definitions if document else ()
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[str] = []
    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode):
            names += _field_names(definition.selection_set, fragments)
    return tuple(names)


def operation_root_fields(document: DocumentNode | None, name: str | None) -> list[FieldNode]:
    """The root fields of the operation that runs (``name``, or the document's only one), also
    those inside root-level fragments; none when the document names no such operation."""
    operation = get_operation_ast(document, name) if document else None
    if document is None or operation is None:
        return []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return fields_of(operation.selection_set, fragments)


def _field_names(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[str]:
    """Field names of one selection set, through fragments."""
    return [node.name.value for node in fields_of(selections, fragments)]


def parties_asked(document: DocumentNode | None, variables: Mapping[str, Any]) -> set[str]:
    """Every party id given to an ``id``, ``ids``, ``to`` or ``party`` argument, normalised."""
    found: set[str] = set()
    for value in _party_values(document):
        found.update(normalise(v) for v in _strings(value, variables))
    return found


#: The party arguments' values of recently seen documents, by the document's identity (the
#: parser's cache hands every request of the same text the same document): walking a
#: workbench document took 0.25–0.8 ms of the event loop per request before any read began.
_PARTY_VALUES: dict[int, tuple[DocumentNode, tuple[ValueNode, ...]]] = {}
#: Documents remembered at most (the parser caches 256 too; the memo is emptied when full).
_REMEMBERED = 256


def _party_values(document: DocumentNode | None) -> tuple[ValueNode, ...]:
    """The values (literals or variables) of the party arguments anywhere in ``document``."""
    if document is None:
        return ()
    known = _PARTY_VALUES.get(id(document))
    if known is not None and known[0] is document:  # the same object, not a reused id
        return known[1]
    values = tuple(
        argument.value
        for node in _field_nodes(document)
        for argument in node.arguments or ()
        if argument.name.value in PARTY_ARGUMENTS
    )
    if len(_PARTY_VALUES) >= _REMEMBERED:
        _PARTY_VALUES.clear()
    _PARTY_VALUES[id(document)] = (document, values)
    return values


def _field_nodes(document: DocumentNode | None) -> Iterator[FieldNode]:
    nodes: list[FieldNode] = []

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nodes.append(node)

    if document is not None:
        visit(document, Collect())
    return iter(nodes)


def _strings(value: ValueNode, variables: Mapping[str, Any]) -> list[str]:
    if isinstance(value, StringValueNode):
        return [value.value]
    if isinstance(value, ListValueNode):
        return [s for v in value.values for s in _strings(v, variables)]
    if isinstance(value, VariableNode):
        given = variables.get(value.name.value)
        items = given if isinstance(given, list) else [given]
        return [v for v in items if isinstance(v, str)]
    return []
