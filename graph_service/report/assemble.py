"""The data of a credit report, from what was read (pure): the JSON its digest is taken of.

Shape (docs/reports.md): ``report`` (number, as-of date, time made, catalog version, masked),
``party`` (identity and registration), ``summary`` (records per chapter, red list, decision
per context), ``chapters`` (records by chapter, active then inactive; chapter 五 lists cases),
``related`` (legal representative, controllers, holders, officers, branches …), and the
``annex`` of what this service derives — measures with their explanations, the decision in
every context, and peripheral risk (a lead, never a decision).

The national report does no scoring, so everything derived stays in the annex. Values are
plain JSON: dates as ISO text, and numbers that are not whole as text (signed content avoids
floats, whose text form differs between languages).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from graph_service.analysis.activity import is_active
from graph_service.gql.convert import INTERNAL_KEYS
from graph_service.gql.measures import measure_from
from graph_service.policy.catalog import Catalog, decide
from graph_service.report import masked as masking
from graph_service.report.chapters import by_chapter, provenance, report_record
from graph_service.report.reading import Gathered
from graph_service.report.related import controllers, number_text, party_ref, ties
from graph_service.security.canonical import jsonable

#: Party properties the report does not list as registration fields: identity shown
#: elsewhere, and values the service derives (peripheral risk belongs to the annex).
_NOT_REGISTRATION = frozenset({"party_id", "kind", "name", "risk_score", *INTERNAL_KEYS})


def report_data(
    gathered: Gathered, catalog: Catalog, header: Mapping[str, Any], masked: bool
) -> dict[str, Any]:
    """The report's data: plain JSON, masked for readers who may not see personal data."""
    records = [report_record(item, gathered.as_of) for item in gathered.records]
    measures = [_measure(m, catalog, masked) for m in gathered.measures.items]
    red = [r for r in records if r["active"] and _variant(r, catalog, "red_list")]
    chapters = by_chapter(records)
    next(c for c in chapters if c["key"] == "judicial")["cases"] = _cases(gathered)
    data = {
        "report": {**header, "masked": masked},
        "party": _party(gathered.party),
        "summary": _summary(gathered, records, chapters, measures, red, catalog),
        "chapters": chapters,
        "related": _related(gathered, catalog),
        "annex": _annex(gathered, measures, bool(red), catalog),
    }
    plain = no_floats(jsonable(data))
    return masking.mask_report(plain) if masked else plain


def _party(party: Mapping[str, Any]) -> dict[str, Any]:
    props = party["props"]
    shown = party_ref(party)
    shown["official"] = "Official" in party["labels"]
    fields = {k: v for k, v in sorted(props.items()) if k not in _NOT_REGISTRATION}
    if props.get("legal_rep_name") is not None:
        # a person's name on a company's row: shown as a person, so that masking finds it
        fields["legal_rep_name"] = {
            "kind": "person",
            "name": props["legal_rep_name"],
            "party_id": props.get("legal_rep_id"),
        }
    shown["fields"] = fields
    shown["provenance"] = provenance(props)
    return shown


def _summary(
    gathered: Gathered,
    records: Sequence[Mapping[str, Any]],
    chapters: Sequence[Mapping[str, Any]],
    measures: Sequence[Mapping[str, Any]],
    red: Sequence[Mapping[str, Any]],
    catalog: Catalog,
) -> dict[str, Any]:
    serious = any(r["active"] and _variant(r, catalog, "serious") for r in records)
    return {
        "chapters": [
            {
                "key": c["key"],
                "number": c["number"],
                "title": c["title"],
                "title_en": c["title_en"],
                "active": len(c["active"]),
                "inactive": len(c["inactive"]),
            }
            for c in chapters
        ],
        "records": {"active": sum(r["active"] for r in records), "total": len(records)},
        "cases": gathered.cases.total,
        "serious_dishonesty": serious or _briber(gathered, catalog),
        "red_listed": bool(red),
        "red_list": [{k: r[k] for k in ("ref", "list", "authority", "start", "end")} for r in red],
        "measures": len(measures),
        "decisions": [
            {"context": d["context"], "decision": d["decision"]}
            for d in _decisions(measures, bool(red), catalog)
        ],
    }


def _variant(record: Mapping[str, Any], catalog: Catalog, flag: str) -> bool:
    """A flag (``serious``, ``red_list``) of the record's catalog variant; False for a kind
    the catalog does not declare (the record is listed all the same)."""
    spec = catalog.record_kinds.get(str(record["kind"]))
    return spec is not None and bool(getattr(spec.variant(record), flag))


def _briber(gathered: Gathered, catalog: Catalog) -> bool:
    """An active briber conviction: a bribery case closed within the kind's active years."""
    spec = catalog.record_kinds.get("bribery_conviction")
    for row in gathered.cases.rows:
        case, role = row["case"], row["rel"].get("role")
        if spec is None or case.get("case_type") != "bribery":
            continue
        conviction = {"start": case.get("closed_on"), "role": role}
        if spec.variant(conviction).serious and is_active(
            conviction, gathered.as_of, spec.active_years
        ):
            return True
    return False


#: Fields of a case every report lists (others go to its ``details``).
_CASE_FIELDS = ("case_no", "case_type", "cause", "court_name", "filed_on", "closed_on")


def _cases(gathered: Gathered) -> dict[str, Any]:
    items = [
        {
            **{k: row["case"].get(k) for k in _CASE_FIELDS},
            "details": {
                k: v
                for k, v in sorted(row["case"].items())
                if k not in _CASE_FIELDS and k not in INTERNAL_KEYS
            },
            "role": row["rel"].get("role"),
            "provenance": provenance(row["rel"]),
        }
        for row in gathered.cases.rows
    ]
    return {"total": gathered.cases.total, "items": items}


def _related(gathered: Gathered, catalog: Catalog) -> dict[str, Any]:
    party_id = str(gathered.party["props"]["party_id"])
    related: dict[str, Any] = ties(gathered.ties, gathered.as_of)
    if gathered.control is not None:
        related["controllers"] = controllers(
            gathered.control, party_id, catalog.control, gathered.as_of
        )
    return related


def _shared_contacts(gathered: Gathered) -> dict[str, Any]:
    """Parties reporting the same phone, e-mail or address: inferred (疑似关联), a lead."""
    return {
        "total": gathered.shared_contacts.total,
        "items": [
            {
                "party": party_ref(row["end"]),
                "via": row["rel"].get("via"),
                "provenance": provenance(row["rel"]),
            }
            for row in gathered.shared_contacts.rows
        ],
    }


# --- the annex: what the service derives ----------------------------------------------------


def _measure(props: Mapping[str, Any], catalog: Catalog, masked: bool) -> dict[str, Any]:
    """A measure with its explanation (record, rule, basis, path), as GraphQL explains it.
    For a masked report the path's persons are masked first, so that the explanation, which
    names them, is masked too."""
    path = _path(props.get("path_json"))
    if masked:
        path = masking.mask_json(path)
    shown = measure_from({**props, "path_json": json.dumps(path)})
    spec = catalog.measures.get(shown.measure)
    return {
        "key": str(shown.key),
        "measure": shown.measure,
        "label": spec.label if spec else None,
        "origin": shown.origin.value,
        "rule": shown.rule,
        "record_key": shown.record_key,
        "record_ref": shown.record_ref,
        "record_kind": shown.record_kind,
        "authority": shown.authority,
        "record_start": shown.record_start,
        "record_end": shown.record_end,
        "basis": shown.basis,
        "path": [{**hop, "stake_pct": number_text(hop.get("stake_pct"))} for hop in path],
        "until": shown.until,
        "catalog_version": shown.catalog_version,
        "run_id": shown.run_id,
        "computed_at": shown.computed_at,
        "explanation": shown.explanation,
        "contested": bool(props.get("contested")),  # an objection to its record is open
        "objection_id": props.get("objection_id"),
    }


def _path(raw: Any) -> list[dict[str, Any]]:
    hops = json.loads(raw) if isinstance(raw, str) else raw
    keys = ("party_id", "name", "relation", "stake_pct", "role")
    return [{k: hop.get(k) for k in keys} for hop in hops or [] if isinstance(hop, Mapping)]


def _decisions(
    measures: Sequence[Mapping[str, Any]], red_listed: bool, catalog: Catalog
) -> list[dict[str, Any]]:
    """The decision in every context of the catalog and the measures that make it."""
    names = sorted({str(m["measure"]) for m in measures})
    found = []
    for context in catalog.contexts:
        outcome = decide(names, context, red_listed, catalog)
        because = [n for n in names if catalog.measures[n].decisions.get(context) is outcome]
        found.append({"context": context, "decision": outcome.value, "measures": because})
    return found


def _annex(
    gathered: Gathered,
    measures: Sequence[Mapping[str, Any]],
    red_listed: bool,
    catalog: Catalog,
) -> dict[str, Any]:
    run = gathered.measures.run or {}
    return {
        "measures": {
            "source": gathered.measures.source,
            "run_id": run.get("run_id") if gathered.measures.source == "stored" else None,
            "items": measures,
        },
        "decisions": _decisions(measures, red_listed, catalog),
        "peripheral_risk": {
            "score": number_text(gathered.party["props"].get("risk_score")),
            "run_as_of": run.get("as_of"),
            "run_id": run.get("run_id"),
            "for_report_day": run.get("as_of") == gathered.as_of.isoformat(),
            "shared_contacts": _shared_contacts(gathered),
        },
    }


def no_floats(value: Any) -> Any:
    """JSON data with every float written as text (:func:`number_text`).

    >>> no_floats({"a": [1.5, 2.0, 3], "b": "x"})
    {'a': ['1.5', '2', 3], 'b': 'x'}
    """
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dict):
        return {k: no_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_floats(v) for v in value]
    return value


def made_header(
    number: str, as_of: date, made_at: str, catalog: Catalog, version: str
) -> dict[str, Any]:
    """The ``report`` section before masking: what identifies this report."""
    return {
        "number": number,
        "as_of": as_of.isoformat(),
        "made_at": made_at,
        "catalog_version": catalog.version,
        "service_version": version,
    }
