"""The scope search's row limit against Neo4j (issue 15, item 3: a run that falls back to the
full computation spent over a second on the search it stopped): ``propagation/hops`` cuts a
level short at the rows asked for, and a search with a limit finds exactly the sets an
unlimited one finds, or none."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from graph_service.analysis.graph import graph_from_rows, rel_type
from graph_service.db import Database
from graph_service.propagation import scope, store
from tests.propagation.test_runner import ORDER, _load

LISTED = "91130102RG8E64XKKR"  # 华北建设: 7 parties affected, 10 they depend on


class Asked:
    """Neo4j's hops, remembering each call's row limit and how many rows it answered."""

    def __init__(self, db: Database) -> None:
        self.hops = store.Neo4jHops(db)
        self.calls: list[tuple[int | None, int]] = []

    def __call__(self, asks: Mapping[str, set[str]], rows: int | None = None) -> scope.Answers:
        answers = self.hops(asks, rows)
        self.calls.append((rows, scope._triples(answers)))
        return answers


@pytest.fixture
def sample(db: Database, tmp_path: Path) -> Database:
    _load(db, ORDER, tmp_path)
    return db


def _triples(answers: scope.Answers) -> set[tuple[str, str, str]]:
    return {(h, a, b) for h, reached in answers.items() for a, bs in reached.items() for b in bs}


def test_neo4j_cuts_a_level_short_at_the_rows_asked_for(sample: Database) -> None:
    hops = store.Neo4jHops(sample)
    targets = scope.affected(hops, {LISTED})
    asks = scope._asks({"start": targets}, scope.DEPENDENCY_MODES)
    whole = _triples(hops(asks))
    assert len(whole) == 28
    for rows in (1, 9, 27):
        part = _triples(hops(asks, rows))
        assert len(part) == rows and part <= whole
    assert _triples(hops(asks, 28)) == _triples(hops(asks, 1_000)) == whole


@pytest.mark.large  # ~7 s: every party of the sample world at twelve limits
def test_a_search_with_a_limit_finds_the_sets_an_unlimited_one_finds(sample: Database) -> None:
    (row,) = sample.read_plain("propagation/party_ids")
    asked = Asked(sample)
    for party in row["ids"]:
        targets = scope.affected(store.Neo4jHops(sample), {party})
        read = scope.dependencies(store.Neo4jHops(sample), targets)
        for limit in range(12):
            expected = (targets, read) if max(len(targets), len(read)) <= limit else None
            assert scope.within(asked, {party}, limit) == expected, (party, limit)
    # some levels were cut short without passing the limit, and asked again for more rows
    pairs = zip(asked.calls, asked.calls[1:], strict=False)
    assert any(cut == got and then == 4 * cut for (cut, got), (then, _) in pairs if cut)


def _graph_hops(sample: Database) -> tuple[scope.GraphHops, set[str]]:
    """:class:`scope.GraphHops` over the sample graph read back, and its parties."""
    graph = graph_from_rows(store.read_all(sample))
    edges = [(source, target, rel_type(key)) for source, target, key in graph.edges(keys=True)]
    named = [
        (party, record[field])
        for party, attributes in graph.nodes(data=True)
        for record in attributes["records"]
        for field in record
        if field.startswith("named_") and record[field]
    ]
    return scope.GraphHops.of(edges, named), set(graph)


def test_neo4j_answers_every_hop_of_every_party_as_the_graph_does(sample: Database) -> None:
    """``propagation/hops`` against :class:`scope.GraphHops` over the graph read back: every
    hop asked from every party of the sample world at once (the statement expands each party
    once a direction and tells the hops apart by the relationships' types)."""
    graph_hops, parties = _graph_hops(sample)
    asks = {hop: parties for hop in scope.HOPS}
    answers = _triples(store.Neo4jHops(sample)(asks))
    assert answers == _triples(graph_hops(asks))
    assert {hop for hop, _, _ in answers} == set(scope.HOPS)  # every hop answered something


def test_neo4j_answers_each_hop_asked_alone_as_the_graph_does(sample: Database) -> None:
    """Each hop asked alone, and the modes' sets of hops, from every party: the statement
    expands a party only in the directions its hops follow (a level that asks one direction
    read the other for nothing), so a hop left out of its direction's condition would be
    missing here, not when every hop is asked."""
    graph_hops, parties = _graph_hops(sample)
    modes = {
        **scope.DEPENDENCY_MODES,
        **{f"affected {m}": h for m, h in scope.AFFECTED_MODES.items()},
    }
    groups = [{hop} for hop in scope.HOPS] + [{hop for hop, _ in hops} for hops in modes.values()]
    for group in groups:
        asks = dict.fromkeys(group, parties)
        assert _triples(store.Neo4jHops(sample)(asks)) == _triples(graph_hops(asks)), group
