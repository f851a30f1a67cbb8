"""How many plain checks fall to FastAPI's route under load, and why (issue 14, R7 of session 14).

    .venv/bin/python bench/checks_routed.py [--variant as-is|no-early-reread]
                                            [--seconds 40] [--warmup-seconds 10]
                                            [--workers 2] [--connections 16] [--threads 2]

The key cache re-reads a key in use in the background once its entry is past half its life
(``KeyStore._read_early``), so that single-party checks do not find the key's entry expired
and go through FastAPI's route (``credit_graph_checks_routed_total{reason="key_not_cached"}``)
while it is re-read. This script counts, over real HTTP under the benchmark's single-party
load (bench/checks_floor.py's bodies, wrk ``-t2 -c16``, 2 workers, the key cache's 2 s), the
checks every worker answered by the fast path and handed to the route, by reason:

1. starts the benchmark's Neo4j (``.credit-graph/bench``, port 7695) if needed, makes sure of
   the world, the propagation run and the service's snapshot (its fragments made first), and
   a fresh ``checker`` key, as bench/checks_floor.py does;
2. serves this tree (``credit-graph serve --workers N``) with a ``sitecustomize`` on
   ``PYTHONPATH`` that, in every served process, writes that process's two counters to a file
   every 0.2 s (so that every worker is read: ``GET /metrics`` answers for whichever worker
   accepts the connection, and session 14's reads all reached one of them); with
   ``--variant no-early-reread`` it also makes ``KeyStore._read_early`` return at once (the
   cache as before session 13's 55a909c: the entry expires, the next check reads it again);
3. runs wrk for the warm-up, reads every worker's counters, runs the measured load, waits
   0.5 s and reads them again; prints JSON (the differences, and wrk's figures) and writes
   ``bench/out/checks-routed-<variant>.json``.

Alternate the variants (as-is, no-early-reread, as-is, no-early-reread) in one benchmark hold.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checks_floor import _fragments_made, lua_script, parse_wrk
from checks_plan import sample_ids, scenarios
from common import (
    OUT,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    neo4j_settings,
    running_neo4j,
    serving,
)

#: The served processes write their counters into this folder (set for the served tree only).
FOLDER_ENV = "CHECKS_ROUTED_FOLDER"
#: ``no-early-reread`` to take the key cache's early re-read out in the served processes.
VARIANT_ENV = "CHECKS_ROUTED_VARIANT"

_SITECUSTOMIZE = """\
# Written by bench/checks_routed.py for the served processes only (see its docstring).
import os
if os.environ.get({folder_env!r}):
    import sys
    sys.path.insert(0, {bench!r})
    import checks_routed
    checks_routed.install()
"""


def install() -> None:
    """In a served process: the variant's patch, and a thread writing this process's counters
    to ``<FOLDER_ENV>/<pid>.json`` every 0.2 s (once ``graph_service.metrics`` is loaded)."""
    import threading

    if os.environ.get(VARIANT_ENV) == "no-early-reread":
        from graph_service.security.keys import KeyStore

        KeyStore._read_early = lambda self, key_id, until, now: None  # type: ignore[method-assign]
    folder = Path(os.environ[FOLDER_ENV])
    threading.Thread(target=_write_counters, args=(folder,), daemon=True).start()


def _write_counters(folder: Path) -> None:
    target = folder / f"{os.getpid()}.json"
    while True:
        time.sleep(0.2)
        metrics = sys.modules.get("graph_service.metrics")
        if metrics is None:
            continue
        counts = {}
        for family in (metrics.CHECKS_FAST_PATH, metrics.CHECKS_ROUTED):
            for sample in (s for m in family.collect() for s in m.samples):
                if sample.name.endswith("_total"):
                    reason = sample.labels.get("reason")
                    counts["fast_path" if reason is None else f"routed_{reason}"] = sample.value
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(counts), encoding="utf-8")
        os.replace(temporary, target)


def read_counters(folder: Path) -> dict[int, dict[str, float]]:
    """Every served process's last written counters, by pid (those that check only)."""
    found = {}
    for path in folder.glob("*.json"):
        counts = json.loads(path.read_text(encoding="utf-8"))
        if any(counts.values()):
            found[int(path.stem)] = counts
    return found


def main(argv: list[str] | None = None) -> int:
    """Runs the count (see the module docstring)."""
    args = _arguments(argv)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    report: dict[str, Any] = {"variant": args.variant, "workers": args.workers,
                              "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                              "load_before": os.getloadavg()}  # fmt: skip
    with running_neo4j(settings, args.keep_running), tempfile.TemporaryDirectory() as scratch:
        bodies, key = _prepare(settings, args)
        folder = Path(scratch)
        (folder / "site").mkdir()
        bench = str(Path(__file__).resolve().parent)
        (folder / "site" / "sitecustomize.py").write_text(
            _SITECUSTOMIZE.format(folder_env=FOLDER_ENV, bench=bench), encoding="utf-8"
        )
        script = lua_script(bodies, key, folder)
        os.environ |= {FOLDER_ENV: str(folder), VARIANT_ENV: args.variant}
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(folder / "site"), os.environ.get("PYTHONPATH")])
        )
        with serving(args.home, args.neo4j_port, workers=args.workers) as server:
            _wrk(server.url, script, args, args.warmup_seconds)
            time.sleep(0.5)
            before = read_counters(folder)
            report["wrk"] = _wrk(server.url, script, args, args.seconds)
            time.sleep(0.5)
            after = read_counters(folder)
    report["workers_read"] = sorted(after)
    report["counts"] = _differences(before, after)
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"checks-routed-{args.variant}.json").write_text(text + "\n", encoding="utf-8")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", choices=("as-is", "no-early-reread"), default="as-is")
    p.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    p.add_argument("--seed", type=int, default=1, help="seed of the world and of the sample")
    p.add_argument("--seconds", type=float, default=40.0, help="measured seconds")
    p.add_argument("--warmup-seconds", type=float, default=10.0, help="unmeasured load first")
    p.add_argument("--workers", type=int, default=2, help="worker processes")
    p.add_argument("--connections", type=int, default=16, help="wrk connections")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    add_neo4j_arguments(p)
    args = p.parse_args(argv)
    # What bench/checks_plan.py expects (as bench/checks_floor.py sets them).
    args.batch_size, args.asof_parties, args.asof_requests, args.batches = 1000, 20, 0, 1
    args.concurrency, args.context = args.connections, "government_procurement"
    return args


def _prepare(settings: Any, args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    """The single-party bodies and a fresh checker key; the world, the run and the
    service's snapshot (fragments made) as bench/checks_floor.py leaves them."""
    from checks import _ensure_measures

    from graph_service import migrations
    from graph_service.check.snapshot_build import SnapshotKeeper, snapshot_folder
    from graph_service.db import Database
    from graph_service.policy.catalog import catalog_in_force

    with Database(settings, bench_registry()) as db:
        migrations.migrate(db)
        ensure_world(db, args.parties, args.seed, "checks")
        _ensure_measures(db, False)
        ids = sample_ids(db, args)
        plans = scenarios(ids, args, date.today() - timedelta(365))
        key, _name = create_key(db, "checker", __file__)
        catalog = catalog_in_force(settings)
        SnapshotKeeper(db, catalog, snapshot_folder(settings), 0.5).start(3600).stop()
        _fragments_made(snapshot_folder(settings), catalog)
    return list(plans["single"]["operations"]), key


def _wrk(url: str, script: Path, args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s",
               "--latency", "--timeout", "10s", "-s", str(script), url]  # fmt: skip
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def _differences(
    before: dict[int, dict[str, float]], after: dict[int, dict[str, float]]
) -> dict[str, Any]:
    """Each worker's counts over the measured load, and their sum.

    >>> _differences({1: {"fast_path": 5.0}}, {1: {"fast_path": 9.0, "routed_no_key": 1.0},
    ...                                        2: {"fast_path": 3.0}})["total"]
    {'fast_path': 7, 'routed_no_key': 1}
    """
    per_worker = {
        pid: {k: int(v - before.get(pid, {}).get(k, 0.0)) for k, v in counts.items()}
        for pid, counts in sorted(after.items())
    }
    total: dict[str, int] = {}
    for counts in per_worker.values():
        for name, value in counts.items():
            total[name] = total.get(name, 0) + value
    return {"per_worker": per_worker, "total": total}


if __name__ == "__main__":
    sys.exit(main())
