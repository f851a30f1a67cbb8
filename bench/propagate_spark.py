"""NetworkX against Spark local[2] on one seeded in-memory world (issue #18).

Usage: ``PYTHONPATH=.:bench .venv/bin/python bench/propagate_spark.py --parties 100000
[--seed 1] [--no-spark | --no-snapshot] [--work DIR]`` (PYTHONPATH: Spark's Python workers
import ``graph_service``).

The world is ``bench/propagate_memory.build`` (no Neo4j: both engines get the same input
tables, so the figures are the engines' own). For each engine: wall time of the computation
(measures, red lists, peripheral risk), the peak memory (NetworkX: this process's peak RSS;
Spark: the driver JVM's peak RSS, VmHWM, plus this process's), and for Spark the rounds each
fixed point took. The two results are compared exactly (risk to 1e-9) and the run fails if
they differ. Take /work/coord/BENCH.lock first (docs/benchmarks.md).

Then the check snapshot from Parquet (issue #18 item 4): the world's tables and NetworkX's
measures are written as a Spark run leaves them (``--work``: ``export/``, ``measures/``), and
``credit-graph snapshot build --from-parquet`` builds a generation from them in a subprocess:
its wall time, peak RSS and file size. The figures are written to ``bench/out`` after each
stage, and each Spark round is logged with its time (stderr), so a Spark run stopped for
time still says how far it got. ``--no-spark`` leaves Spark out (a size it cannot finish).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from propagate_memory import build

from graph_service.analysis import Propagation, propagate
from graph_service.export.parquet import FORMAT, MANIFEST, OBJECTIONS, TABLES, Manifest
from graph_service.policy import default_catalog
from graph_service.policy.catalog import Catalog
from graph_service.settings import Settings
from graph_service.spark import engine, frames
from graph_service.spark.run import write_measures
from graph_service.spark.session import spark_session
from graph_service.spark.tables import Tables, tables_from_graph

AS_OF = date(2026, 11, 27)
OUT = Path(__file__).resolve().parent / "out"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mb(spark: object) -> float:
    pid = spark.sparkContext._jvm.ProcessHandle.current().pid()  # type: ignore[attr-defined]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class _Extras(logging.Formatter):
    """Log lines with their ``extra`` fields (the Spark rounds)."""

    def format(self, record: logging.LogRecord) -> str:
        base = logging.LogRecord("", 0, "", 0, "", None, None).__dict__
        extra = {k: v for k, v in record.__dict__.items() if k not in base}
        return f"{super().format(record)} {json.dumps(extra, default=str)}"


def write_parquet(tables: Tables, result: Propagation, catalog: Catalog, work: Path) -> float:
    """The world as ``propagate --engine spark`` leaves it (``export/``, ``measures/``);
    seconds taken."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    began = time.perf_counter()
    export = work / "export"
    rows = {**asdict(tables), "record_updates": []}
    for name, columns in TABLES.items():
        schema = pa.schema([(c, getattr(pa, t)()) for c, t in columns.items()])
        (export / name).mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows[name], schema=schema)
        pq.write_table(table, export / name / "part-00000.parquet")
    objections = pa.schema([("record_ref", pa.string()), ("objection_id", pa.string())])
    pq.write_table(pa.Table.from_pylist([], schema=objections), export / OBJECTIONS)
    counts = {name: len(rows[name]) for name in TABLES}
    manifest = Manifest(FORMAT, catalog.version, datetime.now(UTC).isoformat(), counts, TABLES)
    (export / MANIFEST).write_text(json.dumps(manifest.as_json()), encoding="utf-8")
    write_measures(work / "measures", result.measures.values(), result.risk)
    run = {
        "run_id": "bench",
        "catalog_version": catalog.version,
        "parties": len(tables.parties),
        "finished_at": datetime.now(UTC).isoformat(),
    }
    (work / "measures" / "run.json").write_text(json.dumps(run), encoding="utf-8")
    return time.perf_counter() - began


def build_snapshot(work: Path) -> dict[str, Any]:
    """``credit-graph snapshot build --from-parquet`` in a subprocess: what it printed, its
    wall time and peak RSS."""
    env = {**os.environ, "CREDIT_GRAPH_HOME": str(work / "home"),
           "CREDIT_GRAPH_SNAPSHOT_DIR": str(work / "snapshot")}  # fmt: skip
    # GNU time measures the command's own peak RSS (this process's children's figure would
    # count the fork of this big process before it became the command).
    command = ["/usr/bin/time", "-f", "maxrss_kb=%M", sys.executable, "-m", "graph_service.cli",
               "snapshot", "build", "--from-parquet", str(work), "--json"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - began
    peak = int(done.stderr.strip().splitlines()[-1].removeprefix("maxrss_kb=")) / 1024
    printed = json.loads(done.stdout)
    return {
        "snapshot_build_s": printed["seconds"],
        "snapshot_cli_wall_s": round(wall, 2),
        "snapshot_cli_peak_rss_mb": round(peak),
        "snapshot_bytes": printed["bytes"],
        "snapshot_parties": printed["parties"],
        "snapshot_measures": printed["measures"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--no-spark", action="store_true", help="NetworkX and snapshot only")
    parser.add_argument("--work", type=Path, default=None, help="folder for the Parquet files")
    parser.add_argument("--no-snapshot", action="store_true", help="no Parquet nor snapshot")
    args = parser.parse_args()
    handler = logging.StreamHandler()
    handler.setFormatter(_Extras("%(asctime)s %(message)s"))
    logging.getLogger("graph_service.spark").addHandler(handler)
    logging.getLogger("graph_service.spark").setLevel(logging.INFO)
    catalog = default_catalog()
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    OUT.mkdir(exist_ok=True)
    stem = f"propagate-spark-{args.parties}-{args.seed}" + ("-nospark" if args.no_spark else "")
    out = OUT / f"{stem}.json"

    began = time.perf_counter()
    graph = build(args.parties, args.seed)
    built = time.perf_counter() - began
    began = time.perf_counter()
    nx_result = propagate(graph, catalog, AS_OF)
    nx_s, nx_rss = time.perf_counter() - began, _rss_mb()
    tables = tables_from_graph(graph)
    del graph
    figures: dict[str, Any] = {
        "parties": args.parties, "seed": args.seed, "as_of": AS_OF.isoformat(),
        "relationships": len(tables.edges),
        "networkx_measures": sum(len(ms) for ms in nx_result.measures.values()),
        "graph_build_s": round(built, 2), "networkx_s": round(nx_s, 2),
        "networkx_peak_rss_mb": round(nx_rss), "load_average": os.getloadavg(),
    }  # fmt: skip
    if not args.no_snapshot:
        work = args.work or Path(tempfile.mkdtemp(prefix="propagate-spark-"))
        figures["parquet_write_s"] = round(write_parquet(tables, nx_result, catalog, work), 2)
        figures.update(build_snapshot(work))
    out.write_text(json.dumps(figures))
    print(json.dumps(figures, indent=2), flush=True)
    if args.no_spark:
        return

    began = time.perf_counter()
    spark = spark_session(Settings(spark_partitions=args.partitions, spark_driver_memory="4g"))
    started_s = time.perf_counter() - began
    began = time.perf_counter()
    computed = engine.compute(frames.inputs_from_tables(spark, tables), catalog, text, AS_OF, 200)
    spark_s = time.perf_counter() - began
    jvm_mb = _jvm_peak_mb(spark)
    spark.stop()

    ours = computed.propagation
    same = ours.measures == nx_result.measures and ours.red_listed == nx_result.red_listed
    same = same and ours.risk.keys() == nx_result.risk.keys()
    same = same and all(abs(ours.risk[p] - s) <= 1e-9 for p, s in nx_result.risk.items())
    figures |= {
        "measures": sum(len(ms) for ms in ours.measures.values()),
        "risk_scores": len(ours.risk),
        "spark_session_start_s": round(started_s, 2),
        "spark_compute_s": round(spark_s, 2),
        "spark_driver_jvm_peak_mb": round(jvm_mb),
        "python_peak_rss_mb_after_spark": round(_rss_mb()),
        "spark_rounds": computed.rounds,
        "equal": same,
        "load_average_after": os.getloadavg(),
    }
    out.write_text(json.dumps(figures))
    print(json.dumps(figures, indent=2))
    if not same:
        raise SystemExit("the engines differ")


if __name__ == "__main__":
    main()
