"""GraphQL benchmark (issue 6): latency of the investigator API on a synthetic world.

    .venv/bin/python bench/graphql_api.py [--parties 100000] [--seed 1] [--requests 500]
                                      [--seconds 60] [--concurrency 1] [--keep-running]

1. generates the world with ``credit-graph demo-data`` unless ``bench/out/world-<parties>-<seed>``
   is there, starts the benchmark's embedded Neo4j (home ``.credit-graph/bench``, port 7695, the
   same as bench/load.py) and loads the world if the graph holds fewer parties than asked;
2. samples parties and name fragments, creates an investigator API key, and starts
   ``credit-graph serve`` on a free loopback port in a child process;
3. for each scenario runs a separate load-generator process (this script with ``--drive``)
   that sends ``--requests`` operations (at most ``--seconds``) after a warm-up, and reports
   the latency percentiles;
4. prints JSON and a markdown table against the targets, and writes the JSON to
   ``bench/out/graphql-<parties>-<seed>.json``.

Targets (issue 6, on the 100,000-party world): party by id with measures and 1-hop
neighbours p99 ≤ 30 ms; 2-hop neighbourhood capped at 500 nodes p99 ≤ 150 ms; shortest paths
up to 6 hops p99 ≤ 200 ms; name search p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    API_KEY_HEADER,
    OUT,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    neo4j_settings,
    percentiles,
    run_driver,
    running_neo4j,
    serving,
)

PARTY = """query ($id: String!) { party(id: $id) { ... on Party { id name riskScore
  measures { measure origin explanation }
  neighbours(depth: 1) { ... on GraphView { truncated nodes { id kind label }
                                            edges { id source target type label } } } } } }"""
HOP2 = """query ($id: String!) { party(id: $id) { ... on Party {
  neighbours(depth: 2, maxNodes: 500) { ... on GraphView { truncated nodes { id kind label depth }
                                        edges { id source target type label } } } } } }"""
PATHS = """query ($id: String!, $to: String!) { party(id: $id) { ... on Party {
  paths(to: $to, maxHops: 6) { ... on Connections { length truncated
    paths { nodes { id } edges { type } } } } } } }"""
SEARCH = """query ($text: String!) { searchParties(text: $text, first: 20) {
  ... on SearchHitConnection { pageInfo { hasNextPage } nodes { score party { id name } } } } }"""

#: scenario → (query, p99 target in ms)
SCENARIOS = {
    "party_measures_1hop": (PARTY, 30.0),
    "neighbours_2hop_500": (HOP2, 150.0),
    "shortest_paths_6": (PATHS, 200.0),
    "name_search": (SEARCH, 50.0),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--drive``, one load generator); returns the exit code."""
    args = _arguments(argv)
    if args.drive:
        return _drive(args)
    return _orchestrate(args)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests first")
    parser.add_argument("--seconds", type=float, default=60.0, help="time cap per scenario")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel clients")
    add_neo4j_arguments(parser)
    # the load generator (child process)
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- orchestration (parent process) ---------------------------------------------------------


def _orchestrate(args: argparse.Namespace) -> int:
    from graph_service import migrations
    from graph_service.db import Database

    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    with running_neo4j(settings, args.keep_running):
        with Database(settings, bench_registry()) as db:
            migrations.migrate(db)
            ensure_world(db, args.parties, args.seed, "graphql")
            plans = _plans(db, args)
            key, _ = create_key(db, "investigator", __file__)
        with serving(args.home, args.neo4j_port) as server:
            results = {n: _run_driver(args, server.url, key, n, plans[n]) for n in SCENARIOS}
    _report(args, results)
    return 0


def _plans(db: Any, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """The operations each scenario cycles through, from a random sample of parties."""
    rng = random.Random(args.seed)
    sample = db.read("meta/bench_graphql_sample", limit=400)
    if len(sample) < 10:
        raise SystemExit("error: the graph holds too few connected parties to benchmark")
    ids = [row["id"] for row in sample]
    names = [row["name"] for row in sample if row["kind"] == "company"] or [sample[0]["name"]]
    return {
        "party_measures_1hop": [{"id": i} for i in ids],
        "neighbours_2hop_500": [{"id": i} for i in ids],
        "shortest_paths_6": [{"id": a, "to": b} for a, b in _pairs(rng, ids)],
        "name_search": [{"text": _fragment(rng, n)} for n in names],
    }


def _pairs(rng: random.Random, ids: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(len(ids)):
        a, b = rng.sample(ids, 2)
        pairs.append((a, b))
    return pairs


def _fragment(rng: random.Random, name: str) -> str:
    """A 2–4 character piece of a name, as an investigator would type it."""
    size = min(len(name), rng.choice((2, 3, 4)))
    start = rng.randrange(0, len(name) - size + 1)
    return name[start : start + size]


def _run_driver(
    args: argparse.Namespace, url: str, key: str, scenario: str, operations: list[dict[str, Any]]
) -> dict[str, Any]:
    """One load-generator process for one scenario; its JSON report."""
    plan = {"scenario": scenario, "key": key, "operations": operations}
    options = ["--url", url, "--requests", str(args.requests), "--warmup", str(args.warmup),
               "--seconds", str(args.seconds), "--concurrency", str(args.concurrency)]  # fmt: skip
    return run_driver(__file__, plan, options, timeout_s=args.seconds * 2 + 120)


# --- load generator (child process) ---------------------------------------------------------


def _drive(args: argparse.Namespace) -> int:
    """Sends the plan's operations and prints latency percentiles as JSON."""
    import httpx

    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    query, target = SCENARIOS[plan["scenario"]]
    operations = plan["operations"]
    headers = {API_KEY_HEADER: plan["key"]}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    counter = iter(range(args.warmup + args.requests))

    def worker() -> None:
        with httpx.Client(base_url=args.url, headers=headers, timeout=30) as client:
            for n in counter:
                if time.monotonic() > deadline:
                    return
                variables = operations[n % len(operations)]
                took, problem = _one(client, query, variables)
                if n >= args.warmup:
                    with lock:
                        latencies.append(took)
                        if problem:
                            errors.append(problem)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(_summary(plan["scenario"], latencies, errors, target, args.concurrency)))
    return 0


def _one(client: Any, query: str, variables: dict[str, Any]) -> tuple[float, str | None]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return took, f"HTTP {response.status_code}"
    body = response.json()
    if body.get("errors"):
        return took, str(body["errors"][0].get("message"))[:200]
    return took, None


def _summary(
    scenario: str, latencies: list[float], errors: list[str], target: float, concurrency: int
) -> dict[str, Any]:
    stats = percentiles(latencies)
    return {
        "scenario": scenario,
        "requests": len(latencies),
        "concurrency": concurrency,
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:5],
        **stats,
        "target_p99_ms": target,
        "met": bool(latencies) and not errors and (stats["p99_ms"] or 0) <= target,
    }


# --- report ---------------------------------------------------------------------------------


def _report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    report = {"parties": args.parties, "seed": args.seed, "scenarios": results}
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"graphql-{args.parties}-{args.seed}.json").write_text(text + "\n", encoding="utf-8")
    print()
    print(
        f"GraphQL benchmark: {args.parties:,} parties (seed {args.seed}), "
        f"concurrency {args.concurrency}"
    )
    print()
    print("| scenario | requests | errors | p50 ms | p95 ms | p99 ms | target p99 | met |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results.values():
        print(
            f"| {r['scenario']} | {r['requests']} | {r['errors']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['p99_ms']} | {r['target_p99_ms']} "
            f"| {'yes' if r['met'] else 'NO'} |"
        )


if __name__ == "__main__":
    sys.exit(main())
