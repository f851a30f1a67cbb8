"""The facts of a why-not answer (graph_service/analysis/why_not.py): their types, the
sentence each says, the views of records and relationships they show, their source rows, and
the answer as JSON (the API's shape).

>>> explain("branch_link_ended", {"relationship": {"source": "B", "target": "P",
...     "source_name": "分公司", "target_name": "总公司"}}, 1, "分公司", date(2026, 1, 1))
'分公司 was a branch of 总公司 (1 hop away) until 2026-01-01'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.explain import Measure
from graph_service.analysis.graph import name_of, rel_type
from graph_service.policy.catalog import Outcome

#: Facts are looked for this many hops from the party (due process §5).
MAX_HOPS = 2
#: The kinds of fact, in the order the answer documents them.
KINDS = (
    "record_ended",
    "stake_below_threshold",
    "stake_ended",
    "role_ended",
    "branch_link_ended",
    "intervention_too_old",
    "objection_upheld",
)


@dataclass(frozen=True)
class WouldGive:
    """A measure a fact would give the party, and its decision in the context."""

    measure: str
    rule: str | None
    decision: str
    path: tuple[Mapping[str, Any], ...]  # party_id, name, relation, stake_pct, role

    @classmethod
    def of(cls, measure: Measure, decision: Outcome) -> WouldGive:
        """From a measure computed with the fact in force."""
        hops = tuple(
            {"party_id": h.party_id, "name": h.name, "relation": h.relation,
             "stake_pct": h.stake_pct, "role": h.role}
            for h in measure.path
        )  # fmt: skip
        return cls(measure.measure, measure.rule, decision.value, hops)


@dataclass(frozen=True)
class Fact:
    """Something near the party that would have restricted it and does not."""

    kind: str  # one of KINDS
    hops: int  # 0: the party itself, 1 or 2: that far away
    party_id: str  # the party the fact is about (a record's subject, a relationship's source)
    ended_on: date | None  # first day it no longer held (None: stake_below_threshold)
    explanation: str
    details: Mapping[str, Any]  # by kind: ended_by, record, relationship, sum_pct, holders …
    provenance: tuple[Mapping[str, Any], ...]  # the source rows of what it says
    would_give: tuple[WouldGive, ...]


@dataclass(frozen=True)
class WhyNot:
    """The answer: the party's decision in the context on the day, and the facts."""

    party_id: str
    context: str
    as_of: date
    decision: str
    catalog_version: str
    facts: tuple[Fact, ...] = field(default_factory=tuple)


# --- explanations and views ---------------------------------------------------------------------


def explain(
    kind: str, details: Mapping[str, Any], hops: int, name: str | None, ended_on: date | None
) -> str:
    """What a fact says, in one clause (the answer adds what it would give).

    >>> rel = {"type": "HOLDS_SHARES", "source_name": "李", "target_name": "乙公司",
    ...        "stake_pct": 60.0, "role": None}
    >>> explain("stake_ended", {"relationship": rel}, 1, "李", date(2025, 1, 1))
    '李 held 60.0% of 乙公司 (1 hop away) until 2025-01-01'
    """
    where = ("the party itself", "1 hop away", "2 hops away")[min(hops, MAX_HOPS)]
    if kind in ("record_ended", "intervention_too_old", "objection_upheld"):
        record = details["record"]
        what = f"{record['kind']} record {record['ref']} of {name or '?'} ({where})"
        if kind == "objection_upheld":
            upheld = f"objection {details.get('objection_id')} was upheld"
            return f"{what} was {details['ended_by']} on {ended_on}: {upheld}"
        if kind == "intervention_too_old":
            years = details["lookback_years"]
            return (
                f"{what} occurred on {record['start']}, more than {years} years ago "
                f"(it counted until the day before {ended_on})"
            )
        return f"{what} was {details['ended_by']} on {ended_on}"
    if kind == "stake_below_threshold":
        holders = ", ".join(
            f"{h['name'] or h['party_id']} {h['stake_pct']:g}%" for h in details["holders"]
        )
        op = "at least" if details["inclusive"] else "more than"
        return (
            f"listed holders of {name or '?'} hold {details['sum_pct']:g}% together "
            f"({holders}), not {op} {details['threshold_pct']:g}%"
        )
    rel = details["relationship"]
    source, target = rel["source_name"] or rel["source"], rel["target_name"] or rel["target"]
    if kind == "stake_ended":
        return f"{source} held {rel['stake_pct']}% of {target} ({where}) until {ended_on}"
    if kind == "branch_link_ended":
        return f"{source} was a branch of {target} ({where}) until {ended_on}"
    role = rel["role"] or "legal representative"
    return f"{source} was {role} of {target} ({where}) until {ended_on}"


def giving(gives: Iterable[WouldGive], context: str) -> str:
    """``still in force it would give …`` for the measures a fact would give."""
    parts = [f"{g.measure} ({g.rule or 'direct'}): {g.decision}" for g in gives]
    return (
        f"still {'active' if parts else 'in force'} it would give {', '.join(parts)} in {context}"
    )


def record_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """What a fact shows of a record."""
    keys = ("record_key", "kind", "ref", "authority", "start", "end", "category", "list",
            "severity", "role", "status", "voided_on")  # fmt: skip
    return {k: record.get(k) for k in keys}


def relationship_view(
    graph: nx.MultiDiGraph[str], edge: tuple[str, str, Any], data: Mapping[str, Any]
) -> dict[str, Any]:
    """What a fact shows of a relationship ``(source, target, key)``."""
    source, target, key = edge
    return {
        "type": rel_type(key),
        "source": source,
        "target": target,
        "source_name": name_of(graph, source),
        "target_name": name_of(graph, target),
        "stake_pct": data.get("stake_pct"),
        "role": data.get("role"),
        "since": data.get("since"),
        "until": data.get("until"),
    }


#: Provenance properties every loaded row carries (docs/model.md).
SOURCE_KEYS = ("src_kind", "src_file", "src_row", "load_id", "loaded_at")


def sources_of(props: Mapping[str, Any], of: str) -> tuple[dict[str, Any], ...]:
    """The source row stamped on ``props`` (``provenance`` or the properties themselves), as a
    one-element tuple naming what it is the source ``of``; empty when nothing is stamped.

    >>> sources_of({"provenance": {"src_file": "a.csv", "src_row": 3}}, "record")
    ({'of': 'record', 'src_kind': None, 'src_file': 'a.csv', 'src_row': 3, 'load_id': None, \
'loaded_at': None},)
    """
    stamp = props.get("provenance") or props
    if not any(stamp.get(k) is not None for k in SOURCE_KEYS):
        return ()
    return ({"of": of, **{k: stamp.get(k) for k in SOURCE_KEYS}},)


def as_json(answer: WhyNot) -> dict[str, Any]:
    """The answer in the API's shape: ``party_id, context, as_of, decision, catalog_version,
    facts`` (each ``kind, explanation, hops, party_id, ended_on`` and its details,
    ``would_give``, ``provenance``), dates as ISO text."""
    answer_json: dict[str, Any] = _jsonable(
        {
            "party_id": answer.party_id,
            "context": answer.context,
            "as_of": answer.as_of,
            "decision": answer.decision,
            "catalog_version": answer.catalog_version,
            "facts": [_fact_json(f) for f in answer.facts],
        }
    )
    return answer_json  # fmt: skip


def _fact_json(fact: Fact) -> dict[str, Any]:
    return {
        "kind": fact.kind,
        "explanation": fact.explanation,
        "hops": fact.hops,
        "party_id": fact.party_id,
        "ended_on": fact.ended_on,
        **fact.details,
        "would_give": [
            {"measure": g.measure, "rule": g.rule, "decision": g.decision, "path": list(g.path)}
            for g in fact.would_give
        ],
        "provenance": list(fact.provenance),
    }


def _jsonable(value: Any) -> Any:
    """Dates as ISO text, tuples as lists, all the way down."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
