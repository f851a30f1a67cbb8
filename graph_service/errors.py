"""The one exception hierarchy of credit-graph.

Code raises these; they are turned into exit codes (CLI), HTTP responses and GraphQL errors
only at the edges. Each carries a message a person can act on: what is wrong and what to do.
"""

from __future__ import annotations


class CreditGraphError(Exception):
    """Base of every error the service raises on purpose."""

    #: Short machine-readable code, used in JSON error bodies.
    code = "error"
    #: HTTP status when the error reaches the API edge.
    http_status = 500


class ConfigError(CreditGraphError):
    """The configuration is incomplete or contradictory."""

    code = "config_error"


class Neo4jUnavailable(CreditGraphError):
    """Neo4j cannot be reached (down, wrong address, port closed)."""

    code = "neo4j_unavailable"
    http_status = 503


class Neo4jAuthError(CreditGraphError):
    """Neo4j refused the configured user name or password."""

    code = "neo4j_auth"
    http_status = 503


class QueryTimeout(CreditGraphError):
    """A query ran longer than its timeout and was aborted by the server."""

    code = "query_timeout"
    http_status = 504


class QueryError(CreditGraphError):
    """A query failed for a reason that retrying will not fix."""

    code = "query_error"


class UnknownQuery(CreditGraphError):
    """Code asked for a named query that has no file under ``cypher/``."""

    code = "unknown_query"


class SchemaError(CreditGraphError):
    """The graph's schema is missing or at a version this code does not expect."""

    code = "schema_error"
    http_status = 503


class EmbeddedNeo4jError(CreditGraphError):
    """The embedded Neo4j could not be built, started or stopped."""

    code = "embedded_neo4j"


class InvalidInput(CreditGraphError):
    """Input from a user or a file is malformed; the message names the field."""

    code = "invalid_input"
    http_status = 422


class NotFound(CreditGraphError):
    """The thing asked for does not exist."""

    code = "not_found"
    http_status = 404
