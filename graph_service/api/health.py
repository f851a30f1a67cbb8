"""Liveness, readiness and metrics endpoints for orchestrators and monitoring."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from graph_service import metrics, migrations
from graph_service.check.snapshot_build import snapshot_status
from graph_service.db import Database
from graph_service.errors import RETRY_AFTER_S, CreditGraphError
from graph_service.propagation import store
from graph_service.security.audit_mirror import mirror_status

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (says nothing about Neo4j).

    Answered on the event loop, never in a worker thread: it stays instant when an outage
    keeps every worker thread waiting on Neo4j.
    """
    return {"status": "ok"}


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Neo4j unreachable or schema not current (with Retry-After)",
        "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}},
    }
}


@router.get("/readyz", responses=_NOT_READY)
async def readyz(request: Request) -> JSONResponse:
    """Neo4j answers and the graph's schema is at the version this code expects.

    Also says whether loads are pending (``propagation_pending``): their rows are in the
    graph, the stored measures do not reflect them yet. That stays 200: every instance
    answers from the same measures, so taking instances out of rotation would turn every
    load into an outage without making one answer fresher (docs/operations.md).
    """
    db: Database = request.app.state.db
    # Local state first: what checks are answered from, and how far the audit mirror lags;
    # it says how the service stands while Neo4j is down too (docs/operations.md).
    local = await run_in_threadpool(_local_state, request)
    try:
        body = await run_in_threadpool(_readiness, db)
    except CreditGraphError as exc:
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "error": exc.code, "reason": str(exc), **local},
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return JSONResponse(status_code=200, content={**body, **local})


def _local_state(request: Request) -> dict[str, Any]:
    """The decision snapshot's run and age, and the local audit log's mirror lag."""
    keeper = getattr(request.app.state, "snapshot", None)
    local = request.app.state.security.local_audit
    return {**snapshot_status(keeper), **mirror_status(local)}


def _readiness(db: Database) -> dict[str, Any]:
    server = db.server_info()
    version = migrations.require_current(db)
    pending = store.pending_loads(db)
    metrics.PROPAGATION_PENDING_LOADS.set(len(pending))
    body: dict[str, Any] = {
        "status": "ready", "neo4j": server.version, "schema_version": version,
        "propagation_pending": bool(pending), "pending_loads": len(pending),
    }  # fmt: skip
    if pending:
        body["pending_since"] = pending[0].started_at
    return body


@router.get("/metrics", response_class=Response)
def prometheus_metrics() -> Response:
    """Prometheus text exposition of the service's counters and histograms."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
