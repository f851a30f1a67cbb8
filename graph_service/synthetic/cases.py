"""Phase 3: cases, their parties and handling officials, and interventions.

Cases are heard by the court of the defendant's district; a good part of the enforcement
cases enforce an earlier civil judgment between the same parties. What later phases need
(enforcement cases for the debtor list, defendants for blacklist links, officials with an
incident for their integrity records) is kept in a ``CaseLog``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph_service.synthetic.base import (
    RECORDS_START,
    TODAY,
    YEAR,
    PrefPool,
    World,
    iso,
    pick,
    year_of,
)
from graph_service.synthetic.data import ADMIN_CAUSES, CIVIL_CAUSES, CRIMINAL_CAUSES, INTERVENTIONS
from graph_service.synthetic.sink import Sink

CASES_PER_COMPANY = 1.0
CASE_TYPES = (
    ("civil", 0.50),
    ("enforcement", 0.27),
    ("criminal", 0.10),
    ("administrative", 0.08),
    ("bribery", 0.05),
)
TYPE_CODES = {
    "civil": "民初",
    "enforcement": "执",
    "criminal": "刑初",
    "administrative": "行初",
    "bribery": "刑初",
}
INTERVENTION_SHARE = 0.006


@dataclass
class CaseLog:
    """What later phases need to know about the cases."""

    # (case_no, court, enforcee ref, filed): candidates for the dishonest-debtor list
    enforcements: list[tuple[str, int, int, int]] = field(default_factory=list)
    # (case_no, defendant ref, filed): blacklist entries may cite them
    defendants: list[tuple[str, int, int]] = field(default_factory=list)
    # (official person index, date): bribe takers and interveners, for their records
    incidents: list[tuple[int, int]] = field(default_factory=list)
    # (plaintiff, defendant, closed, court) of decided civil cases, enforced later
    judgments: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _Context:
    world: World
    sink: Sink
    log: CaseLog
    litigants: PrefPool
    courts: list[int]
    leaders: list[int]
    officials: list[int]
    agencies: dict[int, list[int]]  # city index → agencies (defendants of administrative cases)


def write_cases(world: World, sink: Sink) -> CaseLog:
    """Writes about ``CASES_PER_COMPANY`` cases per company with parties and officials."""
    log = CaseLog()
    courts = sorted(b for b, role in world.body_role.items() if role == "court")
    n_gov = len(world.body_role)
    if not courts or world.n_companies + len(world.person_ids) <= n_gov + 1:
        return log
    ctx = _Context(
        world,
        sink,
        log,
        PrefPool(world.rng, n_gov, world.n_companies + len(world.person_ids), 0.5),
        courts,
        _officials(world, "leader"),
        _officials(world, None),
        _agencies_by_city(world),
    )
    types, weights = [t for t, _ in CASE_TYPES], [w for _, w in CASE_TYPES]
    for case_type in world.rng.choices(
        types, weights, k=int(world.n_companies * CASES_PER_COMPANY)
    ):
        _case(ctx, case_type)
    return log


def _agencies_by_city(world: World) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for body, role in sorted(world.body_role.items()):
        if role not in ("court", "procuratorate"):
            found.setdefault(world.party_district(body).city_index, []).append(body)
    return found


def _officials(world: World, ability: str | None) -> list[int]:
    """Officials in post today (with ``ability``, or all), in a stable order."""
    found = {
        p
        for staff in world.staff.values()
        for a, people in staff.items()
        if ability in (None, a)
        for p in people
    }
    return sorted(found)


def _case(ctx: _Context, case_type: str) -> None:
    world = ctx.world
    filed = world.recent_day(RECORDS_START, skew=0.7)
    parties = _parties(ctx, case_type, filed)
    if len(parties) < 2 and case_type != "criminal":
        return
    filed = max(filed, parties[0][2])
    defendant = next(
        (ref for ref, role, _, _ in parties if role in ("defendant", "enforcee")), parties[0][0]
    )
    # An enforced judgment goes back to the court that gave it.
    court = parties[0][3] if parties[0][3] >= 0 else _court(ctx, defendant)
    closed = world.day_after(filed, 30, 600)
    closed = closed if closed <= TODAY else 0
    case_no = _case_no(world, court, case_type, filed)
    _write_case(ctx, case_no, court, case_type, parties, filed, closed)
    _remember(ctx, case_no, case_type, court, parties, filed, closed)
    handlers = _handlers(ctx, case_no, case_type, court, defendant)
    if world.chance(INTERVENTION_SHARE):
        _intervention(ctx, case_no, court, filed, closed, handlers)


def _write_case(
    ctx: _Context,
    case_no: str,
    court: int,
    case_type: str,
    parties: list[Party],
    filed: int,
    closed: int,
) -> None:
    world = ctx.world
    cause = _cause(world, case_type, parties)
    court_id, court_name = world.company_ids[court], world.company_names[court]
    closed_on = iso(closed) if closed else ""
    ctx.sink.write(
        "cases", (case_no, court_id, court_name, case_type, cause, iso(filed), closed_on)
    )
    for ref, role, _, _ in parties:
        ctx.sink.write("case_parties", (case_no, world.party_id(ref), world.party_name(ref), role))


def _court(ctx: _Context, defendant: int) -> int:
    """The court of the defendant's district (sometimes its city's), else any court."""
    world = ctx.world
    district = world.party_district(defendant)
    court = (
        world.city_body(district, "court")
        if world.chance(0.15)
        else world.local_body(district, "court")
    )
    return court if court is not None else ctx.courts[world.below(len(ctx.courts))]


def _case_no(world: World, court: int, case_type: str, filed: int) -> str:
    code, year, kind = world.court_codes[court], year_of(filed), TYPE_CODES[case_type]
    return f"({year}){code}{kind}{world.next_number(code, str(year), kind)}号"


def _cause(world: World, case_type: str, parties: list[tuple[int, str, int, int]]) -> str:
    if case_type == "civil":
        return pick(world.rng, CIVIL_CAUSES)
    if case_type == "criminal":
        return pick(world.rng, CRIMINAL_CAUSES)
    if case_type == "administrative":
        return pick(world.rng, ADMIN_CAUSES)
    if case_type == "bribery":
        return "单位行贿罪" if parties[0][0] < world.n_companies else "行贿罪"
    return "申请执行"


# A party entry: (ref, role, earliest filing date it allows, court of an enforced judgment)
Party = tuple[int, str, int, int]


def _parties(ctx: _Context, case_type: str, filed: int) -> list[Party]:
    if case_type == "enforcement":
        return _enforcement_parties(ctx, filed)
    if case_type == "criminal":
        return [
            (_person(ctx), "defendant", 0, -1)
            for _ in range(1 + int(ctx.world.rng.random() ** 3 * 3))
        ]
    if case_type == "bribery":
        briber = ctx.litigants.pick()
        if not ctx.officials:
            return [(briber, "briber", 0, -1)]
        taker = ctx.officials[ctx.world.below(len(ctx.officials))] + ctx.world.n_companies
        return [(briber, "briber", 0, -1), (taker, "bribe_taker", 0, -1)]
    if case_type == "administrative":
        return _administrative_parties(ctx)
    return _civil_parties(ctx)


def _person(ctx: _Context) -> int:
    world = ctx.world
    first = world.n_companies + world.n_officials
    total = world.n_companies + len(world.person_ids)
    return first + world.below(total - first) if total > first else ctx.litigants.pick()


def _civil_parties(ctx: _Context) -> list[Party]:
    world = ctx.world
    plaintiff, defendant = ctx.litigants.pick(), ctx.litigants.pick()
    if plaintiff == defendant:
        return []
    parties = [(plaintiff, "plaintiff", 0, -1), (defendant, "defendant", 0, -1)]
    rep = world.legal_rep[defendant] if defendant < world.n_companies else -1
    if rep >= 0 and world.chance(0.2):  # the legal representative stood surety
        parties.append((rep + world.n_companies, "defendant", 0, -1))
    if world.chance(0.1):
        third = ctx.litigants.pick()
        if third not in (plaintiff, defendant):
            parties.append((third, "third_party", 0, -1))
    return parties


def _enforcement_parties(ctx: _Context, filed: int) -> list[Party]:
    world, judgments = ctx.world, ctx.log.judgments
    if judgments and world.chance(0.6):
        # Enforce an earlier judgment: swap-remove it so it is enforced once.
        i = world.below(len(judgments))
        judgments[i], judgments[-1] = judgments[-1], judgments[i]
        applicant, enforcee, closed, court = judgments.pop()
        start = closed + world.between(30, 365)
        if start <= TODAY:
            return [(applicant, "applicant", start, court), (enforcee, "enforcee", start, court)]
    applicant, enforcee = ctx.litigants.pick(), ctx.litigants.pick()
    if applicant == enforcee:
        return []
    return [(applicant, "applicant", 0, -1), (enforcee, "enforcee", 0, -1)]


def _administrative_parties(ctx: _Context) -> list[Party]:
    world = ctx.world
    plaintiff = ctx.litigants.pick()
    agencies = ctx.agencies.get(world.party_district(plaintiff).city_index) or ctx.courts
    return [
        (plaintiff, "plaintiff", 0, -1),
        (agencies[world.below(len(agencies))], "defendant", 0, -1),
    ]


def _remember(
    ctx: _Context,
    case_no: str,
    case_type: str,
    court: int,
    parties: list[Party],
    filed: int,
    closed: int,
) -> None:
    log = ctx.log
    for ref, role, _, _ in parties:
        if role == "enforcee":
            log.enforcements.append((case_no, court, ref, filed))
        if role in ("defendant", "enforcee"):
            log.defendants.append((case_no, ref, filed))
        if role == "bribe_taker":
            log.incidents.append((ref - ctx.world.n_companies, closed or filed))
    if case_type == "civil" and closed and ctx.world.chance(0.6):
        log.judgments.append((parties[0][0], parties[1][0], closed, court))


def _handlers(ctx: _Context, case_no: str, case_type: str, court: int, defendant: int) -> list[int]:
    """Writes who handled the case; returns them, the recording judge first."""
    world = ctx.world
    staff = world.staff.get(court, {})
    wanted: list[tuple[list[int], str]] = []
    if case_type == "enforcement":
        wanted.append((staff.get("enforcer") or staff.get("judge", []), "enforcement_officer"))
    else:
        wanted.append((staff.get("judge", []), "presiding_judge"))
        if world.chance(0.4):  # a collegiate bench
            wanted += [(staff.get("judge", []), "judge")] * 2
    wanted.append((staff.get("clerk", []), "clerk"))
    if case_type in ("criminal", "bribery"):
        wanted += _prosecution(ctx, defendant)
    handlers: list[int] = []
    for people, role in wanted:
        if people:
            person = people[world.below(len(people))]
            if person not in handlers:
                handlers.append(person)
                ctx.sink.write("case_officials", (case_no, world.person_ids[person], role))
    return handlers


def _prosecution(ctx: _Context, defendant: int) -> list[tuple[list[int], str]]:
    world = ctx.world
    district = world.party_district(defendant)
    wanted: list[tuple[list[int], str]] = []
    procuratorate = world.local_body(district, "procuratorate")
    if procuratorate is not None:
        wanted.append((world.staff.get(procuratorate, {}).get("prosecutor", []), "prosecutor"))
    police = world.local_body(district, "police")
    if police is not None and world.chance(0.4):
        wanted.append((world.staff.get(police, {}).get("police", []), "police_officer"))
    return wanted


def _intervention(
    ctx: _Context, case_no: str, court: int, filed: int, closed: int, handlers: list[int]
) -> None:
    """A leader asking for a favour, or a court insider asking about the case."""
    world = ctx.world
    insiders = [p for p in world.staff.get(court, {}).get("judge", []) if p not in handlers]
    if ctx.leaders and (world.chance(0.7) or not insiders):
        official, kind = ctx.leaders[world.below(len(ctx.leaders))], "intervention"
    elif insiders:
        official, kind = insiders[world.below(len(insiders))], "inquiry"
    else:
        return
    occurred = world.between(filed, closed or min(TODAY, filed + YEAR))
    year = year_of(occurred)
    record_no = f"GY-{year}-{world.next_number('GY', str(year)):04d}"
    recorder = world.person_ids[handlers[0]] if handlers else ""
    ctx.sink.write(
        "interventions",
        (
            record_no,
            case_no,
            world.person_ids[official],
            kind,
            iso(occurred),
            recorder,
            pick(world.rng, INTERVENTIONS),
        ),
    )
    ctx.log.incidents.append((official, occurred))
