"""The chapters of a credit report and the records in each (pure).

The chapters follow the national public credit report (公共信用信息报告, GB/T 42337-2023):
registration first, then one chapter per family of records, each listing its active records
and then its inactive ones (ended, repaired, revoked or removed: they stay visible, with the
update that ended them). A record kind no chapter names lands in "other", so nothing read is
left out of a report.

>>> [c.key for c in CHAPTERS]
['administrative', 'honours', 'serious', 'judicial', 'integrity', 'other']
>>> chapter_of("tax_violation").title
'严重失信主体名单信息'
>>> chapter_of("a_kind_added_next_year").key
'other'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from graph_service.gql.convert import INTERNAL_KEYS, PROVENANCE_KEYS, record_state
from graph_service.model import RECORD_FIELDS


@dataclass(frozen=True)
class Chapter:
    """A chapter of the report: its number and titles, and the record kinds it lists."""

    key: str
    number: str  # the chapter's Chinese numeral, as the national report numbers them
    title: str
    title_en: str
    kinds: frozenset[str]


#: Chapters listing records, in the national report's order. Chapter 一 is registration,
#: 五 the party's court cases; 八 related parties and 九 the notes follow the records.
CHAPTERS: Final = (
    Chapter(
        "administrative",
        "二",
        "行政管理信息",
        "Administrative records",
        frozenset({"admin_penalty"}),
    ),
    Chapter(
        "honours", "三", "诚实守信相关荣誉信息", "Honours and red lists", frozenset({"red_list"})
    ),
    Chapter(
        "serious",
        "四",
        "严重失信主体名单信息",
        "Lists of seriously dishonest parties",
        frozenset({"dishonest_debtor", "tax_violation", "blacklist"}),
    ),
    Chapter("judicial", "五", "司法判决及执行信息", "Court cases and enforcement", frozenset()),
    Chapter(
        "integrity",
        "六",
        "公职人员诚信信息",
        "Integrity records of office holders",
        frozenset({"official_record", "intervention"}),
    ),
    Chapter("other", "七", "其他信息", "Other records", frozenset()),
)
_BY_KIND: Final = {kind: chapter for chapter in CHAPTERS for kind in chapter.kinds}
_OTHER: Final = CHAPTERS[-1]

#: Fields every record has; the rest of its properties are its registry's own (details).
COMMON_FIELDS: Final = RECORD_FIELDS


def chapter_of(kind: object) -> Chapter:
    """The chapter that lists records of ``kind`` ("other" for a kind none names)."""
    return _BY_KIND.get(str(kind), _OTHER)


def report_record(item: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    """One record as the report shows it, from a ``party/records`` item (plain values).

    >>> item = {"props": {"record_key": "red_list:A-1", "kind": "red_list", "ref": "A-1",
    ...         "start": date(2025, 1, 1), "end": date(2027, 12, 31), "grade": "A",
    ...         "src_file": "red_list.csv", "src_row": 2, "row_hash": "x"},
    ...         "updates": [], "case_no": None, "named": []}
    >>> shown = report_record(item, date(2026, 1, 1))
    >>> shown["active"], shown["details"], shown["provenance"]["src_row"]
    (True, {'grade': 'A'}, 2)
    """
    props = item["props"]
    record = {key: props.get(key) for key in sorted(COMMON_FIELDS)}
    active, end = record_state({**props, "updates": item.get("updates") or []}, as_of)
    record.update(
        key=props.get("record_key"),
        active=active,
        ended_by=end.ended_by if end else None,  # expired, period, repaired, revoked, removed
        ended_on=end.ended_on if end else None,
        case_no=item.get("case_no"),
        details={k: v for k, v in sorted(props.items()) if k not in COMMON_FIELDS | INTERNAL_KEYS},
        updates=sorted((_update(u) for u in item.get("updates") or []), key=_update_order),
        named=[
            {"party_id": n.get("party_id"), "role": n.get("role")} for n in item.get("named") or []
        ],
        provenance=provenance(props),
    )
    del record["record_key"]
    return record


def _update(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": props.get("status"),
        "effective_on": props.get("effective_on"),
        "authority": props.get("authority"),
        "reason": props.get("reason"),
        "provenance": provenance(props),
    }


def _update_order(update: Mapping[str, Any]) -> tuple[date, str]:
    return (update["effective_on"] or date.min, str(update["status"] or ""))


def provenance(props: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where a node or relationship came from (docs/model.md), None when nothing says.

    >>> provenance({"src_file": "a.csv", "src_row": 3, "name": "x"})
    {'src_kind': None, 'src_file': 'a.csv', 'src_row': 3, 'load_id': None, 'loaded_at': None}
    >>> provenance({"name": "x"}) is None
    True
    """
    found = {key: props.get(key) for key in PROVENANCE_KEYS}
    return found if any(v is not None for v in found.values()) else None


def by_chapter(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The record chapters, each with its active records first, then its inactive ones (each
    group in the order read: newest start first). Chapter 五 (cases) is filled elsewhere.

    >>> rows = [{"kind": "admin_penalty", "active": False}, {"kind": "blacklist", "active": True},
    ...         {"kind": "admin_penalty", "active": True}]
    >>> [(c["key"], len(c["active"]), len(c["inactive"])) for c in by_chapter(rows)][:3]
    [('administrative', 1, 1), ('honours', 0, 0), ('serious', 1, 0)]
    """
    grouped: dict[str, dict[str, list[Mapping[str, Any]]]] = {
        c.key: {"active": [], "inactive": []} for c in CHAPTERS
    }
    for record in records:
        state = "active" if record["active"] else "inactive"
        grouped[chapter_of(record["kind"]).key][state].append(record)
    return [
        {
            "key": c.key,
            "number": c.number,
            "title": c.title,
            "title_en": c.title_en,
            **grouped[c.key],
        }
        for c in CHAPTERS
    ]
