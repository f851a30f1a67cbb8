"""The one exception hierarchy of credit-graph.

Code raises these; they are turned into exit codes (CLI), HTTP responses and GraphQL errors
only at the edges. Each carries a message a person can act on: what is wrong and what to do.
"""

from __future__ import annotations

from typing import Final

#: Whole seconds a 503 asks the client to wait before it tries again (``Retry-After``): about
#: the time a Neo4j restart or a failover takes to be over or to be noticed by an operator.
RETRY_AFTER_S: Final = 5


class CreditGraphError(Exception):
    """Base of every error the service raises on purpose."""

    #: Short machine-readable code, used in JSON error bodies.
    code = "error"
    #: HTTP status when the error reaches the API edge.
    http_status = 500
    #: What an API caller is told instead of the message, for errors whose message is meant
    #: for the operator (addresses, user names, query names): None tells the message itself.
    public: str | None = None

    def public_message(self) -> str:
        """The message for API callers (HTTP, GraphQL); the full one goes to the server log
        and the CLI."""
        return self.public or str(self)

    def headers(self) -> dict[str, str]:
        """Extra HTTP headers of the error's response: every 503 says when to retry
        (``Retry-After``); other errors add none unless they say otherwise."""
        if self.http_status == 503:
            return {"Retry-After": str(RETRY_AFTER_S)}
        return {}

    def details(self) -> dict[str, str]:
        """Extra fields of the error's JSON body besides ``error`` and ``message`` (a repair
        refused as too early names ``earliest_on``); none unless an error says otherwise."""
        return {}


class ConfigError(CreditGraphError):
    """The configuration is incomplete or contradictory."""

    code = "config_error"


class Unavailable(CreditGraphError):
    """The service cannot answer for now, through no fault of the request: 503 with
    ``Retry-After``. The edges pass these on as they are (a check does not wrap them into
    ``check_failed``), so the caller sees what to wait for."""

    code = "unavailable"
    http_status = 503


class Neo4jUnavailable(Unavailable):
    """Neo4j cannot be reached (down, wrong address, port closed)."""

    code = "neo4j_unavailable"
    public = "the graph database cannot be reached; retry later"


class DatabaseClosed(Unavailable):
    """A statement asked of a :class:`~graph_service.db.Database` after it was closed: a
    background thread (a key's re-read or a retry pausing through an outage) outliving the
    service's shutdown. It fails here rather than reach the driver, which was closed."""

    code = "service_stopping"
    public = "the service is stopping; retry later"


class Neo4jAuthError(Unavailable):
    """Neo4j refused the configured user name or password."""

    code = "neo4j_auth"
    public = "the service cannot sign in to its graph database; an operator must fix that"


class DeadlineExceeded(Unavailable):
    """The request used up ``Settings.request_deadline_s`` (Neo4j too slow, or retrying through
    an outage) and is answered with 503 rather than later (graph_service/deadline.py)."""

    code = "deadline_exceeded"


class QueryTimeout(CreditGraphError):
    """A query ran longer than its timeout and was aborted by the server."""

    code = "query_timeout"
    http_status = 504


class QueryError(CreditGraphError):
    """A query failed for a reason that retrying will not fix."""

    code = "query_error"
    public = "a query failed; the server log has the details"


class UnknownQuery(CreditGraphError):
    """Code asked for a named query that has no file under ``cypher/``."""

    code = "unknown_query"


class SchemaError(Unavailable):
    """The graph's schema is missing or at a version this code does not expect."""

    code = "schema_error"
    public = "the graph database is not ready for this version of the service; retry later"


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


class BadRequest(CreditGraphError):
    """The request cannot be read at all: a body that is not UTF-8, a GraphQL request without
    a JSON body or query, an operation sent with GET."""

    code = "bad_request"
    http_status = 400


class MethodNotAllowed(CreditGraphError):
    """The path exists but does not take the request's method; ``allowed`` are those it takes."""

    code = "method_not_allowed"
    http_status = 405

    def __init__(self, message: str, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        """``Allow``, as HTTP requires on a 405."""
        return {"Allow": ", ".join(self.allowed)}


class RequestRefused(CreditGraphError):
    """Any other refusal of the HTTP layer (a status the service itself never chooses)."""

    code = "request_refused"

    def __init__(self, message: str, http_status: int) -> None:
        super().__init__(message)
        self.http_status = http_status


class LoadRefused(InvalidInput):
    """A registry file cannot be loaded at all; nothing of it was written to the graph.

    ``rows_read`` says how many data rows were read before the problem was found.
    """

    code = "load_refused"

    def __init__(self, message: str, rows_read: int = 0) -> None:
        super().__init__(message)
        self.rows_read = rows_read


# --- security and accountability (docs/security.md) ------------------------------------------


class Unauthenticated(CreditGraphError):
    """The request carries no API key, or one that is unknown or revoked (which, is not said)."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(CreditGraphError):
    """The API key is valid but its role may not do this."""

    code = "forbidden"
    http_status = 403


class RateLimited(CreditGraphError):
    """The API key has used up its request budget; ``retry_after_s`` says when to come back."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        """``Retry-After`` in whole seconds, as HTTP wants it."""
        return {"Retry-After": str(self.retry_after_s)}


class PayloadTooLarge(CreditGraphError):
    """The request body is larger than the configured limit."""

    code = "payload_too_large"
    http_status = 413


class Conflict(CreditGraphError):
    """The request contradicts what is stored (a duplicate name, feedback on an unknown party)."""

    code = "conflict"
    http_status = 409


class PropagationBusy(Unavailable):
    """Another propagation run held the lease for longer than this one would wait
    (``propagation_lease_wait_s``); this run wrote nothing and its loads stay pending."""

    code = "propagation_busy"


class PropagationLeaseLost(Unavailable):
    """The run's lease lapsed (the process stalled for longer than ``propagation_lease_s``)
    and another run may hold it: this run stops before writing more; its loads stay pending."""

    code = "propagation_lease_lost"


class SnapshotUnavailable(Unavailable):
    """The decision snapshot that today's checks read is missing, being rebuilt, or made under
    another catalog (graph_service/check/snapshot.py): 503 until it is ready."""

    code = "snapshot_unavailable"
    public = "the service is preparing today's decisions; retry shortly"


class SnapshotBehind(SnapshotUnavailable):
    """The decision snapshot holds the measures of an earlier day's run (past midnight, before
    the new day's run and the snapshot after it): a measure that starts today is not in it.
    Today's check is then decided from the graph's history (graph_service/check/service.py);
    should it reach a caller, it is the snapshot's 503."""


class AuditUnavailable(Unavailable):
    """The audit log cannot be written; the action it would record is refused, not done."""

    code = "audit_unavailable"


class AuditBroken(CreditGraphError):
    """The audit log's hash chain does not verify: entries were changed, removed or reordered."""

    code = "audit_broken"


class StoredCheckTampered(AuditBroken):
    """A stored check (or its feedback) is not what its audit entry recorded: changed, planted
    or re-linked in the database after it was logged. It is not served; the operator's
    ``credit-graph audit verify`` names it.
    """

    code = "stored_check_tampered"


class StoredCheckUnreadable(StoredCheckTampered):
    """A stored check's compressed answer cannot be read back (cut short or corrupt:
    graph_service/security/stored.py): nothing of it is served (500), as for a tampered one."""

    code = "stored_check_unreadable"


class ReceiptInvalid(CreditGraphError):
    """A check receipt does not verify against the public key (or is malformed)."""

    code = "receipt_invalid"


class CheckFailed(CreditGraphError):
    """A sanction check could not be completed; the message carries a reference, no internals."""

    code = "check_failed"

    def __init__(self, message: str, http_status: int = 500) -> None:
        super().__init__(message)
        self.http_status = http_status


class PolicyError(CreditGraphError):
    """The joint-punishment catalog is malformed, or asked about a context or measure it lacks."""

    code = "policy_error"


class SparkError(CreditGraphError):
    """The Spark propagation engine cannot run or did not finish (issue #18): Java missing or
    too old, the ``spark`` extra not installed, a fixed point that reached its iteration cap."""

    code = "spark_error"


class SparkUnavailable(Unavailable):
    """The Spark master named by ``--master`` / ``CREDIT_GRAPH_SPARK_MASTER`` does not answer."""

    code = "spark_unavailable"


class ExportRefused(InvalidInput):
    """A Parquet export that cannot be the input of this run (another catalog version, a
    manifest that does not match its files)."""

    code = "export_refused"


# --- due process (graph_service/dueprocess/, docs/due-process.md) -----------------------------


class UnknownRecord(NotFound):
    """A repair or an objection names a ``record_ref`` that no record of the graph has."""

    code = "unknown_record"


class TooEarly(Conflict):
    """A repair applied for before the record's minimum publication period has run."""

    code = "too_early"

    def __init__(self, message: str, earliest_on: str) -> None:
        super().__init__(message)
        self.earliest_on = earliest_on

    def details(self) -> dict[str, str]:
        """``earliest_on``: the first day an application is possible (ISO date)."""
        return {"earliest_on": self.earliest_on}


class NotRepairableHere(InvalidInput):
    """A court listing (失信被执行人): only the court that listed it removes it."""

    code = "not_repairable_here"

    def __init__(self, message: str, court: str) -> None:
        super().__init__(message)
        self.court = court

    def details(self) -> dict[str, str]:
        """``court``: the court that must remove the listing."""
        return {"court": self.court}


class Closed(Conflict):
    """A decision on a repair application or an objection that is already decided."""

    code = "closed"
