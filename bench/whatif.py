"""What-if and contradictions benchmark (issue 17, due process §6-§7).

    .venv/bin/python bench/whatif.py [--parties 100000] [--seed 1] [--rows 1000] [--repeat 3]
                                     [--from-store .credit-graph/bench/neo4j/data]

1. the world (``bench/common.world``, ``credit-graph demo-data``) in its own embedded Neo4j
   (home ``.credit-graph/bench-whatif``, port 7697): a copy of the store of another benchmark
   Neo4j that holds it (``--from-store``, e.g. the shared benchmark Neo4j's, stopped; the
   copy is ours to change), else loaded from the files with ``load_directory`` (setup,
   untimed; pending loads are completed);
2. the file an operator asks about: ``--rows`` rows of ``record_updates`` that revoke as many
   dishonest-debtor listings of the world (the last ones of its ``dishonest_debtors.csv``),
   written to ``bench/out/whatif-<parties>-<seed>/record_updates.csv``: the measures of the
   debtors, and of their representatives and controllers (R1), are lost;
3. times a refresh of the contradictions over the whole world (``--repeat`` times; target
   ≤ 30 s);
4. times the what-if of the file ``--repeat`` times, the CLI's own path
   (``credit-graph load record_updates FILE --what-if`` = ``Database.rolled_back`` +
   ``load_file`` + ``whatif.what_if``), and checks that the graph's node, relationship and
   ``:Load`` counts did not move;
5. times the real load of the same file as ``credit-graph load`` runs it: ``load_file``, the
   incremental propagation (``runner.after_loads``) and the contradictions refresh (each
   timed apart; the target compares the what-if with load + propagation, and with all three);
6. prints the figures as JSON and writes them to ``bench/out/whatif-<parties>-<seed>.json``.

``--only-contradictions`` does step 3 alone on the store the benchmark's Neo4j already holds
(``bench/out/whatif-contradictions-<parties>-<seed>.json``).

The Neo4j is stopped at the end (``--keep-running`` keeps it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import CYPHER, OUT, ROOT, add_neo4j_arguments, neo4j_settings, running_neo4j, world

from graph_service import migrations
from graph_service.cli.contradictions_cmd import name_fields
from graph_service.db import Database
from graph_service.explore import contradictions
from graph_service.propagation import runner
from graph_service.propagation.whatif import WHAT_IF_TIMEOUT_S, what_if
from graph_service.queries import QueryRegistry, cypher_root
from loaders.engine import LoadOptions, load_directory, load_file

HOME = ROOT / ".credit-graph" / "bench-whatif"
PORT = 7697
KIND = "record_updates"
#: The revocations' effective day: after every listing of the world began.
EFFECTIVE_ON = "2026-01-01"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    source, _ = world(args.parties, args.seed)
    new = _revocations(source, OUT / f"whatif-{args.parties}-{args.seed}", args.rows)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    if args.from_store:
        _copy_store(args.from_store, args.home / "neo4j" / "data")
    report: dict[str, Any] = {"parties": args.parties, "seed": args.seed, "rows": args.rows}
    with (
        running_neo4j(settings, args.keep_running),
        Database(settings, QueryRegistry(cypher_root(), CYPHER)) as db,
    ):
        report["setup_s"] = _setup(
            db, None if args.from_store or args.only_contradictions else source
        )
        report["graph"] = db.read("whatif/counts")[0]
        report["contradictions"] = _repeat(args.repeat, lambda: _refresh(db))
        if args.only_contradictions:
            report.update(_machine())
            _print(report, OUT / f"whatif-contradictions-{args.parties}-{args.seed}.json")
            return 0
        report["what_if"] = _repeat(args.repeat, lambda: _what_if(db, new))
        report["real"] = _real(db, new)
    report.update(_verdicts(report), **_machine())
    _print(report, OUT / f"whatif-{args.parties}-{args.seed}.json")
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="the world's parties")
    parser.add_argument("--seed", type=int, default=1, help="the world's seed")
    parser.add_argument("--rows", type=int, default=1000, help="rows of the what-if file")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each")
    parser.add_argument("--from-store", type=Path, help="a stopped store holding the world")
    parser.add_argument(
        "--only-contradictions",
        action="store_true",
        help="only refresh the contradictions, on the store this benchmark's Neo4j holds",
    )
    add_neo4j_arguments(parser)
    parser.set_defaults(home=HOME, neo4j_port=PORT)
    return parser.parse_args(argv)


def _revocations(source: Path, target: Path, rows: int) -> Path:
    """A record_updates file revoking the last ``rows`` debtor listings of the world."""
    lines = (source / "dishonest_debtors.csv").read_text(encoding="utf-8").splitlines()
    if len(lines) <= rows:
        raise SystemExit(f"error: dishonest_debtors.csv has only {len(lines) - 1} rows")
    refs = ["|".join(line.split(",")[i] for i in (0, 2)) for line in lines[-rows:]]
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{KIND}.csv"
    body = [f"{ref},revoked,{EFFECTIVE_ON},bench,what-if benchmark" for ref in refs]
    path.write_text("\n".join(["record_ref,status,effective_on,authority,reason", *body]) + "\n")
    return path


def _copy_store(source: Path, target: Path) -> None:
    """The world's store, copied (both Neo4j stopped): ours to change."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)


def _setup(db: Database, world_files: Path | None) -> float:
    """Migrates; loads the world's files when no store was copied; completes pending loads."""
    started = time.perf_counter()
    migrations.migrate(db)
    if world_files is not None:
        migrations.reset(db)
        load_directory(db, world_files, LoadOptions(reject_dir=OUT / "rejects-whatif"))
    db.read("meta/await_indexes")
    runner.complete_pending(db)
    return round(time.perf_counter() - started, 1)


def _repeat(times: int, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``run`` ``times`` times: every run's figures and the median of its seconds."""
    runs = [run() for _ in range(times)]
    return {"median_s": round(statistics.median(r["seconds"] for r in runs), 2), "runs": runs}


def _refresh(db: Database) -> dict[str, Any]:
    started = time.perf_counter()
    result = contradictions.refresh(db, name_fields())
    seconds = round(time.perf_counter() - started, 2)
    return {
        "seconds": seconds, "find_s": result.find_s, "count": result.count,
        "by_kind": result.by_kind, "removed": result.removed, "created": result.created,
    }  # fmt: skip


def _what_if(db: Database, path: Path) -> dict[str, Any]:
    """One what-if of ``path`` as the CLI runs it (without printing), and that it wrote
    nothing: the graph's counts before and after."""
    before = db.read("whatif/counts")[0]
    started = time.perf_counter()
    with db.rolled_back(WHAT_IF_TIMEOUT_S) as view:
        summary = load_file(view, KIND, path, LoadOptions(reject_file=OUT / "whatif.rejects.csv"))
        loaded = time.perf_counter() - started
        result = what_if(db, view, [str(summary.load_id)])
    seconds = round(time.perf_counter() - started, 2)
    after = db.read("whatif/counts")[0]
    return {
        "seconds": seconds, "load_s": round(loaded, 2), "created": summary.created,
        "gains": len(result.gains), "losses": len(result.losses), "changed": len(result.changed),
        "parties_compared": result.parties, "nothing_written": before == after,
    }  # fmt: skip


def _real(db: Database, path: Path) -> dict[str, Any]:
    """The same file loaded for real, as ``credit-graph load`` does (three steps timed)."""
    started = time.perf_counter()
    summary = load_file(db, KIND, path, LoadOptions(reject_file=OUT / "real.rejects.csv"))
    loaded = time.perf_counter()
    run = runner.after_loads(db, [str(summary.load_id)])
    propagated = time.perf_counter()
    refreshed = contradictions.refresh(db, name_fields())
    done = time.perf_counter()
    return {
        "load_s": round(loaded - started, 2),
        "propagation_s": round(propagated - loaded, 2),
        "contradictions_s": round(done - propagated, 2),
        "load_and_propagation_s": round(propagated - started, 2),
        "total_s": round(done - started, 2),
        "gained": run.gained, "lost": run.lost, "changed": run.changed,
        "contradictions": refreshed.count,
    }  # fmt: skip


def _verdicts(report: dict[str, Any]) -> dict[str, Any]:
    what_if_s, real = report["what_if"]["median_s"], report["real"]
    return {
        "what_if_vs_load_and_propagation": round(what_if_s / real["load_and_propagation_s"], 2),
        "what_if_vs_load_command": round(what_if_s / real["total_s"], 2),
        "what_if_met": what_if_s <= real["load_and_propagation_s"],
        "contradictions_met": report["contradictions"]["median_s"] <= 30.0,
        # The real run diffs against the stored measures (of the day they were computed), the
        # what-if against today's computed before the file: equal unless the store is stale.
        "changes_match_real": [report["what_if"]["runs"][0][k] for k in ("gains", "losses")]
        == [real["gained"], real["lost"]],
    }


def _machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        "command": " ".join(["bench/whatif.py", *sys.argv[1:]]),
    }


def _cores() -> int:
    return os.cpu_count() or 0


def _print(report: dict[str, Any], path: Path) -> None:
    text = json.dumps(report, indent=2, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
