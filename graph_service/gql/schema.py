"""The GraphQL schema, assembled from the type-family modules (docs/graphql.md).

Root fields: ``version`` (public); ``sanctionCheck`` for every role that may run checks
(checker, investigator, admin); and for investigators and admins ``party``, ``parties``,
``case``, ``searchParties`` and ``measureChanges``; everything else is reached from them.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from graph_service import __version__
from graph_service.gql import inputs, limits
from graph_service.gql.cards import (
    read_case_card,
    read_neighbours,
    read_ownership,
    read_party_card,
    read_paths,
    read_records,
)
from graph_service.gql.case import CaseLookup, CaseNo, case_by_no
from graph_service.gql.collected import SharedCollections
from graph_service.gql.context import (
    AuthoriseOperation,
    CheckersToo,
    DatedReads,
    Info,
    InvestigatorOnly,
    get_context,
)
from graph_service.gql.contradictions import contradictions
from graph_service.gql.documents import CachedDocuments
from graph_service.gql.endpoint import PATH, ServiceGraphQLRouter
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.limits import ErrorPolicy
from graph_service.gql.measures import measure_changes
from graph_service.gql.operation_audit import AuditOperations
from graph_service.gql.party import PARTY_TYPES, Company, Official, Party, Person
from graph_service.gql.prefetch import selected_fields, start_case_reads, start_party_reads
from graph_service.gql.redact import without_values
from graph_service.gql.sanction_check import sanction_check
from graph_service.gql.search import search_parties
from graph_service.gql.shared import party_of

log = logging.getLogger(__name__)

PartyLookup = Annotated[
    Company | Person | Official | InvalidInputError, strawberry.union("PartyLookup")
]


@strawberry.type(description="Parties looked up together, in the order asked (null: unknown).")
class PartyList:
    """The answer of ``parties(ids:)``."""

    parties: list[Party | None]


PartiesResult = Annotated[PartyList | InvalidInputError, strawberry.union("PartiesResult")]


def _version() -> str:
    return __version__


async def _party(
    info: Info,
    id: Annotated[
        str, strawberry.argument(description="USCC or id number; full-width and case ignored.")
    ],
) -> PartyLookup | None:
    """A party by identifier; null when the graph does not know it."""
    try:
        key = inputs.party_id(id)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    fields = list(selected_fields(info))
    read_party_card(info, key, fields)  # the party with its card's lists, in one statement
    read_ownership(info, key, fields)  # the party, its tree and controllers, in one statement
    read_records(info, key, fields)  # or the party with a page of its records
    read_paths(info, key, fields)  # or the party with its shortest paths to another
    read_neighbours(info, key, fields)  # or the party with its network's first step
    start_party_reads(info, key, fields)  # its fields' reads beside the lookup, not after it
    row = await info.context.loaders.party.load(key)
    return party_of(row) if row else None


async def _case(info: Info, case_no: CaseNo) -> CaseLookup | None:
    """A case by number (null when there is none), read with its lists in one statement."""
    with suppress(ArgumentError):  # case_by_no answers a bad number
        number = inputs.case_no(case_no)
        read_case_card(info, number)
        start_case_reads(info, number)
    return await case_by_no(info, case_no)


async def _parties(
    info: Info,
    ids: Annotated[list[str], strawberry.argument(description="Up to 100 identifiers.")],
) -> PartiesResult:
    """Several parties at once (one query), e.g. the nodes a viewer wants to expand."""
    try:
        if len(ids) > limits.MAX_IDS:
            raise ArgumentError("ids", f"at most {limits.MAX_IDS} identifiers per request")
        keys = [inputs.party_id(i, "ids") for i in ids]
    except ArgumentError as error:
        return InvalidInputError.of(error)
    rows = await info.context.loaders.party.load_many(keys)
    return PartyList(parties=[party_of(r) if r else None for r in rows])


def _reader(resolver: Any, description: str) -> Any:
    """A root field that requires an investigator or admin key."""
    return strawberry.field(
        resolver=resolver, description=description, permission_classes=[InvestigatorOnly]
    )


@strawberry.type
class Query:
    """Root of every GraphQL read."""

    version: str = strawberry.field(
        resolver=_version, description="Version of the credit-graph service."
    )
    party = _reader(_party, "A party by identifier (null when unknown).")
    parties = _reader(_parties, "Several parties by identifier, in order.")
    case = _reader(_case, "A case by case number (null when unknown).")
    search_parties = _reader(search_parties, "Full-text search over names, with filters.")
    measure_changes = _reader(measure_changes, "Measures gained, lost or changed since a time.")
    contradictions = _reader(contradictions, "Facts of two sources that contradict (§7).")
    sanction_check = strawberry.field(
        resolver=sanction_check,
        description="The joint-sanction check of POST /v1/checks: a decision per party, audited"
        " and signed (checker, investigator and admin keys).",
        permission_classes=[CheckersToo],
    )


class CreditGraphSchema(strawberry.Schema):
    """The schema, logging unexpected errors in full and expected ones in one line."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Logs each error before the error policy rewrites it for the client.

        First every message loses the values of the request it quotes (graphql-core's words
        for a bad literal or variable), in place: the logs get none either, and this is the
        one hook that sees every error — a syntax error never reaches the extensions.
        """
        operation = execution_context.operation_name if execution_context else None
        query = execution_context.query if execution_context else None
        variables = execution_context.variables if execution_context else None
        for error in errors:
            error.message = without_values(error.message, query, variables)
            if limits.is_unexpected(error):
                log.error(
                    "graphql error",
                    exc_info=error.original_error,
                    extra={"operation": operation, "path": error.path},
                )
            else:
                log.info("graphql refused", extra={"operation": operation, "reason": error.message})


schema = CreditGraphSchema(
    query=Query,
    types=list(PARTY_TYPES),
    # Parsed and validated once per text (the caps' token limit and rules included); errors
    # shown or masked; authorised as a whole before the audit entry is queued and before any
    # resolver runs.
    extensions=[CachedDocuments, ErrorPolicy, AuthoriseOperation, AuditOperations, DatedReads],
    # freed when the request ends, not by the cyclic collector (gql/cycles.py); the fields
    # below each type collected once per document, not per request (gql/collected.py)
    execution_context_class=SharedCollections,
)


def graphql_router(
    router: type[ServiceGraphQLRouter] = ServiceGraphQLRouter,
) -> ServiceGraphQLRouter:
    """The ``/graphql`` endpoint with GraphiQL for investigators (``router``: the class that
    serves it; the app's serves GraphiQL from vendored files, graph_service/api/web.py;
    operations go by POST only, graph_service/gql/endpoint.py)."""
    # The path is the router's own, not a prefix given when it is included: FastAPI puts the
    # included route in the scope, and /metrics labels requests by that route's path.
    return router(schema, path=PATH, graphql_ide="graphiql", context_getter=get_context)
