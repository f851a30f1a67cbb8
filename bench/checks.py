"""Check benchmark (issue 5): the joint-sanction check, POST /v1/checks, on a synthetic world.

(Issue 14's comparison of the service with the HTTP stack's floor, under ``wrk`` with several
workers, is ``bench/checks_floor.py``.)

    .venv/bin/python bench/checks.py [--parties 100000] [--seed 1] [--seconds 60]
                                     [--concurrency 16] [--batches 50] [--asof-requests 100]
                                     [--propagate] [--keep-running]

1. starts the benchmark's embedded Neo4j (home ``.credit-graph/bench``, port 7695, shared with
   bench/load.py and bench/graphql_api.py), loads the world if the graph holds fewer parties than
   asked, and runs a full propagation if none is recorded (or with ``--propagate``): checks
   for today read the measures the propagation stored;
2. samples parties (with stored measures, companies, persons, valid ids the graph does not
   know, ids failing their check digit), creates a ``checker`` API key and starts ``credit-graph
   serve`` on a free loopback port in a child process, its per-key rate limit raised so that
   it never answers 429 (see bench/common.py);
3. runs each scenario in a separate load-generator process (this script with ``--drive``;
   stdlib ``http.client``, one keep-alive connection per thread):
   ``single`` — one party per check, ``--concurrency`` threads for ``--seconds`` after a
   warm-up; ``batch`` — ``--batches`` checks of ``--batch-size`` parties, one at a time;
   ``asof_single`` / ``asof_batch`` — checks dated ``--asof-days`` ago (1 and
   ``--asof-parties`` parties), whose measures are computed from the graph's history;
4. samples the RSS of the server and of Neo4j throughout, and reports the CPU of the load
   generator, the server and Neo4j over each measured window (100% = one core), so a reader
   can tell which was saturated;
5. counts the audit entries the run's key wrote (one per answered check, naming every party)
   and verifies the whole hash chain (``credit-graph audit verify``; ``--skip-chain-verify``);
6. prints JSON and markdown tables against the targets and writes the JSON to
   ``bench/out/checks-<parties>-<seed>.json``.

Targets (issue 5, 100,000-party world, 2 cores, load generator on loopback): single-party
p50 ≤ 3 ms, p99 ≤ 15 ms, ≥ 1,000 checks/s for 60 s; a 1,000-party batch ≤ 150 ms (judged on
p99); an as-of check ≤ 50 ms per party (judged on p99 latency / parties); no non-200 answer;
server memory flat. The Neo4j is stopped at the end if this script started it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checks_driver import drive
from checks_plan import sample_ids, scenarios
from common import (
    OUT,
    RssSampler,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    neo4j_settings,
    query_seconds,
    run_driver,
    running_neo4j,
    serving,
)

#: scenario → target: p50/p99 ms per request, or per party, and checks per second
TARGETS: dict[str, dict[str, float]] = {
    "single": {"p50_ms": 3.0, "p99_ms": 15.0, "checks_per_s": 1000.0},
    "batch": {"p99_ms": 150.0},
    "asof_single": {"p99_ms_per_party": 50.0},
    "asof_batch": {"p99_ms_per_party": 50.0},
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark (or, with ``--drive``, one load generator); returns the exit code."""
    args = _arguments(argv)
    if args.drive:
        print(json.dumps(drive(args.plan)))
        return 0
    return _orchestrate(args)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    p.add_argument("--seed", type=int, default=1, help="seed of the world and of the sample")
    p.add_argument("--seconds", type=float, default=60.0, help="single: measured seconds")
    p.add_argument("--warmup-seconds", type=float, default=10.0, help="single: warm-up first")
    p.add_argument("--concurrency", type=int, default=16, help="single: client threads")
    p.add_argument("--batches", type=int, default=50, help="batch: measured checks")
    p.add_argument("--batch-size", type=int, default=1000, help="batch: parties per check")
    p.add_argument("--asof-requests", type=int, default=100, help="as-of: checks per scenario")
    p.add_argument("--asof-parties", type=int, default=20, help="asof_batch: parties per check")
    p.add_argument("--asof-days", type=int, default=365, help="as-of: how many days ago")
    p.add_argument("--context", default="government_procurement", help="batch/as-of context")
    p.add_argument("--propagate", action="store_true", help="run a full propagation first")
    p.add_argument("--skip-chain-verify", action="store_true", help="skip audit verify")
    add_neo4j_arguments(p)
    # the load generator (child process)
    p.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


# --- orchestration (parent process) ---------------------------------------------------------


def _orchestrate(args: argparse.Namespace) -> int:
    from graph_service import migrations
    from graph_service.db import Database

    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    report: dict[str, Any] = {"parties": args.parties, "seed": args.seed}
    with running_neo4j(settings, args.keep_running) as neo4j_pid:
        with Database(settings, bench_registry()) as db:
            migrations.migrate(db)
            report["loaded_world"] = ensure_world(db, args.parties, args.seed, "checks")
            report["propagation"] = _ensure_measures(db, args.propagate)
            plans = scenarios(sample_ids(db, args), args, date.today() - timedelta(args.asof_days))
            key, key_name = create_key(db, "checker", __file__)
            first_seq = _audit_head(db)
        with serving(args.home, args.neo4j_port) as server:
            report["server_settings"] = server.settings
            pids = {"server": server.pid, "neo4j": neo4j_pid}
            with RssSampler(pids) as rss:
                report["scenarios"] = _run_all(args, server.url, key, plans, pids, rss)
            report["memory"] = rss.summary()
        with Database(settings) as db:
            report["audit"] = _audit_check(db, key_name, first_seq, report["scenarios"], args)
    _report(report, args)
    return 0


def _ensure_measures(db: Any, force: bool) -> dict[str, Any]:
    """The propagation run the checks read: the newest recorded, or a full run made now."""
    from graph_service.propagation import runner, store

    runs = store.last_runs(db, 1)
    if runs and not force:
        return {"ran_now": False, "last_run": _run_fields(runs[0])}
    started = time.perf_counter()
    runner.run_full(db)
    seconds = round(time.perf_counter() - started, 1)
    return {"ran_now": True, "seconds": seconds, "last_run": _run_fields(store.last_runs(db, 1)[0])}


def _run_fields(run: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) for k, v in run.items() if k in {"run_id", "kind", "as_of", "started_at"}}


def _run_all(
    args: argparse.Namespace,
    url: str,
    key: str,
    plans: dict[str, dict[str, Any]],
    pids: dict[str, int | None],
    rss: RssSampler,
) -> dict[str, dict[str, Any]]:
    """One load-generator process per scenario, in order; their JSON reports."""
    results = {}
    for name, plan in plans.items():
        rss.phase = name
        plan |= {"scenario": name, "url": url, "key": key, "pids": pids}
        timeout = args.seconds + args.warmup_seconds + 600
        before = query_seconds(url)
        result = run_driver(__file__, plan, [], timeout_s=timeout)
        result["queries"] = _query_delta(before, query_seconds(url))
        results[name] = _verdict(name, result)
    return results


def _query_delta(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]]
) -> dict[str, dict[str, float]]:
    """Per named query during one scenario (warm-up included): runs and mean ms (server side)."""
    delta = {}
    for name, (count, seconds) in after.items():
        n = count - before.get(name, (0.0, 0.0))[0]
        if n:
            spent = seconds - before.get(name, (0.0, 0.0))[1]
            delta[name] = {"count": int(n), "mean_ms": round(spent / n * 1000, 2)}
    return delta


def _verdict(name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Adds the targets and whether every one was met (and nothing but 200 answered)."""
    target = TARGETS[name]
    misses = [k for k, limit in target.items() if not _meets(k, result.get(k), limit)]
    if result["non_200"] or result["bad_answers"] or not result["requests"]:
        misses.append("errors")
    return result | {"targets": target, "met": not misses, "missed": misses}


def _meets(key: str, value: float | None, limit: float) -> bool:
    if value is None:
        return False
    return value >= limit if key == "checks_per_s" else value <= limit


# --- the audit log --------------------------------------------------------------------------


def _audit_head(db: Any) -> int:
    from graph_service.security.appender import HEAD_NAME

    rows = db.read("audit/head", name=HEAD_NAME)
    return int(rows[0]["seq"]) if rows else 0


def _audit_check(
    db: Any, key_name: str, first_seq: int, results: dict[str, dict[str, Any]], args: Any
) -> dict[str, Any]:
    """One ``check`` entry per answered check, naming every party, and the chain verified."""
    from graph_service.security.audit_read import stored_entries, verify

    checks = parties = 0
    for entry, _ in stored_entries(db, since=""):
        if entry.seq > first_seq and entry.kind == "check" and entry.actor.name == key_name:
            checks += 1
            parties += len(entry.payload.get("parties") or [])
    answered = sum(r["answered_total"] for r in results.values())
    answered_parties = sum(r["answered_parties_total"] for r in results.values())
    audit = {"key_name": key_name, "entries": checks, "entries_parties": parties,
             "answered_checks": answered, "answered_parties": answered_parties,
             "one_entry_per_check": checks == answered and parties == answered_parties}  # fmt: skip
    if not args.skip_chain_verify:
        started = time.perf_counter()
        chain = verify(db)
        audit |= {"chain_ok": chain.ok, "chain_entries": chain.count,
                  "verify_s": round(time.perf_counter() - started, 1)}  # fmt: skip
    return audit


# --- report ---------------------------------------------------------------------------------


def _report(report: dict[str, Any], args: argparse.Namespace) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"checks-{args.parties}-{args.seed}.json").write_text(text + "\n", encoding="utf-8")
    print()
    print(_markdown(report, args))


def _markdown(report: dict[str, Any], args: argparse.Namespace) -> str:
    rate = report["server_settings"].get("CREDIT_GRAPH_RATE_LIMIT_PER_S")
    lines = [
        f"Check benchmark: {args.parties:,} parties (seed {args.seed}); single-party checks with "
        f"{args.concurrency} client threads for {args.seconds:g} s; server per-key rate limit "
        f"raised to {rate}/s for the run (CREDIT_GRAPH_RATE_LIMIT_PER_S / _BURST).",
        "",
        "| scenario | parties/check | checks | non-200 | p50 ms | p95 ms | p99 ms | max ms "
        "| p99 ms/party | checks/s | client CPU % | server CPU % | Neo4j CPU % | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in report["scenarios"].items():
        cpu, met = r["cpu_percent"], "yes" if r["met"] else f"NO {r['missed']}"
        lines.append(
            f"| {name} | {r['parties_per_check']} | {r['requests']:,} | {r['non_200']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} "
            f"| {r['p99_ms_per_party']} | {r['checks_per_s']} | {cpu['client']} "
            f"| {cpu['server']} | {cpu['neo4j']} | {met} |"
        )
    lines += ["", "| scenario | server-side query (``tx`` = audit group commit) | runs | mean ms |"]
    lines.append("|---|---|---:|---:|")
    for name, r in report["scenarios"].items():
        for query, q in sorted(r["queries"].items(), key=lambda kv: -kv[1]["count"]):
            lines.append(f"| {name} | {query} | {q['count']:,} | {q['mean_ms']} |")
    lines += ["", "| process | RSS start MiB | RSS end MiB | RSS max MiB | growth MiB |"]
    lines.append("|---|---:|---:|---:|---:|")
    for name, m in report["memory"].items():
        lines.append(
            f"| {name} | {m['start_mb']} | {m['end_mb']} | {m['max_mb']} | {m['growth_mb']} |"
        )
    a = report["audit"]
    lines += ["", f"Audit: {a['entries']:,} check entries for {a['answered_checks']:,} answered "
              f"checks ({a['entries_parties']:,} / {a['answered_parties']:,} parties): "
              f"{'one per check' if a['one_entry_per_check'] else 'MISMATCH'}; chain "
              f"{_chain(a)}."]  # fmt: skip
    return "\n".join(lines)


def _chain(audit: dict[str, Any]) -> str:
    if "chain_ok" not in audit:
        return "not verified (--skip-chain-verify)"
    state = "verifies" if audit["chain_ok"] else "DOES NOT VERIFY"
    return f"{state} ({audit['chain_entries']:,} entries, {audit['verify_s']} s)"


if __name__ == "__main__":
    sys.exit(main())
