"""Two versions of the service side by side (issue 13): which answers the workbench's GraphQL
faster, request by request.

    .venv/bin/python bench/graphql_pairs.py --b DIR [--a DIR] [--requests 400] [--warmup 40]
                                        [--scenarios wb_party_card,wb_records,...] [--seed 1]
                                        [--parties 100000] [--keep-running]

``bench/graphql_api.py`` measures one version's GraphQL against plain Cypher. Two versions
measured by two of its runs, minutes apart, differ by whatever the machine did between the runs
as much as by their code: on this shared machine a light view's p50 moved more between such
runs than a change of 0.1–0.5 ms a request could (docs/benchmarks.md, issue 13, session 13).
Here both versions are served at once, against the same Neo4j: ``--a`` (default: this tree)
and ``--b`` (another tree, e.g. ``git archive <commit> | tar -x -C DIR``). Each request goes to
both, in random order, so both see the same moment; the figure is the **median of the pairs'
differences (B − A)**. Run it once with ``--b`` the same tree as ``--a`` (an A/A control): the
spread of that median is what a difference must exceed to count.

Every pair's two answers are compared byte for byte and counted when they differ: two versions
may differ in what an answer costs, never in the answer. The Neo4j and the world are
``bench/graphql_api.py``'s (home ``.credit-graph/bench``, port 7695); both services run with the
benchmarks' settings (``common.serving``) from that one home, as a service's workers do: its
local audit log, decision snapshot and host locks are shared, so compare only versions whose
stored formats agree (a version that changes one of them needs a home of its own). Prints a
markdown table and writes the JSON to ``bench/out/graphql-pairs-<parties>-<seed>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    API_KEY_HEADER,
    OUT,
    ROOT,
    add_neo4j_arguments,
    bench_registry,
    neo4j_settings,
    percentiles,
    running_neo4j,
    serving,
)
from graphql_api import _chosen, _scenarios, prepared

#: The light views whose per-request cost the pairs are for (the workbench's first requests).
DEFAULT_SCENARIOS = "wb_party_card,wb_records,wb_tie_counts,wb_neighbours,wb_case"


def main(argv: Sequence[str] | None = None) -> int:
    """Serves both versions, sends the pairs, prints and writes the report."""
    args = _arguments(argv)
    from graph_service.db import Database

    scenarios, names = _scenarios(), _chosen(args)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    with running_neo4j(settings, args.keep_running):
        with Database(settings, bench_registry()) as db:
            plans, key = prepared(db, args, __file__)
        with ExitStack() as stack:
            servers = {
                side: stack.enter_context(serving(args.home, args.neo4j_port, source=tree))
                for side, tree in (("A", args.a), ("B", args.b))
            }
            clients = {side: _client(stack, server.url, key) for side, server in servers.items()}
            rng = random.Random(args.seed)
            results = [
                _pairs(args, rng, clients, name, scenarios[name].query, plans[name])
                for name in names
            ]
    report = {
        "a": str(args.a),
        "b": str(args.b),
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "scenarios": results,
    }
    out = OUT / f"graphql-pairs-{args.parties}-{args.seed}.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(_table(results))
    print(f"written: {out}")
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, default=ROOT, help="tree of version A (default: this)")
    parser.add_argument("--b", type=Path, required=True, help="tree of version B")
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the world and the order")
    parser.add_argument("--requests", type=int, default=400, help="measured pairs a scenario")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured pairs first")
    parser.add_argument(
        "--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated scenario names or suites"
    )
    add_neo4j_arguments(parser)
    args = parser.parse_args(argv)
    for tree in (args.a, args.b):
        if not (tree / "graph_service" / "__init__.py").is_file():
            raise SystemExit(f"error: {tree} is not a tree of the service (no graph_service/)")
    return args


def _client(stack: ExitStack, url: str, key: str) -> Any:
    import httpx

    return stack.enter_context(httpx.Client(base_url=url, headers={API_KEY_HEADER: key}))


def _pairs(
    args: argparse.Namespace,
    rng: random.Random,
    clients: dict[str, Any],
    name: str,
    query: str,
    operations: list[dict[str, Any]],
) -> dict[str, Any]:
    """One scenario: warm-up, then ``--requests`` pairs, each request to both in random order."""
    times: dict[str, list[float]] = {"A": [], "B": []}
    differed = 0
    load_before = os.getloadavg()[0]
    for number in range(args.warmup + args.requests):
        body = {"query": query, "variables": operations[number % len(operations)]["variables"]}
        answers = {}
        for side in rng.sample(sorted(clients), 2):
            started = time.perf_counter()
            response = clients[side].post("/graphql", json=body)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"error: {name}: {side} answered {response.status_code}")
            answers[side] = response.content
            if number >= args.warmup:
                times[side].append(elapsed_ms)
        differed += answers["A"] != answers["B"]
    return {
        "scenario": name,
        "pairs": args.requests,
        "answers_differed": differed,
        "a": percentiles(times["A"]),
        "b": percentiles(times["B"]),
        "median_b_minus_a_ms": round(paired_median(times["A"], times["B"]), 3),
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def paired_median(a: Sequence[float], b: Sequence[float]) -> float:
    """The median of the pairs' differences ``b - a`` (each pair measured at one moment).

    >>> paired_median([1.0, 5.0, 2.0], [1.5, 5.25, 3.0])
    0.5
    """
    return statistics.median(y - x for x, y in zip(a, b, strict=True))


def _table(results: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| scenario | pairs | A p50 / p95 ms | B p50 / p95 ms | median B − A ms | differed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        a, b = r["a"], r["b"]
        lines.append(
            f"| {r['scenario']} | {r['pairs']} | {a['p50_ms']} / {a['p95_ms']} | "
            f"{b['p50_ms']} / {b['p95_ms']} | {r['median_b_minus_a_ms']:+} | "
            f"{r['answers_differed']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
