"""NetworkX against Spark local[2] on one seeded in-memory world (issue #18).

Usage: ``.venv/bin/python bench/propagate_spark.py --parties 100000 [--seed 1]``

The world is ``bench/propagate_memory.build`` (no Neo4j: both engines get the same input
tables, so the figures are the engines' own). For each engine: wall time of the computation
(measures, red lists, peripheral risk), the peak memory (NetworkX: this process's peak RSS;
Spark: the driver JVM's peak RSS, VmHWM, plus this process's), and for Spark the rounds each
fixed point took. The two results are compared exactly (risk to 1e-9) and the run fails if
they differ. Take /work/coord/BENCH.lock first (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from importlib import resources
from pathlib import Path

from propagate_memory import build

from graph_service.analysis import propagate
from graph_service.policy import default_catalog
from graph_service.settings import Settings
from graph_service.spark import engine, frames
from graph_service.spark.session import spark_session
from graph_service.spark.tables import tables_from_graph

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    catalog = default_catalog()
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")

    began = time.perf_counter()
    graph = build(args.parties, args.seed)
    built = time.perf_counter() - began
    began = time.perf_counter()
    nx_result = propagate(graph, catalog, AS_OF)
    nx_s, nx_rss = time.perf_counter() - began, _rss_mb()
    tables = tables_from_graph(graph)
    del graph

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
    figures = {
        "parties": args.parties,
        "seed": args.seed,
        "as_of": AS_OF.isoformat(),
        "relationships": len(tables.edges),
        "measures": sum(len(ms) for ms in ours.measures.values()),
        "risk_scores": len(ours.risk),
        "graph_build_s": round(built, 2),
        "networkx_s": round(nx_s, 2),
        "networkx_peak_rss_mb": round(nx_rss),
        "spark_session_start_s": round(started_s, 2),
        "spark_compute_s": round(spark_s, 2),
        "spark_driver_jvm_peak_mb": round(jvm_mb),
        "python_peak_rss_mb_after_spark": round(_rss_mb()),
        "spark_rounds": computed.rounds,
        "equal": same,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"propagate-spark-{args.parties}-{args.seed}.json").write_text(json.dumps(figures))
    print(json.dumps(figures, indent=2))
    if not same:
        raise SystemExit("the engines differ")


if __name__ == "__main__":
    main()
