"""Where a workbench view's GraphQL request goes, phase by phase, in the served process (issue 13).

    .venv/bin/python bench/graphql_phases.py [--requests 600] [--warmup 50] [--parties 100000]
                                         [--scenarios wb_party_card,wb_records,wb_tie_counts]
                                         [--seed 1] [--keep-running]

``bench/graphql_api.py`` says how much longer a view's GraphQL takes than its plain statement;
this says where the difference goes. It serves this tree as ``common.serving`` does, with a
``sitecustomize`` (written to a temporary folder put on ``PYTHONPATH``) that, in the served
process only, wraps uvicorn's request cycle, the GraphQL router's ``run()``, strawberry's
``execute`` and ``_execute_operation`` and ``Context._read_now`` with timestamps, and records
CPython's collections (:func:`install`). Then it sends the scenarios' requests one at a time,
each paired with the scenario's plain statement in this process (which goes first alternates),
as ``bench/graphql_api.py`` pairs them, on the same operations. Every ``/graphql`` request leaves
one record; the script prints the median of each phase and writes every record to
``bench/out/graphql-phases-<parties>-<seed>.json``. The Neo4j and the world are the benchmark's
(home ``.credit-graph/bench``, port 7695). Sessions 12–14 of issue 13 in docs/benchmarks.md
used earlier forms of it (from ``/tmp``).

The wrappers use private names of uvicorn (``httptools_impl.RequestResponseCycle``) and
strawberry (``Schema._execute_operation``): a version that renames them fails at the start of
the served process (the service never becomes ready), it does not measure something else.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: The served process's records go to this file (set by the driver for the served process).
OUT_ENV = "GRAPHQL_PHASES_OUT"
#: The number of ``/graphql`` requests after which the served process writes its records.
COUNT_ENV = "GRAPHQL_PHASES_COUNT"

#: The phases reported: (from stamp, to stamp, label), each the median of its own durations.
PHASES = (
    ("t0", "run0", "uvicorn -> the router's run() (fast path: key, rate, context)"),
    ("run0", "ex0", "body read"),
    ("ex0", "eo0", "parse, validation (cached), hooks, audit entry queued"),
    ("eo0", "sub", "execution up to the read's hand-off"),
    ("sub", "ts", "hand-off to the worker thread"),
    ("ts", "te", "the read in the thread"),
    ("te", "back", "back to the loop"),
    ("back", "eo1", "completing the fields after the read"),
    ("eo1", "end", "closing hooks, the response, send"),
    ("t0", "end", "total in the server"),
)

_DEFAULT_SCENARIOS = "wb_party_card,wb_records,wb_tie_counts"


def main(argv: Sequence[str] | None = None) -> int:
    """Serves this tree with the recorder, sends the pairs, prints and writes the report."""
    args = _arguments(argv)
    from common import OUT, neo4j_settings, running_neo4j
    from graphql_api import _chosen, _scenarios

    scenarios, names = _scenarios(), _chosen(args)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    with tempfile.TemporaryDirectory(prefix="graphql-phases-") as folder:
        site, records = Path(folder), Path(folder) / "records.json"
        (site / "sitecustomize.py").write_text(_SITECUSTOMIZE.format(bench=_bench()), "utf-8")
        sent = (args.warmup + args.requests) * len(names)
        with running_neo4j(settings, args.keep_running):
            pairs = _serve_and_send(args, settings, scenarios, names, site, records, sent)
            served = json.loads(records.read_text("utf-8"))
    report = {
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "scenarios": [_summary(name, pairs, served["requests"]) for name in names],
        "collections": served["collections"],
        "pairs": pairs,
        "requests": served["requests"],
    }
    out = OUT / f"graphql-phases-{args.parties}-{args.seed}.json"
    out.write_text(json.dumps(report), encoding="utf-8")
    print(_table(report["scenarios"]))
    print(f"written: {out}")
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    from common import add_neo4j_arguments

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the world and the parties")
    parser.add_argument("--requests", type=int, default=600, help="measured pairs a scenario")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured pairs first")
    parser.add_argument(
        "--scenarios", default=_DEFAULT_SCENARIOS, help="comma-separated scenario names or suites"
    )
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


def _bench() -> str:
    return str(Path(__file__).resolve().parent)


def _serve_and_send(
    args: argparse.Namespace,
    settings: Any,
    scenarios: dict[str, Any],
    names: list[str],
    site: Path,
    records: Path,
    sent: int,
) -> list[dict[str, Any]]:
    """Serves with the recorder, sends every pair; the pairs as the client measured them."""
    import httpx
    from common import API_KEY_HEADER, bench_registry, serving
    from graphql_api import prepared

    from graph_service.db import Database

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), os.getenv("PYTHONPATH")]))
    os.environ[OUT_ENV], os.environ[COUNT_ENV] = str(records), str(sent)
    with Database(settings, bench_registry()) as db:
        plans, key = prepared(db, args, __file__)
        with serving(args.home, args.neo4j_port) as server:
            with httpx.Client(base_url=server.url, headers={API_KEY_HEADER: key}) as client:
                pairs = [
                    pair
                    for name in names
                    for pair in _pairs(args, client, db, name, scenarios[name], plans[name])
                ]
            _wait_for(records)
    return pairs


def _pairs(
    args: argparse.Namespace,
    client: Any,
    db: Any,
    name: str,
    scenario: Any,
    operations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One scenario's pairs, warm-up included (marked), in the order they were sent."""
    pairs = []
    for number in range(args.warmup + args.requests):
        op = operations[number % len(operations)]
        plain = {k: date.fromisoformat(v) if k == "on" and v else v for k, v in op["plain"].items()}
        body = {"query": scenario.query, "variables": op["variables"]}
        timed: dict[str, float] = {}
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("graphql", lambda body=body: _posted(client, body)),
            ("plain", lambda plain=plain: db.read_plain(scenario.plain, **plain)),
        ]
        for side, step in steps if number % 2 == 0 else steps[::-1]:
            started = time.perf_counter()
            step()
            timed[side] = (time.perf_counter() - started) * 1000
        pairs.append({"scenario": name, "warmup": number < args.warmup, **timed})
    return pairs


def _posted(client: Any, body: dict[str, Any]) -> None:
    response = client.post("/graphql", json=body)
    if response.status_code != 200 or b'"errors"' in response.content:
        raise SystemExit(f"error: GraphQL answered {response.status_code}: {response.text[:200]}")


def _wait_for(records: Path, timeout_s: float = 30.0) -> None:
    """Waits until the served process has written its records (it does after the last)."""
    deadline = time.monotonic() + timeout_s
    while not records.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not records.exists():
        raise SystemExit("error: the served process wrote no phases (is the recorder loaded?)")


def _summary(
    name: str, pairs: list[dict[str, Any]], requests: list[dict[str, float]]
) -> dict[str, Any]:
    """The medians of one scenario's measured pairs and of its requests' phases."""
    chosen = [i for i, p in enumerate(pairs) if p["scenario"] == name and not p["warmup"]]
    phases = {
        label: phase_median([requests[i] for i in chosen], start, end)
        for start, end, label in PHASES
    }
    outside = [
        pairs[i]["graphql"] - 1000 * (requests[i]["end"] - requests[i]["t0"]) for i in chosen
    ]
    return {
        "scenario": name,
        "pairs": len(chosen),
        "graphql_p50_ms": round(statistics.median(pairs[i]["graphql"] for i in chosen), 3),
        "plain_p50_ms": round(statistics.median(pairs[i]["plain"] for i in chosen), 3),
        "outside_the_server_p50_ms": round(statistics.median(outside), 3),
        "phases_p50_ms": phases,
        "read_thread_cpu_p50_ms": phase_median([requests[i] for i in chosen], "rc0", "rc1"),
        "loop_thread_cpu_p50_ms": phase_median([requests[i] for i in chosen], "cpu0", "cpu1"),
    }


def phase_median(records: Sequence[dict[str, float]], start: str, end: str) -> float | None:
    """The median in ms of ``end - start`` over the records that have both stamps (seconds).

    >>> phase_median([{"a": 1.0, "b": 1.002}, {"a": 2.0, "b": 2.004}, {"a": 3.0}], "a", "b")
    3.0
    >>> phase_median([{"a": 1.0}], "a", "b") is None
    True
    """
    spans = [1000 * (r[end] - r[start]) for r in records if start in r and end in r]
    return round(statistics.median(spans), 3) if spans else None


def _table(summaries: Sequence[dict[str, Any]]) -> str:
    head = "| phase (p50 ms) | " + " | ".join(s["scenario"] for s in summaries) + " |"
    lines = [head, "|---|" + "---:|" * len(summaries)]
    rows = [
        ("outside the server (client, TCP, uvicorn before the app)", "outside_the_server_p50_ms"),
        *((label, label) for _, _, label in PHASES),
        ("the read thread's CPU", "read_thread_cpu_p50_ms"),
        ("the event loop thread's CPU", "loop_thread_cpu_p50_ms"),
        ("GraphQL, client side", "graphql_p50_ms"),
        ("plain statement, client side", "plain_p50_ms"),
    ]
    for label, key in rows:
        cells = [s["phases_p50_ms"].get(key) if key == label else s.get(key) for s in summaries]
        lines.append(f"| {label} | " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


# --- in the served process -------------------------------------------------------------------

_SITECUSTOMIZE = """\
# Written by bench/graphql_phases.py: loads its recorder in `credit-graph serve` only.
import sys
if "serve" in sys.argv:
    sys.path.insert(0, {bench!r})
    import graphql_phases
    graphql_phases.install()
"""


def install() -> None:
    """Wraps the request path with timestamps (see the module); records go to ``OUT_ENV``."""
    import uvicorn.protocols.http.httptools_impl as httptools_impl
    from strawberry.schema.schema import Schema

    from graph_service.gql.context import Context
    from graph_service.gql.endpoint import ServiceGraphQLRouter

    recorder = _Recorder(Path(os.environ[OUT_ENV]), int(os.environ[COUNT_ENV]))
    cycle = httptools_impl.RequestResponseCycle
    cycle.run_asgi = recorder.request(cycle.run_asgi)
    ServiceGraphQLRouter.run = recorder.span(ServiceGraphQLRouter.run, "run0", "run1")
    Schema.execute = recorder.span(Schema.execute, "ex0", "ex1")
    Schema._execute_operation = recorder.span(Schema._execute_operation, "eo0", "eo1")
    Context._read_now = recorder.read()
    gc.callbacks.append(recorder.collection)
    atexit.register(recorder.write)


class _Recorder:
    """The served process's stamps: one dict a ``/graphql`` request (one request at a time)."""

    def __init__(self, out: Path, count: int) -> None:
        self.out, self.count = out, count
        self.requests: list[dict[str, float]] = []
        self.current: dict[str, float] = {}
        self.collections: list[dict[str, Any]] = []
        self._collecting: tuple[float, float] | None = None

    def mark(self, stamp: str) -> None:
        self.current.setdefault(stamp, time.perf_counter())

    def request(self, run_asgi: Callable[..., Any]) -> Callable[..., Any]:
        async def timed(cycle: Any, app: Any) -> Any:
            if cycle.scope.get("path") != "/graphql":
                return await run_asgi(cycle, app)
            self.current = {"t0": time.perf_counter(), "cpu0": time.thread_time()}
            try:
                return await run_asgi(cycle, app)
            finally:
                self.current |= {"end": time.perf_counter(), "cpu1": time.thread_time()}
                self.requests.append(self.current)
                if len(self.requests) == self.count:
                    self.write()

        return timed

    def span(self, method: Callable[..., Any], first: str, last: str) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            self.mark(first)
            try:
                return await method(*args, **kwargs)
            finally:
                self.mark(last)

        return timed

    def read(self) -> Callable[..., Any]:
        """A ``Context._read_now`` that reads as the service's does (``Database.read_plain`` in a
        thread through ``asyncio.to_thread``, with the GraphQL query timeout), stamping the
        read's hand-off, its start and end in the thread, that thread's CPU, and its return."""
        import asyncio

        async def timed(context: Any, name: str, params: dict[str, Any]) -> Any:
            self.mark("sub")
            timeout = context.settings.graphql_query_timeout_s

            def in_thread() -> Any:
                self.mark("ts")
                self.current.setdefault("rc0", time.thread_time())
                try:
                    return context.db.read_plain(name, timeout_s=timeout, **params)
                finally:
                    self.current.setdefault("rc1", time.thread_time())
                    self.mark("te")

            rows = await asyncio.to_thread(in_thread)
            self.mark("back")
            return rows

        return timed

    def collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._collecting = (time.perf_counter(), time.thread_time())
        elif self._collecting is not None:
            started, cpu = self._collecting
            self.collections.append({
                "at": started, "ms": 1000 * (time.perf_counter() - started),
                "cpu_ms": 1000 * (time.thread_time() - cpu), "generation": info["generation"],
                "collected": info["collected"], "thread": threading.current_thread().name,
            })  # fmt: skip

    def write(self) -> None:
        data = {"requests": self.requests, "collections": self.collections}
        self.out.write_text(json.dumps(data), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
