"""A loader's batch that runs after its request ended is cancelled, not failed (the reviewer's
W10, session 11): the loaders reach the request's context only weakly (gql/cycles.py), so a
batch dispatched once the context is freed (a sibling field's error answered the request, a
deadline cancelled it) cannot read. It used to fail its futures with ReferenceError, which
nobody awaits any more: "Future exception was never retrieved" at ERROR in the server's log,
and "a read started early failed" for a read begun ahead of its resolver."""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql.context import Context
from graph_service.gql.prefetch import _primed
from graph_service.settings import Settings


async def _loads_after_the_request_ended(settings: Settings) -> list[dict[str, Any]]:
    """Loads a party (awaited by nobody) and primes a credit summary, then frees the context
    before the loop runs the batches; the loop's unhandled errors."""
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: unhandled.append(context))
    db = Database(settings)  # never reached: the context is gone before any read
    try:
        context = Context(db, settings, caller=None, audit=None, checks=None)  # type: ignore[arg-type]
        pending = context.loaders.party.load("91110000000000001X")
        _primed(context.loaders.credit.load("91110000000000002X"))
        del context  # the request ended
        await asyncio.sleep(0.05)  # the batches are dispatched
        del pending
        gc.collect()  # the futures and tasks of the batches are freed
        await asyncio.sleep(0)
    finally:
        db.close()
    return unhandled


def test_a_batch_after_its_request_ended_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)

    unhandled = asyncio.run(_loads_after_the_request_ended(Settings()))

    assert unhandled == []  # no "Future exception was never retrieved"
    assert not [r for r in caplog.records if "failed" in r.getMessage()]
