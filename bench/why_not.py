"""Why-not benchmark (issue #17): how long ``GET /v1/parties/{id}/why-not`` takes.

    .venv/bin/python bench/why_not.py [--requests 500] [--warmup 50] [--seed 1]

On the benchmark's own Neo4j (home ``.credit-graph/bench``, port 7695: the 100,000-party world
``bench/graphql_api.py`` uses, loaded and propagated there) it serves the API in a child process
(``credit-graph serve``, one worker), makes an investigator key, and asks why-not one request
at a time for parties drawn with the seed from the named parties with ties (the workbench's
candidates), each in a context drawn from the catalog's contexts. ``GET /healthz`` on the same
server, alternated with the why-not requests, is the floor of the HTTP stack. The issue's
target: why-not p99 ≤ 100 ms. Prints a markdown table and writes JSON to
``bench/out/why-not-<seed>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_service.db import Database  # noqa: E402
from graph_service.policy.catalog import catalog_in_force  # noqa: E402
from graph_service.security.auth import API_KEY_HEADER  # noqa: E402

TARGET_P99_MS = 100.0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    settings = common.neo4j_settings(args.home, args.neo4j_port)
    rng = random.Random(args.seed)
    load_before = os.getloadavg()
    with common.running_neo4j(settings, args.keep_running):
        with Database(settings, common.bench_registry()) as db:
            parties = common.seeded_sample(
                db, "meta/bench_workbench_parties", args.requests + args.warmup, rng
            )
            key, _ = common.create_key(db, "investigator", __file__)
        contexts = list(catalog_in_force(settings).contexts)
        asks = [(p["id"], rng.choice(contexts)) for p in parties]
        with common.serving(args.home, args.neo4j_port) as server:
            timings = _measure(server.url, key, asks, args.warmup)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "requests": len(timings["why_not"]),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "why_not": common.percentiles(timings["why_not"]),
        "healthz": common.percentiles(timings["healthz"]),
        "statuses": timings["statuses"],
        "facts": timings["facts"],
    }
    out = common.OUT / f"why-not-{args.seed}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(_table(result))
    return 0


def _measure(url: str, key: str, asks: list[tuple[str, str]], warmup: int) -> dict[str, Any]:
    """Why-not for each (party, context), each followed by a /healthz; the first ``warmup``
    pairs are not counted."""
    found: dict[str, Any] = {"why_not": [], "healthz": [], "statuses": {}, "facts": 0}
    with httpx.Client(base_url=url, headers={API_KEY_HEADER: key}, timeout=60) as client:
        for i, (party, context) in enumerate(asks):
            started = time.perf_counter()
            answer = client.get(f"/v1/parties/{party}/why-not", params={"context": context})
            took = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            client.get("/healthz")
            floor = (time.perf_counter() - started) * 1000
            if i < warmup:
                continue
            status = str(answer.status_code)
            found["statuses"][status] = found["statuses"].get(status, 0) + 1
            if answer.status_code == 200:
                found["facts"] += len(answer.json().get("facts", []))
            found["why_not"].append(took)
            found["healthz"].append(floor)
    return found


def _table(result: dict[str, Any]) -> str:
    why, floor = result["why_not"], result["healthz"]
    met = why["p99_ms"] is not None and why["p99_ms"] <= TARGET_P99_MS
    return "\n".join(
        [
            f"{result['date']}, load average {result['load_average_before']} → "
            f"{result['load_average_after']}; statuses {result['statuses']}; "
            f"facts returned {result['facts']}",
            "",
            "| request | n | p50 ms | p95 ms | p99 ms | max ms | target | verdict |",
            "|---|---:|---:|---:|---:|---:|---|---|",
            f"| why-not | {result['requests']} | {why['p50_ms']} | {why['p95_ms']} | "
            f"{why['p99_ms']} | {why['max_ms']} | p99 ≤ 100 ms | {'met' if met else '**miss**'} |",
            f"| /healthz (the stack's floor) | {result['requests']} | {floor['p50_ms']} | "
            f"{floor['p95_ms']} | {floor['p99_ms']} | {floor['max_ms']} | | |",
        ]
    )


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="measured requests")
    parser.add_argument("--warmup", type=int, default=50, help="requests not counted")
    parser.add_argument("--seed", type=int, default=1, help="which parties and contexts")
    common.add_neo4j_arguments(parser)
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(main())
