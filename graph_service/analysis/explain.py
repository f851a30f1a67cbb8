"""What every measure carries to explain itself (§5): origin record, rule, basis and path.

A path runs from the origin record's party to the measured party; its first hop has no
relation, each further hop says by which relationship it was reached (a relationship is named
by its type whatever its direction, as in ``:Measure.path_json``). ``until`` is the last day a
measure applies: the day before the earliest end among its record and the path's relationships.

>>> hb = PathHop("C", "华北建设")
>>> m = Measure("P", "officer_ban", "derived", "R1", OriginRecord("dishonest_debtor:X|C", "X|C",
...     "dishonest_debtor", "某法院", date(2021, 6, 1), None, "C"), "限高规定第三条",
...     (hb, PathHop("P", "张伟", "LEGAL_REP_OF")), None, "2026.11-1")
>>> m.as_dict()["path"][1]
{'party_id': 'P', 'name': '张伟', 'relation': 'LEGAL_REP_OF', 'stake_pct': None, 'role': None}
>>> len(m.key)
32
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

from graph_service.analysis.activity import Active, add_years
from graph_service.analysis.graph import OPEN

Origin = Literal["direct", "derived"]


@dataclass(frozen=True, slots=True)
class PathHop:
    """One party on a measure's path and the relationship by which it was reached."""

    party_id: str
    name: str | None
    relation: str | None = None  # HOLDS_SHARES, OFFICER_OF, LEGAL_REP_OF, BRANCH_OF, NAMED_IN
    stake_pct: float | None = None  # for HOLDS_SHARES: the stake (summed over its rows)
    role: str | None = None  # for OFFICER_OF and NAMED_IN: the role


@dataclass(frozen=True, slots=True)
class OriginRecord:
    """The record a measure comes from."""

    record_key: str
    ref: str
    kind: str
    authority: str | None
    start: date | None
    end: date | None  # the record's end (for convictions: five years after closed_on)
    party_id: str  # the record's subject

    @classmethod
    def of(cls, active: Active, party_id: str) -> OriginRecord:
        """The origin of a measure that comes from ``active``, a record of ``party_id``."""
        record, years = active.record, active.spec.active_years
        end, start = record.get("end"), record.get("start")
        if end is None and years is not None and start is not None:
            end = add_years(start, years)
        return cls(
            record_key=str(record["record_key"]),
            ref=str(record["ref"]),
            kind=str(record["kind"]),
            authority=record.get("authority"),
            start=record.get("start"),
            end=end,
            party_id=party_id,
        )


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure that applies to ``party_id`` (联合惩戒措施), with its full explanation."""

    party_id: str
    measure: str
    origin: Origin
    rule: str | None  # R1…R6 for derived measures
    record: OriginRecord
    basis: str
    path: tuple[PathHop, ...]
    until: date | None  # last day it applies; None = open
    catalog_version: str

    @property
    def key(self) -> str:
        """Stable identity: a hash of party, measure, rule, origin record and path."""
        hops = [(h.party_id, h.relation, h.role) for h in self.path]
        text = json.dumps([self.party_id, self.measure, self.rule, self.record.record_key, hops])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def as_dict(self) -> dict[str, Any]:
        """The measure as plain data (dates stay :class:`date`), with its ``key``."""
        data = asdict(self)
        data["path"] = [asdict(hop) for hop in self.path]
        data["key"] = self.key
        return data


def sort_key(measure: Measure) -> tuple[str, str, str, tuple[str, ...]]:
    """The order of a party's measures: by measure, rule, record and path."""
    path = tuple(hop.party_id for hop in measure.path)
    return measure.measure, measure.rule or "", measure.record.record_key, path


def last_day(end: date) -> date | None:
    """The last active day before the exclusive ``end``; None for an open end.

    >>> last_day(date(2026, 5, 1)), last_day(OPEN)
    (datetime.date(2026, 4, 30), None)
    """
    return None if end == OPEN else end - timedelta(days=1)


def end_of(until: date | None) -> date:
    """The exclusive end of a measure that applies until ``until`` (inverse of last_day)."""
    return OPEN if until is None else until + timedelta(days=1)
