"""Alternated before/after rounds of issue 15 item 3 (one new record at 100,000 parties).

    .venv/bin/python bench/load_rounds.py --source .credit-graph/bench-l100k \\
        --home .credit-graph/bench-l15 --neo4j-port 7797 --rounds 3 --migrate \\
        base=/tmp/l15/base new=/tmp/l15/new

Each ``NAME=DIR`` is a version of the code, a ``git archive`` copy (never files swapped in a
shared tree) with ``.credit-graph/launcher`` linked into it. Every run,
of every version, in its own processes and from its own code:

1. stops the Neo4j of ``--home``, and copies the store of ``--source`` into ``--home`` (so
   that every run starts from the same graph, cold); with ``--migrate``, starts Neo4j on the
   copy, brings its schema to the version's (``migrations.migrate``) and stops it, so that a
   source older than the code serves (the source itself is never migrated) and the run's
   Neo4j still starts on a store it has not written since its start;
2. starts Neo4j on it (heap 2 GiB, page cache 1 GiB: ``bench/common.py``), and warms it as
   the service's start does (``warmup.warm(db, pages=True)``: the plans, then every party's
   pages), timed;
3. runs the version's ``bench/load.py --parties P --home H --neo4j-port N --one-record R``
   (or ``bench/load_trace.py`` with ``--trace``: the same, each run's statements, phases and
   collections as a timeline), then stops Neo4j.

Round 1 runs the versions in the order given, round 2 in reverse, and so on (A B, B A, …),
so neither always runs first. Each run's JSON is written to ``--out``; a markdown row a run
is printed: the warm-up's seconds, the first run, the runs that read more than 500 parties
(the large scopes, by the parties read), the median of the runs, how many took ≤ 0.3 s, and
the 1-minute load average at the run's start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WARM = """
import dataclasses, json, sys, time
from pathlib import Path
sys.path.insert(0, "bench")
from common import CYPHER, neo4j_settings
from graph_service import embedded
from graph_service.db import Database
from graph_service.propagation import warmup
from graph_service.queries import QueryRegistry, cypher_root
settings = neo4j_settings(Path(sys.argv[1]), int(sys.argv[2]))
embedded.start(settings)
with Database(settings, QueryRegistry(cypher_root(), CYPHER)) as db:
    began = time.perf_counter()
    warmed = warmup.warm(db, pages=True)
    print(json.dumps(dataclasses.asdict(warmed) | {"wall_s": time.perf_counter() - began}))
"""
MIGRATE = """
import json, sys
from pathlib import Path
sys.path.insert(0, "bench")
from common import CYPHER, neo4j_settings
from graph_service import embedded, migrations
from graph_service.db import Database
from graph_service.queries import QueryRegistry, cypher_root
settings = neo4j_settings(Path(sys.argv[1]), int(sys.argv[2]))
embedded.start(settings)
with Database(settings, QueryRegistry(cypher_root(), CYPHER)) as db:
    print(json.dumps({"migrated": migrations.migrate(db)}))
embedded.stop(settings)
"""


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    versions = [tuple(v.split("=", 1)) for v in args.versions]
    args.out.mkdir(parents=True, exist_ok=True)
    print("| version, round | warm-up s | 1st run | large scopes (parties read: s) | median "
          "| ≤ 0.3 s | load 1 min |")  # fmt: skip
    print("|---|---:|---:|---|---:|---:|---|")
    for round_ in range(1, args.rounds + 1):
        order = versions if round_ % 2 else versions[::-1]
        for name, code in order:
            tag = f"{name}-{round_}"
            report = _run(args, Path(code), args.out / f"{tag}.json")
            print(_row(tag, report), flush=True)
    return 0


def _run(args: argparse.Namespace, code: Path, out: Path) -> dict[str, Any]:
    """One run of one version (see the module), its report with the warm-up's added."""
    home = args.home.resolve()
    port = str(args.neo4j_port)
    env = {**os.environ, "PYTHONPATH": str(code), "CREDIT_GRAPH_HOME": str(home),
           "CREDIT_GRAPH_EMBEDDED_PORT": port}  # fmt: skip
    stop = [str(ROOT / ".venv/bin/credit-graph"), "neo4j", "stop"]
    subprocess.run(stop, env=env, cwd=ROOT, capture_output=True, timeout=120)
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(args.source / "neo4j", home / "neo4j", symlinks=True)
    for log in (home / "neo4j" / "logs").glob("*"):
        log.unlink()
    if args.migrate:
        subprocess.run([sys.executable, "-c", MIGRATE, str(home), port], env=env, cwd=code,
                       capture_output=True, check=True, timeout=600)  # fmt: skip
    load_before = os.getloadavg()
    warm = subprocess.run([sys.executable, "-c", WARM, str(home), port],
                          env=env, cwd=code, capture_output=True, text=True, check=True,
                          timeout=600)  # fmt: skip
    script = "bench/load_trace.py" if args.trace else "bench/load.py"
    command = [sys.executable, str(ROOT / script) if args.trace else script]
    if args.trace:
        command += [str(code), str(out.with_suffix(".timeline.txt")), "--"]
    command += ["--parties", str(args.parties), "--home", str(home), "--neo4j-port", port,
                "--one-record", str(args.one_record)]  # fmt: skip
    with out.open("w") as sink:
        subprocess.run(command, env=env, cwd=code, stdout=sink, check=True, timeout=900)
    subprocess.run(stop, env=env, cwd=ROOT, capture_output=True, timeout=120)
    report: dict[str, Any] = json.loads(out.read_text())
    report["service_warm_up"] = json.loads(warm.stdout.strip().splitlines()[-1])
    report["load_average_around"] = {"start": load_before, "end": os.getloadavg()}
    out.write_text(json.dumps(report, indent=2))
    return report


def _row(tag: str, report: dict[str, Any]) -> str:
    """A markdown row of one run (see the module)."""
    runs = report["one_record_runs"]
    seconds = [r["seconds"] for r in runs]
    large = ", ".join(f"{r['read']}: {r['seconds']:.3f}" for r in runs if r["read"] > 500)
    load = report["load_average_around"]
    return (f"| {tag} | {report['service_warm_up']['wall_s']:.1f} | {seconds[0]:.3f} | {large} "
            f"| {statistics.median(seconds):.3f} | {sum(s <= 0.3 for s in seconds)} of "
            f"{len(seconds)} | {load['start'][0]:.2f} → {load['end'][0]:.2f} |")  # fmt: skip


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("versions", nargs="+", help="NAME=DIR: a version of the code")
    parser.add_argument("--source", type=Path, required=True, help="the store every run copies")
    parser.add_argument("--home", type=Path, required=True, help="where the copy runs")
    parser.add_argument("--neo4j-port", type=int, default=7797)
    parser.add_argument("--parties", type=int, default=100_000, help="the store's world")
    parser.add_argument("--one-record", type=int, default=10, help="runs after one record")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--trace", action="store_true", help="run bench/load_trace.py")
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="migrate each copy to the version's schema first (see step 1)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/load-rounds")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
