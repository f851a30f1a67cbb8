"""R4 — branches: a branch office (分支机构, not a legal person) gets every measure of its
parent entity, direct or derived, with the parent's path plus the branch link.

Rule
----
Every measure a company has before R4 flows down its tree of active ``BRANCH_OF`` links (a
branch of a branch inherits too); the inherited measure keeps its name, origin record and
path, adds the hop to the branch, names rule R4 with the R4 basis followed by the original
one, and applies until the earlier of the original's ``until`` and the branch link's end.

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.analysis.rules import direct_measures
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "P", "kind": "company", "name": "总公司", "records": [
...         {"kind": "tax_violation", "ref": "T1", "start": "2025-01-01", "end": "2027-01-01"}]},
...      {"party_id": "B", "kind": "company", "name": "分公司"},
...      {"party_id": "BB", "kind": "company", "name": "分公司的分支"}],
...     [{"type": "BRANCH_OF", "source": "B", "target": "P"},
...      {"type": "BRANCH_OF", "source": "BB", "target": "B"}])
>>> ctx = Context.of(g, default_catalog(), date(2026, 11, 26))
>>> [(m.party_id, m.measure, m.rule, [h.party_id for h in m.path], m.until)
...  for m in branch_measures(ctx, {"P": list(direct_measures(ctx))})]
... # doctest: +NORMALIZE_WHITESPACE
[('B', 'tax_violation', 'R4', ['P', 'B'], datetime.date(2026, 12, 31)),
 ('BB', 'tax_violation', 'R4', ['P', 'B', 'BB'], datetime.date(2026, 12, 31))]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date

from graph_service.analysis.explain import Measure, end_of, last_day
from graph_service.analysis.graph import edge_end, edges_in, in_adjacency
from graph_service.analysis.rule_context import Context
from graph_service.model import RelType


def branch_measures(ctx: Context, base: Mapping[str, Sequence[Measure]]) -> Iterator[Measure]:
    """R4: the measures that branches inherit from the measures in ``base`` (party → its
    measures from every other rule).

    Notes
    -----
    A depth-first walk down the branch tree of each party with measures: O(M · d) for M
    inherited measures at depth d. A ``BRANCH_OF`` cycle (a data error) is not followed round.
    """
    incoming = in_adjacency(ctx.graph)
    for parent in sorted(p for p in base if incoming.get(p)):
        yield from _down(ctx, base[parent], parent, (parent,))


def _down(
    ctx: Context, measures: Sequence[Measure], parent: str, seen: tuple[str, ...]
) -> Iterator[Measure]:
    for branch, link_end in branches_of(ctx, parent):
        if branch in seen:
            continue
        inherited = [_inherit(ctx, m, branch, link_end) for m in measures]
        yield from inherited
        yield from _down(ctx, inherited, branch, (*seen, branch))


def _inherit(ctx: Context, measure: Measure, branch: str, link_end: date) -> Measure:
    rule = ctx.catalog.r4
    origin = f"inherited {measure.rule or 'direct'} measure: {measure.basis}"
    basis = measure.basis if measure.rule == rule.rule_id else f"{rule.basis}; {origin}"
    return replace(
        measure,
        party_id=branch,
        origin="derived",
        rule=rule.rule_id,
        basis=basis,
        path=(*measure.path, ctx.hop(branch, relation=RelType.BRANCH_OF)),
        until=last_day(min(end_of(measure.until), link_end)),
    )


def branches_of(ctx: Context, parent: str) -> list[tuple[str, date]]:
    """The active branches of ``parent``, sorted, each with the end of its (longest) link."""
    ends: dict[str, date] = {}
    for branch, data in edges_in(ctx.graph, parent, RelType.BRANCH_OF, ctx.as_of):
        ends[branch] = max(ends.get(branch, ctx.as_of), edge_end(data))
    return sorted(ends.items())
