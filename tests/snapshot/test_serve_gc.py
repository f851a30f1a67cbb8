"""A worker of `credit-graph serve` tunes the garbage collector once its app has started
(graph_service/cli/serve.py): the start's objects frozen, higher thresholds; checks answered
as before (issue 14, p99)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.cli.serve import SERVING_THRESHOLDS, create_worker_app
from graph_service.db import Database
from tests.snapshot.conftest import HUABEI, check, serving_settings


@pytest.fixture
def untuned() -> Iterator[None]:
    """The collector as CPython starts it, and as the test found it afterwards."""
    old = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*old)


@pytest.mark.usefixtures("untuned")
def test_a_worker_freezes_what_its_start_made_and_raises_the_thresholds(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    del world
    app = create_worker_app(serving_settings(tmp_path))
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == (700, 10, 10)  # not on import
    with TestClient(app) as client:
        assert gc.get_threshold() == SERVING_THRESHOLDS
        frozen = gc.get_freeze_count()
        assert frozen > 0
        answer = check(client, checker, HUABEI)
        assert answer["results"][0]["decision"] == "deny" and answer["run_id"]
        # What requests make is collected as before, never frozen (frozen objects freed by
        # their reference count may leave the permanent generation).
        assert gc.get_freeze_count() <= frozen
