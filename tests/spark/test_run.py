"""The Spark engine against the real Neo4j, as users run it: the sample registries exported
as Parquet (``credit-graph export``), propagated on Spark after a NetworkX run — nothing to
change, so the two stored the same — and the refusals that come before Spark starts."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.errors import SparkError
from graph_service.export.parquet import MANIFEST, export
from graph_service.policy import default_catalog
from graph_service.propagation import runner, store
from graph_service.spark.run import run_spark
from tests.conftest import cli_env, make_settings, run_cli
from tests.propagation.sample import TODAY
from tests.propagation.test_runner import ORDER, _load, _state
from tests.spark.equal import assert_equal, both_of_tables

pytestmark = pytest.mark.neo4j


def _tables(folder: Path) -> Any:
    import pyarrow.parquet as pq

    from graph_service.spark.tables import Tables

    return Tables(*(pq.read_table(folder / t).to_pylist() for t in ("parties", "records", "edges")))


def test_sample_registries_export_and_equal_networkx(
    db: Database, tmp_path: Path, spark: Any
) -> None:
    _load(db, ORDER, tmp_path)
    manifest = export(db, tmp_path / "export", default_catalog().version, batch=7)
    assert manifest.counts["parties"] > 7 and manifest.counts["record_updates"] > 0
    nx_result, spark_result = both_of_tables(spark, _tables(tmp_path / "export"), TODAY)
    assert nx_result.measures
    assert_equal(nx_result, spark_result)


def test_a_spark_run_after_a_networkx_run_changes_nothing(
    db: Database, tmp_path: Path, spark: Any
) -> None:
    _load(db, ORDER, tmp_path)
    runner.run_full(db, as_of=TODAY)
    before = _state(db)
    done = run_spark(db, as_of=TODAY, session=spark)
    assert (done.result.gained, done.result.lost, done.result.changed) == (0, 0, 0)
    assert _state(db) == before
    assert store.last_runs(db, 1)[0]["engine"] == "spark"
    import pyarrow.parquet as pq

    keys = set(
        pq.read_table(done.measures_dir / "measures.parquet").column("measure_key").to_pylist()
    )
    assert keys == set(before[0])


def test_the_cap_reached_writes_nothing(db: Database, tmp_path: Path, spark: Any) -> None:
    _load(db, ORDER, tmp_path)
    with Database(make_settings(spark_iteration_cap=1)) as capped:
        with pytest.raises(SparkError, match="iteration 1 reached the cap of 1"):
            run_spark(capped, as_of=TODAY, session=spark)
    assert store.stored_measures(db, None) == {} and store.last_runs(db, 5) == []
    assert [load.load_id for load in runner.pending_loads(db)]  # still pending


def test_cli_export_and_refusal_of_another_catalog(db: Database, tmp_path: Path) -> None:
    _load(db, ["companies", "persons", "shareholdings"], tmp_path)
    done = run_cli("export", str(tmp_path / "x"), "--json")
    assert done.returncode == 0, done.stderr
    manifest = json.loads(done.stdout)
    assert manifest["counts"]["parties"] > 0 and manifest["catalog_version"]
    assert (tmp_path / "x" / "parties" / "part-00000.parquet").exists()
    manifest["catalog_version"] = "1999.01-1"
    (tmp_path / "x" / MANIFEST).write_text(json.dumps(manifest))
    refused = run_cli("propagate", "--engine", "spark", "--input", str(tmp_path / "x"))
    assert refused.returncode != 0
    assert "made under catalog '1999.01-1'" in refused.stderr + refused.stdout


def test_cli_a_master_that_accepts_but_never_answers_fails_in_bounded_time(db: Database) -> None:
    with socket.socket() as silent:  # accepts connections, says nothing: not a Spark master
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        env = cli_env(CREDIT_GRAPH_SPARK_START_TIMEOUT_S="5")
        began = time.monotonic()
        done = run_cli(
            "propagate", "--engine", "spark", "--master", f"spark://127.0.0.1:{port}",
            env=env, timeout=300,
        )  # fmt: skip
    assert done.returncode != 0
    assert f"Spark master spark://127.0.0.1:{port} does not answer" in done.stderr
    assert time.monotonic() - began < 60  # Spark's own give-up takes 3 x 20 s, plus a JVM start
    assert store.last_runs(db, 1) == []
