"""The same propagation computed with Cypher queries alone, against the NetworkX one.

    .venv/bin/python bench/propagate_cypher.py [--parties 10000] [--seed 1] [--runs 2]
    .venv/bin/python bench/propagate_cypher.py --world tests/fixtures/registries --as-of 2026-11-26

1. starts the benchmark's own Neo4j (home ``.credit-graph/bench-cypher``, port 7699) and
   loads the world (``bench/out/world-<parties>-<seed>/`` or ``--world``) unless the graph
   already holds that many parties (the load is not timed);
2. per run, times the NetworkX side: read every party from Neo4j (``store.read_all``, as
   ``runner.run_full`` does), build the graph and ``compute_measures`` — no peripheral risk,
   no write-back;
3. times the Cypher side: the statements under ``bench/cypher/propagate/`` in order, the R3
   fixed point and its tree of reasons repeated until a round changes nothing. They write
   their intermediate results and the measures as temporary nodes (:BenchActive,
   :BenchMeasure, :BENCH_CONTROLS, :BenchListed …), so that time includes those writes;
   reading the measures back and deleting the temporary nodes are timed apart;
4. compares the sets of (party_id, measure, rule, origin record_key); paths, ``until``
   dates and explanations are not compared (the Cypher side computes none);
5. writes ``bench/out/propagate-cypher-<parties>-<seed>.json`` (``-<folder>`` with
   ``--world``) and prints it with a markdown table.

The catalog's parameters (measures per record kind, thresholds, look-back years, roles)
reach the Cypher as query parameters from ``default_catalog()``; no value is formatted into
a statement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import common

from graph_service import migrations
from graph_service.analysis.control import EPSILON
from graph_service.analysis.graph import OPEN, graph_from_rows
from graph_service.analysis.propagate import compute_measures
from graph_service.analysis.rules import CONVICTION, OFFICIAL_RECORD
from graph_service.db import Database
from graph_service.policy import default_catalog
from graph_service.policy.catalog import Catalog
from graph_service.propagation import store
from graph_service.queries import QueryRegistry
from loaders.engine import LoadOptions, load_directory

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CYPHER = ROOT / "bench" / "cypher"
HOME = ROOT / ".credit-graph" / "bench-cypher"
PORT = 7699
#: Statements run once, in this order, around the two fixed points.
BEFORE_R3 = ("active_records", "active_convictions", "controls", "direct", "r1", "r2", "r5", "r6")
AFTER_R3 = ("r3_measures", "r4")
#: A fixed point that has not converged after this many rounds is a bug, not a slow graph.
MAX_ROUNDS = 1000

Fact = tuple[str, str, str | None, str | None]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns 0, or 1 when the two sides disagree."""
    args = _arguments(argv)
    world = args.world or OUT / f"world-{args.parties}-{args.seed}"
    settings = common.neo4j_settings(HOME, PORT, args.heap, args.pagecache)
    settings.query_timeout_s = 1800.0
    with (
        common.running_neo4j(settings, args.keep_running),
        Database(settings) as db,
        Database(settings, QueryRegistry(CYPHER)) as bench,
    ):
        report = _measure(db, bench, world, args)
    name = world.name.removeprefix("world-") if args.world is None else world.name
    text = json.dumps(report, ensure_ascii=False, indent=2)
    (OUT / f"propagate-cypher-{name}.json").write_text(text, encoding="utf-8")
    print(text)
    print(markdown(report))
    return 0 if report["equal"] else 1


def _measure(
    db: Database, bench: Database, world: Path, args: argparse.Namespace
) -> dict[str, Any]:
    parties = _ensure_world(db, bench, world, args.parties if args.world is None else None)
    catalog, as_of = default_catalog(), args.as_of or date.today()
    params = parameters(catalog, as_of)
    bench.write("propagate/cleanup")
    runs, nx_facts, cy_facts = [], Counter[Fact](), Counter[Fact]()
    for _ in range(args.runs):
        nx_run, nx_facts = networkx_side(db, catalog, as_of)
        cy_run, cy_facts = cypher_side(bench, params)
        runs.append({"networkx": nx_run, "cypher": cy_run})
    best_nx = min(r["networkx"]["total_s"] for r in runs)
    best_cy = min(r["cypher"]["total_s"] for r in runs)
    return {
        "world": str(world.relative_to(ROOT) if world.is_relative_to(ROOT) else world),
        "parties": parties,
        "as_of": as_of.isoformat(),
        "catalog_version": catalog.version,
        "runs": runs,
        "networkx_best_s": best_nx,
        "cypher_best_s": best_cy,
        "ratio_cypher_over_networkx": round(best_cy / best_nx, 2),
        **compare(nx_facts, cy_facts),
        "compared": "set of (party_id, measure, rule, origin record_key); paths, until dates "
        "and explanations are not compared (the Cypher side computes none)",
    }


def _ensure_world(db: Database, bench: Database, world: Path, parties: int | None) -> int:
    """Loads ``world`` unless the graph holds ``parties`` parties (any world: never reuse)."""
    migrations.migrate(db)
    found = int(bench.read("propagate/parties")[0]["parties"])
    if parties is not None and found == parties:
        return found
    migrations.reset(db)
    began = time.perf_counter()
    load_directory(db, world, LoadOptions(reject_dir=OUT / f"rejects-cypher-{world.name}"))
    db.read("meta/await_indexes")
    print(f"loaded {world} in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return int(bench.read("propagate/parties")[0]["parties"])


# --- the two sides -------------------------------------------------------------------------


def networkx_side(
    db: Database, catalog: Catalog, as_of: date
) -> tuple[dict[str, Any], Counter[Fact]]:
    """Read + build + compute_measures (no peripheral risk, no write-back), timed per step."""
    began = time.perf_counter()
    rows = list(store.read_all(db))
    read = time.perf_counter()
    graph = graph_from_rows(rows)
    built = time.perf_counter()
    measures = compute_measures(graph, catalog, as_of)
    done = time.perf_counter()
    facts: Counter[Fact] = Counter(
        (m.party_id, m.measure, m.rule, m.record.record_key) for ms in measures.values() for m in ms
    )
    timing: dict[str, Any] = {
        "read_s": round(read - began, 3),
        "build_graph_s": round(built - read, 3),
        "compute_s": round(done - built, 3),
        "total_s": round(done - began, 3),
        "measures": sum(facts.values()),
    }
    return timing, facts


def cypher_side(bench: Database, params: dict[str, Any]) -> tuple[dict[str, Any], Counter[Fact]]:
    """The statements in order (writes included), then the read-back and the cleanup apart."""
    steps: dict[str, dict[str, Any]] = {}
    began = time.perf_counter()
    for name in (*BEFORE_R3, "r3_seed"):
        steps[name] = _once(bench, name, params)
    steps["r3_fixed_point"] = _rounds(bench, "r3_step", "round", params)
    steps["r3_controlled"] = _once(bench, "r3_controlled", params)
    steps["r3_reasons"] = _rounds(bench, "r3_reason_step", "level", params)
    for name in AFTER_R3:
        steps[name] = _once(bench, name, params)
    done = time.perf_counter()
    rows = bench.read_plain("propagate/measures")
    read = time.perf_counter()
    bench.write("propagate/cleanup")
    cleaned = time.perf_counter()
    facts: Counter[Fact] = Counter(
        (r["party_id"], r["measure"], r["rule"], r["record_key"]) for r in rows
    )
    timing: dict[str, Any] = {
        "total_s": round(done - began, 3),
        "steps": steps,
        "read_back_s": round(read - done, 3),
        "cleanup_s": round(cleaned - read, 3),
        "measures": len(rows),
    }
    return timing, facts


def _once(bench: Database, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Runs ``propagate/<name>`` once: its time and the count it returns."""
    began = time.perf_counter()
    rows = bench.write(f"propagate/{name}", **params)
    return {"s": round(time.perf_counter() - began, 3), "rows": next(iter(rows[0].values()))}


def _rounds(bench: Database, name: str, counter: str, params: dict[str, Any]) -> dict[str, Any]:
    """Runs ``name`` with ``counter`` = 0, 1, … until a round changes nothing."""
    began, changed = time.perf_counter(), []
    for n in range(MAX_ROUNDS):
        rows = bench.write(f"propagate/{name}", **params, **{counter: n})
        changed.append(next(iter(rows[0].values())))
        if changed[-1] == 0:
            return {"s": round(time.perf_counter() - began, 3), "rounds": len(changed),
                    "changed": changed}  # fmt: skip
    raise SystemExit(f"error: {name} did not converge in {MAX_ROUNDS} rounds")


def parameters(catalog: Catalog, as_of: date) -> dict[str, Any]:
    """The query parameters: the date and the catalog's policy, as plain maps."""
    kinds = {
        kind: {
            "by": spec.by,
            "active_years": spec.active_years,
            "variants": {
                name: {"measures": list(v.measures), "serious": v.serious}
                for name, v in spec.variants.items()
            },
        }
        for kind, spec in catalog.record_kinds.items()
    }
    r1, r2, r3, r5, r6 = catalog.r1, catalog.r2, catalog.r3, catalog.r5, catalog.r6
    common = {
        rule.rule_id: {"rule_id": rule.rule_id, "measures": list(rule.measures)}
        for rule in (r1, r2, r3, catalog.r4, r5, r6)
    }
    return {
        "as_of": as_of,
        "open": OPEN,
        "epsilon": EPSILON,
        "kinds": kinds,
        "conviction_kind": CONVICTION,
        "official_kind": OFFICIAL_RECORD,
        "control": {
            "majority_pct": catalog.control.majority_pct,
            "officer_roles": list(catalog.control.officer_roles),
        },
        "r1": common["R1"]
        | {
            "trigger_kinds": list(r1.trigger_kinds),
            "legal_rep": r1.legal_rep,
            "officer_roles": list(r1.officer_roles),
            "controllers": r1.controllers,
        },
        # graph_from_rows turns NAMED_IN {role} into the field named_<role>_id
        "r2": common["R2"]
        | {
            "trigger_kinds": list(r2.trigger_kinds),
            "named_roles": [r for r, field in r2.named_roles.items() if field == f"named_{r}_id"],
        },
        "r3": common["R3"] | {"threshold_pct": r3.threshold_pct, "inclusive": r3.inclusive},
        "r4": common["R4"],
        "r5": common["R5"] | {"conviction_roles": list(r5.conviction_roles)},
        "r6": common["R6"]
        | {
            "lookback_years": r6.lookback_years,
            "intervention_kinds": list(r6.intervention_kinds),
            "official_categories": list(r6.official_categories),
            "conviction_roles": list(r6.conviction_roles),
        },
    }


# --- the comparison and the report ---------------------------------------------------------


def compare(nx_facts: Counter[Fact], cy_facts: Counter[Fact], examples: int = 10) -> dict[str, Any]:
    """Set equality of the facts, with counts and a few examples of each difference."""
    only_nx, only_cy = set(nx_facts) - set(cy_facts), set(cy_facts) - set(nx_facts)
    return {
        "equal": not only_nx and not only_cy,
        "facts_networkx": len(nx_facts),
        "facts_cypher": len(cy_facts),
        "by_rule_networkx": _by_rule(nx_facts),
        "by_rule_cypher": _by_rule(cy_facts),
        "only_networkx": len(only_nx),
        "only_cypher": len(only_cy),
        "only_networkx_examples": [list(f) for f in sorted(only_nx, key=repr)[:examples]],
        "only_cypher_examples": [list(f) for f in sorted(only_cy, key=repr)[:examples]],
    }


def _by_rule(facts: Counter[Fact]) -> dict[str, int]:
    counts = Counter(rule or "direct" for _, _, rule, _ in facts)
    return dict(sorted(counts.items()))


def markdown(report: dict[str, Any]) -> str:
    """The figures as a markdown table (best of the runs, and each step of the best run)."""
    runs = report["runs"]
    nx_best = min(runs, key=lambda r: r["networkx"]["total_s"])["networkx"]
    cy_best = min(runs, key=lambda r: r["cypher"]["total_s"])["cypher"]
    lines = [
        f"{report['parties']:,} parties, as of {report['as_of']}, best of {len(runs)} run(s)",
        "",
        "| what | seconds |",
        "|---|---|",
        f"| NetworkX: read {report['parties']:,} parties from Neo4j | {nx_best['read_s']} |",
        f"| NetworkX: build the graph | {nx_best['build_graph_s']} |",
        f"| NetworkX: compute_measures (no risk) | {nx_best['compute_s']} |",
        f"| **NetworkX total** | **{nx_best['total_s']}** |",
    ]
    for name, step in cy_best["steps"].items():
        rounds = f" ({step['rounds']} rounds)" if "rounds" in step else ""
        lines.append(f"| Cypher: {name}{rounds} | {step['s']} |")
    ratio = report["ratio_cypher_over_networkx"]
    lines += [
        f"| **Cypher total** (writes included) | **{cy_best['total_s']}** |",
        f"| Cypher: read measures back (not in total) | {cy_best['read_back_s']} |",
        f"| Cypher: delete temporary nodes (not in total) | {cy_best['cleanup_s']} |",
        f"| **ratio Cypher / NetworkX** | **{ratio}** |",
        "",
        f"equal: {report['equal']} — {report['facts_networkx']:,} facts (NetworkX), "
        f"{report['facts_cypher']:,} (Cypher); only NetworkX {report['only_networkx']}, "
        f"only Cypher {report['only_cypher']} (paths, until dates and explanations are not "
        "compared: the Cypher side computes none)",
    ]
    return "\n".join(lines)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=10_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    parser.add_argument("--world", type=Path, help="a registry folder instead (always loaded)")
    parser.add_argument("--as-of", type=date.fromisoformat, help="as-of date (default: today)")
    parser.add_argument("--runs", type=int, default=2, help="timed runs of each side")
    parser.add_argument("--heap", default="2g", help="Java heap of the benchmark's Neo4j")
    parser.add_argument("--pagecache", default="1g", help="page cache of the benchmark's Neo4j")
    parser.add_argument("--keep-running", action="store_true", help="leave Neo4j running")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
