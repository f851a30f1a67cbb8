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
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph_service import embedded, schema
from graph_service.db import Database
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from loaders.summary import Summary

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOME = ROOT / ".credit-graph" / "bench"
PORT = 7695
COUNTS = ("read", "loaded", "created", "updated", "unchanged", "rejected", "duplicates")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    world, generated = _world(args.parties, args.seed)
    settings = Settings(
        home=HOME,
        embedded_port=PORT,
        neo4j_uri="",
        query_timeout_s=600.0,
        embedded_heap=args.heap,
        embedded_pagecache=args.pagecache,
    )
    started = not embedded.status(settings).running
    embedded.start(settings)
    try:
        with Database(settings) as db:
            schema.migrate(db)
            schema.reset(db)
            pid = embedded.status(settings).pid
            runs = [_timed_load(db, world, run, pid) for run in ("first", "reload")]
    finally:
        if started and not args.keep_running:
            embedded.stop(settings)
    report = _report(args, generated, runs)
    _print(report)
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    parser.add_argument("--heap", default="2g", help="Java heap of the benchmark's Neo4j")
    parser.add_argument("--pagecache", default="1g", help="page cache of the benchmark's Neo4j")
    parser.add_argument("--keep-running", action="store_true", help="leave Neo4j running")
    return parser.parse_args(argv)


def _world(parties: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The world's folder and the generator's report; generated once per size and seed."""
    folder = OUT / f"world-{parties}-{seed}"
    report_file = OUT / f"world-{parties}-{seed}.json"
    if report_file.is_file() and folder.is_dir():
        return folder, json.loads(report_file.read_text(encoding="utf-8"))
    OUT.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "graph_service.cli",
        "demo-data",
        "--parties",
        str(parties),
        "--seed",
        str(seed),
        "--out",
        str(folder),
        "--json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: demo-data failed: {done.stderr.strip()}")
    report_file.write_text(done.stdout, encoding="utf-8")
    return folder, json.loads(done.stdout)


def _timed_load(db: Database, folder: Path, run: str, neo4j_pid: int | None) -> dict[str, Any]:
    """One load of the whole folder; rejects (there should be none) go to bench/out."""
    options = LoadOptions(reject_dir=OUT / f"rejects-{folder.name}-{run}")
    neo4j_cpu = _cpu_seconds(neo4j_pid)
    loader_cpu = time.process_time()
    started = time.perf_counter()
    summaries = load_directory(db, folder, options)
    seconds = time.perf_counter() - started
    loader_cpu = time.process_time() - loader_cpu
    neo4j_cpu = _cpu_seconds(neo4j_pid) - neo4j_cpu
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


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (0 when unknown: not Linux, no pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


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
        "peak_rss_mb": _peak_rss_mb(),
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
