"""Phase 2: companies, shareholdings, officers and branches, streamed company by company.

Per company: its planned corporate holders, then persons for the part of 100% the plan left
(sometimes less: unknown holders), then its officers (often its own shareholders), then the
row itself with its legal representative. ``World.legal_rep`` and ``World.finance_officer``
keep who they are for the tax and debtor lists.
"""

from __future__ import annotations

from graph_service.synthetic.base import TODAY, YEAR, PrefPool, World, amount, iso, years_after
from graph_service.synthetic.plan import FULL, Plan
from graph_service.synthetic.sink import Sink

# Number of person holders of a company without a planned majority holder: mostly one to
# three, sometimes many (heavy tail).
HOLDER_COUNTS = (1,) * 35 + (2,) * 30 + (3,) * 15 + (4,) * 8 + (5,) * 5 + (6, 7, 8, 9, 11, 15, 20)
UNKNOWN_HOLDERS = 0.08  # companies whose known stakes add up to less than 100%
ENDED_STAKE = 0.04  # person stakes that ended (transferred away) in the past
STATUSES = ("active",) * 85 + ("cancelled",) * 8 + ("revoked",) * 5 + ("moved_out",) * 2


def format_stake(bp: int) -> str:
    """A stake in basis points as ``stake_pct``.

    >>> format_stake(5100), format_stake(3333), format_stake(5)
    ('51', '33.33', '0.05')
    """
    whole, frac = divmod(bp, 100)
    return str(whole) if not frac else f"{whole}.{frac:02d}"


def write_companies(world: World, plan: Plan, sink: Sink) -> None:
    """Writes every company with its holders, officers and branch link."""
    people = PrefPool(world.rng, world.n_officials, len(world.person_ids), fresh=0.5)
    for index in range(world.n_companies):
        _company(world, plan, sink, people, index)


def _company(world: World, plan: Plan, sink: Sink, people: PrefPool, index: int) -> None:
    kind = world.company_kinds[index]
    if index in world.body_role:
        _write_row(world, sink, index, "", "active")
        return
    capital = _capital(world, kind, plan.is_root(index))
    holders: list[tuple[int, int]] = []  # (person index, bp)
    if kind == "enterprise" and index not in plan.branch_parent:
        holders = _shareholdings(world, plan, sink, people, index, capital)
    if people:
        _officers(world, sink, people, index, holders, index in plan.branch_parent)
    if index in plan.branch_parent:
        sink.write(
            "branches", (world.company_ids[index], world.company_ids[plan.branch_parent[index]])
        )
    _write_row(world, sink, index, str(capital) if capital else "", _status(world, index))


def _status(world: World, index: int) -> str:
    # A company founded this year is still active; older ones may have been closed.
    if world.company_est[index] > TODAY - YEAR:
        return "active"
    return STATUSES[world.below(len(STATUSES))]


def _capital(world: World, kind: str, root: bool) -> int:
    if kind == "enterprise":
        return amount(world.rng, 7, 9, 1_000_000) if root else amount(world.rng, 5, 8, 10_000)
    if kind == "individual_business" and world.chance(0.7):
        return amount(world.rng, 4, 5.7, 1_000)
    return 0


def _write_row(world: World, sink: Sink, index: int, capital: str, status: str) -> None:
    rep = world.legal_rep[index]
    uscc = world.company_ids[index]
    sink.write(
        "companies",
        (
            uscc,
            world.company_names[index],
            world.company_kinds[index],
            world.person_names[rep] if rep >= 0 else "",
            world.person_ids[rep] if rep >= 0 else "",
            capital,
            iso(world.company_est[index]),
            status,
            uscc[2:8],
            world.company_address[index],
            world.company_industry[index],
        ),
    )


def _shareholdings(
    world: World, plan: Plan, sink: Sink, people: PrefPool, index: int, capital: int
) -> list[tuple[int, int]]:
    """Writes the company's shareholdings; returns its person holders (for officer roles)."""
    est = world.company_est[index]
    planned = plan.held.get(index, [])
    for holder, bp in planned:
        _stake_row(world, sink, index, holder, bp, capital, max(est, world.company_est[holder]), 0)
    holders = _person_stakes(world, people, plan.free(index), bool(planned))
    for person, bp in holders:
        since = min(TODAY, max(est, years_after(world.person_birth[person], 18)))
        if world.chance(0.15):  # joined after the founding
            since = world.recent_day(since)
        ref = world.n_companies + person
        _stake_row(world, sink, index, ref, bp, capital, since, _ended(world, since))
    return holders


def _ended(world: World, since: int) -> int:
    if not world.chance(ENDED_STAKE) or since > TODAY - 60:
        return 0
    return world.between(since + 30, TODAY - 1)


def _stake_row(
    world: World,
    sink: Sink,
    company: int,
    holder: int,
    bp: int,
    capital: int,
    since: int,
    until: int,
) -> None:
    """One shareholding of party ref ``holder`` in ``company``."""
    subscribed = str(capital * bp // FULL) if capital else ""
    row = (world.company_ids[company], world.party_id(holder), world.party_name(holder))
    sink.write(
        "shareholdings",
        (*row, format_stake(bp), subscribed, iso(since), iso(until) if until else ""),
    )


def _person_stakes(
    world: World, people: PrefPool, free: int, has_planned: bool
) -> list[tuple[int, int]]:
    """Splits the unplanned part among persons from the (heavy-tailed) pool."""
    if free <= 0 or not people:
        return []
    if world.chance(UNKNOWN_HOLDERS):
        free -= free * world.between(5, 40) // 100
    unit = 1 if world.chance(0.15) else 100  # most registers use whole percent
    count = world.between(0, 2) if has_planned else HOLDER_COUNTS[world.below(100)]
    count = min(count, free // unit)
    if count <= 0:
        return []
    persons = _distinct(world, people, count)
    shares = _split(world, free // unit, len(persons))
    return [(person, share * unit) for person, share in zip(persons, shares, strict=True)]


def _distinct(world: World, people: PrefPool, count: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(count * 3):  # a few retries; a popular person may come up twice
        person = people.pick()
        if person not in chosen:
            chosen.append(person)
        if len(chosen) == count:
            break
    return chosen


def _split(world: World, total: int, parts: int) -> list[int]:
    """``total`` units in ``parts`` positive shares; often one holds a majority.

    >>> import random
    >>> from graph_service.synthetic.base import World
    >>> shares = _split(World(random.Random(3), []), 100, 4)
    >>> sum(shares), len(shares), min(shares) > 0
    (100, 4, True)
    """
    if parts == 1:
        return [total]
    if world.chance(0.6):
        first = max(total // 2 + 1, total * world.between(51, 90) // 100)
        first = min(first, total - (parts - 1))
        return [first, *_split_even(world, total - first, parts - 1)]
    return _split_even(world, total, parts)


def _split_even(world: World, total: int, parts: int) -> list[int]:
    if parts == 1:
        return [total]
    cuts = sorted(world.rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _officers(
    world: World,
    sink: Sink,
    people: PrefPool,
    index: int,
    holders: list[tuple[int, int]],
    branch: bool,
) -> None:
    roles = _roles(world, "branch" if branch else world.company_kinds[index])
    owners = sorted(holders, key=lambda h: -h[1])
    rep = owners[0][0] if owners and world.chance(0.5) else people.pick()
    world.legal_rep[index] = rep
    seen: set[int] = set()  # one role per person, but the actual controller may also chair
    for n, role in enumerate(roles):
        person = rep if n == 0 else _officer(world, people, owners, role)
        if person in seen and role != "actual_controller":
            continue
        seen.add(person)
        if role == "finance_officer":
            world.finance_officer[index] = person
        _officer_row(world, sink, index, person, role)
    if world.chance(0.2):  # a former director or manager, left in the past
        _officer_row(world, sink, index, people.pick(), "director", ended=True)


def _officer(world: World, people: PrefPool, owners: list[tuple[int, int]], role: str) -> int:
    if role == "actual_controller" and owners and world.chance(0.7):
        return owners[0][0]  # usually the largest holder; otherwise someone behind the scenes
    if owners and role in ("director", "supervisor") and world.chance(0.5):
        return owners[world.below(len(owners))][0]
    return people.pick()


def _roles(world: World, kind: str) -> list[str]:
    """The company's officer roles; the first is held by its legal representative."""
    if kind == "enterprise":
        if world.chance(0.5):
            roles = ["chair", "manager", *["director"] * world.between(2, 4)]
        else:
            roles = ["manager"]
        roles += ["supervisor"] * (world.chance(0.85))
        roles += ["finance_officer"] * (world.chance(0.65))
        roles += ["actual_controller"] * (world.chance(0.1))
        return roles
    roles = ["principal"]
    roles += ["finance_officer"] * (world.chance(0.2 if kind == "individual_business" else 0.7))
    roles += ["director"] * (kind in ("hospital", "school", "institution", "social_org"))
    return roles


def _officer_row(
    world: World, sink: Sink, index: int, person: int, role: str, ended: bool = False
) -> None:
    since = max(world.company_est[index], years_after(world.person_birth[person], 18))
    since = min(since, TODAY)
    until = 0
    if ended and since < TODAY - 60:
        until = world.between(since + 30, TODAY - 1)
    elif world.chance(0.1):
        since = world.recent_day(since)  # appointed later than the founding
    sink.write(
        "officers",
        (
            world.company_ids[index],
            world.person_ids[person],
            world.person_names[person],
            role,
            iso(since),
            iso(until) if until else "",
        ),
    )
