"""Loader benchmark: an incremental load beside the plain ``UNWIND … MERGE`` floor.

    .venv/bin/python bench/load.py [--parties 100000] [--increment 20000] [--seed 1]

1. generates two worlds with ``credit-graph demo-data`` in child processes (so that this
   process's peak RSS is the loader's alone): the *base* (``--parties``, ``--seed``) and the
   *increment* (``--increment`` parties, seed + 1; its parties and rows are new to the base);
2. starts its own embedded Neo4j (home ``.credit-graph/bench``, port 7695), migrates and
   empties it, and loads the base with ``load_directory`` (the "first load");
3. stops Neo4j, copies its store aside, starts it, and writes the increment's rows with the
   **floor**: for each file, the very rows the loader would send (its own pass 1 decides them,
   untimed), batch by batch, each batch one ``UNWIND $batch.rows AS row MERGE …`` statement
   (``bench/cypher/load_floor/``) in its own transaction that writes the same properties
   (the rows' values, provenance, ``row_hash``) and nothing else — no probe, outcomes,
   history, stale links' removal or derived links. Only the statements are timed;
4. stops Neo4j, puts the copied store back, starts it, and loads the increment with
   ``load_directory`` (the **incremental load**: same rows, same graph before, timed end to
   end, pass 1 included), then loads it once more unchanged (the reload);
5. propagates: the run after those loads (their scope is most of the graph, so it runs fully:
   ``propagation_full_above``), a full run for reference, the incremental run after one new
   dishonest-debtor record (three times), the run after records for 1 % of the parties, and a
   full run after records for another 1 % (the same work to write, for comparison);
6. prints rows/s per kind for the floor and the incremental load and their ratio (the target
   of issue 15 is ≥ 0.60 for every kind), as JSON and as markdown tables, and writes the JSON
   to ``bench/out/load-<parties>-<increment>-<seed>.json``. Each run also reports the CPU
   seconds of the loader and of Neo4j (Linux): on a shared machine wall-clock rows/s vary
   with the neighbours, CPU per row much less.
   Each kind's statements (how many, and the milliseconds each named statement took, round
   trips included) are listed beside it, for the floor and the loads alike.

With ``--one-record N`` it only times item 3 of issue 15 on a graph already loaded with the
base world (e.g. ``--parties 100000 --home .credit-graph/bench-l100k --neo4j-port 7797``): N
times one new dishonest-debtor listing at a company drawn with ``--one-record-seed``, then
``runner.after_loads`` as a load calls it, with the stop-sharing notices made after the run
(``notices.after_run``) timed apart; nothing is generated, copied or emptied. Right after
Neo4j is up it warms the plans of the propagation's statements as the service's start does
(``graph_service/propagation/warmup.py``, timed apart; ``--no-warm-up`` leaves them cold, as
a Neo4j started with no service after it would). Start it with the Neo4j stopped to time
the first run after a restart. Each run's statements' seconds and the collector's pauses
are reported beside its time.

With ``--with-import`` it also times ``credit-graph import`` of the base world into an empty
store of its own (``bench/load_import.py``: home ``--import-home``, port ``--import-port``),
so that one run prints every figure of issue 15. The load average is noted at the start and
the end of the run (the machine is shared).

The Neo4j is stopped at the end (``--keep-running`` keeps it).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import shutil
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import (
    CYPHER,
    OUT,
    add_neo4j_arguments,
    cpu_seconds,
    neo4j_settings,
    peak_rss_mb,
    running_neo4j,
    world,
)

from graph_service import embedded, metrics, migrations
from graph_service.db import Database, Tx, unsized
from graph_service.dueprocess import notices
from graph_service.propagation import runner, scope, store, warmup
from graph_service.queries import QueryRegistry, cypher_root
from loaders.engine import LoadOptions, load_directory, load_file
from loaders.mapping import get_mapping
from loaders.read import RegistryFile
from loaders.stage import stage
from loaders.summary import RejectWriter, Summary
from loaders.write import Decider, Provenance

COUNTS = ("read", "loaded", "created", "updated", "unchanged", "rejected", "duplicates")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    if args.one_record:
        return _one_record_only(args)
    load_before = os.getloadavg()
    base, generated = world(args.parties, args.seed)
    increment, _ = world(args.increment, args.seed + 1)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    store = Path(embedded.status(settings).data_dir)
    saved = OUT / f"store-{args.parties}-{args.seed}"
    registry = QueryRegistry(cypher_root(), CYPHER)
    runs: dict[str, Any] = {}
    pid = _restart(settings)
    with Database(settings, registry) as db:
        migrations.migrate(db)
        migrations.reset(db)
        runs["first_load"] = _timed_load(db, base, "first", pid)
    _copy_store(settings, store, saved)
    pid = _restart(settings)
    with Database(settings, registry) as db:
        runs["floor"] = _timed_floor(db, increment, pid)
    _copy_store(settings, saved, store)
    pid = _restart(settings)
    with Database(settings, registry) as db:
        runs["incremental"] = _timed_load(db, increment, "incremental", pid)
        runs["reload"] = _timed_load(db, increment, "reload", pid)
        propagation = _propagation(db, base, args.seed)
    if not args.keep_running:
        embedded.stop(settings)
    shutil.rmtree(saved, ignore_errors=True)
    report = _report(args, generated, runs) | {"propagation": propagation}
    if args.with_import:
        report["import"] = _import(base, args)
    report["load_average"] = {"start": load_before, "end": os.getloadavg()}
    _print(report)
    return 0


def _import(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``credit-graph import`` of ``folder`` into an empty store (bench/load_import.py)."""
    from load_import import import_figures

    try:
        return import_figures(folder, args.import_home.resolve(), args.import_port)
    except SystemExit as failed:  # the import's own error; the other figures still print
        return {"error": str(failed)}


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="the base world's parties")
    parser.add_argument("--increment", type=int, default=20_000, help="the increment's parties")
    parser.add_argument("--seed", type=int, default=1, help="seed of the base world")
    parser.add_argument(
        "--with-import", action="store_true", help="also time `credit-graph import` of the base"
    )
    parser.add_argument(
        "--import-home", type=Path, default=Path(".credit-graph/bench-import"),
        help="the import's own Neo4j home (emptied first)",
    )  # fmt: skip
    parser.add_argument("--import-port", type=int, default=7741, help="the import's Bolt port")
    parser.add_argument(
        "--one-record", type=int, default=0, metavar="N",
        help="only time N runs after one new record on the loaded graph at --home",
    )  # fmt: skip
    parser.add_argument(
        "--one-record-seed", type=int, default=11, help="seed drawing --one-record's companies"
    )
    parser.add_argument(
        "--no-warm-up", action="store_true",
        help="--one-record: do not warm the propagation's plans after Neo4j is up",
    )  # fmt: skip
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


# --- the benchmark's Neo4j and its store ----------------------------------------------------


def _restart(settings: Any) -> int | None:
    """Starts the benchmark's Neo4j (stopping it first if it runs); its process id."""
    embedded.stop(settings)
    embedded.start(settings)
    return embedded.status(settings).pid


def _copy_store(settings: Any, source: Path, target: Path) -> None:
    """Copies a stopped store: the floor and the incremental load start from the same graph."""
    embedded.stop(settings)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)


# --- the runs -------------------------------------------------------------------------------


def _timed_load(db: Database, folder: Path, run: str, neo4j_pid: int | None) -> dict[str, Any]:
    """One load of the whole folder; rejects (there should be none) go to bench/out."""
    options = LoadOptions(reject_dir=OUT / f"rejects-{folder.name}-{run}")
    neo4j_cpu = cpu_seconds(neo4j_pid)
    loader_cpu = time.process_time()
    with _Statements().watching() as statements:
        started = time.perf_counter()
        summaries = load_directory(db, folder, options)
        seconds = time.perf_counter() - started
    loader_cpu = time.process_time() - loader_cpu
    neo4j_cpu = cpu_seconds(neo4j_pid) - neo4j_cpu
    kinds = [_kind_stats(summary) | statements.of(summary.file) for summary in summaries]
    return _run_stats(kinds, seconds, loader_cpu, neo4j_cpu)


def _timed_floor(db: Database, folder: Path, neo4j_pid: int | None) -> dict[str, Any]:
    """The floor: every file's rows as plain UNWIND … MERGE batches (see the module doc)."""
    kinds: list[dict[str, Any]] = []
    seconds = loader_cpu = neo4j_cpu = 0.0
    for kind, path in _plan(folder):
        name = _floor_query(kind)
        stats: dict[str, Any] = {"kind": kind, "file": path.name, "status": "done"}
        prov = Provenance(kind, path.name, uuid.uuid4().hex, datetime.now(UTC))
        batches = list(_floor_batches(kind, path, db.settings.batch_size, prov))
        before_cpu, before_neo4j = time.process_time(), cpu_seconds(neo4j_pid)
        with _Statements().watching() as statements:
            started = time.perf_counter()
            for batch in batches:
                # The rows inside $batch, as the loader sends them (graph_service.db.unsized):
                # a top-level list would be planned again for each order of magnitude of its size.
                db.write(name, timeout_s=600.0, **unsized(rows=batch), prov=prov.params())
            took = time.perf_counter() - started
        loader_cpu += time.process_time() - before_cpu
        neo4j_cpu += cpu_seconds(neo4j_pid) - before_neo4j
        seconds += took
        rows = sum(len(b) for b in batches)
        stats |= {c: 0 for c in COUNTS} | {"read": rows, "loaded": rows}
        stats |= {"seconds": round(took, 2), "rows_per_s": round(rows / took) if took else None}
        kinds.append(stats | statements.of(path.name))
    return _run_stats(kinds, seconds, loader_cpu, neo4j_cpu)


class _Statements:
    """Per file, how many named statements ran and the milliseconds each took (round trip
    included). A statement counts to the file its parameters name (``$prov.src_file``, a
    ``:Load``'s ``props.file``), else to the file its thread named last (probes, batch counts)."""

    def __init__(self) -> None:
        self.by_file: dict[str, Counter[str]] = defaultdict(Counter)
        self.runs: Counter[str] = Counter()
        self._last = threading.local()

    def of(self, file: str) -> dict[str, Any]:
        """A file's statements and their milliseconds, slowest first."""
        spent = self.by_file.get(file, Counter())
        return {"statements": self.runs[file],
                "statements_ms": {n: round(ms, 1) for n, ms in spent.most_common()}}  # fmt: skip

    def _add(self, name: str, params: dict[str, Any], began: float) -> None:
        ms = (time.perf_counter() - began) * 1000
        named = (params.get("prov") or {}).get("src_file") or (params.get("props") or {}).get(
            "file"
        )
        file = self._last.file = named or getattr(self._last, "file", "?")
        self.by_file[file][name] += ms
        self.runs[file] += 1

    @contextmanager
    def watching(self) -> Iterator[_Statements]:
        """Times every named statement run meanwhile (in a transaction or on its own)."""
        run, managed = Tx.run, Database._managed

        def timed_run(tx: Tx, name: str, /, **params: Any) -> Any:
            began = time.perf_counter()
            try:
                return run(tx, name, **params)
            finally:
                self._add(name, params, began)

        def timed_managed(db: Database, name: str, params: Any, *args: Any, **kw: Any) -> Any:
            began = time.perf_counter()
            try:
                return managed(db, name, params, *args, **kw)
            finally:
                self._add(name, dict(params), began)

        Tx.run, Database._managed = timed_run, timed_managed  # type: ignore[method-assign]
        try:
            yield self
        finally:
            Tx.run, Database._managed = run, managed  # type: ignore[method-assign]


def _plan(folder: Path) -> list[tuple[str, Path]]:
    """The folder's (kind, file) pairs in the order load_directory takes them."""
    from loaders.engine import _plan as plan

    return plan(folder, [])


#: The floor statement of each load query (the record kinds share one).
FLOOR = {
    "load/companies": "load_floor/companies",
    "load/persons": "load_floor/persons",
    "load/shareholdings": "load_floor/shareholdings",
    "load/officers": "load_floor/officers",
    "load/branches": "load_floor/branches",
    "load/officials": "load_floor/officials",
    "load/cases": "load_floor/cases",
    "load/case_parties": "load_floor/case_parties",
    "load/case_officials": "load_floor/case_officials",
    "load/contacts": "load_floor/contacts",
    "load/records": "load_floor/records",
    "load/record_updates": "load_floor/record_updates",
}


def _floor_query(kind: str) -> str:
    """The floor statement of a kind."""
    return FLOOR[get_mapping(kind).query]


def _floor_batches(
    kind: str, path: Path, size: int, prov: Provenance
) -> Iterator[list[dict[str, Any]]]:
    """The rows the loader would send for ``path``, decided by its own pass 1, in batches."""
    mapping = get_mapping(kind)
    rejects = RejectWriter(OUT / f"floor-{path.name}.rejects.csv")
    staged = stage(RegistryFile(path, mapping), mapping, rejects)
    decider = Decider(staged, rejects, Summary(kind=kind, file=path.name), prov)
    batch: list[dict[str, Any]] = []
    try:
        for entry in staged.entries():
            pending = decider.decide(entry)
            if pending is not None:
                batch.append(pending.row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        staged.close()
        rejects.close()


# --- propagation ----------------------------------------------------------------------------

DEBTORS_HEADER = (
    "case_no,court_name,debtor_id,debtor_name,legal_rep_name,obligation,performance,"
    "behaviour,published_on,removed_on\n"
)


def _propagation(db: Database, world: Path, seed: int) -> dict[str, Any]:
    """After the loads, then a full run, then after one record and after 1 % of the parties."""
    after_loads = _timed_run(lambda: runner.complete_pending(db))
    full = _timed_run(lambda: runner.run_full(db))
    parties = int(db.read("propagation/party_count")[0]["parties"])
    share = max(1, parties // 100)
    companies = _companies(world, 3 + 2 * share, seed)
    # One record, three times on three companies: the first run after a big load pays for
    # Neo4j planning its statements again (the statistics changed), the next ones do not.
    ones = {
        f"one_record_{i + 1}": _after_debtors(db, [company], "one")
        for i, company in enumerate(companies[:3])
    }
    one_percent = _after_debtors(db, companies[3 : 3 + share], "share")
    # The same change at other companies, followed by a full run instead: what the run after
    # the loads (falling back to the full computation past propagation_full_above) must not
    # be slower than, with the same kind of measures to write.
    full_after = _after_debtors(db, companies[3 + share :], "share-full", full=True)
    return {"parties": parties, "after_loads": after_loads, "full": full, **ones,
            "one_percent": one_percent, "one_percent_full_run": full_after}  # fmt: skip


def _after_debtors(
    db: Database, companies: list[str], tag: str, full: bool = False
) -> dict[str, Any]:
    """Loads one new dishonest-debtor listing per company, then times the propagation after
    the load (``full``: a full run instead)."""
    path = OUT / f"debtors-{tag}-{uuid.uuid4().hex[:8]}.csv"
    rows = [
        f"(2026)冀01执{uuid.uuid4().hex[:10]}号,石家庄市中级人民法院,{uscc},某公司,,,"
        "unperformed,,2026-11-20,\n"
        for uscc in companies
    ]
    path.write_text(DEBTORS_HEADER + "".join(rows), encoding="utf-8")
    options = LoadOptions(reject_file=path.with_suffix(".rejects.csv"))
    try:
        summary = load_file(db, "dishonest_debtors", path, options)
    finally:
        path.unlink()
    if full:
        timed = _timed_run(lambda: runner.run_full(db))
    else:
        # As of the stored state's day: on a store propagated on an earlier day (the 100k
        # source store) a run for today is the full one (runner.run_incremental), and the
        # listing (2026-11-20) is active on either day.
        day = store.stored_day(db)
        timed = _timed_run(lambda: runner.after_loads(db, [str(summary.load_id)], as_of=day))
    return {"records": len(companies), **timed}


def _one_record_only(args: argparse.Namespace) -> int:
    """``--one-record N``: N runs after one new record, the notices made after each timed
    apart (see the module doc); prints the JSON and a line of sorted times."""
    base, _ = world(args.parties, args.seed)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    load_before = os.getloadavg()
    noticed: list[float] = []
    made_after = notices.after_run

    def timed_notices(db: Database, catalog: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return made_after(db, catalog)
        finally:
            noticed.append(time.perf_counter() - started)

    notices.after_run = timed_notices  # type: ignore[assignment]  # runner calls it by module
    registry = QueryRegistry(cypher_root(), CYPHER)
    runs = []
    warmed: dict[str, Any] | None = None
    with running_neo4j(settings, args.keep_running), Database(settings, registry) as db:
        if not args.no_warm_up:  # as the service's start does (propagation/catchup.py)
            warmed = dataclasses.asdict(warmup.warm(db))
            warmed["again_s"] = warmup.warm(db).seconds  # what it costs with the plans cached
        for company in _companies(base, args.one_record, args.one_record_seed):
            noticed.clear()  # a run that made no notices (nothing to propagate) adds 0
            run = _after_debtors(db, [company], "one")
            runs.append(run | {"notices_s": round(sum(noticed), 3)})
    whole = sorted(r["seconds"] for r in runs)
    alone = sorted(round(r["seconds"] - r["notices_s"], 3) for r in runs)
    report = {"warm_up": warmed, "one_record_runs": runs, "whole_sorted": whole,
              "without_notices_sorted": alone,
              "whole_median": statistics.median(whole),
              "without_notices_median": statistics.median(alone),
              "notices_median": statistics.median(r["notices_s"] for r in runs),
              "load_average": {"start": load_before, "end": os.getloadavg()}}  # fmt: skip
    print(json.dumps(report, indent=2))
    return 0


def _timed_run(run: Callable[[], runner.RunResult | None]) -> dict[str, Any]:
    """Times a run, and apart the scope search of an incremental one (``scope_s``: for a
    run that falls back, the search it stopped; None when the run searched no scope)."""
    searched: list[float] = []
    within = scope.within

    def timed_within(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return within(*args, **kwargs)
        finally:
            searched.append(time.perf_counter() - began)

    scope.within = timed_within  # type: ignore[assignment]  # the runner calls it by module
    paused: list[float] = []
    gc.callbacks.append(pauses := _gc_pauses(paused))
    statements = _statement_seconds()
    try:
        started = time.perf_counter()
        result = run()
        seconds = time.perf_counter() - started
    finally:
        scope.within = within  # type: ignore[assignment]
        gc.callbacks.remove(pauses)
    timed = {"seconds": round(seconds, 3),
             "scope_s": round(sum(searched), 3) if searched else None,
             "gc_s": round(sum(paused), 4), "gc_runs": len(paused),
             "statements_s": _slowest(statements, _statement_seconds())}  # fmt: skip
    if result is None:
        return timed | {"mode": None}
    picked = ("mode", "parties", "read", "gained", "lost", "changed", "risk_changed")
    return timed | {k: getattr(result, k) for k in picked}


def _statement_seconds() -> dict[str, float]:
    """Seconds spent so far in each named statement (every thread), from the service's own
    histogram (``graph_service.metrics.QUERY_SECONDS``)."""
    return {
        sample.labels["query"]: sample.value
        for metric in metrics.QUERY_SECONDS.collect()
        for sample in metric.samples
        if sample.name.endswith("_sum")
    }


def _slowest(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The statements' seconds between two readings, slowest first, those over 5 ms."""
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    return {n: round(t, 3) for n, t in sorted(spent.items(), key=lambda x: -x[1]) if t > 0.005}


def _gc_pauses(paused: list[float]) -> Callable[[str, dict[str, Any]], None]:
    """A ``gc.callbacks`` hook that appends each collection's seconds to ``paused``."""
    began: list[float] = []

    def hook(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began.append(time.perf_counter())
        elif began:
            paused.append(time.perf_counter() - began.pop())

    return hook


def _companies(world: Path, count: int, seed: int) -> list[str]:
    """``count`` enterprises of the world, drawn with the run's seed."""
    lines = (world / "companies.csv").read_text(encoding="utf-8").splitlines()[1:]
    ids = [line.split(",", 1)[0] for line in lines if ",enterprise," in line]
    return random.Random(seed).sample(ids, min(count, len(ids)))


def _kind_stats(summary: Summary) -> dict[str, Any]:
    stats: dict[str, Any] = {"kind": summary.kind, "file": summary.file, "status": summary.status}
    stats |= {c: int(getattr(summary, c)) for c in COUNTS}
    stats["seconds"] = round(summary.seconds, 2)
    # Rows per second of the rows sent to the graph (what the floor writes too).
    stats["rows_per_s"] = round(summary.loaded / summary.seconds) if summary.seconds else None
    return stats


def _run_stats(
    kinds: list[dict[str, Any]], seconds: float, loader_cpu: float, neo4j_cpu: float
) -> dict[str, Any]:
    rows = sum(k["loaded"] for k in kinds)
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "loader_cpu_s": round(loader_cpu, 1),
        "neo4j_cpu_s": round(neo4j_cpu, 1),
        "rows_per_cpu_s": round(rows / (loader_cpu + neo4j_cpu)) if neo4j_cpu else None,
        "totals": {c: sum(k[c] for k in kinds) for c in COUNTS},
        "not_done": [k["file"] for k in kinds if k["status"] != "done"],
        "kinds": kinds,
    }


# --- the report -----------------------------------------------------------------------------


def _report(
    args: argparse.Namespace, generated: dict[str, Any], runs: dict[str, Any]
) -> dict[str, Any]:
    floor = {k["file"]: k for k in runs["floor"]["kinds"]}
    ratios = {}
    for kind in runs["incremental"]["kinds"]:
        plain = floor.get(kind["file"], {}).get("rows_per_s")
        if plain and kind["rows_per_s"]:
            ratios[kind["file"]] = round(kind["rows_per_s"] / plain, 2)
    overall = runs["incremental"]["rows_per_s"] / runs["floor"]["rows_per_s"]
    reload = runs["reload"]["totals"]
    return {
        "parties": args.parties,
        "increment": args.increment,
        "seed": args.seed,
        "generated_rows": generated.get("total"),
        **runs,
        "ratio_by_file": ratios,
        "ratio_all": round(overall, 2),
        "target_met_every_kind": all(r >= 0.6 for r in ratios.values()),
        # An unchanged reload must change nothing: no creates, no updates.
        "reload_changed_nothing": not (reload["created"] or reload["updated"]),
        "peak_rss_mb": peak_rss_mb(),
    }


def _print(report: dict[str, Any]) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    name = f"load-{report['parties']}-{report['increment']}-{report['seed']}.json"
    (OUT / name).write_text(text + "\n", encoding="utf-8")
    print()
    print(_markdown(report))


def _markdown(report: dict[str, Any]) -> str:
    floor = {k["file"]: k for k in report["floor"]["kinds"]}
    lines = [
        f"Incremental load of {report['increment']:,} parties' rows into a graph of "
        f"{report['parties']:,} parties (seed {report['seed']}), peak RSS "
        f"{report['peak_rss_mb']} MB",
        "",
        "| kind | rows | floor s | floor rows/s | load s | load rows/s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in report["incremental"]["kinds"]:
        plain = floor.get(kind["file"], {})
        lines.append(
            f"| {kind['kind']} | {kind['loaded']:,} | {plain.get('seconds')} "
            f"| {plain.get('rows_per_s')} | {kind['seconds']} | {kind['rows_per_s']} "
            f"| {report['ratio_by_file'].get(kind['file'])} |"
        )
    inc, plain = report["incremental"], report["floor"]
    lines.append(
        f"| **all** | {inc['rows']:,} | {plain['seconds']} | {plain['rows_per_s']} "
        f"| {inc['seconds']} | {inc['rows_per_s']} | {report['ratio_all']} |"
    )
    lines += [
        "",
        "| propagation | s | of which scope search s | mode | parties recomputed | read |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for name, run in report["propagation"].items():
        if isinstance(run, dict):
            lines.append(
                f"| {name} | {run['seconds']} | {run.get('scope_s')} | {run.get('mode')} "
                f"| {run.get('parties')} | {run.get('read')} |"
            )
    imported = report.get("import")
    if imported and "error" in imported:
        lines += ["", f"import of the base world failed: {imported['error'][-300:]}"]
    elif imported:
        lines += [
            "",
            f"import of the base world: {imported['rows']:,} rows in {imported['seconds']} s, "
            f"{imported['rows_per_s']:,} rows/s (target {imported['target_rows_per_s']:,}: "
            f"{'met' if imported['met'] else 'miss'}), peak RSS {imported['peak_rss_mib']} MiB",
        ]
    lines += ["", "| run | s | rows/s | loader CPU s | Neo4j CPU s | rows per CPU-second |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name in ("first_load", "floor", "incremental", "reload"):
        run = report[name]
        lines.append(
            f"| {name} | {run['seconds']} | {run['rows_per_s']} | {run['loader_cpu_s']} "
            f"| {run['neo4j_cpu_s']} | {run['rows_per_cpu_s']} |"
        )
    if "load_average" in report:
        start, end = report["load_average"]["start"], report["load_average"]["end"]
        lines += ["", f"load average (1, 5, 15 min): start {start}, end {end}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
