"""Generated 10,000- and 100,000-party worlds (graph_service/synthetic/, the demo generator:
ownership chains, cycles, branches, cases, every registry kind), loaded into Neo4j and exported
as a user would: Spark's answers equal NetworkX's on the export (the 10k world on two dates,
the 100k one on one: its load into Neo4j alone takes a quarter of an hour on dev-2c)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.export.parquet import export
from graph_service.policy import default_catalog
from graph_service.synthetic.world import generate_world
from loaders.engine import LoadOptions, load_directory
from tests.spark.equal import assert_equal, both_of_tables
from tests.spark.test_run import _tables

# Minutes long (load, export, Spark): `make test-large`, not CI's default run.
pytestmark = [pytest.mark.neo4j, pytest.mark.large]


def test_generated_10k_world_equals_networkx(db: Database, tmp_path: Path, spark: Any) -> None:
    generate_world(10_000, 7, tmp_path / "world")
    load_directory(db, tmp_path / "world", LoadOptions(reject_dir=tmp_path / "rejects"))
    export(db, tmp_path / "export", default_catalog().version)
    tables = _tables(tmp_path / "export")
    assert len(tables.parties) >= 10_000  # persons and companies (and government bodies)
    for as_of in (date(2026, 11, 26), date(2023, 6, 30)):
        nx_result, spark_result = both_of_tables(spark, tables, as_of)
        assert sum(len(ms) for ms in nx_result.measures.values()) > 100
        assert_equal(nx_result, spark_result)


def test_generated_100k_world_equals_networkx(db: Database, tmp_path: Path, spark: Any) -> None:
    generate_world(100_000, 1, tmp_path / "world")
    load_directory(db, tmp_path / "world", LoadOptions(reject_dir=tmp_path / "rejects"))
    export(db, tmp_path / "export", default_catalog().version)
    tables = _tables(tmp_path / "export")
    assert len(tables.parties) >= 100_000
    nx_result, spark_result = both_of_tables(spark, tables, date(2026, 11, 26))
    assert sum(len(ms) for ms in nx_result.measures.values()) > 1_000
    assert_equal(nx_result, spark_result)
