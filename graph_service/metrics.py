"""Prometheus metrics of the service, exposed at ``GET /metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

#: Seconds each named Cypher query took, by query name.
QUERY_SECONDS = Histogram(
    "credit_graph_query_seconds",
    "Time spent in named Cypher queries",
    ["query"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

#: HTTP requests handled, by route template, method and status code.
HTTP_REQUESTS = Counter(
    "credit_graph_http_requests_total", "HTTP requests handled", ["route", "method", "status"]
)

#: ``POST /v1/checks`` answered by the fast path (graph_service/api/checks_fast.py), not the
#: route: beside the route's count it shows how many checks skip FastAPI's routing.
CHECKS_FAST_PATH = Counter(
    "credit_graph_checks_fast_path_total", "Checks answered without FastAPI's routing"
)

#: ``POST /v1/checks`` with a JSON body that the fast path handed to the route, by why: no key,
#: a key the cache does not hold (not read yet, or its entry expired and is being re-read), a
#: role that may not check, a body that does not validate. Plain checks under load should show
#: none but the first of each key: a steady ``key_not_cached`` count means checks pay
#: FastAPI's routing while keys are re-read (docs/benchmarks.md, issue 14, session 14).
CHECKS_ROUTED = Counter(
    "credit_graph_checks_routed_total",
    "Checks the fast path handed to FastAPI's route, by reason",
    ["reason"],
)

#: Parties of REST checks for today answered from their precomputed answer (``joined``) or
#: decided from their snapshot row (``decided``: after midnight or a deploy until the answers
#: are remade, another spelling, an open objection, an unusable one; graph_service/check/
#: fragments.py). Unknown and invalid ids count in neither.
CHECK_PARTIES = Counter(
    "credit_graph_check_parties_total",
    "Parties of today's REST checks, joined from precomputed answers or decided from rows",
    ["how"],
)

#: Seconds spent handling HTTP requests, by route template.
HTTP_SECONDS = Histogram(
    "credit_graph_http_request_seconds",
    "Time spent handling HTTP requests",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

#: Loads whose committed rows the stored measures do not reflect yet, as of the last /readyz.
PROPAGATION_PENDING_LOADS = Gauge(
    "credit_graph_propagation_pending_loads",
    "Loads whose propagation has not completed (as of the last /readyz)",
)

#: Check entries of the host's local audit log not yet copied to Neo4j, and the age in seconds
#: of the oldest of them (graph_service/security/audit_mirror.py), read at each scrape.
AUDIT_MIRROR_LAG_ENTRIES = Gauge(
    "credit_graph_audit_mirror_lag_entries", "Local audit entries not yet mirrored to Neo4j"
)
AUDIT_MIRROR_LAG_SECONDS = Gauge(
    "credit_graph_audit_mirror_lag_seconds", "Age of the oldest local audit entry not mirrored"
)
#: Seconds since the decision snapshot was last found to hold the newest propagation run.
SNAPSHOT_AGE_SECONDS = Gauge(
    "credit_graph_snapshot_age_seconds", "Seconds since the decision snapshot was confirmed"
)

#: Webhook deliveries of stop-sharing notices by state (pending, undelivered), as of the
#: delivery worker's last pass (graph_service/dueprocess/delivery.py).
NOTICE_DELIVERIES = Gauge(
    "credit_graph_notice_deliveries",
    "Webhook deliveries of notices still pending, or given up (undelivered)",
    ["state"],
)
