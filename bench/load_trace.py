"""A timeline of each one-record run of ``bench/load.py`` (issue 15 item 3), from a given copy
of the code: every statement with its thread, the Python phases, the collector's pauses, as
milliseconds from the start of ``runner.after_loads``.

    .venv/bin/python bench/load_trace.py CODE_DIR TIMELINE -- <bench/load.py's arguments>

``CODE_DIR`` is the version traced (a ``git archive`` copy, or the repository); its
``bench/load.py`` runs as it would alone (its JSON on stdout), each run's timeline appended to
``TIMELINE``: ``thread  what  start_ms  ms``. The wrappers add little (session 13: 0.96 s traced
against 0.99-1.22 s untraced for the same 870-party scope). ``bench/load_rounds.py --trace``
runs it.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

began = [time.perf_counter()]
events: list[tuple[str, str, float, float]] = []
collecting: list[float] = []


def mark(what: str, start: float, end: float) -> None:
    thread = threading.current_thread().name[-14:]
    events.append(
        (thread, what, round((start - began[0]) * 1000, 1), round((end - start) * 1000, 1))
    )


def wrap(owner: Any, name: str, label: str | Callable[[tuple[Any, ...]], str]) -> None:
    """Replaces ``owner.name`` by the same function timed as ``label`` (or ``label(args)``)."""
    original = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            mark(label(args) if callable(label) else label, start, time.perf_counter())

    setattr(owner, name, timed)


def _statement(args: tuple[Any, ...]) -> str:
    batch = args[2].get("batch") if isinstance(args[2], dict) else None
    size = f" n={len(batch.get('ids', batch.get('asks', [])))}" if batch else ""
    return f"q {args[1]}{size}"


def collected(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        collecting.append(time.perf_counter())
    elif collecting:
        mark(f"GC gen{info['generation']}", collecting.pop(), time.perf_counter())


def main(argv: list[str]) -> int:
    """Wraps the traced version's functions, then runs its ``bench/load.py`` (the code is
    imported from ``CODE_DIR`` only here: importing this module, as pytest's doctest
    collection does, runs nothing)."""
    code, timeline = argv[1], argv[2]
    sys.path[:0] = [code, f"{code}/bench"]
    import load  # the traced version's bench/load.py

    from graph_service.db import Database, Tx
    from graph_service.dueprocess import notices
    from graph_service.propagation import riskscope, runner, scope, store

    wrap(Database, "_managed", _statement)
    wrap(Tx, "run", lambda a: f"  tx {a[1]}")
    wrap(Database, "_execute", lambda a: f"TX {a[2]}")
    wrap(runner, "graph_from_rows", "py graph_from_rows")
    wrap(runner, "compute_measures", "py compute_measures")
    wrap(runner, "_apply", "py _apply (all writes)")
    wrap(runner, "_finish", "py _finish (+notices)")
    wrap(notices, "after_run", "py notices.after_run")
    wrap(riskscope, "update_risk", "py update_risk (all)")
    wrap(riskscope, "peripheral_risk", "py peripheral_risk")
    wrap(riskscope, "_graph", "py risk _graph")
    wrap(scope, "within", "py scope.within")
    wrap(store, "stored_measures", "py stored_measures")
    gc.callbacks.append(collected)
    after_loads, runs = runner.after_loads, [0]
    sink = open(timeline, "a", encoding="utf-8")  # open until the process ends

    def traced(*args: Any, **kwargs: Any) -> Any:
        result = None
        events.clear()
        began[0] = time.perf_counter()
        try:
            result = after_loads(*args, **kwargs)
            return result
        finally:
            total = (time.perf_counter() - began[0]) * 1000
            runs[0] += 1
            parties, read = getattr(result, "parties", None), getattr(result, "read", None)
            sink.write(f"=== run {runs[0]} total {total:.1f} ms parties {parties} read {read}\n")
            for event in sorted(events, key=lambda e: e[2]):
                thread, what, start, ms = event
                sink.write(f"{thread:<14} {what:<45} {start:8.1f} {ms:8.1f}\n")
            sink.flush()

    runner.after_loads = traced  # type: ignore[assignment]  # load.py calls it by module
    return int(load.main(argv[argv.index("--") + 1 :]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
