"""GraphQL benchmark (issues 6 and 13): the investigator API against plain Cypher, side by side.

    .venv/bin/python bench/graphql_api.py [--parties 100000] [--seed 1] [--requests 500]
                                      [--runs 3] [--scenarios NAME,...] [--seconds 120]
                                      [--keep-running]

1. generates the world with ``credit-graph demo-data`` unless ``bench/out/world-<parties>-<seed>``
   is there, starts the benchmark's embedded Neo4j (home ``.credit-graph/bench``, port 7695, the
   same as bench/load.py) and loads the world if the graph holds fewer parties than asked;
2. samples parties, companies, cases and name fragments, creates an investigator API key, and
   starts ``credit-graph serve`` on a free loopback port in a child process;
3. for each scenario runs a separate load-generator process (this script with ``--drive``)
   that, after a warm-up, alternates one GraphQL request over HTTP with the scenario's ONE
   plain Cypher statement over Bolt returning the same rows (``bench/cypher/graphql/``, run
   with the project's own driver wrapper, ``Database.read_plain``), for ``--requests`` pairs
   (at most ``--seconds``); which of the two goes first alternates, so that both see the same
   machine; it checks that both answers agree (a count or the ids each scenario names);
4. repeats that ``--runs`` times, in rounds (every scenario once, then every scenario again),
   so that each scenario's runs lie minutes apart and see whatever else the machine did then;
5. reads the service's own time per named query (``/metrics``) before and after each
   run, prints JSON and a markdown table, and writes the JSON to
   ``bench/out/graphql-<parties>-<seed>.json``.

The ratio (why several runs): on a shared machine the p99 of a few hundred pairs is the third
or fifth worst request, and moves with whatever ran beside it — the plain side's p99 alone
swung 5–100 ms between runs minutes apart (docs/benchmarks.md, issue 13). Each pair's two
requests run back to back, so both sides of a run see the same load; the report gives each
run's p99 ratio, their median and spread (min–max), and the ratio of the p99s of all runs'
pairs pooled. A scenario meets the 1.5 target only when the median of its runs' ratios AND
the pooled ratio do; the spread says how far one run can be trusted. The excess at p50
(GraphQL p50 − plain p50 per run) is reported beside it: the per-request cost of the layer,
which the load moves much less than a p99.

Two suites of scenarios:

- ``workbench`` (issue 13): the GraphQL documents the workbench page sends, read from
  ``graph_service/web/static/app/queries.js`` so that the benchmark sends exactly what the page
  does, with the variables the page uses. Target: each GraphQL p99 ≤ 1.5 × the plain p99.
- ``issue6``: party with measures and 1 hop (p99 ≤ 30 ms), 2 hops capped at 500 nodes
  (≤ 150 ms), shortest paths up to 6 hops (≤ 200 ms), name search (≤ 50 ms); their ratio to
  plain Cypher is reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from common import (
    API_KEY_HEADER,
    OUT,
    ROOT,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    neo4j_settings,
    percentiles,
    query_seconds,
    run_driver,
    running_neo4j,
    seeded_sample,
    serving,
)

#: GraphQL p99 over plain Cypher p99 that issue 13 accepts.
RATIO_TARGET = 1.5
#: The workbench's GraphQL documents.
QUERIES_JS = ROOT / "graph_service" / "web" / "static" / "app" / "queries.js"
#: Relationship types the workbench draws when a party opens (graph.js RELATION_TYPES).
ALL_TYPES = ["HOLDS_SHARES", "OFFICER_OF", "LEGAL_REP_OF", "BRANCH_OF", "EMPLOYED_AT",
             "SHARES_CONTACT", "PARTY_TO", "HANDLED", "INTERVENED_IN", "HEARD_BY"]  # fmt: skip
#: Default types of ``paths`` (graph_service/gql/relations.py PATH_TYPES).
PATH_TYPES = ["HOLDS_SHARES", "OFFICER_OF", "LEGAL_REP_OF", "BRANCH_OF", "SHARES_CONTACT"]
#: The workbench draws at most 2 × 20 ties when a party opens: maxNodes = 40 + the party.
OPEN_MAX_NODES = 41
#: A breadth-first step reads at most 4 × maxNodes rows, plus one to see truncation.
STEP_ROWS = 4

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

Signature = Callable[[Any], Any]


@dataclass(frozen=True)
class Scenario:
    """A GraphQL document, its plain Cypher counterpart and how to tell their answers agree.

    ``answer`` maps the GraphQL ``data`` and ``rows`` the plain rows to comparable values
    (None: not compared for that operation).
    """

    suite: str
    query: str
    plain: str
    answer: Signature
    rows: Signature
    target_p99_ms: float | None = None


def workbench_documents(path: Path = QUERIES_JS) -> dict[str, str]:
    """The GraphQL documents of the workbench by their name in queries.js, fragments inlined.

    >>> docs = workbench_documents()
    >>> sorted(docs)[:3], "fragment WorkbenchNode" in docs["NEIGHBOURS"]
    (['CASE', 'NEIGHBOURS', 'OWNERSHIP'], True)
    """
    text = path.read_text(encoding="utf-8")
    found = dict(re.findall(r"^(?:export )?const (\w+) = `(.*?)`;", text, re.S | re.M))
    fragments = {k: v for k, v in found.items() if not v.lstrip().startswith("query")}
    documents = {}
    for name, body in found.items():
        if name in fragments:
            continue
        for fragment, fragment_text in fragments.items():
            body = body.replace("${" + fragment + "}", fragment_text)
        if "${" in body:
            raise SystemExit(f"error: {path.name}: {name} uses a value this benchmark cannot fill")
        documents[name] = body
    return documents


def _tie_count(data: dict[str, Any], kind: str, direction: str) -> tuple[int]:
    """One count of ``Party.tieCounts`` in a workbench answer (0 when not listed)."""
    counts = _party(data)["tieCounts"]
    found = [c["count"] for c in counts if c["type"] == kind and c["direction"] == direction]
    return (found[0] if found else 0,)


def _party(data: Any) -> Any:
    return (data or {}).get("party") or {}


def _scenarios() -> dict[str, Scenario]:
    wb = workbench_documents()
    return {
        "party_measures_1hop": Scenario(
            "issue6", PARTY, "graphql/party_1hop",
            lambda d: len(_party(d)["measures"]),
            lambda rows: len(rows[0]["measures"]),
            target_p99_ms=30.0,
        ),
        "neighbours_2hop_500": Scenario(
            "issue6", HOP2, "graphql/hop2",
            lambda d: None, lambda rows: None,
            target_p99_ms=150.0,
        ),
        "shortest_paths_6": Scenario(
            "issue6", PATHS, "graphql/paths_ids",
            lambda d: len(_party(d)["paths"]["paths"]),
            lambda rows: min(len(rows), 20),
            target_p99_ms=200.0,
        ),
        "name_search": Scenario(
            "issue6", SEARCH, "graphql/search_names",
            lambda d: [n["party"]["id"] for n in d["searchParties"]["nodes"]],
            lambda rows: [r["id"] for r in rows[:20]],
            target_p99_ms=50.0,
        ),
        "wb_party_card": Scenario(
            "workbench", wb["PARTY_CARD"], "graphql/party_card",
            lambda d: (len(_party(d)["measures"]), _party(d)["cases"]["totalCount"]),
            lambda rows: (len(rows[0]["measures"]), rows[0]["case_count"]),
        ),
        "wb_records": Scenario(
            "workbench", wb["RECORDS"], "graphql/records",
            lambda d: _party(d)["records"]["totalCount"],
            lambda rows: rows[0]["total"] if rows else 0,
        ),
        "wb_neighbours": Scenario(
            "workbench", wb["NEIGHBOURS"], "graphql/neighbours",
            lambda d: sorted(n["id"] for n in _party(d)["neighbours"]["nodes"])
            if not _party(d)["neighbours"]["truncated"] else None,
            lambda rows: sorted(n["props"].get("party_id") or n["props"]["case_no"]
                                for n in rows[0]["nodes"]),
        ),
        "wb_tie_counts": Scenario(
            "workbench", wb["TIE_COUNTS"], "graphql/tie_counts",
            lambda d: _tie_count(d, "PARTY_TO", "OUT") + _tie_count(d, "HOLDS_SHARES", "OUT"),
            lambda rows: (rows[0]["cases"], rows[0]["holdings"]),
        ),
        "wb_paths": Scenario(
            "workbench", wb["PATHS"], "graphql/paths",
            lambda d: len(_party(d)["paths"]["paths"]),
            lambda rows: min(len(rows), 20),
        ),
        "wb_ownership": Scenario(
            "workbench", wb["OWNERSHIP"], "graphql/ownership",
            lambda d: len(_party(d)["ownershipTree"]["entries"]),
            lambda rows: len(rows[0]["chains"]),
        ),
        "wb_case": Scenario(
            "workbench", wb["CASE"], "graphql/case",
            lambda d: (d["case"]["parties"]["totalCount"], d["case"]["officials"]["totalCount"]),
            lambda rows: (rows[0]["party_total"], rows[0]["official_total"]),
        ),
        "wb_search": Scenario(
            "workbench", wb["SEARCH"], "graphql/search",
            lambda d: [n["party"]["id"] for n in d["searchParties"]["nodes"]],
            lambda rows: [r["props"]["party_id"] for r in rows[:20]],
        ),
    }  # fmt: skip


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
    parser.add_argument("--requests", type=int, default=500, help="measured pairs per run")
    parser.add_argument("--runs", type=int, default=3, help="runs of every scenario, in rounds")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured pairs first")
    parser.add_argument("--seconds", type=float, default=120.0, help="time cap per scenario")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel clients")
    parser.add_argument(
        "--scenarios", default="", help="comma-separated scenario names or suites (default: all)"
    )
    add_neo4j_arguments(parser)
    # the load generator (child process)
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _chosen(args: argparse.Namespace) -> list[str]:
    scenarios = _scenarios()
    wanted = [w for w in args.scenarios.split(",") if w]
    if not wanted:
        return list(scenarios)
    names = [n for n, s in scenarios.items() if n in wanted or s.suite in wanted]
    unknown = set(wanted) - set(names) - {s.suite for s in scenarios.values()}
    if unknown or not names:
        raise SystemExit(f"error: unknown scenarios {sorted(unknown)}; known: {list(scenarios)}")
    return names


# --- orchestration (parent process) ---------------------------------------------------------


def _orchestrate(args: argparse.Namespace) -> int:
    from graph_service.db import Database

    names = _chosen(args)
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    with running_neo4j(settings, args.keep_running):
        with Database(settings, bench_registry()) as db:
            plans, key = prepared(db, args, __file__)
        with serving(args.home, args.neo4j_port) as server:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
            for number in range(1, args.runs + 1):
                for name in names:
                    runs[name].append(_run(args, server.url, key, name, plans[name], number))
    _report(args, {name: combined(found) for name, found in runs.items()})
    return 0


def prepared(
    db: Any, args: argparse.Namespace, script: str
) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """The graph made ready for the scenarios (migrated, the world loaded), the operations
    each scenario cycles through (:func:`_plans`) and an investigator key named for
    ``script``."""
    from graph_service import migrations

    migrations.migrate(db)
    ensure_world(db, args.parties, args.seed, "graphql")
    plans = _plans(db, args)
    key, _ = create_key(db, "investigator", script)
    return plans, key


def _run(
    args: argparse.Namespace,
    url: str,
    key: str,
    name: str,
    operations: list[dict[str, Any]],
    number: int,
) -> dict[str, Any]:
    """One run of one scenario, with the service's own timings and the load around it."""
    load_before = os.getloadavg()[0]
    before = query_seconds(url)
    started = time.strftime("%H:%M:%S", time.gmtime())
    result = _run_driver(args, url, key, name, operations)
    sent = result["requests"] + args.warmup
    result["service_queries"] = _query_delta(before, query_seconds(url), sent)
    result |= {"run": number, "started_utc": started}
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def combined(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One scenario's runs together: each run's p99 ratio and GraphQL − plain excess at p50,
    the median and spread of the ratios, and percentiles of all the runs' pairs pooled.

    >>> def run(g, p):
    ...     return {"scenario": "s", "suite": "x", "plain_query": "q", "concurrency": 1,
    ...             "errors": 0, "first_errors": [], "target_p99_ms": None, "run": 1,
    ...             "agreement": {"compared": 1, "differed": 0, "examples": []},
    ...             "timings": {"graphql": g, "plain": p}, "service_queries": {},
    ...             "load_average": [1.0, 1.0], "started_utc": "00:00:00"}
    >>> both = combined([run([2.0] * 99 + [9.0], [1.0] * 100), run([3.0] * 100, [2.0] * 100)])
    >>> both["ratio_p99_runs"], both["ratio_p99_median"], both["ratio_p99_pooled"]
    ([9.0, 1.5], 5.25, 1.5)
    >>> both["excess_p50_ms_runs"], both["met_ratio"], both["requests"]
    ([1.0, 1.0], False, 200)
    """
    first = runs[0]
    graphql = [t for r in runs for t in r["timings"]["graphql"]]
    plain = [t for r in runs for t in r["timings"]["plain"]]
    each = [_ratio_of(r["timings"]["graphql"], r["timings"]["plain"]) for r in runs]
    pooled = _ratio_of(graphql, plain)
    ratios = [r for r in each if r is not None]
    median = round(statistics.median(ratios), 2) if ratios else None
    errors = sum(r["errors"] for r in runs)
    met = median is not None and pooled is not None and max(median, pooled) <= RATIO_TARGET
    graphql_p, plain_p = percentiles(graphql), percentiles(plain)
    absolute = first["target_p99_ms"]
    return {
        "scenario": first["scenario"],
        "suite": first["suite"],
        "plain_query": first["plain_query"],
        "concurrency": first["concurrency"],
        "requests": len(graphql),
        "errors": errors,
        "first_errors": sorted({e for r in runs for e in r["first_errors"]})[:5],
        "graphql": graphql_p,
        "plain": plain_p,
        "ratio_p99_runs": each,
        "ratio_p99_median": median,
        "ratio_p99_spread": [min(ratios), max(ratios)] if ratios else None,
        "ratio_p99_pooled": pooled,
        "excess_p50_ms_runs": [_excess_p50(r["timings"]) for r in runs],
        "ratio_target": RATIO_TARGET,
        "met_ratio": met and not errors,
        "target_p99_ms": absolute,
        "met_absolute": None
        if absolute is None
        else not errors and (graphql_p["p99_ms"] or 0) <= absolute,
        "agreement": {
            "compared": sum(r["agreement"]["compared"] for r in runs),
            "differed": sum(r["agreement"]["differed"] for r in runs),
            "examples": [e for r in runs for e in r["agreement"]["examples"]][:3],
        },
        "runs": [
            {k: v for k, v in r.items() if k not in {"timings", "agreement"}}
            | {"agreement": {k: v for k, v in r["agreement"].items() if k != "examples"}}
            for r in runs
        ],
    }


def _ratio_of(graphql: Sequence[float], plain: Sequence[float]) -> float | None:
    """GraphQL p99 over plain p99 (None without both)."""
    g, p = percentiles(graphql)["p99_ms"], percentiles(plain)["p99_ms"]
    return round(g / p, 2) if g and p else None


def _excess_p50(timings: dict[str, list[float]]) -> float | None:
    """GraphQL p50 − plain p50 of one run, in ms."""
    g, p = percentiles(timings["graphql"])["p50_ms"], percentiles(timings["plain"])["p50_ms"]
    return round(g - p, 2) if g is not None and p is not None else None


def _plans(db: Any, args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """The operations each scenario cycles through: GraphQL variables and plain parameters."""
    from graph_service.gql.search import lucene_query
    from graph_service.policy.catalog import catalog_in_force

    rng = random.Random(args.seed)
    sample = seeded_sample(db, "meta/bench_workbench_parties", 400, rng)
    if len(sample) < 10:
        raise SystemExit("error: the graph holds too few connected parties to benchmark")
    ids = [row["id"] for row in sample]
    names = [row["name"] for row in sample if row["kind"] == "company"] or [sample[0]["name"]]
    companies = [r["id"] for r in seeded_sample(db, "meta/bench_workbench_companies", 200, rng)]
    cases = [r["case_no"] for r in seeded_sample(db, "meta/bench_workbench_cases", 200, rng)]
    pairs = _pairs(rng, ids)
    fragments = [_fragment(rng, n) for n in names]
    rule = catalog_in_force(db.settings).control  # the service's: same settings, same home
    today = date.today().isoformat()
    one_hop = {"types": ALL_TYPES, "limit": STEP_ROWS * 100 + 1, "max_nodes": 99}
    return {
        "party_measures_1hop": [_op({"id": i}, id=i, **one_hop) for i in ids],
        "neighbours_2hop_500": [
            _op({"id": i}, id=i, types=ALL_TYPES, limit=STEP_ROWS * 500 + 1, max_nodes=499)
            for i in ids
        ],
        "shortest_paths_6": [
            _op({"id": a, "to": b}, source=a, target=b, types=PATH_TYPES, limit=21)
            for a, b in pairs
        ],
        "name_search": [_op({"text": f}, query=lucene_query(f)) for f in fragments],
        "wb_party_card": [_op({"id": i}, id=i) for i in ids],
        "wb_records": [_op({"id": i, "after": None}, id=i) for i in ids],
        "wb_neighbours": [
            _op(
                {
                    "id": i,
                    "types": ALL_TYPES,
                    "activeOn": None,
                    "depth": 1,
                    "maxNodes": OPEN_MAX_NODES,
                },
                id=i,
                types=ALL_TYPES,
                limit=STEP_ROWS * OPEN_MAX_NODES + 1,
                max_nodes=OPEN_MAX_NODES - 1,
            )
            for i in ids
        ],
        "wb_tie_counts": [_op({"id": i, "activeOn": None}, id=i, on=None) for i in ids],
        "wb_paths": [
            _op(
                {"id": a, "to": b, "types": None, "activeOn": None},
                source=a,
                target=b,
                types=PATH_TYPES,
                limit=21,
            )
            for a, b in pairs
        ],
        "wb_ownership": [
            _op(
                {"id": c, "direction": "UP", "depth": 4, "activeOn": None},
                id=c,
                on=today,
                max_chains=500,
                majority_pct=rule.majority_pct,
                roles=list(rule.officer_roles),
            )
            for c in companies
        ],
        "wb_case": [_op({"caseNo": k, "first": 100}, case_no=k, first=100) for k in cases],
        "wb_search": [
            _op(
                {
                    "text": f,
                    "kind": None,
                    "district": None,
                    "orgKind": None,
                    "hasActiveMeasure": None,
                    "after": None,
                },
                query=lucene_query(f),
            )
            for f in fragments
        ],
    }


def _op(variables: dict[str, Any], **plain: Any) -> dict[str, Any]:
    return {"variables": variables, "plain": plain}


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
               "--seconds", str(args.seconds), "--concurrency", str(args.concurrency),
               "--home", str(args.home), "--neo4j-port", str(args.neo4j_port)]  # fmt: skip
    return run_driver(__file__, plan, options, timeout_s=args.seconds * 2 + 120)


def _query_delta(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]], requests: int
) -> dict[str, dict[str, float]]:
    """Per named query of the service during one scenario (warm-up included): runs per
    request and mean ms per run, as the service timed them (the audit's commits are ``tx``)."""
    delta = {}
    for name, (count, seconds) in sorted(after.items()):
        n = count - before.get(name, (0.0, 0.0))[0]
        if n:
            spent = seconds - before.get(name, (0.0, 0.0))[1]
            delta[name] = {
                "per_request": round(n / max(requests, 1), 2),
                "mean_ms": round(spent / n * 1000, 2),
            }
    return delta


# --- load generator (child process) ---------------------------------------------------------


def _drive(args: argparse.Namespace) -> int:
    """Alternates the plan's GraphQL requests and plain Cypher queries; prints JSON."""
    import httpx

    from graph_service.db import Database

    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    scenario = _scenarios()[plan["scenario"]]
    operations = plan["operations"]
    headers = {API_KEY_HEADER: plan["key"]}
    timings: dict[str, list[float]] = {"graphql": [], "plain": []}
    errors: list[str] = []
    agreement = {"compared": 0, "differed": 0, "examples": []}
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds
    counter = iter(range(args.warmup + args.requests))
    settings = neo4j_settings(args.home, args.neo4j_port)

    def worker(db: Database) -> None:
        with httpx.Client(base_url=args.url, headers=headers, timeout=60) as client:
            for n in counter:
                if time.monotonic() > deadline:
                    return
                op = operations[n % len(operations)]
                pair = _pair(client, db, scenario, op, plain_first=n % 2 == 1)
                if n < args.warmup:
                    continue
                with lock:
                    _record(pair, timings, errors, agreement, op)

    with Database(settings, bench_registry()) as db:
        threads = [threading.Thread(target=worker, args=(db,)) for _ in range(args.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    summary = _summary(plan["scenario"], scenario, timings, errors, args.concurrency)
    extra = {"operations": len(operations), "agreement": agreement, "timings": timings}
    print(json.dumps(summary | extra))
    return 0


@dataclass
class Pair:
    """One GraphQL request and one plain query for the same operation."""

    graphql_ms: float
    plain_ms: float
    problem: str | None
    answer: Any
    rows: Any


def _pair(client: Any, db: Any, scenario: Scenario, op: dict[str, Any], plain_first: bool) -> Pair:
    if plain_first:
        plain_ms, rows = _plain(db, scenario, op["plain"])
        graphql_ms, data, problem = _graphql(client, scenario.query, op["variables"])
    else:
        graphql_ms, data, problem = _graphql(client, scenario.query, op["variables"])
        plain_ms, rows = _plain(db, scenario, op["plain"])
    answer = None
    if problem is None:
        try:
            answer = scenario.answer(data)
        except (KeyError, TypeError, IndexError) as error:
            problem = f"unexpected answer shape: {error!r}"[:200]
    return Pair(graphql_ms, plain_ms, problem, answer, scenario.rows(rows) if rows else None)


def _graphql(client: Any, query: str, variables: dict[str, Any]) -> tuple[float, Any, str | None]:
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": query, "variables": variables})
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        return took, None, f"HTTP {response.status_code}"
    body = response.json()
    if body.get("errors"):
        return took, None, str(body["errors"][0].get("message"))[:200]
    return took, body["data"], None


def _plain(db: Any, scenario: Scenario, params: dict[str, Any]) -> tuple[float, list[Any]]:
    bound = {k: date.fromisoformat(v) if k == "on" and v else v for k, v in params.items()}
    started = time.perf_counter()
    rows = db.read_plain(scenario.plain, **bound)
    return (time.perf_counter() - started) * 1000, rows


def _record(
    pair: Pair,
    timings: dict[str, list[float]],
    errors: list[str],
    agreement: dict[str, Any],
    op: dict[str, Any],
) -> None:
    timings["graphql"].append(pair.graphql_ms)
    timings["plain"].append(pair.plain_ms)
    if pair.problem:
        errors.append(pair.problem)
        return
    if pair.answer is None or pair.rows is None:
        return
    agreement["compared"] += 1
    if pair.answer != pair.rows:
        agreement["differed"] += 1
        if len(agreement["examples"]) < 3:
            agreement["examples"].append(
                {"variables": op["variables"], "graphql": pair.answer, "plain": pair.rows}
            )


def _summary(
    name: str,
    scenario: Scenario,
    timings: dict[str, list[float]],
    errors: list[str],
    concurrency: int,
) -> dict[str, Any]:
    graphql, plain = percentiles(timings["graphql"]), percentiles(timings["plain"])
    ratio = (
        round(graphql["p99_ms"] / plain["p99_ms"], 2)
        if graphql["p99_ms"] and plain["p99_ms"]
        else None
    )
    absolute = scenario.target_p99_ms
    met_ratio = ratio is not None and ratio <= RATIO_TARGET and not errors
    met_absolute = absolute is None or (not errors and (graphql["p99_ms"] or 0) <= absolute)
    return {
        "scenario": name,
        "suite": scenario.suite,
        "plain_query": scenario.plain,
        "requests": len(timings["graphql"]),
        "concurrency": concurrency,
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:5],
        "graphql": graphql,
        "plain": plain,
        "ratio_p99": ratio,
        "ratio_target": RATIO_TARGET,
        "met_ratio": met_ratio,
        "target_p99_ms": absolute,
        "met_absolute": met_absolute if absolute is not None else None,
    }


# --- report ---------------------------------------------------------------------------------


def _report(args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    report = {"parties": args.parties, "seed": args.seed, "runs": args.runs, "scenarios": results}
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"graphql-{args.parties}-{args.seed}.json").write_text(text + "\n", encoding="utf-8")
    print()
    print(
        f"GraphQL benchmark: {args.parties:,} parties (seed {args.seed}), "
        f"concurrency {args.concurrency}, {args.runs} run(s) of {args.requests} pairs"
    )
    print()
    print(
        "| scenario | pairs | errors | agree | GraphQL p50 / p99 ms | plain p50 / p99 ms "
        "| ratio p99 per run | median (min–max) | pooled | excess p50 ms per run "
        "| ratio ≤ 1.5 | absolute target p99 |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|---|")
    for r in results.values():
        g, p, a = r["graphql"], r["plain"], r["agreement"]
        absolute = (
            "—"
            if r["target_p99_ms"] is None
            else f"≤ {r['target_p99_ms']:g} ms: {'met' if r['met_absolute'] else 'MISS'}"
        )
        spread = r["ratio_p99_spread"] or [None, None]
        print(
            f"| {r['scenario']} | {r['requests']} | {r['errors']} "
            f"| {a['compared'] - a['differed']}/{a['compared']} "
            f"| {g['p50_ms']} / {g['p99_ms']} | {p['p50_ms']} / {p['p99_ms']} "
            f"| {', '.join(str(x) for x in r['ratio_p99_runs'])} "
            f"| {r['ratio_p99_median']} ({spread[0]}–{spread[1]}) | {r['ratio_p99_pooled']} "
            f"| {', '.join(str(x) for x in r['excess_p50_ms_runs'])} "
            f"| {'met' if r['met_ratio'] else 'MISS'} | {absolute} |"
        )
    print()
    for r in results.values():
        loads = ", ".join(
            f"{run['started_utc']} {run['load_average'][0]}→{run['load_average'][1]}"
            for run in r["runs"]
        )
        queries = ", ".join(
            f"{n} ×{q['per_request']} {q['mean_ms']} ms"
            for n, q in r["runs"][0]["service_queries"].items()
        )
        print(f"- {r['scenario']}: runs at {loads}; run 1: {queries}")


if __name__ == "__main__":
    sys.exit(main())
