"""Shortest paths and neighbourhoods on a generated world equal NetworkX's on the same data.

A seeded random world of companies and persons with holdings, officer roles, legal
representatives, branches and shared contacts (some ended in the past) is written with test
helper queries; NetworkX builds the same undirected multigraph and answers the same questions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import networkx as nx
import pytest

from graph_service.db import Database
from graph_service.identifiers import id_check_char, uscc_check_char
from tests.graphql.conftest import Api

pytestmark = pytest.mark.neo4j

TYPES = ["HOLDS_SHARES", "OFFICER_OF", "LEGAL_REP_OF", "BRANCH_OF", "SHARES_CONTACT"]
TODAY = date.today()


@dataclass
class World:
    """The generated parties and edges: (source, target, type, still active today)."""

    companies: list[str]
    persons: list[str]
    edges: list[tuple[str, str, str, bool]]

    def graph(self, active_only: bool) -> nx.MultiGraph[str]:
        """The undirected multigraph NetworkX compares against."""
        graph: nx.MultiGraph[str] = nx.MultiGraph()
        graph.add_nodes_from(self.companies + self.persons)
        for source, target, _, active in self.edges:
            if active or not active_only:
                graph.add_edge(source, target)
        return graph


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - seeded test data, reproducible by design


def _company(i: int) -> str:
    stem = f"9113010{i:010d}"
    return stem + (uscc_check_char(stem) or "0")


def _person(i: int) -> str:
    stem = f"13010219800101{i:03d}"
    return stem + id_check_char(stem)


def _generate(seed: int) -> World:
    rng = _rng(seed)
    companies = [_company(i) for i in range(40)]
    persons = [_person(i) for i in range(30)]
    edges: list[tuple[str, str, str, bool]] = []
    for _ in range(45):
        holder = rng.choice(companies + persons)
        edges.append((holder, rng.choice(companies), "HOLDS_SHARES", rng.random() > 0.2))
    for kind, count in (("OFFICER_OF", 20), ("LEGAL_REP_OF", 15)):
        edges += [
            (rng.choice(persons), rng.choice(companies), kind, rng.random() > 0.2)
            for _ in range(count)
        ]
    for kind, count in (("BRANCH_OF", 4), ("SHARES_CONTACT", 6)):
        edges += [(*rng.sample(companies, 2), kind, True) for _ in range(count)]
    # no loops and one edge per pair and type, as the loaders store them
    unique = {(s, t, k): a for s, t, k, a in edges if s != t}
    return World(companies, persons, [(s, t, k, a) for (s, t, k), a in unique.items()])


def _write(db: Database, world: World) -> None:
    parties = [
        {
            "labels": ["Company"],
            "props": {"party_id": c, "uscc": c, "kind": "company", "name": f"公司{i}"},
        }
        for i, c in enumerate(world.companies)
    ]
    parties += [
        {
            "labels": ["Person"],
            "props": {"party_id": p, "id_number": p, "kind": "person", "name": f"人{i}"},
        }
        for i, p in enumerate(world.persons)
    ]
    db.write("meta/test_graphql_parties", rows=parties)
    since = TODAY - timedelta(days=3000)
    rows = [
        {
            "source": s,
            "target": t,
            "type": k,
            "props": {
                "since": since,
                "until": None if a else TODAY - timedelta(days=30),
                "stake_pct": 10.0,
            },
        }
        for s, t, k, a in world.edges
    ]
    db.write("meta/test_graphql_edges", rows=rows)


PATHS = """
query ($id: String!, $to: String!, $on: Date, $types: [RelationType!], $hops: Int!) {
  party(id: $id) { ... on Party {
    paths(to: $to, maxHops: $hops, types: $types, activeOn: $on, limit: 50) {
      ... on Connections { length truncated paths { nodes { id } } } } } }
}"""


def _api_paths(
    api: Api, source: str, target: str, on: date | None, hops: int = 6
) -> dict[str, Any]:
    variables = {
        "id": source,
        "to": target,
        "on": on.isoformat() if on else None,
        "types": TYPES,
        "hops": hops,
    }
    return api.data(PATHS, variables)["party"]["paths"]  # type: ignore[no-any-return]


def _nx_paths(
    graph: nx.MultiGraph[str], source: str, target: str, hops: int = 6
) -> set[tuple[str, ...]]:
    try:
        paths = {tuple(p) for p in nx.all_shortest_paths(graph, source, target)}
    except nx.NetworkXNoPath:
        return set()
    return {p for p in paths if len(p) - 1 <= hops}


def _assert_same(found: dict[str, Any], expected: set[tuple[str, ...]], case: object) -> None:
    got = {tuple(n["id"] for n in p["nodes"]) for p in found["paths"]}
    if found["truncated"]:
        assert got and got <= expected, case
    else:
        assert got == expected, case
    length = len(next(iter(expected))) - 1 if expected else None
    assert found["length"] == length, case


@pytest.mark.parametrize("seed", [1, 2])
def test_paths_equal_networkx_all_shortest_paths(
    api: Api, empty_graph: Database, seed: int
) -> None:
    world = _generate(seed)
    _write(empty_graph, world)
    rng = _rng(seed + 100)
    parties = world.companies + world.persons
    compared = connected = 0
    for on in (None, TODAY):
        graph = world.graph(active_only=on is not None)
        for _ in range(25):
            source, target = rng.sample(parties, 2)
            expected = _nx_paths(graph, source, target)
            _assert_same(_api_paths(api, source, target, on), expected, (source, target, on))
            # a tighter bound: the same paths when they fit in it, none when they do not
            hops = rng.randint(1, 5)
            _assert_same(
                _api_paths(api, source, target, on, hops),
                _nx_paths(graph, source, target, hops),
                (source, target, on, hops),
            )
            connected += bool(expected)
            compared += 1
    assert compared == 50 and connected >= 10  # the world is connected enough to mean something


NEIGHBOURS = """
query ($id: String!, $depth: Int!, $on: Date, $types: [RelationType!]) {
  party(id: $id) { ... on Party {
    neighbours(depth: $depth, types: $types, activeOn: $on, maxNodes: 500) {
      ... on GraphView { truncated nodes { id depth } } } } }
}"""


def test_neighbourhoods_equal_networkx_ego_graphs(api: Api, empty_graph: Database) -> None:
    world = _generate(3)
    _write(empty_graph, world)
    rng = _rng(7)
    for on in (None, TODAY):
        graph = world.graph(active_only=on is not None)
        for party in rng.sample(world.companies + world.persons, 8):
            for depth in (1, 2, 3):
                variables = {
                    "id": party,
                    "depth": depth,
                    "types": TYPES,
                    "on": on.isoformat() if on else None,
                }
                view = api.data(NEIGHBOURS, variables)["party"]["neighbours"]
                hops = nx.single_source_shortest_path_length(graph, party, cutoff=depth)
                assert {n["id"]: n["depth"] for n in view["nodes"]} == hops
                assert view["truncated"] is False
