"""Records and when they are active (§1 of the policy).

A record is active on D when ``start`` ≤ D < ``end`` and it was not voided on or before D
(``voided_on`` is the earliest ``repaired`` / ``revoked`` / ``removed`` update). A kind with
``active_years`` (bribery convictions: 5) also ends that many years after its start. All
three ends are folded into one exclusive end, so "active on D" is ``start <= D < end``.

>>> r = {"kind": "blacklist", "start": date(2023, 5, 1), "end": date(2026, 5, 1)}
>>> is_active(r, date(2026, 4, 30)), is_active(r, date(2026, 5, 1))
(True, False)
>>> is_active({**r, "voided_on": date(2024, 1, 10)}, date(2024, 1, 10))
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, NamedTuple

import networkx as nx

from graph_service.analysis.graph import DATE_FIELDS, OPEN, as_date
from graph_service.policy.catalog import Catalog, RecordKind, Variant

#: Active records per party id (parties without any are absent).
ActiveIndex = dict[str, list["Active"]]


class Active(NamedTuple):
    """An active record, what the catalog says about it, and its exclusive end."""

    record: Mapping[str, Any]
    spec: RecordKind
    variant: Variant
    end: date  # first day it is no longer active (OPEN if unknown)


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March (the later reading).

    >>> add_years(date(2022, 11, 30), 5), add_years(date(2020, 2, 29), 5)
    (datetime.date(2027, 11, 30), datetime.date(2025, 3, 1))
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def record_end(record: Mapping[str, Any], active_years: int | None = None) -> date:
    """The first day ``record`` is no longer active: the earliest of its end, its voiding and
    ``active_years`` after its start (:data:`OPEN` when none is known)."""
    ends = [record.get("end"), record.get("voided_on")]
    start = record.get("start")
    if active_years is not None and start is not None:
        ends.append(add_years(start, active_years))
    return min((end for end in ends if end is not None), default=OPEN)


def is_active(record: Mapping[str, Any], as_of: date, active_years: int | None = None) -> bool:
    """True when ``record`` is active on ``as_of``; a record without a start never is (a
    bribery case not yet closed has convicted nobody)."""
    start = record.get("start")
    return start is not None and start <= as_of < record_end(record, active_years)


def activate(record: Mapping[str, Any], catalog: Catalog, as_of: date) -> Active | None:
    """``record`` with its catalog entry when active on ``as_of``, else None."""
    spec = catalog.record_kind(record.get("kind"))
    if not is_active(record, as_of, spec.active_years):
        return None
    return Active(record, spec, spec.variant(record), record_end(record, spec.active_years))


def active_index(graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date) -> ActiveIndex:
    """Every party's active records, in their stored order.

    Notes
    -----
    One pass over the parties and their records: O(V + R).
    """
    index: ActiveIndex = {}
    for party, attrs in graph.nodes(data=True):
        records = attrs.get("records")
        if records:
            found = [a for r in records if (a := activate(r, catalog, as_of)) is not None]
            if found:
                index[party] = found
    return index


def serious_until(index: ActiveIndex) -> dict[str, date]:
    """Parties with an active serious dishonesty record (严重失信) → the latest end of one."""
    found = {}
    for party, actives in index.items():
        ends = [a.end for a in actives if a.variant.serious]
        if ends:
            found[party] = max(ends)
    return found


def primary_serious(actives: list[Active]) -> Active:
    """The serious record that explains a listing: the one active longest, then by key."""
    serious = [a for a in actives if a.variant.serious]
    return min(serious, key=lambda a: (-a.end.toordinal(), str(a.record.get("record_key"))))


def red_listed(index: ActiveIndex) -> set[str]:
    """Parties with an active red-list entry (守信激励)."""
    return {p for p, actives in index.items() if any(a.variant.red_list for a in actives)}


def red_list_kinds(catalog: Catalog) -> tuple[str, ...]:
    """The record kinds with a red-list variant (守信): what a reader of red-list entries
    fetches before :func:`holds_red_list` decides.

    >>> from graph_service.policy import default_catalog
    >>> red_list_kinds(default_catalog())
    ('red_list',)
    """
    kinds = catalog.record_kinds.items()
    return tuple(k for k, spec in kinds if any(v.red_list for v in spec.variants.values()))


def holds_red_list(records: Iterable[Mapping[str, Any]], catalog: Catalog, as_of: date) -> bool:
    """True when one of ``records`` (dates as dates or ISO text) is an active entry of a
    red-list variant on ``as_of``.

    >>> from graph_service.policy import default_catalog
    >>> entry = {"kind": "red_list", "ref": "R1", "start": "2025-01-01", "end": "2027-01-01"}
    >>> day, catalog = date(2026, 11, 26), default_catalog()
    >>> holds_red_list([entry], catalog, day), holds_red_list([entry], catalog, date(2027, 1, 1))
    (True, False)
    """
    for raw in records:
        record = {k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items()}
        found = activate(record, catalog, as_of)
        if found is not None and found.variant.red_list:
            return True
    return False
