"""Values read from Neo4j turned into the Python values strawberry serialises.

Rows arrive as dicts whose temporal values are the driver's own types; this package may not
import the driver, so they are converted by duck typing (``to_native``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from graph_service.analysis.activity import Ended, activate, ended, record_end
from graph_service.analysis.graph import DATE_FIELDS
from graph_service.analysis.graph import as_date as day_of
from graph_service.policy.catalog import Catalog, default_catalog

#: Properties that say where a node or relationship came from (docs/model.md, Provenance).
PROVENANCE_KEYS = ("src_kind", "src_file", "src_row", "load_id", "loaded_at")
#: Bookkeeping properties never shown as data.
INTERNAL_KEYS = frozenset({"row_hash", "history", *PROVENANCE_KEYS})


def native(value: Any) -> Any:
    """The Python value of a property: driver dates become :mod:`datetime` values.

    >>> native(date(2024, 1, 2)), native("x"), native([1, 2])
    (datetime.date(2024, 1, 2), 'x', [1, 2])
    """
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def as_date(value: Any) -> date | None:
    """A date property, or None.

    >>> as_date(datetime(2024, 1, 2, 3, 4)), as_date(None)
    (datetime.date(2024, 1, 2), None)
    """
    value = native(value)
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def as_datetime(value: Any) -> datetime | None:
    """A date-time property, or None."""
    value = native(value)
    return value if isinstance(value, datetime) else None


def as_float(value: Any) -> float | None:
    """A numeric property as a float, or None.

    >>> as_float(51), as_float("x"), as_float(None)
    (51.0, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def as_str(value: Any) -> str | None:
    """A text property, or None when absent or empty."""
    return str(value) if value not in (None, "") else None


def json_safe(props: Mapping[str, Any], skip: frozenset[str] = INTERNAL_KEYS) -> dict[str, Any]:
    """Properties as a JSON-safe dict (dates in ISO form), without bookkeeping keys.

    >>> json_safe({"start": date(2024, 1, 2), "row_hash": "x", "amount": 5.0})
    {'amount': 5.0, 'start': '2024-01-02'}
    """
    out = {}
    for key in sorted(props):
        if key not in skip:
            value = native(props[key])
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def parse_history(values: Any) -> list[Any]:
    """The ``history`` property (JSON strings of earlier values), parsed; bad entries kept raw.

    >>> parse_history(['{"name": "old"}', "not json"])
    [{'name': 'old'}, 'not json']
    """
    parsed: list[Any] = []
    for raw in values or []:
        try:
            parsed.append(json.loads(raw))
        except (TypeError, ValueError):
            parsed.append(raw)
    return parsed


def is_active(props: Mapping[str, Any], on: date) -> bool:
    """A relationship is active on ``on`` while ``since <= on < until`` (null bounds open).

    >>> is_active({"since": date(2020, 1, 1), "until": None}, date(2024, 1, 1))
    True
    >>> is_active({"since": date(2020, 1, 1), "until": date(2024, 1, 1)}, date(2024, 1, 1))
    False
    """
    since, until = as_date(props.get("since")), as_date(props.get("until"))
    return (since is None or since <= on) and (until is None or until > on)


def record_active(props: Mapping[str, Any], on: date, catalog: Catalog | None = None) -> bool:
    """A record is active on ``on`` per docs/model.md: started, not ended, not voided, and
    within its publication period (:mod:`graph_service.analysis.activity`, the one rule).

    >>> record_active({"start": date(2021, 6, 1), "end": None}, date(2024, 1, 1))
    True
    >>> voided = {"start": date(2022, 3, 15), "voided_on": date(2024, 1, 10)}
    >>> record_active(voided, date(2024, 1, 9)), record_active(voided, date(2024, 1, 10))
    (True, False)
    """
    return record_state(props, on, catalog)[0]


def record_state(
    props: Mapping[str, Any], on: date, catalog: Catalog | None = None
) -> tuple[bool, Ended | None]:
    """Whether a record (``:Record`` properties, with its ``updates`` if known) is active on
    ``on`` under ``catalog`` (default: the packaged one), and if it ended, why and when.

    >>> penalty = {"kind": "admin_penalty", "severity": "general", "start": "2025-02-10"}
    >>> active, end = record_state(penalty, date(2026, 2, 10))
    >>> active, end.ended_by, end.ended_on
    (False, 'period', datetime.date(2026, 2, 10))
    """
    record = {k: day_of(v) if k in DATE_FIELDS else v for k, v in props.items()}
    catalog = catalog or default_catalog()
    if record.get("kind") not in catalog.record_kinds:  # no kind to judge by: its own dates
        start = record.get("start")
        return start is not None and start <= on < record_end(record), None
    return activate(record, catalog, on) is not None, ended(record, catalog, on)
