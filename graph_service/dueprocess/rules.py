"""The rules of repairs and objections (due-process.md §2–§3), as pure functions.

A repair may be applied for when the record is active (:mod:`graph_service.analysis.activity`,
which also applies publication periods), its kind has a publication period in the catalog
(``due_process.periods``: a repair ends the publication early) and its minimum period has run;
a court listing (``due_process.court_kinds``) is never repaired here, the court removes it.
An objection is due ``due_process.objection_deadline_days`` after it is filed.

>>> from graph_service.policy import default_catalog
>>> penalty = {"kind": "admin_penalty", "ref": "P1", "severity": "general",
...            "start": date(2026, 10, 1)}
>>> refuse_repair([penalty], default_catalog(), date(2026, 12, 6))
Traceback (most recent call last):
...
graph_service.errors.TooEarly: the record's minimum publication period runs until 2027-01-01: \
an application is possible from that day
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from graph_service.analysis.activity import activate, repairable_from
from graph_service.errors import Conflict, NotRepairableHere, TooEarly
from graph_service.policy.catalog import Catalog


def refuse_repair(records: Sequence[Mapping[str, Any]], catalog: Catalog, today: date) -> None:
    """Raises why the records of one ``record_ref`` cannot be repaired ``today``, if they cannot:
    :class:`NotRepairableHere` (a court listing, naming the court), :class:`Conflict` (not
    active, or a kind without a publication period), :class:`TooEarly` (naming the first day).

    >>> from graph_service.policy import default_catalog
    >>> debtor = {"kind": "dishonest_debtor", "ref": "X|C", "authority": "某法院",
    ...           "start": date(2025, 1, 1)}
    >>> refuse_repair([debtor], default_catalog(), date(2026, 12, 6))
    Traceback (most recent call last):
    ...
    graph_service.errors.NotRepairableHere: a court listing is removed by the court that \
listed it (某法院), never repaired here
    """
    courts = catalog.due_process.court_kinds
    for record in records:
        if record.get("kind") in courts:
            court = str(record.get("authority") or "the listing court")
            raise NotRepairableHere(
                f"a court listing is removed by the court that listed it ({court}),"
                " never repaired here",
                court,
            )
    active = [r for r in records if activate(r, catalog, today) is not None]
    if not active:
        raise Conflict("the record is not active: there is nothing to repair")
    firsts = [repairable_from(r, catalog) for r in active]
    if any(first is None for first in firsts):
        raise Conflict(
            "records of this kind have no publication period (due_process.periods):"
            " they end by their own dates or by the authority that made them"
        )
    earliest = min(d for d in firsts if d is not None)
    if earliest > today:
        raise TooEarly(
            f"the record's minimum publication period runs until {earliest}:"
            " an application is possible from that day",
            earliest.isoformat(),
        )


def objection_due_on(filed_on: date, catalog: Catalog) -> date:
    """The day the issuing authority must decide an objection filed on ``filed_on`` by.

    >>> from graph_service.policy import default_catalog
    >>> objection_due_on(date(2026, 12, 6), default_catalog())
    datetime.date(2026, 12, 13)
    """
    return filed_on + timedelta(days=catalog.due_process.objection_deadline_days)


def objection_overdue(objection: Mapping[str, Any], today: date) -> bool:
    """True for an open objection whose due day has passed (listed for operators).

    >>> objection_overdue({"state": "open", "due_on": "2026-12-05"}, date(2026, 12, 6))
    True
    >>> objection_overdue({"state": "open", "due_on": "2026-12-06"}, date(2026, 12, 6))
    False
    """
    return objection.get("state") == "open" and str(objection.get("due_on")) < today.isoformat()


def subject_of(records: Sequence[Mapping[str, Any]]) -> str | None:
    """The party the records of one ``record_ref`` are about (the first found, by key).

    >>> subject_of([{"record_key": "b", "subject_id": "Q"}, {"record_key": "a", "subject_id": "P"}])
    'P'
    """
    ordered = sorted(records, key=lambda r: str(r.get("record_key")))
    return next((str(r["subject_id"]) for r in ordered if r.get("subject_id")), None)
