"""The synthetic world's shared state and the small helpers every generator phase uses.

Invariants:

* every random choice comes from ``World.rng`` (one ``random.Random(seed)``) and phases run in a
  fixed order, so a seed always gives the same world; nothing iterates over a ``set``;
* a *party ref* is an ``int``: companies are ``0 .. n_companies-1``, persons follow, so one list
  index serves both kinds;
* dates are proleptic ordinals (``date.toordinal``) until they are written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from graph_service.synthetic.data import CITIES, City

#: The day the world is seen from: records may end after it, none starts after it.
TODAY = date(2026, 11, 26).toordinal()
#: Earliest date of a record (listing, case, penalty …).
RECORDS_START = date(2005, 1, 1).toordinal()
_DAY0 = date(1930, 1, 1).toordinal()
_DAYS = [date.fromordinal(o).isoformat() for o in range(_DAY0, date(2040, 1, 1).toordinal())]
YEAR = 365


def iso(ordinal: int) -> str:
    """``YYYY-MM-DD`` of an ordinal; cached, since the world writes millions of dates.

    >>> iso(date(2026, 11, 26).toordinal())
    '2026-11-26'
    """
    return _DAYS[ordinal - _DAY0]


def year_of(ordinal: int) -> int:
    """The calendar year of an ordinal."""
    return int(_DAYS[ordinal - _DAY0][:4])


def ordinal(year: int, month: int = 1, day: int = 1) -> int:
    """The ordinal of a calendar date."""
    return date(year, month, day).toordinal()


def years_after(day: int, years: int) -> int:
    """The same calendar day ``years`` later (1 March for 29 February in a common year): a
    birthday. ``years * YEAR`` days would fall a few days short of it, which made officers
    appointed "at 18" minors on their start date (found by the contradictions report).

    >>> iso(years_after(ordinal(2000, 2, 29), 18)), iso(years_after(ordinal(1990, 6, 15), 18))
    ('2018-03-01', '2008-06-15')
    """
    then = date.fromordinal(day)
    try:
        return then.replace(year=then.year + years).toordinal()
    except ValueError:
        return date(then.year + years, 3, 1).toordinal()


class District:
    """One county-level district the world uses, with its city."""

    __slots__ = ("city", "city_index", "code", "name")

    def __init__(self, code: str, name: str, city: City, city_index: int) -> None:
        self.code, self.name, self.city, self.city_index = code, name, city, city_index

    @property
    def full_name(self) -> str:
        """City and district, as printed: 石家庄市新华区."""
        return self.city.name + self.name


def districts_for(cities: int) -> list[District]:
    """The districts of the first ``cities`` cities, in list order.

    >>> [d.full_name for d in districts_for(1)][:2]
    ['石家庄市长安区', '石家庄市桥西区']
    """
    return [
        District(code, name, city, i)
        for i, city in enumerate(CITIES[:cities])
        for code, name in city.districts
    ]


class PrefPool:
    """Picks integers from ``[low, high)`` by preferential attachment.

    With probability ``fresh`` a pick is uniform over the range, otherwise it repeats an
    earlier pick (chosen uniformly among all earlier picks), so a value's chance grows with
    how often it was picked: the Yule–Simon process, whose degrees are heavy-tailed (a few
    parties hold, direct or litigate a lot; most do it once).
    """

    def __init__(self, rng: random.Random, low: int, high: int, fresh: float) -> None:
        self._rng, self._low, self._span, self._fresh = rng, low, high - low, fresh
        self._picked: list[int] = []

    def __bool__(self) -> bool:
        return self._span > 0

    def pick(self) -> int:
        """One value; the pool must not be empty."""
        rng = self._rng
        if not self._picked or rng.random() < self._fresh:
            value = self._low + int(rng.random() * self._span)
        else:
            value = self._picked[int(rng.random() * len(self._picked))]
        self._picked.append(value)
        return value


@dataclass
class World:
    """Everything later phases need to know about the parties written so far."""

    rng: random.Random
    districts: list[District]
    # persons: refs n_companies + i; officials are persons 0 .. n_officials-1
    person_ids: list[str] = field(default_factory=list)
    person_names: list[str] = field(default_factory=list)
    person_birth: list[int] = field(default_factory=list)
    person_district: list[int] = field(default_factory=list)
    n_officials: int = 0
    # companies: refs 0 .. n_companies-1
    company_ids: list[str] = field(default_factory=list)
    company_names: list[str] = field(default_factory=list)
    company_kinds: list[str] = field(default_factory=list)
    company_district: list[int] = field(default_factory=list)
    company_est: list[int] = field(default_factory=list)
    company_address: list[str] = field(default_factory=list)
    company_industry: list[str] = field(default_factory=list)
    legal_rep: list[int] = field(default_factory=list)  # person index or -1
    finance_officer: list[int] = field(default_factory=list)  # person index or -1
    # government bodies: company index → what it is ("court", "agency:market", …)
    body_role: dict[int, str] = field(default_factory=dict)
    # (district or city key, role) → company index; city keys are "city:<index>"
    bodies: dict[tuple[str, str], int] = field(default_factory=dict)
    court_codes: dict[int, str] = field(default_factory=dict)  # court → 冀0105
    # body → capability ("judge", "clerk", …) → officials (person indices) in post today
    staff: dict[int, dict[str, list[int]]] = field(default_factory=dict)
    counters: dict[tuple[str, ...], int] = field(default_factory=dict)

    @property
    def n_companies(self) -> int:
        """How many companies (all kinds, agencies and courts included)."""
        return len(self.company_ids)

    def party_id(self, ref: int) -> str:
        """USCC or id number of a party ref."""
        n = len(self.company_ids)
        return self.company_ids[ref] if ref < n else self.person_ids[ref - n]

    def party_name(self, ref: int) -> str:
        """Name of a party ref."""
        n = len(self.company_ids)
        return self.company_names[ref] if ref < n else self.person_names[ref - n]

    def party_district(self, ref: int) -> District:
        """Home district of a party ref."""
        n = len(self.company_ids)
        index = self.company_district[ref] if ref < n else self.person_district[ref - n]
        return self.districts[index]

    def next_number(self, *key: str) -> int:
        """The next serial number in a numbering series (case numbers, decision numbers …).

        Series start at a random small number and advance by small random gaps, as real
        registers do when only part of their entries reach the world.
        """
        current = self.counters.get(key)
        step = 1 + int(self.rng.random() * 6)
        value = (1 + int(self.rng.random() * 40)) if current is None else current + step
        self.counters[key] = value
        return value

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (faster than ``randrange``)."""
        return int(self.rng.random() * n)

    def between(self, low: int, high: int) -> int:
        """A uniform integer in ``[low, high]``."""
        return low + int(self.rng.random() * (high - low + 1))

    def day_after(self, start: int, min_days: int, max_days: int) -> int:
        """A day ``min_days .. max_days`` after ``start``."""
        return start + self.between(min_days, max_days)

    def recent_day(self, low: int, skew: float = 1.0) -> int:
        """A day in ``[low, TODAY]``; ``skew`` > 1 favours recent days (registers grow)."""
        return TODAY - int((TODAY - low) * self.rng.random() ** skew)

    def city_body(self, district: District, role: str) -> int | None:
        """The body with ``role`` of the district's city, if the world has one."""
        return self.bodies.get((f"city:{district.city_index}", role))

    def local_body(self, district: District, role: str) -> int | None:
        """The district's own body with ``role``, else its city's."""
        found = self.bodies.get((district.code, role))
        return found if found is not None else self.city_body(district, role)


def pick(rng: random.Random, items: tuple[str, ...] | str) -> str:
    """One item of a sequence, uniformly."""
    return items[int(rng.random() * len(items))]


def amount(rng: random.Random, low_exp: float, high_exp: float, step: int) -> int:
    """A heavy-tailed amount between 10**low_exp and 10**high_exp, rounded to ``step``.

    >>> amount(random.Random(1), 4, 6, 1000) % 1000
    0
    """
    value = 10 ** (low_exp + (high_exp - low_exp) * rng.random() ** 1.6)
    return max(step, int(value) // step * step)
