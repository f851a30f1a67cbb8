"""Records and when they are active (§1 of the policy, due-process.md §1).

A record is active on D when ``start`` ≤ D < ``end`` and it was not voided on or before D
(``voided_on`` is the earliest ``repaired`` / ``revoked`` / ``removed`` update). A kind with
``active_years`` (bribery convictions: 5) also ends that many years after its start, and a
kind with a publication period in the catalog (``due_process.periods``: admin penalties by
class, tax violations, blacklists) ends its maximum period after its start. All these ends
are folded into one exclusive end, so "active on D" is ``start <= D < end``; :func:`ended`
says which end it was (``ended_by``: expired, period, repaired, revoked, removed).

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
from graph_service.policy.due_process import Period

#: Statuses of a record update that void the record (docs/model.md), as ``ended_by``.
VOIDING = ("repaired", "revoked", "removed")

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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month where the day does not
    exist (a publication period, due-process.md §1).

    >>> add_months(date(2025, 8, 31), 3), add_months(date(2024, 2, 29), 12)
    (datetime.date(2025, 11, 30), datetime.date(2025, 2, 28))
    >>> add_months(date(2025, 2, 10), 12), add_months(date(2025, 11, 30), 3)
    (datetime.date(2026, 2, 10), datetime.date(2026, 2, 28))
    """
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (day.day, 30, 29, 28):  # the first that exists in the target month
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")  # pragma: no cover


def period_of(record: Mapping[str, Any], catalog: Catalog) -> Period | None:
    """The publication period of ``record`` (its kind's, for its class: the value of the
    kind's ``by`` field), None for a kind without one.

    >>> from graph_service.policy import default_catalog
    >>> penalty = {"kind": "admin_penalty", "severity": "minor"}
    >>> period_of(penalty, default_catalog()), period_of({"kind": "red_list"}, default_catalog())
    (Period(min_months=0, max_months=3), None)
    """
    spec = catalog.record_kind(record.get("kind"))
    klass = record.get(spec.by) if spec.by is not None else None
    return catalog.due_process.period(spec.kind, klass)


def period_end(record: Mapping[str, Any], catalog: Catalog) -> date | None:
    """The first day ``record``'s maximum publication period no longer covers (None: no
    period, or no start).

    >>> from graph_service.policy import default_catalog
    >>> penalty = {"kind": "admin_penalty", "severity": "general", "start": date(2025, 2, 10)}
    >>> period_end(penalty, default_catalog())  # so active up to 2026-02-09
    datetime.date(2026, 2, 10)
    """
    period, start = period_of(record, catalog), record.get("start")
    return None if period is None or start is None else add_months(start, period.max_months)


def record_end(
    record: Mapping[str, Any], active_years: int | None = None, period_end: date | None = None
) -> date:
    """The first day ``record`` is no longer active: the earliest of its end, its voiding,
    ``active_years`` after its start and ``period_end`` (:data:`OPEN` when none is known)."""
    ends = [record.get("end"), record.get("voided_on"), period_end]
    start = record.get("start")
    if active_years is not None and start is not None:
        ends.append(add_years(start, active_years))
    return min((end for end in ends if end is not None), default=OPEN)


def is_active(
    record: Mapping[str, Any],
    as_of: date,
    active_years: int | None = None,
    period_end: date | None = None,
) -> bool:
    """True when ``record`` is active on ``as_of``; a record without a start never is (a
    bribery case not yet closed has convicted nobody)."""
    start = record.get("start")
    return start is not None and start <= as_of < record_end(record, active_years, period_end)


def period_params(catalog: Catalog) -> list[dict[str, Any]]:
    """The catalog's maximum periods as a Cypher parameter (``$periods``): one row per kind and
    class, with the record field that selects the class (``by``), for queries that judge
    activity in Neo4j (``party/records``) as :func:`activate` does.

    >>> from graph_service.policy import default_catalog
    >>> [p for p in period_params(default_catalog()) if p["kind"] == "tax_violation"]
    [{'kind': 'tax_violation', 'by': None, 'class': 'default', 'months': 36}]
    """
    rows = []
    for kind, classes in catalog.due_process.periods.items():
        by = catalog.record_kind(kind).by
        for klass, period in classes.items():
            rows.append({"kind": kind, "by": by, "class": klass, "months": period.max_months})
    return rows


def end_of(record: Mapping[str, Any], catalog: Catalog) -> date:
    """The first day ``record`` is no longer active under ``catalog`` (every end folded)."""
    spec = catalog.record_kind(record.get("kind"))
    return record_end(record, spec.active_years, period_end(record, catalog))


def activate(record: Mapping[str, Any], catalog: Catalog, as_of: date) -> Active | None:
    """``record`` with its catalog entry when active on ``as_of``, else None."""
    spec = catalog.record_kind(record.get("kind"))
    start, end = record.get("start"), end_of(record, catalog)
    if start is None or not start <= as_of < end:
        return None
    return Active(record, spec, spec.variant(record), end)


class Ended(NamedTuple):
    """Why and when a record stopped being active."""

    ended_by: str  # expired | period | repaired | revoked | removed
    ended_on: date  # the first day it was no longer active
    update: Mapping[str, Any] | None  # the voiding status update, when one ended it


def ended(record: Mapping[str, Any], catalog: Catalog, as_of: date) -> Ended | None:
    """Why ``record`` is no longer active on ``as_of`` (None: active, or never began). A
    voiding update wins a tie of ends, then the record's own end, then its period.

    >>> from graph_service.policy import default_catalog
    >>> penalty = {"kind": "admin_penalty", "severity": "general", "start": date(2025, 2, 10)}
    >>> ended(penalty, default_catalog(), date(2026, 2, 9)) is None
    True
    >>> ended(penalty, default_catalog(), date(2026, 2, 10))[:2]
    ('period', datetime.date(2026, 2, 10))
    """
    start, end = record.get("start"), end_of(record, catalog)
    if start is None or start > as_of or end > as_of:
        return None
    if record.get("voided_on") == end:
        for update in record.get("updates") or ():
            if update.get("status") in VOIDING and as_date(update.get("effective_on")) == end:
                return Ended(str(update["status"]), end, update)
        if record.get("status") in VOIDING:
            return Ended(str(record["status"]), end, None)
    if record.get("end") != end and period_end(record, catalog) == end:
        return Ended("period", end, None)
    return Ended("expired", end, None)


def ended_records(
    graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date, record_keys: set[str]
) -> dict[str, Ended]:
    """The records among ``record_keys`` that are no longer active on ``as_of``, and why
    (records of the graph's parties; a key the graph does not hold is left out).

    >>> from graph_service.analysis.graph import build_graph
    >>> from graph_service.policy import default_catalog
    >>> g = build_graph([{"party_id": "C", "kind": "company", "records": [{"kind":
    ...     "tax_violation", "ref": "T", "start": "2022-03-15"}]}], [])
    >>> ended_records(g, default_catalog(), date(2026, 12, 6), {"tax_violation:T"})
    {'tax_violation:T': Ended(ended_by='period', ended_on=datetime.date(2025, 3, 15), update=None)}
    """
    found = {}
    for _, attrs in graph.nodes(data=True):
        for record in attrs.get("records") or ():
            key = record.get("record_key")
            if key in record_keys and (end := ended(record, catalog, as_of)) is not None:
                found[str(key)] = end
    return found


def repairable_from(record: Mapping[str, Any], catalog: Catalog) -> date | None:
    """The first day a repair of ``record`` may be applied for: its start plus its class's
    minimum period (None: the kind has no publication period, or the record no start).

    >>> from graph_service.policy import default_catalog
    >>> serious = {"kind": "admin_penalty", "severity": "serious", "start": date(2025, 8, 31)}
    >>> repairable_from(serious, default_catalog())
    datetime.date(2026, 8, 31)
    """
    period, start = period_of(record, catalog), record.get("start")
    return None if period is None or start is None else add_months(start, period.min_months)


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
