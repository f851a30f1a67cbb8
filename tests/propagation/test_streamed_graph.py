"""A full run's input is streamed: rows go into the graph as they are read and are not kept,
at most two read batches are in flight, and the graph is the one the rows describe
(issue 15 item 4: memory of a full run)."""

from __future__ import annotations

import time
import tracemalloc
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from graph_service.analysis import graph as graph_module
from graph_service.analysis.graph import (
    _row_records,
    build_graph,
    graph_from_rows,
    in_adjacency,
    out_adjacency,
)
from graph_service.analysis.propagate import propagate
from graph_service.db import Database
from graph_service.policy import default_catalog
from graph_service.propagation import runner, store
from loaders.engine import LoadOptions, load_file
from tests.propagation.sample import sample_file

#: Enough of the sample registries for records, named persons, convictions and every edge type.
KINDS = [
    "companies", "persons", "shareholdings", "officers", "branches", "cases", "case_parties",
    "dishonest_debtors", "tax_violations", "contacts",
]  # fmt: skip


class _Row(dict[str, Any]):
    """A row that can be watched with a weak reference (a plain dict cannot)."""


def _people(count: int, watched: list[weakref.ref[_Row]]) -> Iterator[_Row]:
    """Persons P0…, each holding shares in the one before, every row watched as it goes."""
    for i in range(count):
        if i >= 2:  # the row before the previous one is no longer referenced by the builder
            assert watched[i - 2]() is None, f"row {i - 2} is still held"
        edges = [{"type": "HOLDS_SHARES", "target": f"P{i - 1}", "since": "2020-01-01"}]
        row = _Row(party_id=f"P{i}", kind="person", name=f"人{i}", records=[],
                   edges=edges if i else [])  # fmt: skip
        watched.append(weakref.ref(row))
        yield row
        del row


def test_rows_are_not_kept_while_the_graph_is_built() -> None:
    watched: list[weakref.ref[_Row]] = []
    graph = graph_from_rows(_people(50, watched))
    assert graph.number_of_nodes() == 50 and graph.number_of_edges() == 49
    assert all(ref() is None for ref in watched)


def test_repeated_texts_and_dates_are_stored_once() -> None:
    rows = [
        {"party_id": p, "kind": "person", "name": p, "edges": [
            {"type": "OFFICER_OF", "target": "C", "role": "director", "since": "2020-01-01"}],
         "records": [{"kind": "blacklist", "ref": f"B-{p}", "start": "2021-02-03"}]}
        for p in ("A", "B")
    ] + [{"party_id": "C", "kind": "company", "name": "C", "edges": [], "records": []}]  # fmt: skip
    graph = graph_from_rows(rows)
    a, b = graph["A"]["C"]["OFFICER_OF"], graph["B"]["C"]["OFFICER_OF"]
    assert a["since"] is b["since"] and a["role"] is b["role"]
    ra, rb = graph.nodes["A"]["records"][0], graph.nodes["B"]["records"][0]
    assert ra["start"] is rb["start"] and ra["kind"] is rb["kind"]


def _reference(rows: Sequence[Mapping[str, Any]]) -> nx.MultiDiGraph[str]:
    """The graph as it was built before streaming: every row kept, then build_graph."""
    parties = [{**row, "records": _row_records(row)} for row in rows]
    edges = [{**edge, "source": row["party_id"]} for row in rows for edge in row.get("edges") or ()]
    return build_graph(parties, edges)


def test_full_read_keeps_two_batches_in_flight_and_builds_the_same_graph(
    db: Database, tmp_path: Path, monkeypatch: Any
) -> None:
    for kind in KINDS:
        summary = load_file(db, kind, sample_file(kind), LoadOptions(reject_file=tmp_path / "r"))
        assert summary.rejected == 0
    requested: list[int] = []
    read_batch = store._read_batch

    def counted(db: Database, ids: list[str]) -> list[Any]:
        requested.append(len(ids))
        return read_batch(db, ids)

    monkeypatch.setattr(store, "_read_batch", counted)
    rows = store.read_all(db, batch=2)
    first = next(rows)
    time.sleep(0.5)  # time enough for an eager reader to fetch every batch
    assert len(requested) == 2
    streamed = [first, *rows]
    assert len(requested) == (len(streamed) + 1) // 2 > 10
    graph, reference = graph_from_rows(iter(streamed)), _reference(streamed)
    assert list(graph.nodes(data=True)) == list(reference.nodes(data=True))
    assert list(graph.edges(keys=True, data=True)) == list(reference.edges(keys=True, data=True))
    assert graph.number_of_edges() > len(streamed)  # not vacuous
    records = [r for _, d in graph.nodes(data=True) for r in d["records"]]
    assert any(k.startswith("named_") for r in records for k in r)
    assert any(r["kind"] == "bribery_conviction" for r in records)
    # every adjacency in the same order too (what the rules iterate)
    for node in reference:
        assert list(graph.pred[node]) == list(reference.pred[node])


def _load_sample(db: Database, tmp_path: Path) -> None:
    for kind in KINDS:
        summary = load_file(db, kind, sample_file(kind), LoadOptions(reject_file=tmp_path / "r"))
        assert summary.rejected == 0


def _companies(count: int) -> list[dict[str, Any]]:
    """Companies C0…, each with a listing of the policy's 12 record fields and a holding of
    the read query's 5 relationship fields in the one before (every other one two)."""
    record = dict.fromkeys(
        ("severity", "record_key", "kind", "start", "list", "ref", "voided_on", "domain",
         "authority", "end", "category", "status"))  # fmt: skip
    return [
        {"party_id": f"C{i}", "kind": "company", "name": f"公司{i}",
         "records": [{**record, "record_key": f"blacklist:B{i}", "kind": "blacklist",
                      "ref": f"B{i}", "start": "2024-01-02"}],
         "edges": [{"type": "HOLDS_SHARES", "target": f"C{i - 1}", "role": None,
                    "stake_pct": 10.0 + i % 7, "until": None, "via": None,
                    "since": since} for since in ("2020-01-01", "2023-04-05")[:1 + i % 2]]
                  if i else []}
        for i in range(count)
    ]  # fmt: skip


def _traced(build: Callable[[], Any]) -> tuple[int, Any]:
    """What ``build()`` leaves allocated, in bytes, and its result."""
    tracemalloc.start()
    try:
        built = build()
        return tracemalloc.get_traced_memory()[0], built
    finally:
        tracemalloc.stop()


def test_the_graphs_dicts_of_fields_share_their_keys(monkeypatch: Any) -> None:
    """Records, relationships and parties keep their fields in dicts that share one table of
    keys a shape (issue 15 item 4: 100,000 parties' graph 382 -> 326 MiB); they are still
    plain dicts, equal to the ones built without sharing."""
    rows = _companies(3_000)
    graph_from_rows(rows[:10])  # what a first build allocates once (classes, caches) is not counted
    compact, graph = _traced(lambda: graph_from_rows(rows))
    monkeypatch.setattr(graph_module._Shared, "fields", lambda self, plain: plain)
    plain, reference = _traced(lambda: graph_from_rows(rows))
    assert compact < 0.85 * plain, (compact, plain)  # 0.73 on CPython 3.11
    assert list(graph.nodes(data=True)) == list(reference.nodes(data=True))
    assert list(graph.edges(keys=True, data=True)) == list(reference.edges(keys=True, data=True))
    attributes, record = graph.nodes["C1"], graph.nodes["C1"]["records"][0]
    data = graph["C1"]["C0"]["HOLDS_SHARES"]
    assert type(attributes) is type(record) is type(data) is dict
    assert graph.pred["C0"]["C1"]["HOLDS_SHARES"] is data  # one dict, both directions
    assert in_adjacency(graph)["C0"]["C1"] is out_adjacency(graph)["C1"]["C0"]
    assert list(graph["C1"]["C0"]) == ["HOLDS_SHARES", "HOLDS_SHARES#2"]


def test_measures_and_scores_from_the_streamed_graph_are_the_reference_graphs(
    db: Database, tmp_path: Path
) -> None:
    _load_sample(db, tmp_path)
    rows = list(store.read_all(db))
    catalog, as_of = default_catalog(), date(2026, 11, 26)
    streamed = propagate(graph_from_rows(iter(rows)), catalog, as_of)
    reference = propagate(_reference(rows), catalog, as_of)
    measures = runner._rows(streamed.measures.values())
    assert measures == runner._rows(reference.measures.values())
    assert len(measures) > 5  # not vacuous
    assert streamed.risk == reference.risk and streamed.red_listed == reference.red_listed
