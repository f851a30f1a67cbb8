"""load-dir has Neo4j plan the statements of its files' batches ahead, in a thread of its own
(loaders.engine._Planner, issue 15 item 2): right after Neo4j starts, a small file's time was
mostly its statements' planning. Every statement a batch runs is planned, with parameters of
the types the batch sends (Neo4j caches a plan per parameter types), and a dry run plans
nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from loaders.engine import LoadOptions, _Planner, load_directory
from tests.loaders.conftest import FIXTURES

#: Statements a batch of new rows does not run: probes (unchanged rows), the run's own reads.
NOT_PLANNED = ("load/probe_", "load/record_load_finish", "load/list_loads")


def _planned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    plan = Database.plan

    def spy(self: Database, name: str, /, **params: Any) -> None:
        names.append(name)
        plan(self, name, **params)

    monkeypatch.setattr(Database, "plan", spy)
    return names


def test_load_dir_plans_every_statement_its_batches_run_in_load_order(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = _planned(monkeypatch)
    summaries = load_directory(db, FIXTURES, LoadOptions(reject_dir=tmp_path))
    statements = _Planner(db, [s.kind for s in summaries], dry_run=False).statements()
    expected = [name for name, _ in statements]
    # in load order, each once; it stops when the load ends, which a warm Neo4j may reach first
    assert planned and planned == expected[: len(planned)]
    assert len(expected) == len(set(expected))
    ran = {n for n in db.query_counts if n.startswith("load/") and not n.startswith(NOT_PLANNED)}
    assert ran and ran <= set(expected)
    for name, params in statements:  # EXPLAIN checks them with the batches' parameter types
        db.plan(name, **params)


def test_a_dry_run_plans_nothing(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = _planned(monkeypatch)
    load_directory(db, FIXTURES, LoadOptions(reject_dir=tmp_path, dry_run=True))
    assert planned == []
