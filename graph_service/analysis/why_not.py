"""Why not (未受限制的原因, due process §5): for a party and a context whose decision is not
``deny``, the nearest facts that would have restricted it and do not.

Rule
----
A *fact* lies within two hops of the party — its own records, its neighbours' and their
neighbours' records, and the relationships among them (rule relationships and persons named in
records, whatever their dates) — and no longer holds on the as-of date:

* ``record_ended``: a record that started and is no longer active, ``ended_by`` ``expired``
  (its end, or its kind's ``active_years``), ``period`` (its publication period),
  ``repaired``, ``revoked`` or ``removed`` (the status update that voided it), with
  ``ended_on``, the first day it was no longer active;
* ``intervention_too_old``: an intervention of a kind R6 counts, older than R6's look-back;
* ``stake_ended``, ``role_ended`` (officer role or legal representation), ``branch_link_ended``:
  a relationship whose ``until`` has passed (``ended_on``);
* ``stake_below_threshold``: a company's listed holders (R3) whose stakes sum to less than the
  catalog's threshold (``sum_pct``, ``holders``).

A fact is reported when, were it still in force on the as-of date (the record active, the
intervention recent, the relationship not ended, the threshold met), the same rules
(:func:`~graph_service.analysis.propagate.compute_measures`: the one control rule, the one
activity rule, the catalog's thresholds) would give the party a restricting decision in the
context (``deny``, ``restrict`` or ``review``) stronger than its own. Each fact is tried alone;
``would_give`` names what it would give, with the path. Facts come nearest first, then the most
recently ended.

A record ended by its publication period (due-process.md §1) says ``ended_by: period``; one
voided by the status update of an upheld objection (``source: objection`` on the update,
graph_service/dueprocess/objections.py) is an ``objection_upheld`` fact, with its
``objection_id`` and the same ``ended_by``.

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "C", "kind": "company", "name": "甲公司", "records": [
...         {"kind": "dishonest_debtor", "ref": "X|C", "start": "2021-06-01",
...          "voided_on": "2024-01-10", "updates": [
...              {"status": "repaired", "effective_on": "2024-01-10"}]}]},
...      {"party_id": "L", "kind": "person", "name": "张伟"}],
...     [{"type": "LEGAL_REP_OF", "source": "L", "target": "C"}])
>>> answer = why_not(g, default_catalog(), "L", "high_consumption", date(2026, 11, 26))
>>> answer.decision, [(f.kind, f.hops, f.details["ended_by"], f.ended_on) for f in answer.facts]
('allow', [('record_ended', 1, 'repaired', datetime.date(2024, 1, 10))])
>>> for part in answer.facts[0].explanation.split("; "):
...     print(part)
dishonest_debtor record X|C of 甲公司 (1 hop away) was repaired on 2024-01-10
still active it would give high_consumption_ban (R1): deny in high_consumption.

Notes
-----
One propagation over the party's neighbourhood for its own decision, then one per candidate
fact: O(F · (V + E) log V) for F candidates over a neighbourhood of V parties and E
relationships (the scope a check on another date reads, graph_service/propagation/scope.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.activity import ended, period_of, red_listed
from graph_service.analysis.control import stakes
from graph_service.analysis.ended_facts import (
    MAX_HOPS,
    Fact,
    WhyNot,
    WouldGive,
    explain,
    giving,
    record_view,
    relationship_view,
    sources_of,
)
from graph_service.analysis.explain import Measure
from graph_service.analysis.graph import (
    RULE_RELATIONS,
    in_adjacency,
    name_of,
    out_adjacency,
    rel_type,
)
from graph_service.analysis.listed import Listing, listed_holders, listing
from graph_service.analysis.propagate import compute_measures
from graph_service.analysis.rule_context import Context
from graph_service.analysis.rules import intervention_end
from graph_service.model import RelType
from graph_service.policy.catalog import INTERVENTION, Catalog, Outcome, decide

#: Relationship type → the kind of fact its end is.
ENDED_KIND: dict[str, str] = {
    RelType.HOLDS_SHARES: "stake_ended",
    RelType.OFFICER_OF: "role_ended",
    RelType.LEGAL_REP_OF: "role_ended",
    RelType.BRANCH_OF: "branch_link_ended",
}


def why_not(
    graph: nx.MultiDiGraph[str], catalog: Catalog, party: str, context: str, as_of: date
) -> WhyNot:
    """Why ``party`` gets no stronger decision in ``context`` on ``as_of`` (see the module).

    ``graph`` holds the party's neighbourhood (every party its measures can depend on, as the
    propagation reads them, with records' ``updates`` and ``provenance``).
    """
    decision, base = _decision(graph, catalog, party, context, as_of)
    facts: list[Fact] = []
    if could_be_stronger(catalog, context, decision):  # else (a deny) no fact can matter
        hops = distances(graph, party, catalog)
        for candidate in candidates(graph, catalog, as_of, hops):
            fact = _tried(graph, catalog, party, context, as_of, decision, base, candidate)
            if fact is not None:
                facts.append(fact)
        facts += below_threshold(graph, catalog, party, context, as_of, decision)
    facts.sort(key=lambda f: (f.hops, -(f.ended_on or as_of).toordinal(), f.kind, f.explanation))
    return WhyNot(party, context, as_of, decision.value, catalog.version, tuple(facts))


def _decision(
    graph: nx.MultiDiGraph[str], catalog: Catalog, party: str, context: str, as_of: date
) -> tuple[Outcome, list[Measure]]:
    """The party's decision and measures on ``as_of`` (§4), from ``graph``."""
    found = compute_measures(graph, catalog, as_of).get(party, [])
    red = party in red_listed(Context.of(graph, catalog, as_of).active)
    return decide([m.measure for m in found], context, red, catalog), found


def _rank(outcome: Outcome, catalog: Catalog) -> int:
    """Strength: 0 for the catalog's strongest outcome; fast_track below allow."""
    ranked = list(catalog.outcomes)
    return ranked.index(outcome) if outcome in ranked else len(ranked)


def _restricting(outcome: Outcome, catalog: Catalog) -> Outcome | None:
    """``outcome`` if it restricts (stronger than allow), else None."""
    return outcome if _rank(outcome, catalog) < _rank(Outcome.ALLOW, catalog) else None


def _stronger(new: Outcome, old: Outcome, catalog: Catalog) -> bool:
    """True when ``new`` restricts and is stronger than ``old``."""
    return _restricting(new, catalog) is not None and _rank(new, catalog) < _rank(old, catalog)


def could_be_stronger(catalog: Catalog, context: str, decision: Outcome) -> bool:
    """Whether some measure of the catalog restricts more than ``decision`` in ``context``:
    if none does (a ``deny``; a ``review`` where nothing denies or restricts), no fact can
    matter and none is tried.

    >>> from graph_service.policy import default_catalog
    >>> catalog = default_catalog()
    >>> could_be_stronger(catalog, "bidding", Outcome.REVIEW)
    True
    >>> could_be_stronger(catalog, "promotion", Outcome.REVIEW), could_be_stronger(
    ...     catalog, "bidding", Outcome.DENY)
    (False, False)
    """
    outcomes = (spec.decisions.get(context) for spec in catalog.measures.values())
    return any(o is not None and _stronger(o, decision, catalog) for o in outcomes)


# --- where facts are looked for ------------------------------------------------------------------


def distances(graph: nx.MultiDiGraph[str], party: str, catalog: Catalog) -> dict[str, int]:
    """Hops from ``party`` to every party within :data:`MAX_HOPS`, over rule relationships in
    either direction (whatever their dates) and persons named in records (R2).

    >>> from graph_service.analysis.graph import build_graph
    >>> from graph_service.policy import default_catalog
    >>> g = build_graph([{"party_id": p, "kind": "company"} for p in "ABCD"],
    ...     [{"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 10},
    ...      {"type": "BRANCH_OF", "source": "C", "target": "B"},
    ...      {"type": "HOLDS_SHARES", "source": "D", "target": "C", "stake_pct": 10}])
    >>> distances(g, "A", default_catalog())
    {'A': 0, 'B': 1, 'C': 2}
    """
    named = _named(graph, catalog)
    found, frontier = {party: 0}, [party]
    for hop in range(1, MAX_HOPS + 1):
        following = []
        for node in frontier:
            for other in sorted(_neighbours(graph, node, named)):
                if other not in found:
                    found[other] = hop
                    following.append(other)
        frontier = following
    return found


def _neighbours(graph: nx.MultiDiGraph[str], node: str, named: Mapping[str, set[str]]) -> set[str]:
    found = set(named.get(node, ()))
    if node in graph:
        for adjacency in (out_adjacency(graph)[node], in_adjacency(graph)[node]):
            for other, keyed in adjacency.items():
                if any(rel_type(key) in RULE_RELATIONS for key in keyed):
                    found.add(other)
    return found


def _named(graph: nx.MultiDiGraph[str], catalog: Catalog) -> dict[str, set[str]]:
    """Record subject ↔ person named in it (the R2 fields of the catalog), both ways."""
    links: dict[str, set[str]] = {}
    fields = tuple(catalog.r2.named_roles.values())
    for party, attrs in graph.nodes(data=True):
        for record in attrs.get("records") or ():
            for person in (record.get(f) for f in fields):
                if person and str(person) in graph:
                    links.setdefault(party, set()).add(str(person))
                    links.setdefault(str(person), set()).add(party)
    return links


# --- candidate facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An ended fact and the graph with it still in force."""

    kind: str
    hops: int
    party_id: str
    ended_on: date
    details: Mapping[str, Any]
    provenance: tuple[Mapping[str, Any], ...]
    revived: nx.MultiDiGraph[str]

    def at(self, hops: int) -> Candidate:
        """The same fact, ``hops`` away from the party."""
        return replace(self, hops=hops)


def candidates(
    graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date, hops: Mapping[str, int]
) -> Iterator[Candidate]:
    """Every ended record, too old intervention and ended relationship within ``hops``."""
    for party in sorted(hops, key=lambda p: (hops[p], p)):
        for index, record in enumerate(graph.nodes[party].get("records") or ()):
            found = _record_candidate(graph, catalog, as_of, (party, index), record)
            if found is not None:
                yield found.at(hops[party])
    yield from _relationship_candidates(graph, as_of, hops)


def _record_candidate(
    graph: nx.MultiDiGraph[str],
    catalog: Catalog,
    as_of: date,
    where: tuple[str, int],
    record: Mapping[str, Any],
) -> Candidate | None:
    """The fact a record is, if it ended or is an intervention too old to count."""
    spec = catalog.record_kind(record.get("kind"))
    start = record.get("start")
    if start is None or start > as_of:
        return None  # never began: not a fact that ended
    found = ended(record, catalog, as_of)
    if found is not None:
        ended_by, end, update = found
        details: dict[str, Any] = {"ended_by": ended_by, "record": record_view(record)}
        if update is not None:
            keys = ("status", "effective_on", "reason", "source")
            details["update"] = {k: update.get(k) for k in keys}
        revived = {**record, "end": None, "voided_on": None}
        if spec.active_years is not None or period_of(record, catalog) is not None:
            revived["start"] = as_of  # within its active years, or its period, again
        sources = (*sources_of(record, "record"), *sources_of(update or {}, "update"))
        changed = _with_record(graph, where, revived)
        kind = "record_ended"
        if update is not None and update.get("source") == "objection":
            kind = "objection_upheld"  # the voiding update came from an upheld objection
            details["objection_id"] = update.get("objection_id")
        return Candidate(kind, 0, where[0], end, details, sources, changed)
    if _counted_intervention(catalog, record):
        too_old = intervention_end(record, catalog.r6.lookback_years)
        if too_old <= as_of:
            years = catalog.r6.lookback_years
            details = {"record": record_view(record), "lookback_years": years}
            changed = _with_record(graph, where, {**record, "start": as_of})
            sources = sources_of(record, "record")
            return Candidate(
                "intervention_too_old", 0, where[0], too_old, details, sources, changed
            )
    return None


def _counted_intervention(catalog: Catalog, record: Mapping[str, Any]) -> bool:
    """An intervention record of a kind R6 counts (the catalog's ``intervention_kinds``)."""
    kinds = catalog.r6.intervention_kinds
    return record.get("kind") == INTERVENTION and record.get("category") in kinds


def _relationship_candidates(
    graph: nx.MultiDiGraph[str], as_of: date, hops: Mapping[str, int]
) -> Iterator[Candidate]:
    """Ended rule relationships with one end within one hop and the other within two."""
    for source, target, key, data in sorted(graph.edges(keys=True, data=True), key=_edge_order):
        kind = ENDED_KIND.get(rel_type(key))
        until, since = data.get("until"), data.get("since")
        if kind is None or until is None or until > as_of or (since and since >= until):
            continue
        near = (hops.get(source, MAX_HOPS + 1), hops.get(target, MAX_HOPS + 1))
        if min(near) >= MAX_HOPS or max(near) > MAX_HOPS:
            continue
        changed = graph.copy()
        del changed[source][target][key]["until"]
        details = {"relationship": relationship_view(graph, (source, target, key), data)}
        sources = sources_of(data, "relationship")
        yield Candidate(kind, max(near), source, until, details, sources, changed)


def _edge_order(edge: tuple[str, str, Any, Any]) -> tuple[str, str, str]:
    return edge[0], edge[1], str(edge[2])


def _with_record(
    graph: nx.MultiDiGraph[str], where: tuple[str, int], record: Mapping[str, Any]
) -> nx.MultiDiGraph[str]:
    """A copy of ``graph`` with the record at ``where`` (party, index) replaced."""
    party, index = where
    copy = graph.copy()
    records = list(copy.nodes[party]["records"])
    records[index] = dict(record)
    copy.nodes[party]["records"] = records
    return copy


# --- trying a fact ------------------------------------------------------------------------------


def _tried(
    graph: nx.MultiDiGraph[str],
    catalog: Catalog,
    party: str,
    context: str,
    as_of: date,
    decision: Outcome,
    base: list[Measure],
    candidate: Candidate,
) -> Fact | None:
    """The fact ``candidate`` is, if with it in force the party's decision would be stronger."""
    new, found = _decision(candidate.revived, catalog, party, context, as_of)
    if not _stronger(new, decision, catalog):
        return None
    known = {m.key for m in base}
    gives = []
    for measure in found:
        outcome = decide([measure.measure], context, False, catalog)
        if measure.key not in known and _stronger(outcome, decision, catalog):
            gives.append(WouldGive.of(measure, outcome))
    name = name_of(graph, candidate.party_id)
    text = explain(candidate.kind, candidate.details, candidate.hops, name, candidate.ended_on)
    return Fact(
        kind=candidate.kind,
        hops=candidate.hops,
        party_id=candidate.party_id,
        ended_on=candidate.ended_on,
        explanation=f"{text}; {giving(gives, context)}.",
        details=candidate.details,
        provenance=candidate.provenance,
        would_give=tuple(gives),
    )


def below_threshold(
    graph: nx.MultiDiGraph[str],
    catalog: Catalog,
    party: str,
    context: str,
    as_of: date,
    decision: Outcome,
) -> list[Fact]:
    """``stake_below_threshold``: ``party``'s listed holders (R3), whose active stakes sum to
    less than the threshold, when R3's measures would restrict it more than it is.

    >>> from graph_service.analysis.graph import build_graph
    >>> from graph_service.policy import default_catalog
    >>> g = build_graph(
    ...     [{"party_id": "L", "kind": "person", "name": "李", "records": [
    ...         {"kind": "blacklist", "ref": "B1", "start": "2024-01-01"}]},
    ...      {"party_id": "C", "kind": "company", "name": "乙公司"}],
    ...     [{"type": "HOLDS_SHARES", "source": "L", "target": "C", "stake_pct": 30}])
    >>> (fact,) = below_threshold(
    ...     g, default_catalog(), "C", "bidding", date(2026, 11, 26), Outcome.ALLOW)
    >>> fact.details["sum_pct"], [h["party_id"] for h in fact.details["holders"]]
    (30.0, ['L'])
    """
    ctx = Context.of(graph, catalog, as_of)
    if party not in graph or graph.nodes[party].get("kind") != "company":
        return []
    found = listing(ctx)
    if party in found.controlled:
        return []
    holders = _listed_stakes(ctx, found, party)
    total = round(sum(h["stake_pct"] for h in holders), 4)
    rule = catalog.r3
    gives = [
        WouldGive(name, rule.rule_id, outcome.value, ())
        for name in rule.measures
        if _stronger(outcome := decide([name], context, False, catalog), decision, catalog)
    ]
    if not holders or not gives:
        return []
    details = {
        "sum_pct": total,
        "threshold_pct": rule.threshold_pct,
        "inclusive": rule.inclusive,
        "holders": holders,
    }
    text = explain("stake_below_threshold", details, 0, name_of(graph, party), None)
    sources = tuple(s for h in holders for s in h["provenance"])
    fact = Fact("stake_below_threshold", 0, party, None, f"{text}; {giving(gives, context)}.",
                details, sources, tuple(gives))  # fmt: skip
    return [fact]


def _listed_stakes(ctx: Context, found: Listing, company: str) -> list[dict[str, Any]]:
    """Each listed holder of ``company`` with its summed active stake and its rows' sources."""
    holders = []
    for holder in listed_holders(ctx, found, company):
        keyed = out_adjacency(ctx.graph)[holder][company]
        pct = sum(s for s, _ in stakes(keyed, ctx.as_of))
        sources = tuple(src for data in keyed.values() for src in sources_of(data, "relationship"))
        holders.append(
            {"party_id": holder, "name": name_of(ctx.graph, holder), "stake_pct": pct,
             "provenance": sources}
        )  # fmt: skip
    return holders
