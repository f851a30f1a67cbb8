"""The ownership plan: which companies hold which, decided before any shareholding is written.

Invariants of a plan:

* every company's planned corporate stakes add up to at most 100% (``used`` ≤ 10000 basis
  points); persons fill the rest later, never beyond it;
* majority stakes (> 50%) only run down holding groups, from a group's root towards its
  members, at most five companies deep, so the majority graph is a forest;
* cycles come only from minority stakes: cross-holdings between two companies and members
  holding a little of their own group's root.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph_service.synthetic.base import PrefPool, World

FULL = 10_000  # basis points in 100%
MAX_DEPTH = 5  # companies in the longest holding chain
GROUP_SHARE = 0.12  # of enterprises that belong to a holding group
INVESTOR_SHARE = 0.02  # of enterprises that are investment companies
INVESTED_SHARE = 0.06  # of enterprises with an investment company among their holders
CYCLE_EVERY = 400  # one ownership cycle per this many enterprises (at least one)


@dataclass
class Plan:
    """Company-to-company stakes and the roles they give companies."""

    held: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # company → holders
    used: dict[int, int] = field(default_factory=dict)  # company → basis points planned
    root_of: dict[int, int] = field(default_factory=dict)  # group member → its group's root
    investors: list[int] = field(default_factory=list)
    deep_groups: list[tuple[int, int]] = field(default_factory=list)  # (root, deepest member)
    branch_parent: dict[int, int] = field(default_factory=dict)

    def free(self, company: int) -> int:
        """Basis points of ``company`` not yet planned."""
        return FULL - self.used.get(company, 0)

    def add(self, company: int, holder: int, bp: int) -> None:
        """Plans a stake; callers check ``free`` first."""
        self.held.setdefault(company, []).append((holder, bp))
        self.used[company] = self.used.get(company, 0) + bp

    def is_root(self, company: int) -> bool:
        """True for the root of a holding group."""
        return self.root_of.get(company) == company


def make_plan(world: World, enterprises: list[int], branches: list[int]) -> Plan:
    """Plans groups, investment stakes, cycles and branch parents over ``enterprises``."""
    plan = Plan()
    order = list(enterprises)
    world.rng.shuffle(order)
    n_grouped = max(int(len(order) * GROUP_SHARE), min(len(order), MAX_DEPTH))
    _groups(world, plan, order[:n_grouped])
    n_investors = int(len(order) * INVESTOR_SHARE)
    plan.investors = order[n_grouped : n_grouped + n_investors]
    _investments(world, plan, order)
    _cycles(world, plan, order)
    _branch_parents(world, plan, enterprises, branches)
    return plan


def _groups(world: World, plan: Plan, members: list[int]) -> None:
    """Cuts ``members`` into groups; the first is one straight chain MAX_DEPTH deep."""
    start, chain = 0, True
    while start < len(members):
        size = MAX_DEPTH if chain else 2 + int(12 * world.rng.random() ** 3)
        _group(world, plan, members[start : start + size], chain)
        start, chain = start + size, False


def _group(world: World, plan: Plan, members: list[int], chain: bool) -> None:
    root = members[0]
    plan.root_of[root] = root
    depth = {root: 1}
    for i, child in enumerate(members[1:], start=1):
        candidates = [m for m in members[:i] if depth[m] < MAX_DEPTH]
        parent = candidates[-1] if chain else candidates[world.below(len(candidates))]
        # Wholly-owned subsidiaries are common; otherwise a clear majority.
        bp = FULL if world.chance(0.4) else world.between(51, 95) * 100
        plan.add(child, parent, bp)
        plan.root_of[child] = root
        depth[child] = depth[parent] + 1
    deepest = max(members, key=lambda m: depth[m])
    if depth[deepest] >= 3:
        plan.deep_groups.append((root, deepest))


def _investments(world: World, plan: Plan, enterprises: list[int]) -> None:
    """Minority stakes of investment companies, preferential: a few invest in very many."""
    if not plan.investors or len(enterprises) < 2:
        return
    pool = PrefPool(world.rng, 0, len(plan.investors), fresh=0.3)
    for _ in range(int(len(enterprises) * INVESTED_SHARE)):
        investor = plan.investors[pool.pick()]
        target = enterprises[world.below(len(enterprises))]
        bp = world.between(5, 49) * 100
        if target != investor and plan.free(target) >= bp and not _holds(plan, investor, target):
            plan.add(target, investor, bp)


def _holds(plan: Plan, holder: int, company: int) -> bool:
    return any(h == holder for h, _ in plan.held.get(company, ()))


def _cycles(world: World, plan: Plan, enterprises: list[int]) -> None:
    """Cross-holdings (A↔B) and members holding part of their group's root (A→…→C→A)."""
    if len(enterprises) < 2:
        return
    for i in range(max(1, len(enterprises) // CYCLE_EVERY)):
        if i % 2 == 0 and plan.deep_groups:  # the first cycle is sure to fit: roots have room
            root, deepest = plan.deep_groups[world.below(len(plan.deep_groups))]
            bp = world.between(5, 20) * 100
            if plan.free(root) >= bp and not _holds(plan, deepest, root):
                plan.add(root, deepest, bp)
        else:
            _cross_holding(world, plan, enterprises)


def _cross_holding(world: World, plan: Plan, enterprises: list[int]) -> None:
    for _ in range(20):  # a few tries to find two companies with room for a minority stake
        a, b = (enterprises[world.below(len(enterprises))] for _ in range(2))
        bp_a, bp_b = world.between(5, 30) * 100, world.between(5, 30) * 100
        if (
            a != b
            and plan.free(a) >= bp_a
            and plan.free(b) >= bp_b
            and not _holds(plan, a, b)
            and not _holds(plan, b, a)
        ):
            plan.add(b, a, bp_b)
            plan.add(a, b, bp_a)
            return


def _branch_parents(world: World, plan: Plan, enterprises: list[int], branches: list[int]) -> None:
    if not enterprises:
        return
    pool = PrefPool(world.rng, 0, len(enterprises), fresh=0.5)
    for branch in branches:
        plan.branch_parent[branch] = enterprises[pool.pick()]
