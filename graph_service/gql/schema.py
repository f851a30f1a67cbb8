"""The GraphQL schema, assembled from the type-family modules."""

from __future__ import annotations

import strawberry
from strawberry.fastapi import GraphQLRouter

from graph_service import __version__


def _version() -> str:
    return __version__


@strawberry.type
class Query:
    """Root of every GraphQL read."""

    version: str = strawberry.field(
        resolver=_version, description="Version of the credit-graph service."
    )


schema = strawberry.Schema(query=Query)


def graphql_router() -> GraphQLRouter[object, None]:
    """The ``/graphql`` endpoint with GraphiQL for investigators."""
    return GraphQLRouter(schema, graphql_ide="graphiql")
