"""Contested measures (异议处理中, due-process.md §3): while an objection to a record is open,
every measure that rests on it — direct, or derived at any distance, since a measure's
explanation names its originating record — carries ``contested: true`` and the objection's
``objection_id``; every other measure carries ``false`` / ``null``. The measure still restricts:
marking changes no decision.

:func:`mark_contested` is pure and shared by every answer that shows measures (checks over REST,
GraphQL and the CLI, GraphQL's measures, reports, the check snapshot); :func:`open_objections`
reads the open objections it needs from the graph.

>>> measures = [{"measure": "blacklist", "record": {"ref": "B1"}},
...             {"measure": "officer_ban", "record_ref": "X|C"}]
>>> [(m["contested"], m["objection_id"]) for m in mark_contested(measures, {"B1": "o-1"})]
[(True, 'o-1'), (False, None)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph_service.db import Database


def record_ref_of_measure(measure: Mapping[str, Any]) -> str | None:
    """The registry reference of a measure's originating record, in any of the shapes a
    measure travels in: a check's answer (``record.ref``) or a stored ``:Measure``
    (``record_ref``).

    >>> record_ref_of_measure({"record": {"ref": "R"}}), record_ref_of_measure({})
    ('R', None)
    """
    record = measure.get("record")
    if isinstance(record, Mapping) and record.get("ref") is not None:
        return str(record["ref"])
    ref = measure.get("record_ref")
    return None if ref is None else str(ref)


def mark_contested(
    measures: Iterable[Mapping[str, Any]], open_by_record: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each measure with ``contested`` and ``objection_id`` (see the module); ``open_by_record``
    maps a record's registry reference to its open objection."""
    marked = []
    for measure in measures:
        ref = record_ref_of_measure(measure)
        objection = open_by_record.get(ref) if ref is not None else None
        marked.append({**measure, "contested": objection is not None, "objection_id": objection})
    return marked


def open_objections(db: Database, refs: Iterable[str] | None = None) -> dict[str, str]:
    """``record_ref → objection_id`` of the open objections (of ``refs`` only, when given:
    an empty ``refs`` asks nothing of the graph)."""
    wanted = None if refs is None else sorted(set(refs))
    if wanted is not None and not wanted:
        return {}
    rows = db.read_plain("dueprocess/open_by_record", refs=wanted)
    return {str(r["record_ref"]): str(r["objection_id"]) for r in rows}


def refs_of(measures: Iterable[Mapping[str, Any]]) -> set[str]:
    """The originating records' references of ``measures`` (what to ask open objections of).

    >>> sorted(refs_of([{"record": {"ref": "B"}}, {"record_ref": "A"}, {}]))
    ['A', 'B']
    """
    return {ref for m in measures if (ref := record_ref_of_measure(m)) is not None}
