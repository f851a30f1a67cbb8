"""What one GraphQL request may ask for, and how its errors reach the client.

Caps are part of the API contract (docs/graphql.md), not tuning knobs: a query beyond them is
refused before any Cypher runs (validation rules) or with a typed error (arguments). The depth
is counted in levels as the docs count them: ``{ party { name } }`` has two.

Errors: an expected failure of the service (bad argument, query timeout, Neo4j down) is shown
with its message and ``extensions.code`` — and one the caller may retry (Neo4j down, the request
deadline passed: :class:`~graph_service.errors.Unavailable`) makes the whole answer HTTP 503
with ``Retry-After``, as REST answers; validation errors (syntax, depth, aliases, tokens)
are shown as graphql-core words them, less any value of the request they quote
(:mod:`graph_service.gql.redact`); anything else is logged with the operation and masked as
"Unexpected error." with the code ``internal``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_rule

from graph_service.errors import CreditGraphError, QueryError, Unavailable
from graph_service.gql.redact import without_values
from graph_service.gql.selections import fields_of

log = logging.getLogger(__name__)

#: Most levels of fields (introspection excluded): room for party → shareholders → edges →
#: node → holder → holdings → edges → node → company → name, not for unbounded nesting.
MAX_QUERY_DEPTH = 10
#: Aliases per document: stops "the same expensive field 500 times" in one request.
MAX_ALIASES = 15
#: Tokens per document: bounds parsing work; GraphiQL's introspection query needs ~800.
MAX_TOKENS = 2000

#: Relay page sizes.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
#: Identifiers in one ``parties(ids:)`` lookup.
MAX_IDS = 100
#: Neighbourhoods: hops and nodes (the viewer cannot draw more anyway).
MAX_NEIGHBOUR_DEPTH = 3
DEFAULT_NEIGHBOUR_NODES = 100
MAX_NEIGHBOUR_NODES = 500
#: Shortest paths: hops searched and paths returned.
MAX_PATH_HOPS = 6
DEFAULT_PATH_HOPS = 4
MAX_PATHS = 50
#: Ownership trees: hops and chains (tree nodes).
MAX_OWNERSHIP_DEPTH = 6
MAX_OWNERSHIP_CHAINS = 500

#: Error codes of the service's own errors that the client may see with their message.
SHOWN_CODES = frozenset(
    {
        "invalid_input",
        "not_found",
        "query_timeout",
        "neo4j_unavailable",
        "deadline_exceeded",
        "unauthenticated",
        "forbidden",
        "rate_limited",
        "audit_unavailable",
        "check_failed",  # its message carries only a reference to the server's log
    }
)


def levels(document: DocumentNode) -> dict[str, int]:
    """Levels of fields of each operation: a field with the fields below it; fragments add no
    level, introspection fields (``__typename``, ``__schema``) count none. Counting stops one
    level past :data:`MAX_QUERY_DEPTH`, so a deeper operation reads as 11.

    >>> from graphql import parse
    >>> levels(parse("query Q { party { ... on Party { name __typename } } } { version }"))
    {'Q': 2, 'anonymous': 1}
    >>> chain = "a {" * 30 + "b" + "}" * 30
    >>> levels(parse("{" + chain + "}"))
    {'anonymous': 11}
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    room = MAX_QUERY_DEPTH
    return {
        (d.name.value if d.name else "anonymous"): _levels(d.selection_set, fragments, room)
        for d in operations
    }


def _levels(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], room: int
) -> int:
    """Levels below ``selections``, looked at down to ``room`` levels and one more
    (introspection's fields count for nothing)."""
    deepest = 0
    for node in fields_of(selections, fragments):
        if not node.name.value.startswith("__"):
            below = node.selection_set
            depth = 1 + (_levels(below, fragments, room - 1) if below and room > 0 else 0)
            deepest = max(deepest, depth)
    return deepest


class DepthLimit(ValidationRule):
    """Refuses an operation of more than :data:`MAX_QUERY_DEPTH` levels (:func:`levels`)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        for name, depth in levels(context.document).items():
            if depth > MAX_QUERY_DEPTH:
                context.report_error(
                    GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {MAX_QUERY_DEPTH} levels"
                    )
                )


#: The validation rules of the caps, made once: the same rule classes on every request let
#: the validation cache (graph_service/gql/documents.py) answer a repeated document without
#: validating it again. The token cap (MAX_TOKENS) is applied by that module's parse.
VALIDATION_RULES = (DepthLimit, alias_rule(MAX_ALIASES))


class ErrorPolicy(SchemaExtension):
    """Shows expected errors with a code and masks the rest (after they were logged)."""

    def on_operation(self) -> Iterator[None]:
        """Rewrites the errors of the finished operation."""
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [self._unechoed(self._shown(error)) for error in errors]

    def _unechoed(self, error: GraphQLError) -> GraphQLError:
        """The error without any value of the request in its message."""
        execution = self.execution_context
        message = without_values(error.message, execution.query, execution.variables)
        return error if message == error.message else _with_extensions(error, message, {})

    def _shown(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            return error  # validation, syntax or permission errors: already meant for clients
        if isinstance(original, Unavailable):
            self._retry_later(original)
        if isinstance(original, CreditGraphError) and original.code in SHOWN_CODES:
            return _with_extensions(error, original.public_message(), {"code": original.code})
        return _with_extensions(error, "Unexpected error.", {"code": "internal"})

    def _retry_later(self, error: Unavailable) -> None:
        """The whole answer becomes 503 with ``Retry-After``, as REST answers: the request
        may succeed when retried (Neo4j down, the request deadline passed)."""
        response = getattr(self.execution_context.context, "response", None)
        if response is not None:
            response.status_code = error.http_status
            response.headers.update(error.headers())


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors the service did not raise on purpose (these are logged in full)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if isinstance(original, QueryError):
        return True
    return not (isinstance(original, CreditGraphError) and original.code in SHOWN_CODES)


def _with_extensions(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message=message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **extensions},
    )
