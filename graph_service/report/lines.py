"""The text of a report's long lists, one string per item (pure).

WeasyPrint's cost grows with boxes and lines, so a record is one line of text (wrapping to a
second when it must), not a table row of cells, and says nothing twice: registry fields that
repeat the reference, the authority or the party are left out of the line (they stay in the
data). Measures are shown in groups — one per measure, rule and path — each listing the
records it comes from; direct measures that are exactly one per active record of a kind are
stated once, pointing to the chapter that lists those records. With that, a party with 5,000
records prints about a hundred pages (docs/benchmarks.md).

>>> record_text({"ref": "A-1", "kind": "red_list", "list": "a_grade_taxpayer",
...     "start": "2025-01-01", "end": "2027-12-31", "status": None, "voided_on": None,
...     "authority": "税务局", "severity": None, "domain": None, "category": None,
...     "case_no": None, "named": [], "updates": [], "subject_id": "X",
...     "details": {"grade": "A", "taxpayer_name": "某公司"},
...     "provenance": {"src_file": "red_list.csv", "src_row": 2, "load_id": "0123456789abcdef"}},
...     party_name="某公司")
'A-1 · a_grade_taxpayer · 2025-01-01 → 2027-12-31 · 税务局 · grade=A · red_list.csv:2'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from typing import Any, Final

#: References per paragraph of a measure group (one long paragraph lays out in O(n²)).
REFS_PER_PARAGRAPH: Final = 40
#: A group of direct measures this long is stated, not listed, when it mirrors a chapter.
LIST_AT_MOST: Final = 20


def record_text(
    record: Mapping[str, Any], party_name: str | None = None, shared_file: str | None = None
) -> str:
    """One record in one string: reference, qualifier, dates, status, authority, its own
    registry fields, updates, named persons and where it came from (just the row when its
    file is ``shared_file``, the one file of its group, named in the group's heading)."""
    qualifier = record.get("list") or record.get("severity") or record.get("category")
    parts = [str(record.get("ref"))]
    parts += [str(qualifier)] if qualifier else []
    parts.append(f"{record.get('start') or '?'} → {record.get('end') or ''}".rstrip())
    if record.get("voided_on"):
        parts.append(f"{record.get('status')} {record['voided_on']}")
    elif record.get("status") not in (None, "active"):
        parts.append(str(record["status"]))
    parts += [str(v) for v in (record.get("authority"), record.get("domain")) if v]
    shown = {*parts, str(record.get("case_no")), str(record.get("subject_id")), str(party_name)}
    parts += [
        f"{k}={v}"
        for k, v in record.get("details", {}).items()
        if v not in (None, "") and str(v) not in shown and not _within(str(v), parts[0])
    ]
    parts += [_update(u) for u in record.get("updates", [])]
    parts += [f"{n['role']}: {n['party_id']}" for n in record.get("named", [])]
    parts.append(row_of(record.get("provenance"), shared_file))
    return " · ".join(parts)


def _within(value: str, ref: str) -> bool:
    """True when ``value`` is part of the reference (a case number in ``CASE|ID``); short
    values (a grade ``A``) are never taken as repeats."""
    return len(value) >= 6 and value in ref


def _update(update: Mapping[str, Any]) -> str:
    keys = ("status", "effective_on", "authority", "reason")
    return " ".join(str(update[k]) for k in keys if update.get(k))


def row_of(found: Mapping[str, Any] | None, shared_file: str | None = None) -> str:
    """The file and row a record was read from (the row alone when the file is
    ``shared_file``); its load is named by :func:`sources_of`.

    >>> stamp = {"src_file": "a.csv", "src_row": 3}
    >>> row_of(stamp), row_of(stamp, "a.csv")
    ('a.csv:3', 'row 3')
    >>> row_of(None)
    'source not recorded'
    """
    if not found:
        return "source not recorded"
    file = found.get("src_file") or found.get("src_kind") or "?"
    row = found.get("src_row") or "?"
    return f"row {row}" if shared_file is not None and file == shared_file else f"{file}:{row}"


def sources_of(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Where a group of records came from, said once in its heading: the file when they all
    come from one (``file``; each record then names its row), and every load.

    >>> stamp = {"src_file": "d.csv", "load_id": "f864", "loaded_at": "2026-12-06T1"}
    >>> sources_of([{"provenance": stamp}, {"provenance": stamp}])
    {'file': 'd.csv', 'text': 'd.csv · load f864 (2026-12-06)'}
    >>> sources_of([{"provenance": None}])
    {'file': None, 'text': 'not recorded'}
    """
    stamps = [r.get("provenance") or {} for r in records]
    files = {str(p.get("src_file") or p.get("src_kind")) for p in stamps if p}
    loads = sorted(
        {
            (str(p["load_id"]), str(p.get("loaded_at") or "")[:10])
            for p in stamps
            if p.get("load_id")
        }
    )
    parts = [f"load {load} ({day})" if day else f"load {load}" for load, day in loads]
    shared = files.pop() if len(files) == 1 and all(stamps) else None
    text = " · ".join([shared, "; ".join(parts)] if shared else ["; ".join(parts)]).strip(" ·")
    return {"file": shared, "text": text or "not recorded"}


def provenance_text(found: Mapping[str, Any] | None) -> str:
    """Where a row came from, in one phrase (tables of related parties, registration); the
    load by the first 8 digits of its id (the whole id is in the report's data).

    >>> provenance_text({"src_file": "a.csv", "src_row": 3, "load_id": "L1",
    ...                  "loaded_at": "2026-01-01T00:00:00", "src_kind": "red_list"})
    'a.csv:3 (load L1, 2026-01-01)'
    >>> provenance_text(None)
    'not recorded'
    """
    if not found:
        return "not recorded"
    where = f"{found.get('src_file') or found.get('src_kind') or '?'}:{found.get('src_row') or '?'}"
    loaded = str(found.get("loaded_at") or "")[:10]
    parts = [f"load {str(found['load_id'])[:8]}" if found.get("load_id") else "", loaded]
    load = ", ".join(p for p in parts if p)
    return f"{where} ({load})" if load else where


# --- measures -------------------------------------------------------------------------------


def _group_key(measure: Mapping[str, Any]) -> tuple[str, ...]:
    path = tuple(
        f"{h.get('party_id')}|{h.get('relation')}|{h.get('role')}" for h in measure["path"]
    )
    fixed = (measure["measure"], measure["origin"], measure.get("rule") or "", measure.get("basis"))
    return (*map(str, fixed), *path)


def measure_groups(
    measures: Sequence[Mapping[str, Any]], chapters: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The measures in groups of one measure, origin, rule, basis and path, in that order,
    each with the references of the records it comes from (``paragraphs``), or a
    ``statement`` when the group is one direct measure per active record of a kind.

    >>> m = {"measure": "dishonest_debtor", "origin": "direct", "rule": None, "basis": "B",
    ...      "path": [], "record_kind": "dishonest_debtor", "record_key": "k1",
    ...      "record_ref": "R1", "until": None}
    >>> [g["count"] for g in measure_groups([m, {**m, "record_key": "k2"}], [])]
    [2]
    """
    active = _active_keys(chapters)
    groups = []
    ordered = sorted(measures, key=_group_key)
    for _, members in groupby(ordered, key=_group_key):
        found = list(members)
        first = found[0]
        group = {
            "measure": first["measure"],
            "label": first.get("label"),
            "origin": first["origin"],
            "rule": first.get("rule"),
            "basis": first.get("basis"),
            "route": route(first["path"]),
            "count": len(found),
            "statement": _statement(found, active, chapters),
            "paragraphs": [],
        }
        if group["statement"] is None:
            group["paragraphs"] = _paragraphs(found)
        groups.append(group)
    return groups


def _active_keys(chapters: Sequence[Mapping[str, Any]]) -> dict[str, tuple[set[str], str]]:
    """Record kind → (keys of its active records, the chapter number listing them)."""
    found: dict[str, tuple[set[str], str]] = {}
    for chapter in chapters:
        for record in chapter.get("active", []):
            keys, _ = found.setdefault(str(record["kind"]), (set(), str(chapter["number"])))
            keys.add(str(record["key"]))
    return found


def _statement(
    found: Sequence[Mapping[str, Any]],
    active: Mapping[str, tuple[set[str], str]],
    chapters: Sequence[Mapping[str, Any]],
) -> str | None:
    first = found[0]
    kind = str(first.get("record_kind"))
    if first["origin"] != "direct" or len(found) <= LIST_AT_MOST or kind not in active:
        return None
    keys, number = active[kind]
    if {str(m.get("record_key")) for m in found} != keys or len(found) != len(keys):
        return None
    return (
        f"每条有效的 {kind} 记录一项，共 {len(found)} 项，记录见第{number}章。"
        f" One measure per active {kind} record ({len(found)}), listed in chapter {number}; "
        "each applies until its record ends."
    )


def _paragraphs(found: Sequence[Mapping[str, Any]]) -> list[str]:
    refs = [
        str(m.get("record_ref") or m.get("record_key"))
        + (f" (until {m['until']})" if m.get("until") else "")
        for m in found
    ]
    return [
        "；".join(refs[at : at + REFS_PER_PARAGRAPH])
        for at in range(0, len(refs), REFS_PER_PARAGRAPH)
    ]


def route(path: Sequence[Mapping[str, Any]]) -> str:
    """A measure's path as one line, from the origin record's party to the measured party.

    >>> route([{"party_id": "C", "name": "华北建设"},
    ...        {"party_id": "P", "name": "刘洋", "relation": "HOLDS_SHARES", "stake_pct": "70"}])
    '华北建设 —HOLDS_SHARES 70%→ 刘洋'
    >>> route([{"party_id": "C", "name": "华北建设"}])
    ''
    """
    if len(path) < 2:  # a direct measure: the party's own record, no path to show
        return ""
    text = str(path[0].get("name") or path[0].get("party_id"))
    for hop in path[1:]:
        detail = f" {hop['stake_pct']}%" if hop.get("stake_pct") else ""
        detail += f" ({hop['role']})" if hop.get("role") else ""
        name = hop.get("name") or hop.get("party_id")
        text += f" —{hop.get('relation') or 'RELATED'}{detail}→ {name}"
    return text
