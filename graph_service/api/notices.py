"""``GET /v1/notices``: the pull feed of the caller's stop-sharing notices (due process §4;
docs/due-process.md), for consumers that poll instead of (or besides) a webhook.

Oldest first, at most ``limit`` (default 100, at most 1000) per answer; when more follow,
``next`` gives the ``since`` and ``after`` to ask with (keyset paging: notices made in one
transaction share their ``made_at``). ``since`` is a date or an ISO 8601 date-time (no zone
means UTC); a bad one is a 422 naming it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from graph_service.db import Database
from graph_service.security.audit import utc_stamp
from graph_service.security.auth import require_role
from graph_service.security.roles import CHECK_ROLES, Caller

router = APIRouter(prefix="/v1", tags=["notices"])

#: The feed's start when no ``since`` is given: every notice.
BEGINNING = "0001-01-01T00:00:00.000000Z"
#: The hidden fields of a stored notice (the feed shows what the webhook sends).
_HIDDEN = ("key_id", "change_id", "audit_seq")
#: What ``since`` must look like: ISO 8601, never a number (which pydantic would read as a
#: Unix time).
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_text(value: object) -> object:
    """Refuses a ``since`` that is not ISO 8601 text before pydantic reads it.

    >>> _iso_text("2026-11-01T08:00:00Z")
    '2026-11-01T08:00:00Z'
    """
    if not isinstance(value, str) or not _ISO.match(value):
        raise ValueError("expected an ISO 8601 date (2026-11-01) or date-time")
    return value


@router.get(
    "/notices",
    responses={
        401: {"description": "no valid API key"},
        403: {"description": "the key's role may not check, so it gets no notices"},
        422: {"description": "since is not a date or ISO 8601 date-time; limit out of range"},
        429: {"description": "rate limit; see Retry-After"},
    },
)
async def notices(
    request: Request,
    caller: Annotated[Caller, Depends(require_role(*CHECK_ROLES))],
    since: Annotated[
        datetime | date | None,
        BeforeValidator(_iso_text),
        Query(description="ISO 8601 date or date-time; without a zone, UTC"),
    ] = None,
    after: Annotated[str | None, Query(max_length=64, description="from `next`")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The caller's notices made at or after ``since``, oldest first."""
    start = utc_stamp(_utc(since)) if since is not None else BEGINNING
    db: Database = request.app.state.db
    rows = await run_in_threadpool(
        db.read, "notices/feed", key_id=caller.key_id, since=start, after_at=start,
        after_id=after, limit=limit + 1,
    )  # fmt: skip
    page = [{k: v for k, v in r["notice"].items() if k not in _HIDDEN} for r in rows[:limit]]
    more = len(rows) > limit
    last = page[-1] if more else None
    following = {"since": last["made_at"], "after": last["notice_id"]} if last else None
    return {"notices": page, "next": following}


def _utc(moment: datetime | date) -> datetime:
    """``moment`` as a date-time, with UTC assumed when it has no zone (a day: its start).

    >>> _utc(date(2026, 11, 1)).isoformat(), _utc(datetime(2026, 11, 1, 8)).isoformat()
    ('2026-11-01T00:00:00+00:00', '2026-11-01T08:00:00+00:00')
    """
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
