"""The per-party final assembly of the Spark engine's measures, in Python over small collected
frames: which record, which rule, which path hop by hop, until when.

Nothing here walks the graph: Spark found who is reached, by which steps and until when
(graph_service/spark/fixpoints.py). What is left is building the explanations exactly as
the NetworkX engine does, so the rules' own functions are called wherever they do not walk
the graph (``direct_measures``, ``r2_measures``, ``r6_measures``, ``best_reach``, the R4
inheritance, ``Context.derive``), and the NetworkX loops of R1, R3 and R5 are mirrored over
the collected facts. The one search here, ``control.widest_paths``, runs over the *tight*
steps only (those on a widest chain, found by Spark) to pick among equally long-lived chains
the one the NetworkX engine picks; the equivalence tests (tests/spark/) hold both to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.activity import Active, ActiveIndex, primary_serious
from graph_service.analysis.branches import _inherit
from graph_service.analysis.control import Reach, Step, widest_paths
from graph_service.analysis.explain import Measure, OriginRecord, last_day, sort_key
from graph_service.analysis.graph import OPEN, is_company
from graph_service.analysis.graph import is_person as person
from graph_service.analysis.rule_context import Context
from graph_service.analysis.rules import (
    _one_hop,
    best_reach,
    direct_measures,
    r2_measures,
    r6_measures,
)
from graph_service.model import RelType
from graph_service.policy.catalog import CONVICTION

#: Per source, per party stepped from: the tight steps, sorted as the control module sorts.
TightSteps = dict[str, dict[str, list[Step]]]
#: One active one-hop edge as the rules read it: (party at the other end, {role, until}).
Edge = tuple[str, dict[str, Any]]


def names_graph(parties: Iterable[Mapping[str, Any]]) -> nx.MultiDiGraph[str]:
    """A graph of parties only (kind and name): what the rules' hops and kind tests read."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for p in parties:
        graph.add_node(str(p["party_id"]), kind=p["kind"], name=p.get("name"), records=[])
    return graph


def tight_steps(rows: Iterable[Mapping[str, Any]], party_field: str) -> TightSteps:
    """Spark's tight steps grouped by source and party stepped from; ``party_field`` is the
    column of the party a step reaches (``holder`` going up, ``company`` going down)."""
    found: TightSteps = defaultdict(lambda: defaultdict(list))
    for r in rows:
        step = Step(r[party_field], r["relation"], r["role"], r["stake"], r["end"])
        found[r["src"]][r["frm"]].append(step)
    for by_node in found.values():
        for steps in by_node.values():
            steps.sort()
    return found


def widest(src: str, tight: TightSteps) -> dict[str, Reach]:
    """``control.widest_paths`` from ``src`` over its tight steps."""
    by_node = tight.get(src, {})
    return widest_paths(src, lambda node: by_node.get(node, ()))


def one_hops(edges: Sequence[Edge], relation: str) -> list[tuple[str, Reach]]:
    """``rules._one_hop`` of edges given in stored order."""
    return _one_hop(edges, relation)


@dataclass(frozen=True)
class Facts:
    """What Spark found, collected: per R1 company its legal representatives and officers
    (stored order), per R5 briber the companies it represents, the tight control steps both
    ways, R3's listed-controlled companies, reasons and listed holdings, and the branch paths
    (root, branches, link ends)."""

    reps_in: Mapping[str, list[Edge]]
    officers_in: Mapping[str, list[Edge]]
    reps_out: Mapping[str, list[Edge]]
    up: TightSteps
    down: TightSteps
    controlled: Mapping[str, date]
    reasons: Mapping[str, tuple[str, list[Mapping[str, Any]]]]
    holdings: Mapping[str, list[tuple[str, float]]]


def measures(ctx: Context, facts: Facts) -> dict[str, list[Measure]]:
    """Direct measures and R1, R2, R5, R6, R3 (in the NetworkX engine's order), by party."""
    found: defaultdict[str, list[Measure]] = defaultdict(list)
    rules: list[Iterable[Measure]] = [
        direct_measures(ctx),
        r1(ctx, facts),
        r2_measures(ctx),
        r5(ctx, facts),
        r6_measures(ctx),
        r3(ctx, facts),
    ]
    for rule in rules:
        for m in rule:
            found[m.party_id].append(m)
    return found


def finish(found: Mapping[str, list[Measure]]) -> dict[str, list[Measure]]:
    """Parties in id order, each party's measures in ``explain.sort_key`` order."""
    return {party: sorted(found[party], key=sort_key) for party in sorted(found)}


# --- R1 and R5 ------------------------------------------------------------------------------------


def r1(ctx: Context, facts: Facts) -> Iterator[Measure]:
    """``rules.r1_measures`` over the collected facts."""
    rule = ctx.catalog.r1
    for company, actives in sorted(ctx.active.items()):
        triggers = [a for a in actives if a.spec.kind in rule.trigger_kinds]
        if not triggers or not is_company(ctx.graph, company):
            continue
        for party, reach in sorted(_responsible(ctx, facts, company).items()):
            path = ctx.path(company, reach.steps)
            for source in triggers:
                yield from ctx.derive(party, rule, source, company, path, reach.end)


def _responsible(ctx: Context, facts: Facts, company: str) -> dict[str, Reach]:
    rule = ctx.catalog.r1
    candidates: list[tuple[str, Reach]] = []
    if rule.legal_rep:
        candidates += one_hops(facts.reps_in.get(company, []), RelType.LEGAL_REP_OF)
    officers = [e for e in facts.officers_in.get(company, []) if e[1]["role"] in rule.officer_roles]
    candidates += one_hops(officers, RelType.OFFICER_OF)
    if rule.controllers:
        candidates += sorted(widest(company, facts.up).items())
    return {p: r for p, r in best_reach(candidates).items() if person(ctx.graph, p)}


def r5_sources(index: ActiveIndex, roles: Sequence[str]) -> dict[str, list[Active]]:
    """Bribers: parties with an active conviction in one of R5's roles."""
    found = {}
    for party, actives in index.items():
        hits = [a for a in actives if a.spec.kind == CONVICTION and a.record.get("role") in roles]
        if hits:
            found[party] = hits
    return found


def r5(ctx: Context, facts: Facts) -> Iterator[Measure]:
    """``rules.r5_measures`` over the collected facts."""
    rule = ctx.catalog.r5
    for briber, convictions in sorted(r5_sources(ctx.active, rule.conviction_roles).items()):
        candidates: list[tuple[str, Reach]] = []
        if is_company(ctx.graph, briber):
            candidates.append((briber, Reach(OPEN, ())))
        candidates += one_hops(facts.reps_out.get(briber, []), RelType.LEGAL_REP_OF)
        candidates += sorted(widest(briber, facts.down).items())
        reached = {c: r for c, r in best_reach(candidates).items() if is_company(ctx.graph, c)}
        for company, reach in sorted(reached.items()):
            path = ctx.path(briber, reach.steps)
            for source in convictions:
                yield from ctx.derive(company, rule, source, briber, path, reach.end)


# --- R3 and R4 ------------------------------------------------------------------------------------


def r3(ctx: Context, facts: Facts) -> Iterator[Measure]:
    """``listed.r3_measures`` over the collected fixed point, reasons and holdings."""
    rule = ctx.catalog.r3
    for company in sorted(facts.controlled):
        until = last_day(facts.controlled[company])
        for holder, stake in sorted(facts.holdings.get(company, [])):
            origin, hops = facts.reasons[holder]
            if any(hop["party_id"] == company for hop in hops):
                continue
            path = (
                *_reason_path(ctx, hops),
                ctx.hop(company, RelType.HOLDS_SHARES, stake_pct=stake),
            )
            source = primary_serious(ctx.active[origin])
            record = OriginRecord.of(source, origin)
            names, basis = rule.measures, rule.basis
            yield from ctx.measures(company, names, rule.rule_id, record, basis, path, until)


def _reason_path(ctx: Context, hops: Sequence[Mapping[str, Any]]) -> list[Any]:
    found = [ctx.hop(hops[0]["party_id"])]
    for hop in hops[1:]:
        found.append(ctx.hop(hop["party_id"], relation=hop["relation"], stake_pct=hop["stake"]))
    return found


def r4(
    ctx: Context,
    base: Mapping[str, Sequence[Measure]],
    paths: Iterable[tuple[str, Sequence[str], Sequence[date]]],
) -> Iterator[Measure]:
    """``branches.branch_measures``: every measure of a root handed down each branch path."""
    for root, branches, ends in paths:
        for measure in base.get(root, ()):
            inherited = measure
            for branch, link_end in zip(branches, ends, strict=True):
                inherited = _inherit(ctx, inherited, branch, link_end)
            yield inherited


def context(
    parties: Iterable[Mapping[str, Any]], catalog: Any, as_of: date, index: ActiveIndex
) -> Context:
    """The rules' context over a graph of the parties the explanations name (no edges)."""
    return Context(names_graph(parties), catalog, as_of, index)
