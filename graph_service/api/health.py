"""Liveness, readiness and metrics endpoints for orchestrators and monitoring."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from graph_service import migrations
from graph_service.db import Database
from graph_service.errors import CreditGraphError

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive (says nothing about Neo4j)."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Neo4j unreachable or schema not current"}})
async def readyz(request: Request) -> JSONResponse:
    """Neo4j answers and the graph's schema is at the version this code expects."""
    db: Database = request.app.state.db
    try:
        body = await run_in_threadpool(_readiness, db)
    except CreditGraphError as exc:
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "error": exc.code, "reason": str(exc)},
        )
    return JSONResponse(status_code=200, content=body)


def _readiness(db: Database) -> dict[str, Any]:
    server = db.server_info()
    version = migrations.require_current(db)
    return {"status": "ready", "neo4j": server.version, "schema_version": version}


@router.get("/metrics", response_class=Response)
def prometheus_metrics() -> Response:
    """Prometheus text exposition of the service's counters and histograms."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
