"""Every measure of every party as of a date: direct measures and rules R1–R6, in one run.

Rule
----
Direct measures (§2), then R1, R2, R5 and R6 from own records, R3 (the listed-controlled
fixed point) and last R4, which hands every measure a company has down to its branches. Only
R3 and R4 chain; nothing derived starts R1, R2, R5 or R6. The result is deterministic: parties
in id order, each party's measures by measure, rule, record and path, whatever the order in
which the graph was built.

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "C", "kind": "company", "name": "甲", "records": [
...         {"kind": "dishonest_debtor", "ref": "X|C", "start": "2021-06-01"}]},
...      {"party_id": "P", "kind": "person", "name": "张"},
...      {"party_id": "S", "kind": "company", "name": "乙"},
...      {"party_id": "B", "kind": "company", "name": "乙分"}],
...     [{"type": "LEGAL_REP_OF", "source": "P", "target": "C"},
...      {"type": "HOLDS_SHARES", "source": "C", "target": "S", "stake_pct": 50},
...      {"type": "BRANCH_OF", "source": "B", "target": "S"}])
>>> found = compute_measures(g, default_catalog(), date(2026, 11, 26))
>>> {p: [(m.measure, m.rule) for m in ms] for p, ms in found.items()}
... # doctest: +NORMALIZE_WHITESPACE
{'B': [('enhanced_supervision', 'R4')], 'C': [('dishonest_debtor', None)],
 'P': [('high_consumption_ban', 'R1'), ('officer_ban', 'R1')],
 'S': [('enhanced_supervision', 'R3')]}
>>> sorted(affected_component(g, ["S"]))
['B', 'C', 'P', 'S']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import chain

import networkx as nx

from graph_service.analysis.activity import red_listed
from graph_service.analysis.branches import branch_measures
from graph_service.analysis.explain import Measure, sort_key
from graph_service.analysis.graph import RULE_RELATIONS, in_adjacency, out_adjacency, rel_type
from graph_service.analysis.listed import r3_measures
from graph_service.analysis.risk import peripheral_risk
from graph_service.analysis.rule_context import Context
from graph_service.analysis.rules import (
    direct_measures,
    r1_measures,
    r2_measures,
    r5_measures,
    r6_measures,
)
from graph_service.policy.catalog import Catalog, Outcome, decide, default_catalog

Measures = dict[str, list[Measure]]


def compute_measures(graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date) -> Measures:
    """Every party's measures on ``as_of`` (parties without any are absent).

    Notes
    -----
    One pass over the records plus searches around the parties they concern: O(V + R) for
    the index, then O((V' + E') log V') over the parts of the graph within reach of an
    active record (see each rule's notes).
    """
    ctx = Context.of(graph, catalog, as_of)
    found: defaultdict[str, list[Measure]] = defaultdict(list)
    rules = (direct_measures, r1_measures, r2_measures, r5_measures, r6_measures, r3_measures)
    for measure in chain.from_iterable(rule(ctx) for rule in rules):
        found[measure.party_id].append(measure)
    for measure in list(branch_measures(ctx, found)):
        found[measure.party_id].append(measure)
    return {party: sorted(found[party], key=sort_key) for party in sorted(found)}


@dataclass(frozen=True)
class Propagation:
    """A run's result: measures, red-listed parties and peripheral risk, with the date and
    the catalog version that produced them."""

    as_of: date
    catalog: Catalog
    measures: Measures
    red_listed: frozenset[str]
    risk: dict[str, float]

    @property
    def catalog_version(self) -> str:
        """The version of the catalog used."""
        return self.catalog.version

    def decision(self, party: str, context: str) -> Outcome:
        """The decision for ``party`` in ``context`` (§4)."""
        names = [m.measure for m in self.measures.get(party, [])]
        return decide(names, context, party in self.red_listed, self.catalog)


def propagate(graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date) -> Propagation:
    """Measures, red lists and peripheral risk of every party on ``as_of``."""
    index = Context.of(graph, catalog, as_of).active
    return Propagation(
        as_of=as_of,
        catalog=catalog,
        measures=compute_measures(graph, catalog, as_of),
        red_listed=frozenset(red_listed(index)),
        risk=peripheral_risk(graph, catalog, as_of),
    )


def affected_component(
    graph: nx.MultiDiGraph[str], party_ids: Iterable[str], catalog: Catalog | None = None
) -> set[str]:
    """The parties whose measures may change when ``party_ids`` change (their records or
    relationships): everything connected to them, in either direction and whatever the
    dates, by the relationships the rules follow and by persons named in records (R2).

    Computing over this set alone gives the same measures for it as computing over the whole
    graph, so an incremental run recomputes the affected components only.

    Notes
    -----
    Breadth-first over an undirected view: O(V + E) for the names index plus the component.
    """
    named_fields = tuple((catalog or default_catalog()).r2.named_roles.values())
    named = _named_links(graph, named_fields)
    seen = {str(p) for p in party_ids}
    queue = [p for p in seen if p in graph or p in named]
    while queue:
        party = queue.pop()
        for other in _neighbours(graph, party, named):
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _neighbours(graph: nx.MultiDiGraph[str], party: str, named: dict[str, set[str]]) -> set[str]:
    found = set(named.get(party, ()))
    if party in graph:
        for adjacency in (out_adjacency(graph)[party], in_adjacency(graph)[party]):
            for other, keyed in adjacency.items():
                if any(rel_type(key) in RULE_RELATIONS for key in keyed):
                    found.add(other)
    return found


def _named_links(graph: nx.MultiDiGraph[str], fields: tuple[str, ...]) -> dict[str, set[str]]:
    """Record subject ↔ person named in the record, both ways."""
    links: defaultdict[str, set[str]] = defaultdict(set)
    for party, attrs in graph.nodes(data=True):
        for record in attrs.get("records") or ():
            for person in (record.get(field) for field in fields):
                if person:
                    links[party].add(str(person))
                    links[str(person)].add(party)
    return links
