"""Exact incremental update of peripheral risk (周边风险) after a change at some parties.

Rule
----
A stored score ``s(W) > 0`` is the best, over paths from a party with a serious record, of
the product of the per-hop factors (graph_service.analysis.risk). The score is *tight* over
a link U–W when ``s(W) == spread(s(U), factor(U, W))`` and ``s(W) < s(U)``: W's score can
come through U. After a change at the parties T (their records, or relationships with an end
among them):

1. **Region** R: the parties reachable from T over tight links, but not from a party of T
   that is a *source now* (an active serious record on the as-of date, decided as peripheral
   risk decides it: :func:`~graph_service.analysis.activity.serious_until`). A party outside R
   keeps at least its stored score: follow the tight links back from it to a source (the
   stored scores are a full run's, so they lead to one). If none of them passes through T,
   that path is unchanged (a changed relationship has both ends in T) and still reaches the
   score. Otherwise take the last party of T on it: were it not a source now, the rest of the
   path would be in R; so it scores 1 now, at least what it stored, over the rest of the path,
   whose links are unchanged — the score is reached again. So a source now is never expanded:
   its score cannot drop, nor any score on its account; it is still loaded (its records make
   it a source in the search) and, its stored score being a lower bound, what it raises is
   found by the search below. A second listing at a party already scored 1 reads its own
   level only, where expanding read the thousands of parties it scores (issue 15, session 14).
   Only T is checked: a party reached over a tight link stored less than another, so it was
   no source, and outside T its records did not change.
2. **Search**: :func:`~graph_service.analysis.risk.peripheral_risk` over the parties whose
   links are loaded (R at first) and their neighbours, each party outside R seeded with its
   stored score. A neighbour that ends above its stored score has *improved*: its links are
   loaded and the search runs again, until none improves.

Every party's result then equals a full run's (``tests/propagation/test_riskscope.py``, on
random worlds and changes), given that the stored scores were a full run's for the same date
(the daily ``credit-graph propagate`` refreshes them) and that T holds every party whose
records changed and both ends of every relationship that changed
(``propagation/touched_by_loads``).

Why not the region of every party within reach of T: with a decay of 0.5 and a cut-off of
0.01, a party reaches six hops, which in the synthetic city is about half of the graph. The
tight region and the improved parties are what actually changes, usually a few hundred.

Notes
-----
Each search is O(V' + E') over the V' loaded parties and their E' links; the loop runs at
most once per hop of improvement (six with the shipped policy), one round trip each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import networkx as nx

from graph_service.analysis.activity import active_index, serious_until
from graph_service.analysis.graph import as_date, graph_from_rows
from graph_service.analysis.risk import link_factor, peripheral_risk, spread
from graph_service.policy.catalog import Catalog

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Links:
    """A party's stored score, its links: ``{other, type, outgoing, since, until, score}``
    (``score``: the other party's stored score, None if it has none), and the party as the
    propagation reads it but for its relationships (``party_id, kind, name, records,
    convictions``): the update scores exactly the parties whose links it reads, so it reads
    them together."""

    score: float | None
    links: list[dict[str, Any]]
    party: Row


class RiskData(Protocol):
    """Where the update reads from (Neo4j in production, a graph in tests)."""

    def links(self, party_ids: set[str]) -> dict[str, Links]:
        """The given parties' stored scores, links and records."""
        ...


@dataclass
class Update:
    """What an incremental update found: new scores (None: no longer scored)."""

    scores: dict[str, float | None] = field(default_factory=dict)
    region: int = 0  # parties in the tight region
    loaded: int = 0  # parties whose links were read


def update_risk(data: RiskData, touched: Iterable[str], catalog: Catalog, as_of: date) -> Update:
    """The peripheral-risk scores that change after a change at ``touched`` (see the module)."""
    known: dict[str, Links] = {}
    region = _tight_region(data, set(touched), known, catalog, as_of)
    while True:
        seeds = _seeds(known, region)
        scores = peripheral_risk(_graph(known), catalog, as_of, seeds)
        improved = {p for p, s in scores.items() if p not in known and s > seeds.get(p, 0.0)}
        if not improved:
            break
        known.update(data.links(improved))
    changed = {
        p: scores.get(p) for p, got in known.items() if score_changed(got.score, scores.get(p))
    }
    return Update(changed, len(region), len(known))


def _tight_region(
    data: RiskData, start: set[str], known: dict[str, Links], catalog: Catalog, as_of: date
) -> set[str]:
    """The region (see the module): ``start``, loaded, and what is tight from it but from
    its sources now; every party of it is loaded into ``known``."""
    got = data.links(start)
    known.update(got)
    region, frontier = set(start), set(start) - _sources(got, catalog, as_of)
    while frontier:
        following = set()
        for party in frontier:
            own = known.get(party)
            if own is None or not own.score:
                continue
            for other, (factor, score) in _by_other(own.links, catalog, as_of).items():
                tight = score is not None and score < own.score
                if tight and other not in region and score == spread(own.score, factor):
                    following.add(other)
        region |= following
        frontier = following
        if following:
            known.update(data.links(following))
    return region


def _sources(got: Mapping[str, Links], catalog: Catalog, as_of: date) -> set[str]:
    """The parties of ``got`` with an active serious record on ``as_of`` (peripheral risk's
    sources, which score 1), from their records as the search reads them."""
    graph = graph_from_rows(_recorded(got))
    return set(serious_until(active_index(graph, catalog, as_of)))


def _by_other(
    links: list[dict[str, Any]], catalog: Catalog, as_of: date
) -> dict[str, tuple[float, float | None]]:
    """Other party → (the best factor of the links to it on ``as_of``, its stored score)."""
    keyed: dict[str, dict[str, dict[str, Any]]] = {}
    scores: dict[str, float | None] = {}
    for n, link in enumerate(links):
        other = str(link["other"])
        dates = {"since": as_date(link.get("since")), "until": as_date(link.get("until"))}
        keyed.setdefault(other, {})[f"{link['type']}#{n}"] = dates
        scores[other] = link.get("score")
    return {o: (link_factor(k, catalog.risk, as_of), scores[o]) for o, k in keyed.items()}


def _seeds(known: Mapping[str, Links], region: set[str]) -> dict[str, float]:
    """Stored scores of every party in view outside the region: lower bounds of their new ones."""
    seeds = {p: got.score for p, got in known.items() if p not in region and got.score}
    for got in known.values():
        for link in got.links:
            other, score = str(link["other"]), link.get("score")
            if other not in region and other not in known and score:
                seeds[other] = float(score)
    return {p: float(s) for p, s in seeds.items() if s}


def _graph(known: Mapping[str, Links]) -> nx.MultiDiGraph[str]:
    """The loaded parties (with their records) and their neighbours, with the links between.

    Only what peripheral risk reads is built: the records of the parties that have some
    (which of them are sources), every party, and each relationship's type and dates, keyed
    ``TYPE#n`` (the search reads a key's type only). Shaped by :func:`graph_from_rows` as
    the measures' rows are, every party and relationship took most of a large update's
    time (issue 15, session 13)."""
    graph = graph_from_rows(_recorded(known))
    graph.add_nodes_from(known)
    # Adds the neighbours not loaded too. (u, v, key, data): the stubs type Graph's form only.
    graph.add_edges_from(_edges(known))  # type: ignore[arg-type]
    return graph


def _recorded(known: Mapping[str, Links]) -> list[dict[str, Any]]:
    """The rows of the parties of ``known`` that have records or convictions, in the shape
    :func:`graph_from_rows` takes (no relationships)."""
    return [
        {"party_id": party, "kind": got.party.get("kind") or "company",
         "name": got.party.get("name"), "records": got.party.get("records"),
         "convictions": got.party.get("convictions")}
        for party, got in known.items()
        if got.party.get("records") or got.party.get("convictions")
    ]  # fmt: skip


#: An edge as ``MultiDiGraph.add_edges_from`` takes it: source, target, key, data.
Edge = tuple[str, str, str, dict[str, date | None]]


def _edges(known: Mapping[str, Links]) -> list[Edge]:
    """Every link of the loaded parties once (a link between two of them is listed by both:
    kept as its source lists it), with its dates; each date text parsed once."""
    edges: list[Edge] = []
    dates: dict[Any, date | None] = {None: None}
    for party, got in known.items():
        for n, link in enumerate(got.links):
            other = str(link["other"])
            if link["outgoing"]:
                source, target = party, other
            elif other in known:
                continue  # the other side lists it as outgoing
            else:
                source, target = other, party
            since, until = link.get("since"), link.get("until")
            if since not in dates:
                dates[since] = as_date(since)
            if until not in dates:
                dates[until] = as_date(until)
            data = {"since": dates[since], "until": dates[until]}
            edges.append((source, target, f"{link['type']}#{n}", data))
    return edges


def score_changed(old: float | None, new: float | None) -> bool:
    """Whether a stored risk score (None: none stored) must be rewritten as ``new``."""
    if old is None or new is None:
        return (old is None) != (new is None)
    return abs(old - new) > 1e-12
