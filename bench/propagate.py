"""Propagation benchmark on a synthetic world in the embedded Neo4j.

    .venv/bin/python bench/propagate.py [--parties 100000] [--seed 1] [--incremental 5] [--reuse]

1. generates the world (``credit-graph demo-data``) into ``bench/out/world-<parties>-<seed>/``
   unless it is there, starts the benchmark's own Neo4j (home ``.credit-graph/bench-prop``,
   port 7697), empties it and loads the world (not timed here: see bench/load.py; with
   ``--reuse`` it keeps the graph an earlier run loaded);
2. times two full runs (read from Neo4j, compute, write back): the first writes every
   measure, the second finds nothing to change;
3. times the incremental run after loading one new dishonest-debtor record, for several
   companies, separately from the load of that one row;
4. prints the figures as JSON and writes them to ``bench/out/propagate-<parties>-<seed>.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common

from graph_service import migrations
from graph_service.db import Database
from graph_service.propagation import runner
from loaders.engine import LoadOptions, load_directory, load_file

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOME = ROOT / ".credit-graph" / "bench-prop"
PORT = 7697
HEADER = (
    "case_no,court_name,debtor_id,debtor_name,legal_rep_name,obligation,performance,"
    "behaviour,published_on,removed_on\n"
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    world, _ = common.world(args.parties, args.seed)
    settings = common.neo4j_settings(HOME, PORT, args.heap, args.pagecache)
    with common.running_neo4j(settings), Database(settings) as db:
        report = _measure(db, world, args)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (OUT / f"propagate-{args.parties}-{args.seed}.json").write_text(text, encoding="utf-8")
    print(text)
    return 0


def _measure(db: Database, world: Path, args: argparse.Namespace) -> dict[str, Any]:
    migrations.migrate(db)
    loaded_s = None
    if not args.reuse:
        migrations.reset(db)
        began = time.perf_counter()
        load_directory(db, world, LoadOptions(reject_dir=OUT / "rejects-prop"))
        loaded_s = round(time.perf_counter() - began, 1)
    full = [runner.run_full(db).as_json() for _ in range(2)]
    # A reused graph already holds earlier runs' one-row loads: new case numbers and companies.
    stamp = int(time.time()) % 1_000_000 if args.reuse else 0
    companies = _companies(world, args.incremental, args.seed + stamp)
    incremental = [_incremental(db, uscc, stamp * 100 + i) for i, uscc in enumerate(companies)]
    seconds = [r["propagation_s"] for r in incremental]
    return {
        "parties": args.parties,
        "seed": args.seed,
        "load_s": loaded_s,  # None: --reuse kept the graph loaded by an earlier run
        "full_runs": full,
        "incremental_runs": incremental,
        "incremental_median_ms": round(statistics.median(seconds) * 1000, 1),
        "incremental_max_ms": round(max(seconds) * 1000, 1),
    }


def _incremental(db: Database, uscc: str, n: int) -> dict[str, Any]:
    """Loads one new dishonest-debtor listing of ``uscc`` and times the incremental run."""
    path = OUT / f"one-debtor-{n}.csv"
    row = (
        f"(2026)冀01执{9000 + n}号,石家庄市中级人民法院,{uscc},某公司,,,unperformed,,2026-11-20,\n"
    )
    path.write_text(HEADER + row, encoding="utf-8")
    began = time.perf_counter()
    summary = load_file(
        db, "dishonest_debtors", path, LoadOptions(reject_file=path.with_suffix(".rej"))
    )
    loaded = time.perf_counter()
    result = runner.after_loads(db, [str(summary.load_id)])
    done = time.perf_counter()
    return {
        "company": uscc,
        "load_s": round(loaded - began, 4),
        "propagation_s": round(done - loaded, 4),
        "affected": result.parties,
        "read": result.read,
        "gained": result.gained,
        "risk_changed": result.risk_changed,
        "risk_s": result.risk_seconds,
    }


def _companies(world: Path, count: int, seed: int) -> list[str]:
    lines = (world / "companies.csv").read_text(encoding="utf-8").splitlines()[1:]
    ids = [ln.split(",", 1)[0] for ln in lines if ",enterprise," in ln]
    return random.Random(seed).sample(ids, count)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    parser.add_argument("--incremental", type=int, default=5, help="incremental runs to time")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the graph an earlier run loaded (with its one-row debtor loads) instead of"
        " emptying and reloading it",
    )
    parser.add_argument("--heap", default="2g", help="Java heap of the benchmark's Neo4j")
    parser.add_argument("--pagecache", default="1g", help="page cache of the benchmark's Neo4j")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
