"""Each distinct GraphQL text is parsed and validated once per process, found again by its text.

The workbench (and any integrator) sends the same few documents over and over. strawberry's
``ParserCache`` and ``ValidationCache`` cached both steps too, but the validation cache is an
``lru_cache`` keyed by the parsed document, and graphql-core hashes a document by walking all
its nodes: every request of the party card's document paid that walk again (~60 µs of the
event loop, two thirds of what parsing, validation and the operation's hooks cost together;
docs/benchmarks.md, issue 13, session 12). Here both caches are keyed by the text, whose hash
Python computes in one pass over a string; one extension does what four did (the token cap,
the parse, the service's extra rules, the validation), so a request also runs three extensions
fewer.

Invariant: a cached answer is the answer the uncached steps would give — :func:`parsed` is
``parse(text, max_tokens=MAX_TOKENS)``, :func:`validation_errors` is strawberry's
``validate_document`` of that document with the same rules — and a text that does not parse
(syntax, too many tokens) is never cached: it raises each time, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from graph_service.gql.limits import MAX_TOKENS, VALIDATION_RULES

#: Distinct texts kept per process, parsed and validated (GraphiQL and clients repeat theirs).
CACHED_DOCUMENTS: Final = 256

Rules = tuple[type[ASTValidationRule], ...]


@lru_cache(maxsize=CACHED_DOCUMENTS)
def parsed(text: str) -> DocumentNode:
    """The document of ``text``, parsed once; GraphQLError for a syntax error or more than
    :data:`~graph_service.gql.limits.MAX_TOKENS` tokens (never cached).

    >>> parsed("{ version }") is parsed("{ version }")
    True
    """
    return parse(text, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def validation_errors(schema: GraphQLSchema, text: str, rules: Rules) -> list[GraphQLError]:
    """The validation errors of ``text``'s document against ``schema`` (none: valid), found
    once per schema, text and rules (graphql-core's schema and rule classes hash by identity)."""
    return validate_document(schema, parsed(text), rules)


class CachedDocuments(SchemaExtension):
    """Parses and validates each distinct text once (see the module's docstring)."""

    def on_parse(self) -> Iterator[None]:
        """The document of the request's text, from the cache."""
        execution = self.execution_context
        if execution.query is not None:  # else strawberry parses what it was given
            execution.graphql_document = parsed(execution.query)
        yield

    def on_validate(self) -> Iterator[None]:
        """The request's validation errors, from the cache; the service's rules added."""
        execution = self.execution_context
        execution.validation_rules = (*execution.validation_rules, *VALIDATION_RULES)
        if execution.query is not None:
            schema = execution.schema._schema  # graphql-core's, as strawberry's cache reads it
            found = validation_errors(schema, execution.query, execution.validation_rules)
            execution.pre_execution_errors = list(found)  # the cached list stays as found
        yield
