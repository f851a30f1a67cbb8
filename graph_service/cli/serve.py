"""How ``credit-graph serve`` starts a worker process: the app, then the garbage collector
tuned for serving once the app has started.

Why: a worker's heap after start is a few hundred thousand long-lived objects (FastAPI, the
GraphQL schema, pydantic's validators, the catalog, prometheus' metrics). CPython's cyclic
collector walks all of them at every full (oldest-generation) collection, and a request that
triggers one waits for it. :func:`tune_gc` collects once, then moves every object alive at
that moment to the collector's permanent generation (``gc.freeze()``; uvicorn spawns its
workers, so this is about the walks, not pages shared after a fork), and raises the youngest
generation's threshold so the short-lived objects of many requests are swept in one pass
instead of one every 700 allocations. Objects made later are collected as before: nothing
is leaked that would otherwise be freed, only the start's objects are never walked again.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI

from graph_service.app import create_app
from graph_service.malloc import fix_mmap_threshold
from graph_service.settings import Settings

#: The collector's thresholds while serving (CPython's defaults are 700, 10, 10). A young
#: collection then runs every 50,000 net allocations instead of every 700: a single check
#: allocates a few hundred objects, so the defaults ran one every two or three checks.
SERVING_THRESHOLDS: Final = (50_000, 20, 100)


def tune_gc() -> None:
    """Collects, freezes what is alive (the start's objects), and sets
    :data:`SERVING_THRESHOLDS`.

    >>> old = gc.get_threshold()
    >>> tune_gc()
    >>> gc.get_threshold() == SERVING_THRESHOLDS, gc.get_freeze_count() > 0
    (True, True)
    >>> gc.unfreeze(); gc.set_threshold(*old)
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_THRESHOLDS)


def create_worker_app(settings: Settings | None = None) -> FastAPI:
    """The service's app (:func:`graph_service.app.create_app`) whose start ends with
    :func:`tune_gc`: after the lifespan has opened the database, the audit log, the mirror
    and the snapshot, so their long-lived objects are frozen too (uvicorn's factory). Before
    anything, glibc's mmap threshold is fixed (:mod:`graph_service.malloc`: big answers must
    not leave the worker's heaps holding their pages)."""
    fix_mmap_threshold()
    app = create_app(settings)
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with started(app) as state:
            tune_gc()
            yield state

    app.router.lifespan_context = lifespan
    return app
