"""Phase 4: the credit lists — debtor and tax lists, penalties, blacklists, red list — and
the status updates that repair, revoke or remove some of their records.

A few percent of the parties end up *listed* (with a serious dishonesty record). Listings
cluster as they do in practice: a quarter of the tax and blacklist entries (and of the serious
penalties) go to parties listed already. Record dates run from 2005 to the world's today; end
dates may lie after it, so some records are active on 2026-11-26 and some have expired.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph_service.synthetic.base import (
    TODAY,
    YEAR,
    World,
    amount,
    iso,
    ordinal,
    pick,
    year_of,
)
from graph_service.synthetic.cases import CaseLog
from graph_service.synthetic.data import (
    BEHAVIOURS,
    BLACKLISTS,
    OBLIGATIONS,
    PENALTY_DOMAINS,
    RED_LISTS,
    TAX_NATURES,
)
from graph_service.synthetic.sink import Sink

# Rows per party (N) of each list; see the module docstring for why they overlap.
DISHONEST_RATE = 0.015
TAX_RATE = 0.004
BLACKLIST_RATE = 0.008
PENALTY_RATE = 0.6
SERIOUS_PENALTY = 0.015  # share of penalties that are serious
RED_LIST_RATE = 0.02
REPEAT_OFFENDER = 0.25
PERSON_DOMAINS = ("traffic", "internet", "social_security", "housing", "fire_safety", "other")

UPDATE_REASONS = {
    "repaired": "主动纠正失信行为，完成信用修复",
    "revoked": "经复议撤销原决定",
    "corrected": "异议核查后更正记录信息",
    "removed": "已全部履行义务，移出名单",
}


@dataclass
class Lists:
    """The sink, plus who is listed already (for repeat offenders) and record updates."""

    world: World
    sink: Sink
    listed: list[int] = field(default_factory=list)  # refs with a serious record (repeats ok)

    def update(self, ref: str, status: str, start: int, authority: str) -> None:
        """Writes a record update some time after the record's start (never after today)."""
        if start + 30 >= TODAY:
            return
        effective = self.world.between(start + 30, TODAY)
        self.sink.write(
            "record_updates", (ref, status, iso(effective), authority, UPDATE_REASONS[status])
        )

    def maybe_update(
        self, ref: str, start: int, authority: str, odds: tuple[tuple[str, float], ...]
    ) -> None:
        """At most one update, ``status`` with its probability."""
        roll = self.world.rng.random()
        for status, p in odds:
            if roll < p:
                self.update(ref, status, start, authority)
                return
            roll -= p

    def offender(self, fresh: int) -> int:
        """``fresh``, or often a party that is listed already."""
        if self.listed and self.world.chance(REPEAT_OFFENDER):
            return self.listed[self.world.below(len(self.listed))]
        return fresh


def write_lists(world: World, sink: Sink, log: CaseLog, parties: int) -> None:
    """Writes every credit list for a world of ``parties`` parties."""
    lists = Lists(world, sink)
    _dishonest(lists, log, int(parties * DISHONEST_RATE))
    _tax(lists, int(parties * TAX_RATE))
    _blacklists(lists, log, int(parties * BLACKLIST_RATE))
    _penalties(lists, int(parties * PENALTY_RATE))
    _red_list(lists, int(parties * RED_LIST_RATE))


def authority(world: World, ref: int, role: str) -> str:
    """Name of the body with ``role`` where the party lives (its district's, else its city's)."""
    body = world.local_body(world.party_district(ref), role)
    if body is None and world.body_role:
        body = min(world.body_role)
    return world.company_names[body] if body is not None else ""


def _private_company(world: World) -> int:
    """A company that is not a government body (or -1 when there is none)."""
    first = len(world.body_role)
    return first + world.below(world.n_companies - first) if world.n_companies > first else -1


def _any_party(world: World, company_share: float) -> int:
    n_persons = len(world.person_ids) - world.n_officials
    if n_persons <= 0 or world.chance(company_share):
        return _private_company(world)
    return world.n_companies + world.n_officials + world.below(n_persons)


def _dishonest(lists: Lists, log: CaseLog, count: int) -> None:
    world = lists.world
    picks = world.rng.sample(range(len(log.enforcements)), min(count, len(log.enforcements)))
    for i in sorted(picks):
        case_no, court, debtor, filed = log.enforcements[i]
        published = world.day_after(filed, 90, 720)
        if published > TODAY:
            continue
        removed = world.day_after(published, 180, 1500) if world.chance(0.3) else 0
        removed = removed if removed <= TODAY else 0
        rep = world.legal_rep[debtor] if debtor < world.n_companies else -1
        debtor_id, court_name = world.party_id(debtor), world.company_names[court]
        obligation = pick(world.rng, OBLIGATIONS).format(amount(world.rng, 4, 7, 100))
        lists.sink.write(
            "dishonest_debtors",
            (
                case_no,
                court_name,
                debtor_id,
                world.party_name(debtor),
                world.person_names[rep] if rep >= 0 else "",
                obligation,
                "unperformed" if world.chance(0.7) else "partial",
                pick(world.rng, BEHAVIOURS),
                iso(published),
                iso(removed) if removed else "",
            ),
        )
        lists.listed.append(debtor)
        if not removed:
            lists.maybe_update(
                f"{case_no}|{debtor_id}",
                published,
                court_name,
                (("removed", 0.04), ("repaired", 0.03)),
            )


def _tax(lists: Lists, count: int) -> None:
    world = lists.world
    for _ in range(count):
        ref = lists.offender(_any_party(world, 0.97))
        if ref < 0:
            return
        published = world.recent_day(ordinal(2014), skew=0.8)
        year = year_of(published)
        district = world.party_district(ref).code
        case_ref = f"SW-{district}-{year}-{world.next_number('SW', district, str(year)):03d}"
        by = authority(world, ref, "tax")
        rep = world.legal_rep[ref] if ref < world.n_companies else -1
        fin = world.finance_officer[ref] if ref < world.n_companies else -1
        expires = published + 3 * YEAR if world.chance(0.8) else 0
        lists.sink.write(
            "tax_violations",
            (
                case_ref,
                world.party_id(ref),
                world.party_name(ref),
                pick(world.rng, TAX_NATURES),
                f"{amount(world.rng, 5, 7.7, 1)}.{world.below(100):02d}",
                *_person_cols(world, rep),
                *_person_cols(world, fin),
                by,
                iso(published),
                iso(expires) if expires else "",
            ),
        )
        lists.listed.append(ref)
        lists.maybe_update(case_ref, published, by, (("repaired", 0.1),))


def _person_cols(world: World, person: int) -> tuple[str, str]:
    if person < 0:
        return "", ""
    return world.person_ids[person], world.person_names[person]


def _blacklists(lists: Lists, log: CaseLog, count: int) -> None:
    world = lists.world
    for _ in range(count):
        case_no, listed_from = "", ordinal(2014)
        ref = lists.offender(_any_party(world, 0.6))
        if log.defendants and world.chance(0.25):  # a listing that follows a case
            case_no, ref, filed = log.defendants[world.below(len(log.defendants))]
            listed_from = max(filed, listed_from)
        if ref < 0 or ref in world.body_role:
            continue
        _blacklist_entry(lists, ref, case_no, listed_from)


def _blacklist_entry(lists: Lists, ref: int, case_no: str, listed_from: int) -> None:
    world = lists.world
    company = ref < world.n_companies
    fitting = [b for b in BLACKLISTS if b[4 if company else 5]]
    name, code, role, reason, _, _ = fitting[world.below(len(fitting))]
    listed = world.recent_day(listed_from, skew=0.8)
    district = world.party_district(ref).code
    year = year_of(listed)
    entry_no = f"{code}-{district}-{year}-{world.next_number(code, district, str(year)):03d}"
    expires = world.day_after(listed, YEAR, 3 * YEAR) if world.chance(0.8) else 0
    by = authority(world, ref, role)
    lists.sink.write(
        "blacklists",
        (
            entry_no,
            name,
            world.party_id(ref),
            world.party_name(ref),
            reason,
            by,
            iso(listed),
            iso(expires) if expires else "",
            case_no,
        ),
    )
    lists.listed.append(ref)
    lists.maybe_update(
        entry_no, listed, by, (("removed", 0.04), ("repaired", 0.02), ("revoked", 0.01))
    )


def _penalties(lists: Lists, count: int) -> None:
    world = lists.world
    by_domain = {d[0]: d for d in PENALTY_DOMAINS}
    for _ in range(count):
        ref = _any_party(world, 0.88)
        if ref < 0:
            return
        serious = world.chance(SERIOUS_PENALTY)
        if serious:
            ref = lists.offender(ref)
        person = ref >= world.n_companies
        domain = (
            pick(world.rng, PERSON_DOMAINS)
            if person
            else PENALTY_DOMAINS[world.below(len(PENALTY_DOMAINS))][0]
        )
        _penalty(lists, ref, by_domain[domain], serious)


def _penalty(lists: Lists, ref: int, domain: tuple[str, str, str, str], serious: bool) -> None:
    world = lists.world
    name, abbr, role, violation = domain
    severity = "serious" if serious else "general" if world.chance(0.5) else "minor"
    decided = world.recent_day(ordinal(2015), skew=0.6)
    district = world.party_district(ref)
    prefix = district.city.name[0] + abbr
    year = str(year_of(decided))
    decision_no = f"{prefix}罚〔{year}〕{world.next_number(prefix, year)}号"
    days = {"minor": 90, "general": YEAR, "serious": 3 * YEAR}[severity]
    by = authority(world, ref, role)
    lists.sink.write(
        "admin_penalties",
        (
            decision_no,
            world.party_id(ref),
            world.party_name(ref),
            name,
            severity,
            violation,
            _penalty_text(world, severity),
            by,
            iso(decided),
            iso(decided + days),
        ),
    )
    if serious:
        lists.listed.append(ref)
    if severity != "minor":
        lists.maybe_update(
            decision_no, decided, by, (("repaired", 0.03), ("revoked", 0.01), ("corrected", 0.005))
        )


def _penalty_text(world: World, severity: str) -> str:
    if severity == "minor":
        return "警告" if world.chance(0.5) else f"罚款人民币{amount(world.rng, 2.7, 4, 100)}元"
    fine = f"罚款人民币{amount(world.rng, 4, 6.5, 1000)}元"
    if severity == "serious":
        return pick(world.rng, (fine + "，没收违法所得", fine + "，吊销许可证", "责令停产停业"))
    return fine


def _red_list(lists: Lists, count: int) -> None:
    world = lists.world
    for _ in range(count):
        ref = _private_company(world)
        if ref < 0:
            return
        name, code, role = RED_LISTS[world.below(len(RED_LISTS))]
        valid_from = world.recent_day(ordinal(2016), skew=0.7)
        year = year_of(valid_from)
        if name == "a_grade_taxpayer":  # rated for a year, published the next spring
            valid_until = ordinal(year, 12, 31)
        else:
            valid_until = valid_from + (2 if code == "SHT" else 3) * YEAR
        district = world.party_district(ref)
        by = (
            district.city.name.removesuffix("市") + "海关"
            if role == "customs"
            else authority(world, ref, role)
        )
        entry_no = f"{code}-{year}-{district.code}-{world.next_number(code, str(year)):04d}"
        lists.sink.write(
            "red_list",
            (
                entry_no,
                name,
                world.party_id(ref),
                world.party_name(ref),
                by,
                iso(valid_from),
                iso(valid_until),
            ),
        )
        lists.maybe_update(entry_no, valid_from, by, (("revoked", 0.01),))
