"""Direct measures (§2) and the rules that reach persons and companies one record at a time:
R1 (responsible persons), R2 (persons named in a tax case), R5 (bribery in procurement) and
R6 (officials). R3 and R4 chain and live in ``listed`` and ``branches``.

Each rule starts only from a party's *own* active record — derived measures never start R1,
R2, R5 or R6 (§3) — and gives one measure per (party, measure, origin record), explained by
the longest-lived path (see :mod:`graph_service.analysis.control`).

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "C", "kind": "company", "name": "甲公司", "records": [
...         {"kind": "dishonest_debtor", "ref": "X|C", "start": "2021-06-01"}]},
...      {"party_id": "L", "kind": "person", "name": "法人"},
...      {"party_id": "H", "kind": "company", "name": "控股公司"},
...      {"party_id": "P", "kind": "person", "name": "老板"}],
...     [{"type": "LEGAL_REP_OF", "source": "L", "target": "C"},
...      {"type": "HOLDS_SHARES", "source": "H", "target": "C", "stake_pct": 51},
...      {"type": "HOLDS_SHARES", "source": "P", "target": "H", "stake_pct": 80,
...       "until": "2027-01-01"}])
>>> ctx = Context.of(g, default_catalog(), date(2026, 11, 26))
>>> [(m.party_id, m.measure, [h.party_id for h in m.path], m.until) for m in r1_measures(ctx)]
... # doctest: +NORMALIZE_WHITESPACE
[('L', 'high_consumption_ban', ['C', 'L'], None), ('L', 'officer_ban', ['C', 'L'], None),
 ('P', 'high_consumption_ban', ['C', 'H', 'P'], datetime.date(2026, 12, 31)),
 ('P', 'officer_ban', ['C', 'H', 'P'], datetime.date(2026, 12, 31))]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from graph_service.analysis.activity import Active, add_years
from graph_service.analysis.control import Reach, Step, controlled, controllers
from graph_service.analysis.explain import Measure
from graph_service.analysis.graph import OPEN, edge_end, edges_in, edges_out, is_company
from graph_service.analysis.graph import is_person as person
from graph_service.analysis.rule_context import Context
from graph_service.model import RelType
from graph_service.policy.catalog import CONVICTION, INTERVENTION, OFFICIAL_RECORD

NAMED_IN = "NAMED_IN"


def direct_measures(ctx: Context) -> Iterator[Measure]:
    """§2: each active record gives its party the measures its kind (and variant) names.

    Notes
    -----
    O(R) over the active records.
    """
    for party, actives in sorted(ctx.active.items()):
        for source in actives:
            yield from ctx.direct(party, source)


def best_reach(candidates: Iterable[tuple[str, Reach]]) -> dict[str, Reach]:
    """Per party, the reach that holds longest, then has fewest hops, then came first."""
    best: dict[str, Reach] = {}
    for party, reach in candidates:
        known = best.get(party)
        if known is None or (reach.end, -len(reach.steps)) > (known.end, -len(known.steps)):
            best[party] = reach
    return best


def _one_hop(
    edges: Iterable[tuple[str, Mapping[str, Any]]], relation: str
) -> list[tuple[str, Reach]]:
    found = []
    for party, data in sorted(edges, key=lambda e: (e[0], str(e[1].get("role")))):
        step = Step(party, relation, data.get("role"), None, edge_end(data))
        found.append((party, Reach(step.end, (step,))))
    return found


# --- R1 ---------------------------------------------------------------------------------------


def responsible_persons(ctx: Context, company: str) -> dict[str, Reach]:
    """R1's persons of ``company``: legal representative, principal, controllers who are
    persons (through chains of majority-owned companies), each by its longest-lived path."""
    rule, graph, as_of = ctx.catalog.r1, ctx.graph, ctx.as_of
    candidates: list[tuple[str, Reach]] = []
    if rule.legal_rep:
        candidates += _one_hop(
            edges_in(graph, company, RelType.LEGAL_REP_OF, as_of), RelType.LEGAL_REP_OF
        )
    officers = [
        (p, d)
        for p, d in edges_in(graph, company, RelType.OFFICER_OF, as_of)
        if d.get("role") in rule.officer_roles
    ]
    candidates += _one_hop(officers, RelType.OFFICER_OF)
    if rule.controllers:
        candidates += sorted(controllers(graph, company, ctx.catalog.control, as_of).items())
    return {p: r for p, r in best_reach(candidates).items() if person(graph, p)}


def r1_measures(ctx: Context) -> Iterator[Measure]:
    """R1: responsible persons of a company with an active dishonest-debtor listing get
    ``high_consumption_ban`` and ``officer_ban``.

    Notes
    -----
    One upward search per listed company over its controllers: O(L · (c log c)) where c is
    the size of a company's control tree (small: one majority holder per company).
    """
    rule = ctx.catalog.r1
    for company, actives in sorted(ctx.active.items()):
        triggers = [a for a in actives if a.spec.kind in rule.trigger_kinds]
        if not triggers or not is_company(ctx.graph, company):
            continue
        for party, reach in sorted(responsible_persons(ctx, company).items()):
            path = ctx.path(company, reach.steps)
            for source in triggers:
                yield from ctx.derive(party, rule, source, company, path, reach.end)


# --- R2 ---------------------------------------------------------------------------------------


def r2_measures(ctx: Context) -> Iterator[Measure]:
    """R2: the legal representative and the finance officer named in an active tax-violation
    case get ``officer_ban`` and ``exit_review``; a person named twice gets them once, by the
    first role of the catalog's ``named_roles``.

    Notes
    -----
    O(R) over the active records.
    """
    rule = ctx.catalog.r2
    for party, actives in sorted(ctx.active.items()):
        for source in (a for a in actives if a.spec.kind in rule.trigger_kinds):
            named: dict[str, str] = {}
            for role, field in rule.named_roles.items():
                if source.record.get(field):
                    named.setdefault(str(source.record[field]), role)
            for person_id, role in sorted(named.items()):
                path = (ctx.hop(party), ctx.hop(person_id, relation=NAMED_IN, role=role))
                yield from ctx.derive(person_id, rule, source, party, path, OPEN)


# --- R5 ---------------------------------------------------------------------------------------


def briber_companies(ctx: Context, briber: str) -> dict[str, Reach]:
    """R5's companies of ``briber``: itself if a company, those it is legal representative
    of, and those it controls (chains included), each by its longest-lived path."""
    graph, as_of = ctx.graph, ctx.as_of
    candidates: list[tuple[str, Reach]] = []
    if is_company(graph, briber):
        candidates.append((briber, Reach(OPEN, ())))
    reps = edges_out(graph, briber, RelType.LEGAL_REP_OF, as_of)
    candidates += _one_hop(reps, RelType.LEGAL_REP_OF)
    candidates += sorted(controlled(graph, briber, ctx.catalog.control, as_of).items())
    return {c: r for c, r in best_reach(candidates).items() if is_company(graph, c)}


def r5_measures(ctx: Context) -> Iterator[Measure]:
    """R5: a company that is, or whose legal representative or a controller is, convicted of
    bribery as ``briber`` (an active conviction) gets ``bidding_ban``.

    Notes
    -----
    One downward search per briber over what it controls: O(B · (c log c)).
    """
    rule = ctx.catalog.r5
    for briber, actives in sorted(ctx.active.items()):
        convictions = [
            a
            for a in actives
            if a.spec.kind == CONVICTION and a.record.get("role") in rule.conviction_roles
        ]
        if not convictions:
            continue
        for company, reach in sorted(briber_companies(ctx, briber).items()):
            path = ctx.path(briber, reach.steps)
            for source in convictions:
                yield from ctx.derive(company, rule, source, briber, path, reach.end)


# --- R6 ---------------------------------------------------------------------------------------


def r6_end(ctx: Context, source: Active) -> date | None:
    """Until when ``source`` makes its person subject to R6 (exclusive), or None.

    An intervention record counts only when its category is one of the catalog's
    ``intervention_kinds`` (干预; a 过问 inquiry restricts nobody as packaged).
    """
    rule, kind, record = ctx.catalog.r6, source.spec.kind, source.record
    if kind == INTERVENTION and record.get("category") in rule.intervention_kinds:
        end = min(source.end, intervention_end(record, rule.lookback_years))
        return end if end > ctx.as_of else None  # "in the last 5 years", and still active
    if kind == OFFICIAL_RECORD and record.get("category") in rule.official_categories:
        return source.end
    if kind == CONVICTION and record.get("role") in rule.conviction_roles:
        return source.end  # §1: a bribe_taker conviction counts as an active violation
    return None


def intervention_end(record: Mapping[str, Any], lookback_years: int) -> date:
    """The first day an intervention is older than R6's look-back (it no longer counts).

    >>> intervention_end({"start": date(2021, 11, 27)}, 5)
    datetime.date(2026, 11, 27)
    """
    return add_years(record["start"], lookback_years)


def r6_measures(ctx: Context) -> Iterator[Measure]:
    """R6: a person with an intervention in the last five years, or an active discipline or
    violation record (a bribe_taker conviction counts), gets ``promotion_review``.

    Notes
    -----
    O(R) over the active records.
    """
    rule = ctx.catalog.r6
    for party, actives in sorted(ctx.active.items()):
        if not person(ctx.graph, party):
            continue
        for source in actives:
            end = r6_end(ctx, source)
            if end is not None:
                yield from ctx.derive(party, rule, source, party, (ctx.hop(party),), end)
