"""Phase 5: officials' integrity records — appraisals, awards, discipline, violations.

Most officials who took a bribe or intervened in a case (``CaseLog.incidents``) are
disciplined some time after the incident; a few others are, at random.
"""

from __future__ import annotations

from graph_service.synthetic.base import TODAY, YEAR, World, iso, ordinal, pick, year_of
from graph_service.synthetic.cases import CaseLog
from graph_service.synthetic.data import APPRAISALS, AWARDS, DISCIPLINE
from graph_service.synthetic.lists import Lists
from graph_service.synthetic.sink import Sink


def write_official_records(world: World, sink: Sink, log: CaseLog) -> None:
    """Appraisals, awards and sanctions of officials; most bribe takers and interveners are
    disciplined after their incident."""
    lists = Lists(world, sink)
    post = {
        p: body
        for body, staff in sorted(world.staff.items())
        for people in staff.values()
        for p in people
    }
    incidents: dict[int, int] = {}
    for person, day in log.incidents:
        incidents.setdefault(person, day)
    for person in range(world.n_officials):
        body = post.get(person)
        if body is not None:
            for year in sorted(world.rng.sample(range(2019, 2026), world.between(0, 3))):
                outcome = pick(world.rng, APPRAISALS)
                _official_record(
                    lists,
                    person,
                    "appraisal",
                    outcome,
                    ordinal(year, 12, 31),
                    world.company_names[body],
                    0,
                )
        _sanctions(lists, person, incidents.get(person))


def _sanctions(lists: Lists, person: int, incident: int | None) -> None:
    world = lists.world
    district = world.districts[world.person_district[person]]
    body = world.city_body(district, "discipline")
    by = world.company_names[body] if body is not None else district.city.name + "纪委监委"
    if incident is not None and incident < TODAY - 60 and world.chance(0.7):
        kind = "violation" if world.chance(0.3) else "discipline"
        _discipline(lists, person, kind, world.between(incident + 30, TODAY), by)
    elif world.chance(0.03):
        _discipline(lists, person, "discipline", world.recent_day(ordinal(2012)), by)
    if world.chance(0.05):
        _official_record(
            lists, person, "award", pick(world.rng, AWARDS), world.recent_day(ordinal(2012)), by, 0
        )
    if world.chance(0.01):
        decided = world.recent_day(ordinal(2016))
        _official_record(
            lists,
            person,
            "breach_of_promise",
            "未履行生效判决确定的义务",
            decided,
            by,
            decided + YEAR,
        )


def _discipline(lists: Lists, person: int, kind: str, decided: int, by: str) -> None:
    outcome, months = DISCIPLINE[lists.world.below(len(DISCIPLINE))]
    record_no = _official_record(lists, person, kind, outcome, decided, by, decided + months * 30)
    lists.maybe_update(record_no, decided, by, (("revoked", 0.03), ("corrected", 0.02)))


def _official_record(
    lists: Lists, person: int, kind: str, outcome: str, decided: int, by: str, expires: int
) -> str:
    world = lists.world
    year = str(year_of(decided))
    record_no = f"GWY-{year}-{world.next_number('GWY', year):04d}"
    lists.sink.write(
        "official_records",
        (
            record_no,
            world.person_ids[person],
            kind,
            outcome,
            iso(decided),
            by,
            iso(expires) if expires else "",
        ),
    )
    return record_no
