"""The risk update's graph, two ways, on a synthetic update (issue 15, session 13; CPU only).

    .venv/bin/python bench/load_riskgraph.py [CODE_DIR] [LINKS_PER_PARTY]

``riskscope._graph`` of the code in ``CODE_DIR`` (default: this repository) against the way it
was built before session 13's ``dacf2c1`` (:func:`shaped`: every loaded party and each of its
links shaped as ``propagation/read_parties_by_id`` rows, then ``graph_from_rows``), on 2,500
loaded parties with about ``LINKS_PER_PARTY`` (12) links each among 9,000, 5 % of them with a
dishonest-debtor listing. Prints the best of five builds of each, twice alternated, and
whether peripheral risk gives the same scores on both graphs (seeded at one party). No Neo4j.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent.parent))

from graph_service.analysis.graph import graph_from_rows
from graph_service.analysis.risk import peripheral_risk
from graph_service.policy import default_catalog
from graph_service.propagation import riskscope
from graph_service.propagation.riskscope import Links

LOADED, POOL = 2_500, 9_000
TYPES = ["HOLDS_SHARES", "OFFICER_OF", "LEGAL_REP_OF", "BRANCH_OF", "SHARES_CONTACT"]
SINCE = [None, "2020-01-01", "2019-05-03", "2027-01-01", "2026-11-27"]
UNTIL = [None, None, "2028-01-01"]


def shaped(known: Mapping[str, Links]) -> Any:
    """The graph as built before ``dacf2c1``: rows of every party, their links as edges."""
    parties: dict[str, dict[str, Any]] = {}
    for party, got in known.items():
        row = got.party
        parties[party] = {"party_id": party, "kind": row.get("kind") or "company",
                          "name": row.get("name"), "records": row.get("records") or [],
                          "convictions": row.get("convictions") or [], "edges": []}  # fmt: skip
    for party, got in known.items():
        for link in got.links:
            other = str(link["other"])
            parties.setdefault(other, {"party_id": other, "kind": "company", "edges": []})
            if link["outgoing"]:
                source, target = party, other
            elif other in known:
                continue  # the other side lists it as outgoing
            else:
                source, target = other, party
            edge = {"type": link["type"], "target": target, "since": link.get("since"),
                    "until": link.get("until")}  # fmt: skip
            parties[source]["edges"].append(edge)
    return graph_from_rows(parties.values())


def update(per_party: int, seed: int = 5) -> dict[str, Links]:
    """The loaded parties of a synthetic update, as ``Neo4jRiskData.links`` returns them."""
    rng = random.Random(seed)
    ids = [f"P{i:05d}" for i in range(POOL)]
    loaded = set(ids[:LOADED])
    links: dict[str, list[dict[str, Any]]] = {p: [] for p in loaded}
    for _ in range(LOADED * per_party // 2):
        a, b = rng.choice(ids[: LOADED + 2000]), rng.choice(ids)
        if a == b:
            continue
        kind, since, until = rng.choice(TYPES), rng.choice(SINCE), rng.choice(UNTIL)
        for end, other, outgoing in ((a, b, True), (b, a, False)):
            if end in loaded:
                links[end].append({"other": other, "type": kind, "outgoing": outgoing,
                                   "since": since, "until": until, "score": None})  # fmt: skip
    found = {}
    for p in sorted(loaded):
        listed = rng.random() < 0.05
        records = [{"record_key": f"dishonest_debtor:{p}", "kind": "dishonest_debtor", "ref": p,
                    "start": "2021-01-01", "end": None, "named": []}] if listed else []  # fmt: skip
        party = {"party_id": p, "kind": "company", "name": p, "records": records, "convictions": []}
        found[p] = Links(None, links[p], party)
    return found


def best_of(build: Callable[[Mapping[str, Links]], Any], known: Mapping[str, Links]) -> float:
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        build(known)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> int:
    known = update(int(sys.argv[2]) if len(sys.argv) > 2 else 12)
    print("loaded", len(known), "links", sum(len(got.links) for got in known.values()))
    for name, build in (("shaped", shaped), ("_graph", riskscope._graph)) * 2:
        graph = build(known)
        size = graph.number_of_nodes(), graph.number_of_edges()
        print(f"{name}: {best_of(build, known) * 1000:.1f} ms (best of 5), nodes, edges {size}")
    catalog, day = default_catalog(), date(2026, 11, 26)
    before = peripheral_risk(shaped(known), catalog, day, {"P00003": 0.5})
    after = peripheral_risk(riskscope._graph(known), catalog, day, {"P00003": 0.5})
    print("same scores:", before == after, len(after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
