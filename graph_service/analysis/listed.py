"""R3 — ownership and control: the aggregate 50% rule, as a monotone fixed point.

Rule
----
A company is *listed-controlled* when *listed* parties together hold ≥ 50% of it; *listed*
means holding an active serious dishonesty record, being listed-controlled, or being a branch
of a listed entity. A listed-controlled company's stake counts in full (the OFAC 50 Percent
Rule); holdings through companies that are not listed-controlled do not count. A
listed-controlled company gets ``enhanced_supervision``.

The computation assigns every party the first day it is no longer listed, ``until[p]``
(``as_of`` or earlier: not listed). A holder's part in a company lasts while both it is
listed and its stake is active, ``min(until[h], stake_end)``; a company's aggregate lasts
until the parts still active fall below the threshold (``threshold_end``); ``until[p]`` is
the latest of its own serious record, its aggregate and its parent's listing.

Termination and cycles
----------------------
Values start at the least element (not listed) and only grow, each step is monotone, and
every value is one of finitely many dates (record ends, relationship ends, open), so the
iteration reaches the *least* fixed point and stops, on ownership cycles too. Being the
least fixed point, a cycle of companies never lists itself: listing always traces back to
an own record.

>>> from graph_service.analysis.graph import build_graph
>>> from graph_service.policy import default_catalog
>>> g = build_graph(
...     [{"party_id": "L", "kind": "person", "records": [
...         {"kind": "blacklist", "ref": "B1", "start": "2024-01-01"}]},
...      *({"party_id": c, "kind": "company"} for c in "ABCD")],
...     [{"type": "HOLDS_SHARES", "source": "L", "target": "A", "stake_pct": 50},
...      {"type": "HOLDS_SHARES", "source": "A", "target": "B", "stake_pct": 30},
...      {"type": "HOLDS_SHARES", "source": "L", "target": "B", "stake_pct": 20},
...      {"type": "HOLDS_SHARES", "source": "B", "target": "C", "stake_pct": 60},
...      {"type": "HOLDS_SHARES", "source": "C", "target": "D", "stake_pct": 49.99},
...      {"type": "HOLDS_SHARES", "source": "C", "target": "B", "stake_pct": 40}])
>>> ctx = Context.of(g, default_catalog(), date(2026, 11, 26))
>>> sorted(listing(ctx).controlled)
['A', 'B', 'C']
>>> [[h.party_id for h in m.path] for m in r3_measures(ctx) if m.party_id == "B"]
[['L', 'A', 'B'], ['L', 'B']]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from graph_service.analysis.activity import Active, primary_serious, serious_until
from graph_service.analysis.control import stakes, threshold_end
from graph_service.analysis.explain import Measure, OriginRecord, PathHop, last_day
from graph_service.analysis.graph import edge_end, edges_in, edges_out, out_adjacency
from graph_service.analysis.rule_context import Context
from graph_service.model import RelType


@dataclass(frozen=True)
class Listing:
    """The fixed point: who is listed on ``as_of`` and until when."""

    as_of: date
    until: dict[str, date]  # listed parties → first day no longer listed
    controlled: dict[str, date]  # listed-controlled companies → first day no longer so

    def is_listed(self, party: str) -> bool:
        """True when ``party`` is listed on ``as_of``."""
        return self.until.get(party, self.as_of) > self.as_of


class Reason(NamedTuple):
    """Why a party is listed: an own serious record and the path from its party."""

    source: Active
    origin: str
    path: tuple[PathHop, ...]


def dependents(ctx: Context, party: str) -> list[str]:
    """The parties whose listing may depend on ``party``'s: companies it holds (active
    stakes) and its branches, sorted."""
    held = {c for c, _ in edges_out(ctx.graph, party, RelType.HOLDS_SHARES, ctx.as_of)}
    branches = {b for b, _ in edges_in(ctx.graph, party, RelType.BRANCH_OF, ctx.as_of)}
    return sorted(held | branches)


def aggregate_end(ctx: Context, company: str, until: Mapping[str, date]) -> date:
    """Until when the listed holders of ``company`` together keep the R3 threshold."""
    parts = []
    for holder, data in edges_in(ctx.graph, company, RelType.HOLDS_SHARES, ctx.as_of):
        listed_until = until.get(holder, ctx.as_of)
        if listed_until > ctx.as_of:
            parts.append((float(data.get("stake_pct") or 0.0), min(listed_until, edge_end(data))))
    rule = ctx.catalog.r3
    return threshold_end(parts, rule.threshold_pct, rule.inclusive, ctx.as_of)


def branch_end(ctx: Context, branch: str, until: Mapping[str, date]) -> date:
    """Until when ``branch`` stays a branch of a listed entity."""
    ends = [
        min(until.get(parent, ctx.as_of), edge_end(data))
        for parent, data in edges_out(ctx.graph, branch, RelType.BRANCH_OF, ctx.as_of)
    ]
    return max(ends, default=ctx.as_of)


def listing(ctx: Context) -> Listing:
    """The least fixed point of R3 (see the module's notes).

    Notes
    -----
    A worklist from the parties with own serious records; a party is re-evaluated when one
    of its holders or its parent grows. Each re-evaluation costs O(in-degree); each party
    grows at most once per distinct end date upstream, in practice once: O(V + E) over the
    parties reachable from listed ones.
    """
    own = serious_until(ctx.active)
    until, controlled = dict(own), {}
    queue, queued = deque(sorted(own)), set(own)
    while queue:
        party = queue.popleft()
        queued.discard(party)
        for company in dependents(ctx, party):
            aggregate = aggregate_end(ctx, company, until)
            if aggregate > ctx.as_of:
                controlled[company] = aggregate
            value = max(own.get(company, ctx.as_of), aggregate, branch_end(ctx, company, until))
            if value > until.get(company, ctx.as_of):
                until[company] = value
                if company not in queued:
                    queue.append(company)
                    queued.add(company)
    return Listing(ctx.as_of, until, controlled)


def reasons(ctx: Context, found: Listing) -> dict[str, Reason]:
    """One reason per listed party: a breadth-first tree from the parties with own serious
    records (their longest-lived one), so every reason traces back to an own record without
    a loop. O(V + E) over the listed parties."""
    tree = {
        party: Reason(primary_serious(ctx.active[party]), party, (ctx.hop(party),))
        for party in sorted(serious_until(ctx.active))
    }
    queue = deque(tree)
    while queue:
        party = queue.popleft()
        for nxt in dependents(ctx, party):
            hop = _listing_hop(ctx, found, party, nxt)
            if nxt not in tree and hop is not None:
                tree[nxt] = tree[party]._replace(path=(*tree[party].path, hop))
                queue.append(nxt)
    return tree


def _listing_hop(ctx: Context, found: Listing, party: str, nxt: str) -> PathHop | None:
    """The hop by which listed ``party`` lists ``nxt``, if it does."""
    if nxt in found.controlled:
        stake = sum(s for s, _ in stakes(out_adjacency(ctx.graph)[party].get(nxt, {}), ctx.as_of))
        if stake > 0:
            return ctx.hop(nxt, relation=RelType.HOLDS_SHARES, stake_pct=stake)
    parents = edges_out(ctx.graph, nxt, RelType.BRANCH_OF, ctx.as_of)
    if found.is_listed(nxt) and any(parent == party for parent, _ in parents):
        return ctx.hop(nxt, relation=RelType.BRANCH_OF)
    return None


def r3_measures(ctx: Context, found: Listing | None = None) -> Iterator[Measure]:
    """R3: each listed-controlled company gets ``enhanced_supervision``, once per listed
    holder (the contributions that add up to the threshold), each explained by the holder's
    reason plus the holding; ``until`` is when the aggregate falls below the threshold.
    Contributions whose reason passes through the company itself (a cycle) are left out.

    Notes
    -----
    The fixed point, the reasons, then O(in-degree) per listed-controlled company.
    """
    found = found or listing(ctx)
    tree, rule = reasons(ctx, found), ctx.catalog.r3
    for company in sorted(found.controlled):
        until = last_day(found.controlled[company])
        for holder in listed_holders(ctx, found, company):
            reason = tree[holder]
            if any(hop.party_id == company for hop in reason.path):
                continue
            stake = sum(s for s, _ in stakes(out_adjacency(ctx.graph)[holder][company], ctx.as_of))
            hop = ctx.hop(company, relation=RelType.HOLDS_SHARES, stake_pct=stake)
            origin = OriginRecord.of(reason.source, reason.origin)
            names, basis = rule.measures, rule.basis
            yield from ctx.measures(
                company, names, rule.rule_id, origin, basis, (*reason.path, hop), until
            )


def listed_holders(ctx: Context, found: Listing, company: str) -> list[str]:
    """The listed parties with an active stake in ``company``, sorted."""
    holders = edges_in(ctx.graph, company, RelType.HOLDS_SHARES, ctx.as_of)
    return sorted({holder for holder, _ in holders if found.is_listed(holder)})
