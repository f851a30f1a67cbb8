"""Loader benchmark: a synthetic world loaded into an empty graph, then reloaded unchanged.

    .venv/bin/python bench/load.py [--parties 100000] [--seed 1] [--keep-running]

1. generates the world into ``bench/out/world-<parties>-<seed>/`` with ``credit-graph
   demo-data`` in a child process (so that this process's peak RSS is the loader's alone),
   unless that world is there already;
2. starts the benchmark's own embedded Neo4j (home ``.credit-graph/bench``, port 7695),
   migrates it and empties it (as ``credit-graph db reset`` does);
3. loads the folder with ``loaders.engine.load_directory``, then loads it again unchanged;
4. prints rows/s per kind and overall for both runs and the peak RSS, as JSON and as a
   markdown table, and writes the JSON to ``bench/out/load-<parties>-<seed>.json``.
   Each run also reports the CPU seconds of the loader and of Neo4j (Linux): on a shared
   machine wall-clock rows/s vary with the neighbours, CPU per row much less.

The Neo4j is stopped at the end if this script started it (``--keep-running`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    OUT,
    add_neo4j_arguments,
    cpu_seconds,
    neo4j_settings,
    peak_rss_mb,
    running_neo4j,
    world,
)

from graph_service import migrations
from graph_service.db import Database
from loaders.engine import LoadOptions, load_directory
from loaders.summary import Summary

COUNTS = ("read", "loaded", "created", "updated", "unchanged", "rejected", "duplicates")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    folder, generated = world(args.parties, args.seed)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    with running_neo4j(settings, args.keep_running) as pid, Database(settings) as db:
        migrations.migrate(db)
        migrations.reset(db)
        runs = [_timed_load(db, folder, run, pid) for run in ("first", "reload")]
    report = _report(args, generated, runs)
    _print(report)
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


def _timed_load(db: Database, folder: Path, run: str, neo4j_pid: int | None) -> dict[str, Any]:
    """One load of the whole folder; rejects (there should be none) go to bench/out."""
    options = LoadOptions(reject_dir=OUT / f"rejects-{folder.name}-{run}")
    neo4j_cpu = cpu_seconds(neo4j_pid)
    loader_cpu = time.process_time()
    started = time.perf_counter()
    summaries = load_directory(db, folder, options)
    seconds = time.perf_counter() - started
    loader_cpu = time.process_time() - loader_cpu
    neo4j_cpu = cpu_seconds(neo4j_pid) - neo4j_cpu
    kinds = [_kind_stats(summary) for summary in summaries]
    total_read = sum(k["read"] for k in kinds)
    return {
        "seconds": round(seconds, 2),
        "rows": total_read,
        "rows_per_s": round(total_read / seconds) if seconds else None,
        "loader_cpu_s": round(loader_cpu, 1),
        "neo4j_cpu_s": round(neo4j_cpu, 1),
        "rows_per_cpu_s": round(total_read / (loader_cpu + neo4j_cpu)) if neo4j_cpu else None,
        "totals": {c: sum(k[c] for k in kinds) for c in COUNTS},
        "not_done": [k["file"] for k in kinds if k["status"] != "done"],
        "kinds": kinds,
    }


def _kind_stats(summary: Summary) -> dict[str, Any]:
    stats: dict[str, Any] = {"kind": summary.kind, "file": summary.file, "status": summary.status}
    stats |= {c: int(getattr(summary, c)) for c in COUNTS}
    stats["seconds"] = round(summary.seconds, 2)
    stats["rows_per_s"] = round(summary.read / summary.seconds) if summary.seconds else None
    return stats


def _report(
    args: argparse.Namespace, generated: dict[str, Any], runs: list[dict[str, Any]]
) -> dict[str, Any]:
    first, reload = runs
    return {
        "parties": args.parties,
        "seed": args.seed,
        "generated_rows": generated.get("total"),
        "generation_seconds": generated.get("seconds"),
        "first_load": first,
        "reload": reload,
        # An unchanged reload must change nothing: no creates, no updates.
        "reload_changed_nothing": not (reload["totals"]["created"] or reload["totals"]["updated"]),
        "peak_rss_mb": peak_rss_mb(),
    }


def _print(report: dict[str, Any]) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    name = f"load-{report['parties']}-{report['seed']}.json"
    (OUT / name).write_text(text + "\n", encoding="utf-8")
    print()
    print(_markdown(report))


def _markdown(report: dict[str, Any]) -> str:
    first, reload = report["first_load"], report["reload"]
    lines = [
        f"Loader benchmark: {report['parties']:,} parties (seed {report['seed']}), "
        f"peak RSS {report['peak_rss_mb']} MB",
        "",
        "| kind | rows | first load s | first rows/s | rejected | reload s | reload rows/s "
        "| reload unchanged |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    again = {k["kind"]: k for k in reload["kinds"]}
    for kind in first["kinds"]:
        other = again.get(kind["kind"], {})
        lines.append(
            f"| {kind['kind']} | {kind['read']:,} | {kind['seconds']} | {kind['rows_per_s']} "
            f"| {kind['rejected']} | {other.get('seconds')} | {other.get('rows_per_s')} "
            f"| {other.get('unchanged')} |"
        )
    lines.append(
        f"| **all** | {first['rows']:,} | {first['seconds']} | {first['rows_per_s']} "
        f"| {first['totals']['rejected']} | {reload['seconds']} | {reload['rows_per_s']} "
        f"| {reload['totals']['unchanged']} |"
    )
    lines += ["", "| run | loader CPU s | Neo4j CPU s | rows per CPU-second |"]
    lines.append("|---|---:|---:|---:|")
    for name, run in (("first load", first), ("reload", reload)):
        lines.append(
            f"| {name} | {run['loader_cpu_s']} | {run['neo4j_cpu_s']} | {run['rows_per_cpu_s']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
