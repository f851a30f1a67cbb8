"""Propagation benchmark: compute_measures over a synthetic in-memory world.

    .venv/bin/python bench/propagate_memory.py [--parties 1000000] [--seed 1]

Builds a seeded random world (60% companies, 40% persons; each company has one to three
holders — a third of them companies, so there are chains and cycles — a legal representative,
some officers, 2% are branches, 1% share a contact) with about 2.5% of the parties holding a
serious dishonesty record, then times ``compute_measures`` and ``peripheral_risk`` (no Neo4j).
Prints JSON: sizes, build and compute seconds, measures found, the compute's peak traced
allocation (tracemalloc, a second run) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis import build_graph, compute_measures, peripheral_risk
from graph_service.analysis.activity import active_index, serious_until
from graph_service.policy import default_catalog

AS_OF = date(2026, 11, 26)
SINCE, ENDED, APPOINTED = date(2015, 1, 1), date(2024, 1, 1), date(2018, 1, 1)
START_DATES = ["2019-05-01", "2021-06-01", "2023-03-15", "2024-09-01", "2026-02-01"]
END_DATES = [None, None, None, "2025-03-15", "2027-09-01", "2029-01-01"]


def _ids(parties: int) -> tuple[list[str], list[str]]:
    companies = [f"C{i:08d}" for i in range(parties * 6 // 10)]
    persons = [f"P{i:08d}" for i in range(parties - len(companies))]
    return companies, persons


def _records(rnd: random.Random, party: str, company: bool, persons: list[str]) -> list[Any]:
    """About 2.5% of parties get a serious record; others a few harmless ones."""
    roll, start, end = rnd.random(), rnd.choice(START_DATES), rnd.choice(END_DATES)
    base = {"ref": f"R-{party}", "start": start, "end": end, "authority": "bench"}
    if company and roll < 0.012:
        return [{**base, "kind": "dishonest_debtor"}]
    if company and roll < 0.016:
        named = {
            "named_legal_rep_id": rnd.choice(persons),
            "named_finance_officer_id": rnd.choice(persons),
        }
        return [{**base, "kind": "tax_violation", **named}]
    if company and roll < 0.030:
        return [{**base, "kind": "admin_penalty", "severity": rnd.choice(["serious", "general"])}]
    if company and roll < 0.040:
        return [{**base, "kind": "red_list", "list": "a_grade_taxpayer"}]
    if not company and roll < 0.02:
        return [{**base, "kind": "blacklist", "list": "internet"}]
    if not company and roll < 0.022:
        return [
            {**base, "kind": "bribery_conviction", "role": rnd.choice(["briber", "bribe_taker"])}
        ]
    if not company and roll < 0.025:
        return [{**base, "kind": "official_record", "category": "discipline"}]
    return []


def _parties(rnd: random.Random, companies: list[str], persons: list[str]) -> Iterator[Any]:
    for party in companies:
        yield {
            "party_id": party,
            "kind": "company",
            "name": party,
            "records": _records(rnd, party, True, persons),
        }
    for party in persons:
        yield {
            "party_id": party,
            "kind": "person",
            "name": party,
            "records": _records(rnd, party, False, persons),
        }


def _holdings(
    rnd: random.Random, company: str, companies: list[str], persons: list[str]
) -> Iterator[Any]:
    left = 100.0
    for _ in range(rnd.randint(1, 3)):
        holder = rnd.choice(companies) if rnd.random() < 1 / 3 else rnd.choice(persons)
        stake = round(rnd.uniform(5, left), 2) if left > 5 else left
        left -= stake
        until = ENDED if rnd.random() < 0.05 else None  # some stakes have ended
        if holder != company and stake > 0:
            yield {
                "type": "HOLDS_SHARES",
                "source": holder,
                "target": company,
                "stake_pct": stake,
                "since": SINCE,
                "until": until,
            }


def _relationships(rnd: random.Random, companies: list[str], persons: list[str]) -> Iterator[Any]:
    for company in companies:
        yield from _holdings(rnd, company, companies, persons)
        yield {"type": "LEGAL_REP_OF", "source": rnd.choice(persons), "target": company}
        if rnd.random() < 0.2:
            role = rnd.choice(["principal", "actual_controller", "finance_officer"])
            yield {
                "type": "OFFICER_OF",
                "source": rnd.choice(persons),
                "target": company,
                "role": role,
                "since": APPOINTED,
            }
        if rnd.random() < 0.02:
            yield {"type": "BRANCH_OF", "source": company, "target": rnd.choice(companies)}
        if rnd.random() < 0.01:
            yield {"type": "SHARES_CONTACT", "source": company, "target": rnd.choice(companies)}


def build(parties: int, seed: int) -> nx.MultiDiGraph[str]:
    """The synthetic world as the analysis's input graph."""
    rnd = random.Random(seed)
    companies, persons = _ids(parties)
    graph = build_graph(_parties(rnd, companies, persons), [])
    for rel in _relationships(rnd, companies, persons):
        source, target, kind = rel.pop("source"), rel.pop("target"), rel.pop("type")
        if source != target:
            # build_graph's add_relationship checks and converts each row; the generated
            # rows are already typed, so they go in directly (a rare parallel edge of one
            # type between the same pair overwrites the first: harmless here)
            graph.add_edge(source, target, key=kind, **rel)
    return graph


def _timed(label: str, results: dict[str, Any], fn: Any, *args: Any) -> Any:
    """Runs ``fn``; records wall and CPU seconds (CPU time is less disturbed by other load)."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    results[f"{label}_s"] = round(time.perf_counter() - wall, 2)
    results[f"{label}_cpu_s"] = round(time.process_time() - cpu, 2)
    print(f"{label}: {results[f'{label}_s']} s", file=sys.stderr)
    return value


def main() -> None:
    """Builds the world, times the computation, prints the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    catalog, results = default_catalog(), {"parties": args.parties, "seed": args.seed}
    graph = _timed("build", results, build, args.parties, args.seed)
    results.update(nodes=graph.number_of_nodes(), edges=graph.number_of_edges())
    listed = serious_until(active_index(graph, catalog, AS_OF))
    results["serious_share_pct"] = round(100 * len(listed) / args.parties, 2)
    found = _timed("compute_measures", results, compute_measures, graph, catalog, AS_OF)
    results["parties_with_measures"] = len(found)
    results["measures"] = sum(len(ms) for ms in found.values())
    risk = _timed("peripheral_risk", results, peripheral_risk, graph, catalog, AS_OF)
    results["parties_scored"] = len(risk)
    del found, risk
    tracemalloc.start()
    compute_measures(graph, catalog, AS_OF)
    results["compute_peak_traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    results["process_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
