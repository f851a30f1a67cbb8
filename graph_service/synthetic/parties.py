"""Phase 1 of the synthetic world: persons, government bodies, the company skeleton, officials.

Companies get their identity (USCC, kind, district, founding date) here; their names come
later (``names``), once the ownership plan says which ones are group holdings.
"""

from __future__ import annotations

from datetime import date

from graph_service.synthetic.base import TODAY, YEAR, World, iso, ordinal, pick
from graph_service.synthetic.data import (
    CITY_AGENCIES,
    COMPOUND_SURNAMES,
    COURT_FIRST_POSTS,
    DISTRICT_AGENCIES,
    EARLIER_POST,
    FEMALE_GIVEN,
    MALE_GIVEN,
    STAFF,
    SURNAMES,
)
from graph_service.synthetic.ids import USCC_ALPHABET, make_id_number, make_uscc
from graph_service.synthetic.sink import Sink

# Shares of the companies that are not government bodies (branches are counted apart).
COMPANY_KINDS = (
    ("enterprise", 0.82),
    ("individual_business", 0.12),
    ("social_org", 0.025),
    ("institution", 0.015),
    ("school", 0.012),
    ("hospital", 0.008),
)
REGISTRATION_TYPE = {
    "enterprise": "91",
    "individual_business": "92",
    "institution": "12",
    "school": "12",
    "hospital": "12",
    "social_org": "51",
    "gov_agency": "11",
    "court": "11",
    "procuratorate": "11",
}
BRANCH_SHARE = 0.03


def person_name(world: World, male: bool) -> str:
    """A Chinese name: a (mostly common) surname and a one- or two-character given name."""
    rng = world.rng
    if rng.random() < 0.01:
        surname = pick(rng, COMPOUND_SURNAMES)
    else:  # squaring favours the front of the list, where the common surnames are
        surname = SURNAMES[int(len(SURNAMES) * rng.random() ** 2)]
    chars = MALE_GIVEN if male else FEMALE_GIVEN
    given = pick(rng, chars) if rng.random() < 0.3 else pick(rng, chars) + pick(rng, chars)
    return surname + given


def make_persons(world: World, count: int, sink: Sink) -> None:
    """Writes ``count`` persons; the first ``world.n_officials`` are of working age."""
    used: set[str] = set()
    low_all, low_officials = ordinal(1945), ordinal(1960)
    high_all, high_officials = ordinal(2006, 11, 1), ordinal(1998)
    for i in range(count):
        official = i < world.n_officials
        male = world.chance(0.55 if official else 0.51)
        low, high = (low_officials, high_officials) if official else (low_all, high_all)
        birth = world.between(low, high)
        district = world.below(len(world.districts))
        id_number = _unique_id(world, used, world.districts[district].code, birth, male)
        name = person_name(world, male)
        world.person_ids.append(id_number)
        world.person_names.append(name)
        world.person_birth.append(birth)
        world.person_district.append(district)
        sink.write(
            "persons",
            (id_number, name, "M" if male else "F", iso(birth), world.districts[district].code),
        )


def _unique_id(world: World, used: set[str], district: str, birth: int, male: bool) -> str:
    while True:
        candidate = make_id_number(district, date.fromordinal(birth), world.below(500), male)
        if candidate not in used:
            used.add(candidate)
            return candidate


def new_uscc(world: World, used: set[str], kind: str, district: str) -> str:
    """A fresh USCC for a body of ``kind`` registered in ``district``."""
    while True:
        body = "".join(USCC_ALPHABET[world.below(31)] for _ in range(8))
        candidate = make_uscc(REGISTRATION_TYPE[kind], district, body)
        if candidate not in used:
            used.add(candidate)
            return candidate


Body = tuple[str, str, str, str, str, int]


def government_bodies(world: World) -> list[Body]:
    """Courts, procuratorates and agencies in priority order: courts first, so that even a
    tiny world has a court for its cases.

    Each entry is (key, role, name, district code, court code or "", district index); a
    city-level body is registered under its city's code and placed in its first district.
    """
    essential: list[Body] = []
    others: list[Body] = []
    for index, districts in enumerate(_cities(world)):
        first, city = districts[0], world.districts[districts[0]].city
        key, code = f"city:{index}", world.districts[first].code[:4] + "00"
        middle = "第一中级人民法院" if city.municipality else "中级人民法院"
        essential.append((key, "court", city.name + middle, code, city.abbr + code[2:4], first))
        essential.append((key, "procuratorate", city.name + "人民检察院", code, "", first))
        others.append((key, "tax", f"国家税务总局{city.name}税务局", code, "", first))
        others.extend(
            (key, role, city.name + suffix, code, "", first) for suffix, role in CITY_AGENCIES
        )
        for i in districts:
            d = world.districts[i]
            name, court_code = d.full_name, city.abbr + d.code[2:]
            essential.append((d.code, "court", name + "人民法院", d.code, court_code, i))
            others.append((d.code, "procuratorate", name + "人民检察院", d.code, "", i))
            others.append((d.code, "tax", f"国家税务总局{name}税务局", d.code, "", i))
            others.extend(
                (d.code, role, name + suffix, d.code, "", i) for suffix, role in DISTRICT_AGENCIES
            )
    return essential + others


def _cities(world: World) -> list[list[int]]:
    by_city: dict[int, list[int]] = {}
    for i, d in enumerate(world.districts):
        by_city.setdefault(d.city_index, []).append(i)
    return list(by_city.values())


def make_government(world: World, count: int, used: set[str]) -> None:
    """Registers the first ``count`` government bodies as companies (named, not yet written)."""
    for key, role, name, code, court_code, district in government_bodies(world)[:count]:
        kind = role if role in ("court", "procuratorate") else "gov_agency"
        index = world.n_companies
        _add_company(
            world,
            new_uscc(world, used, kind, code),
            kind,
            district,
            world.between(ordinal(1950), ordinal(1995)),
        )
        world.company_names[index] = name
        world.body_role[index] = role
        world.bodies[(key, role)] = index
        if court_code:
            world.court_codes[index] = court_code


def _add_company(world: World, uscc: str, kind: str, district: int, established: int) -> None:
    world.company_ids.append(uscc)
    world.company_names.append("")
    world.company_kinds.append(kind)
    world.company_district.append(district)
    world.company_est.append(established)
    world.legal_rep.append(-1)
    world.finance_officer.append(-1)


def make_companies(world: World, count: int, used: set[str]) -> list[int]:
    """Adds ``count`` companies (about 3% of them branches); returns the branch indices."""
    n_branches = int(count * BRANCH_SHARE) if count >= 30 else 0
    kinds, weights = [k for k, _ in COMPANY_KINDS], [w for _, w in COMPANY_KINDS]
    for kind in world.rng.choices(kinds, weights, k=count - n_branches):
        _add_new_company(world, kind, used)
    first_branch = world.n_companies
    for _ in range(n_branches):
        _add_new_company(world, "enterprise", used)
    return list(range(first_branch, world.n_companies))


def _add_new_company(world: World, kind: str, used: set[str]) -> None:
    district = world.below(len(world.districts))
    # Registrations grow year by year: favour recent founding dates.
    low = ordinal(1950) if kind in ("hospital", "school", "institution") else ordinal(1995)
    established = world.recent_day(low, skew=0.8)
    _add_company(
        world,
        new_uscc(world, used, kind, world.districts[district].code),
        kind,
        district,
        established,
    )


Post = tuple[str, str, str]  # (position, rank, what the post can do in a case)


def make_officials(world: World, sink: Sink) -> None:
    """Posts officials 0 .. n_officials-1 to government bodies and writes their rows.

    The first ones fill the posts every case needs (see ``_first_posts``); the rest go to
    random bodies, courts more often, in posts below the head.
    """
    bodies = sorted(world.body_role)
    if not bodies:
        return
    first = _first_posts(world, bodies)
    for person in range(world.n_officials):
        body, post = first[person] if person < len(first) else _random_post(world, bodies)
        _post_official(world, sink, bodies, person, body, post)


def _first_posts(world: World, bodies: list[int]) -> list[tuple[int, Post]]:
    """A judge, a clerk and an enforcement officer for every court, a prosecutor for every
    procuratorate, so that every case can name who handled it; then every body's head."""
    courts = [b for b in bodies if world.body_role[b] == "court"]
    posts = [(court, post) for post in COURT_FIRST_POSTS for court in courts]
    posts += [
        (b, STAFF["procuratorate"][1]) for b in bodies if world.body_role[b] == "procuratorate"
    ]
    posts += [(b, STAFF[_staff_kind(world.body_role[b])][0]) for b in bodies]
    return posts


def _random_post(world: World, bodies: list[int]) -> tuple[int, Post]:
    body = bodies[world.below(len(bodies))]
    # Courts employ most judicial staff: a body that is not a court gets a second draw.
    if world.body_role[body] != "court" and world.chance(0.5):
        body = bodies[world.below(len(bodies))]
    below_head = STAFF[_staff_kind(world.body_role[body])][1:]  # one head per body is enough
    return body, below_head[world.below(len(below_head))]


def _staff_kind(role: str) -> str:
    return role if role in ("court", "procuratorate", "police") else "agency"


def _post_official(
    world: World, sink: Sink, bodies: list[int], person: int, body: int, post: Post
) -> None:
    start = max(world.person_birth[person] + 23 * YEAR, world.company_est[body], ordinal(1990))
    since = world.recent_day(min(start, TODAY - 30))
    if world.chance(0.15) and since - start > 2 * YEAR:  # transferred here from another body
        other = bodies[world.below(len(bodies))]
        _official_row(
            world, sink, person, other, EARLIER_POST, world.between(start, since - YEAR), since
        )
    until = world.day_after(since, YEAR, 8 * YEAR) if world.chance(0.04) else 0
    until = until if until < TODAY else 0  # a few left office
    _official_row(world, sink, person, body, post, since, until)
    if not until:
        world.staff.setdefault(body, {}).setdefault(post[2], []).append(person)


def _official_row(
    world: World, sink: Sink, person: int, body: int, post: Post, since: int, until: int
) -> None:
    position, rank, _ = post
    row = (world.person_ids[person], world.person_names[person], world.company_ids[body])
    sink.write("officials", (*row, position, rank, iso(since), iso(until) if until else ""))
