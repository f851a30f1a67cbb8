"""The incremental peripheral-risk update is exact: after any change, the stored scores
updated by riskscope equal a full computation on the changed graph.

Random worlds larger than the risk's reach (so that the region matters), random changes that
add and remove serious records and relationships, and relationships that end; and the same
at a party that is a source before the change (the region is not expanded from a source
now: riskscope's Rule).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service.analysis import build_graph
from graph_service.analysis.graph import rel_type
from graph_service.analysis.risk import peripheral_risk
from graph_service.policy import default_catalog
from graph_service.propagation.riskscope import Links, update_risk

AS_OF = date(2026, 11, 26)
PARTIES = [f"X{i:02d}" for i in range(24)]
TYPES = ["HOLDS_SHARES", "OFFICER_OF", "LEGAL_REP_OF", "BRANCH_OF", "SHARES_CONTACT"]
DATES = [None, "2020-01-01", "2026-11-26", "2026-11-27"]

parties = st.sampled_from(PARTIES)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["dishonest_debtor", "tax_violation", "red_list"]))
    return {
        "kind": kind,
        "ref": f"R{draw(st.integers(0, 10_000))}",
        "start": draw(st.sampled_from(["2021-01-01", "2026-11-26", "2026-11-27"])),
        "end": draw(st.sampled_from(DATES)),
    }


@st.composite
def links(draw: st.DrawFn) -> dict[str, Any]:
    source, target = draw(parties), draw(parties)
    return {
        "type": draw(st.sampled_from(TYPES)),
        "source": source,
        "target": target,
        "since": draw(st.sampled_from([None, "2020-01-01", "2026-11-27"])),
        "until": draw(st.sampled_from(DATES)),
    }


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "records": {p: draw(st.lists(records(), max_size=2)) for p in PARTIES},
        "links": [x for x in draw(st.lists(links(), max_size=45)) if x["source"] != x["target"]],
    }


AT_SOURCE = ["record_at_source", "drop_source_record", "end_source_record", "source_link"]


@st.composite
def changes(draw: st.DrawFn) -> tuple[str, Any]:
    what = draw(
        st.sampled_from(
            ["add_record", "drop_record", "add_link", "drop_link", "end_link", *AT_SOURCE]
        )
    )
    if what == "add_record":
        return what, (draw(parties), draw(records()))
    if what == "drop_record":
        return what, draw(parties)
    if what == "add_link":
        return what, draw(links())
    if what in AT_SOURCE:  # which source, and what to add or which link to change
        return what, (draw(st.integers(0, 1_000)), draw(records()), draw(links()))
    return what, draw(st.integers(0, 1_000))


def _apply(world: dict[str, Any], change: tuple[str, Any]) -> tuple[dict[str, Any], set[str]]:
    what, data = change
    if what in AT_SOURCE:
        return _apply_at_source(world, what, *data)
    recs, rels = dict(world["records"]), list(world["links"])
    if what == "add_record":
        recs[data[0]] = [*recs[data[0]], data[1]]
        return {"records": recs, "links": rels}, {data[0]}
    if what == "drop_record":
        recs[data] = recs[data][1:]
        return {"records": recs, "links": rels}, {data}
    if what == "add_link":
        if data["source"] == data["target"]:
            return world, set()
        return {"records": recs, "links": [*rels, data]}, {data["source"], data["target"]}
    if not rels:
        return world, set()
    link = rels[data % len(rels)]
    if what == "drop_link":
        rels.remove(link)
    else:
        rels[data % len(rels)] = {**link, "until": "2026-11-26"}
    return {"records": recs, "links": rels}, {link["source"], link["target"]}


def _apply_at_source(
    world: dict[str, Any], what: str, n: int, record: dict[str, Any], link: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """A change at a party that scores 1 before it: a record added (a second listing), its
    first record removed or ended on the as-of date, or a link of it added, dropped or ended."""
    scores = peripheral_risk(_graph(world), default_catalog(), AS_OF)
    sources = sorted(p for p, s in scores.items() if s == 1.0)
    if not sources:
        return world, set()
    source = sources[n % len(sources)]
    recs, rels = dict(world["records"]), list(world["links"])
    if what == "record_at_source":
        recs[source] = [*recs[source], record]
    elif what == "drop_source_record":
        recs[source] = recs[source][1:]
    elif what == "end_source_record":
        recs[source] = [{**recs[source][0], "end": AS_OF.isoformat()}, *recs[source][1:]]
    else:
        return _change_link_of(world, source, n, link)
    return {"records": recs, "links": rels}, {source}


def _change_link_of(
    world: dict[str, Any], source: str, n: int, link: dict[str, Any]
) -> tuple[dict[str, Any], set[str]]:
    """A link of ``source`` added (``link`` from it), dropped or ended, by ``n``."""
    rels = list(world["links"])
    own = [i for i, x in enumerate(rels) if source in (x["source"], x["target"])]
    if n % 3 == 0 or not own:
        if link["target"] == source:
            return world, set()
        added = {**link, "source": source}
        return {**world, "links": [*rels, added]}, {source, link["target"]}
    i = own[n % len(own)]
    changed = rels[i]
    if n % 3 == 1:
        del rels[i]
    else:
        rels[i] = {**changed, "until": AS_OF.isoformat()}
    return {**world, "links": rels}, {changed["source"], changed["target"]}


def _graph(world: dict[str, Any]) -> nx.MultiDiGraph[str]:
    party_rows = [
        {"party_id": p, "kind": "company", "name": p, "records": world["records"][p]}
        for p in PARTIES
    ]
    return build_graph(party_rows, world["links"])


class GraphRiskData:
    """RiskData over an in-memory graph and stored scores (what Neo4j holds)."""

    def __init__(self, graph: nx.MultiDiGraph[str], stored: dict[str, float]) -> None:
        self.graph, self.stored = graph, stored

    def links(self, party_ids: set[str]) -> dict[str, Links]:
        return {p: Links(self.stored.get(p), self._links(p), self._party(p)) for p in party_ids}

    def _party(self, party: str) -> dict[str, Any]:
        return {"party_id": party, **self.graph.nodes[party]}

    def _links(self, party: str) -> list[dict[str, Any]]:
        found = []
        for edges, outgoing in ((self.graph.out_edges, True), (self.graph.in_edges, False)):
            for source, target, key, data in edges(party, keys=True, data=True):
                other = target if outgoing else source
                found.append(
                    {
                        "other": other,
                        "type": rel_type(key),
                        "outgoing": outgoing,
                        "since": _iso(data.get("since")),
                        "until": _iso(data.get("until")),
                        "score": self.stored.get(other),
                    }
                )
        return found


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@settings(max_examples=500, deadline=None)
@given(worlds(), st.lists(changes(), min_size=1, max_size=4))
def test_incremental_risk_equals_a_full_computation(world: Any, steps: list[Any]) -> None:
    catalog = default_catalog()
    stored = peripheral_risk(_graph(world), catalog, AS_OF)
    for step in steps:
        world, touched = _apply(world, step)
        graph = _graph(world)
        update = update_risk(GraphRiskData(graph, stored), touched, catalog, AS_OF)
        for party, score in update.scores.items():
            if score is None:
                del stored[party]
            else:
                stored[party] = score
        assert stored == peripheral_risk(graph, catalog, AS_OF)


def test_only_the_region_and_improved_parties_are_read() -> None:
    # A chain S0–X1–…–X9 with a source at S0: a new source at X9 improves X8..X5 only
    # (X4 stays closer to S0); X1..X4 are neither read nor changed.
    chain = ["S0", *[f"X{i}" for i in range(1, 10)]]
    rows = [{"party_id": p, "kind": "company", "name": p, "records": []} for p in chain]
    rows[0]["records"] = [{"kind": "dishonest_debtor", "ref": "A", "start": "2021-01-01"}]
    rels = [{"type": "HOLDS_SHARES", "source": a, "target": b} for a, b in pairwise(chain)]
    catalog = default_catalog()
    stored = peripheral_risk(build_graph(rows, rels), catalog, AS_OF)
    rows[-1]["records"] = [{"kind": "dishonest_debtor", "ref": "B", "start": "2021-01-01"}]
    graph = build_graph(rows, rels)
    update = update_risk(GraphRiskData(graph, stored), {"X9"}, catalog, AS_OF)
    assert sorted(update.scores) == ["X5", "X6", "X7", "X8", "X9"]
    assert update.scores["X9"] == 1.0 and update.scores["X6"] == 0.125
    assert (update.region, update.loaded) == (1, 5)  # X9, then the four it improved


def test_a_second_listing_at_a_source_reads_its_own_level_only() -> None:
    # The same chain S0–X1–…–X9, scored from S0 (X1 0.5, …, X6 0.015625): a second serious
    # record at S0 changes no score. S0 scores 1 after the change, so nothing can drop on its
    # account: the region is S0 alone (expanded, it was S0..X6), and the search over S0's
    # links improves nobody.
    chain = ["S0", *[f"X{i}" for i in range(1, 10)]]
    rows = [{"party_id": p, "kind": "company", "name": p, "records": []} for p in chain]
    listing = {"kind": "dishonest_debtor", "ref": "A", "start": "2021-01-01"}
    rows[0]["records"] = [listing]
    rels = [{"type": "HOLDS_SHARES", "source": a, "target": b} for a, b in pairwise(chain)]
    catalog = default_catalog()
    stored = peripheral_risk(build_graph(rows, rels), catalog, AS_OF)
    rows[0]["records"] = [listing, {**listing, "ref": "B"}]
    graph = build_graph(rows, rels)
    update = update_risk(GraphRiskData(graph, stored), {"S0"}, catalog, AS_OF)
    assert update.scores == {}
    assert (update.region, update.loaded) == (1, 1)
