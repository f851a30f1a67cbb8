"""Phase 5: contact details from annual reports, with the sharing investigators look for.

Every party's own phone number and e-mail address are unique (a bijection of its index), so
a value two parties share was shared on purpose: an individual business reporting its
operator's mobile, a group member reporting its parent's switchboard, two companies of one
legal representative with one phone, and companies registered at a business centre. Shared
values are often written differently (spaces, brackets, +86, upper case), as real reports are.
"""

from __future__ import annotations

from graph_service.synthetic.base import World, iso, ordinal, year_of
from graph_service.synthetic.data import EMAIL_DOMAINS
from graph_service.synthetic.names import person_address
from graph_service.synthetic.plan import Plan
from graph_service.synthetic.sink import Sink

# Multipliers coprime to 10: index → number is a bijection, so own numbers never collide.
_MIX_MOBILE, _MIX_LANDLINE, _MIX_MAIL = 54_435_761, 2_654_437, 387_420_489
FIRST_REPORT_YEAR = 2014


def mobile(person: int, seed: int) -> str:
    """The person's own mobile number (11 digits).

    >>> mobile(0, 1) != mobile(1, 1)
    True
    """
    x = (person * _MIX_MOBILE + seed) % 100_000_000
    return f"1{'3578'[x % 4]}{x % 10}{x:08d}"


def landline(world: World, company: int, seed: int, lead: str = "8") -> str:
    """The company's own switchboard: area code and an 8-digit local number.

    ``lead`` (the local number's first digit) keeps numbers taken up later apart from the
    original ones: 8 for the first, 6 and 7 for those of the last two years.
    """
    x = (company * _MIX_LANDLINE + seed) % 10_000_000
    return f"{world.party_district(company).city.area_code}-{lead}{x:07d}"


def styled_phone(world: World, number: str) -> str:
    """``number`` as some annual report might print it.

    >>> import random
    >>> from graph_service.synthetic.base import World
    >>> sorted({styled_phone(World(random.Random(s), []), "0311-86661234") for s in range(40)})
    ['(0311)86661234', '0311-8666 1234', '0311-86661234']
    """
    roll = world.rng.random()
    if "-" in number:
        area, local = number.split("-")
        return (
            number
            if roll < 0.6
            else f"{area}-{local[:4]} {local[4:]}"
            if roll < 0.8
            else f"({area}){local}"
        )
    if roll < 0.7:
        return number
    return (
        f"{number[:3]} {number[3:7]} {number[7:]}"
        if roll < 0.85
        else f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    )


def email(ref: int, seed: int) -> str:
    """The party's own e-mail address: seven letters, a bijection of ``ref``.

    >>> email(0, 1), email(1, 1) != email(0, 1)
    ('aaaaaab@163.com', True)
    """
    x = (ref * _MIX_MAIL + seed) % 1_000_000_000
    letters = []
    for _ in range(7):  # 26**7 > 10**9: seven letters hold every x
        x, r = divmod(x, 26)
        letters.append(chr(97 + r))
    return "".join(reversed(letters)) + "@" + EMAIL_DOMAINS[ref % len(EMAIL_DOMAINS)]


def write_contacts(world: World, plan: Plan, sink: Sink, seed: int) -> None:
    """Writes contacts of every company (but agencies) and of most persons."""
    first_company_of: dict[int, int] = {}
    for company in range(world.n_companies):
        if company not in world.body_role:
            _company_contacts(world, plan, sink, seed, company, first_company_of)
    for person in range(len(world.person_ids)):
        _person_contacts(world, sink, seed, person)


def _company_contacts(
    world: World, plan: Plan, sink: Sink, seed: int, company: int, first_company_of: dict[int, int]
) -> None:
    phone, mail = _company_phone_and_mail(world, plan, seed, company, first_company_of)
    uscc = world.company_ids[company]
    first_year = max(FIRST_REPORT_YEAR, year_of(world.company_est[company]) + 1)
    years = [y for y in range(2026 - world.between(0, 3), 2027) if y >= first_year]
    for year in years:
        reported = iso(ordinal(year, 1, 1) + world.below(180))
        if year > 2024 and world.chance(0.15):  # moved to a new number lately
            phone = landline(world, company, seed, lead=str(year - 2019))
        sink.write("contacts", (uscc, "phone", styled_phone(world, phone), reported))
        if mail:
            sink.write("contacts", (uscc, "email", mail, reported))
        sink.write("contacts", (uscc, "address", world.company_address[company], reported))


def _company_phone_and_mail(
    world: World, plan: Plan, seed: int, company: int, first_company_of: dict[int, int]
) -> tuple[str, str]:
    """Own phone and e-mail, or those of a related party."""
    rep = world.legal_rep[company]
    phone = landline(world, company, seed)
    mail = email(company, seed) if world.chance(0.7) else ""
    root = plan.root_of.get(company, company)
    if world.company_kinds[company] == "individual_business" and rep >= 0:
        phone = mobile(rep, seed)  # the operator's own mobile
    elif root != company and world.chance(0.3):
        phone = landline(world, root, seed)
        if world.chance(0.5):
            mail = email(root, seed).capitalize()
    elif rep >= 0 and rep in first_company_of and world.chance(0.15):
        phone = landline(world, first_company_of[rep], seed)
    if rep >= 0:
        first_company_of.setdefault(rep, company)
    return phone, mail


def _person_contacts(world: World, sink: Sink, seed: int, person: int) -> None:
    person_id = world.person_ids[person]
    reported = iso(world.recent_day(ordinal(FIRST_REPORT_YEAR), skew=0.8))
    if world.chance(0.9):
        sink.write(
            "contacts", (person_id, "phone", styled_phone(world, mobile(person, seed)), reported)
        )
    if world.chance(0.25):
        sink.write(
            "contacts", (person_id, "email", email(world.n_companies + person, seed), reported)
        )
    if world.chance(0.5):
        sink.write("contacts", (person_id, "address", person_address(world, person), reported))
