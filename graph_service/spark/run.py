"""``credit-graph propagate --engine spark``: export (or take an export), compute with Spark,
write the measures as Parquet, and store them in Neo4j through the NetworkX engine's diffed
write path (``runner.store_full``: same change log, same run record, ``engine: spark``).

Order of a run, and what a failure leaves:

1. an ``--input`` export made under another catalog version than the one in force is refused,
   then Spark is started (a master that does not answer fails here, in bounded time);
2. the pending loads are read, then the graph is exported (so the run covers those loads);
   with ``--input DIR`` that export is used instead and no load is marked covered;
3. Spark computes; a fixed point that reaches the round cap fails here — nothing is written;
4. ``measures.parquet`` and ``risk.parquet`` are written (the check snapshot's seam,
   docs/scale.md), then Neo4j is updated as by a NetworkX full run.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph_service.db import Database
from graph_service.export.parquet import _pyarrow, check_export, export
from graph_service.policy.catalog import catalog_in_force
from graph_service.propagation import lease, runner, store
from graph_service.propagation.runner import RunResult
from graph_service.settings import Settings
from graph_service.spark import engine, frames
from graph_service.spark.session import spark_session
from graph_service.spark.tables import Tables, graph_from_tables

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MEASURE_COLUMNS = {
    "measure_key": "string",
    "party_id": "string",
    "measure": "string",
    "origin": "string",
    "rule": "string",
    "record_key": "string",
    "record_ref": "string",
    "record_kind": "string",
    "record_party_id": "string",
    "authority": "string",
    "record_start": "date32",
    "record_end": "date32",
    "basis": "string",
    "path_json": "string",
    "until": "date32",
    "content_hash": "string",
}


@dataclass(frozen=True)
class SparkRun:
    """A stored Spark run: the run record and where its Parquet went."""

    result: RunResult
    measures_dir: Path
    rounds: dict[str, int]


def catalog_text(settings: Settings) -> str:
    """The YAML text of the catalog in force (shipped to Spark's executors)."""
    if settings.catalog is not None:
        return settings.catalog.read_text(encoding="utf-8")
    return resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")


def work_dir(settings: Settings) -> Path:
    """The engine's folder: the configured one, else ``<home>/spark``."""
    return settings.spark_dir or settings.home / "spark"


@lease.exclusive  # from the pending loads' reading to the run's last write
def run_spark(
    db: Database,
    master: str | None = None,
    input_dir: Path | None = None,
    as_of: date | None = None,
    session: SparkSession | None = None,
) -> SparkRun:
    """A full propagation run on Spark, stored like a NetworkX one (see the module);
    ``session``: an open Spark session to use (and leave open), else one is started."""
    settings, started = db.settings, time.perf_counter()
    catalog, as_of = catalog_in_force(settings), as_of or date.today()
    if input_dir is not None:
        check_export(input_dir, catalog.version)  # refused before Spark starts
    spark = session or spark_session(settings, master)  # a master that fails, before the export
    try:
        loads = [] if input_dir is not None else store.pending_loads(db)
        folder = input_dir or work_dir(settings) / "export"
        if input_dir is None:
            export(db, folder, catalog.version)
        check_export(folder, catalog.version)
        inputs = frames.inputs_from_parquet(spark, str(folder.resolve()))
        text, cap = catalog_text(settings), settings.spark_iteration_cap
        computed = engine.compute(inputs, catalog, text, as_of, cap)
    finally:
        if session is None:
            spark.stop()
    out = folder.parent / "measures"
    write_measures(out, computed.propagation.measures.values(), computed.propagation.risk)
    records = graph_from_tables(_records_only(folder))
    result = runner.store_full(db, computed.propagation, records, loads, started, "spark")
    _write_run(out, result)
    return SparkRun(result, out, computed.rounds)


def write_measures(folder: Path, groups: Any, risk: dict[str, float]) -> None:
    """``measures.parquet`` (one row per measure, as stored in Neo4j: ``store.measure_row``)
    and ``risk.parquet`` (party_id, score) under ``folder``."""
    pa, pq = _pyarrow()
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for measures in groups:
        for m in measures:
            row = store.measure_row(m)
            rows.append({"measure_key": row["measure_key"], **row["props"]})
    schema = pa.schema([(n, getattr(pa, t)()) for n, t in MEASURE_COLUMNS.items()])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), folder / "measures.parquet")
    scores = [{"party_id": p, "score": s} for p, s in sorted(risk.items())]
    risk_schema = pa.schema([("party_id", pa.string()), ("score", pa.float64())])
    pq.write_table(pa.Table.from_pylist(scores, schema=risk_schema), folder / "risk.parquet")


def _write_run(folder: Path, result: RunResult) -> None:
    """``run.json``: which run the Parquet files belong to (its id, date, catalog version,
    the parties it read) and when it was stored (written after Neo4j's commit, so a moment
    after the run record's ``finished_at``): what a snapshot built from them names."""
    record = {**result.as_json(), "finished_at": datetime.now(UTC).isoformat()}
    text = json.dumps(record, indent=2, default=str)
    (folder / "run.json").write_text(text, encoding="utf-8")


def _records_only(folder: Path) -> Tables:
    """The export's parties and records (no edges): what the reasons of losses read."""
    _, pq = _pyarrow()
    parties = pq.read_table(folder / "parties").to_pylist()
    records = pq.read_table(folder / "records").to_pylist()
    return Tables(parties=parties, records=records)
