"""A report for a reader who may not see personal data: masked as for the ``checker`` role.

The rules are the check answers' (:mod:`graph_service.security.masking`): a person's name
keeps its first character, a resident id number its first and last four, anywhere in the
report (the party's own id included); companies are never masked. A report carries more
than a check answer, so three more things are masked here:

* a person's birth date (it is part of the id number that masking hides);
* names in a record's registry fields (``legal_rep_name``, ``finance_officer_name`` …), and
  the subject's own name (``party_name``, ``debtor_name`` …) when the subject is a person;
* the persons on a measure's path, before its explanation (which names them) is written
  (:func:`graph_service.report.assemble._measure`).

>>> data = {"party": {"party_id": "130102197203158350", "kind": "person", "name": "张伟",
...                   "fields": {"birth_date": "1972-03-15", "gender": "M"}},
...         "chapters": [{"active": [{"kind": "tax_violation", "subject_id": "X",
...                       "details": {"legal_rep_name": "张伟", "party_name": "某公司"}}],
...                       "inactive": []}]}
>>> shown = mask_report(data)
>>> shown["party"]["party_id"], shown["party"]["name"], shown["party"]["fields"]["birth_date"]
('1301**********8350', '张*', '****-**-**')
>>> shown["chapters"][0]["active"][0]["details"]
{'legal_rep_name': '张*', 'party_name': '某公司'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_service.identifiers import party_kind
from graph_service.security.masking import mask_json, mask_name

__all__ = ["mask_json", "mask_report"]

#: What a masked birth date shows.
HIDDEN_DATE = "****-**-**"


def mask_report(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the report's data with personal data masked."""
    shown = dict(data)
    shown["party"] = _party(data["party"])
    shown["chapters"] = [_chapter(c) for c in data.get("chapters", [])]
    masked: dict[str, Any] = mask_json(shown)
    return masked


def _party(party: Mapping[str, Any]) -> dict[str, Any]:
    fields = dict(party.get("fields") or {})
    if party.get("kind") == "person" and fields.get("birth_date") is not None:
        fields["birth_date"] = HIDDEN_DATE
    return {**party, "fields": fields}


def _chapter(chapter: Mapping[str, Any]) -> dict[str, Any]:
    shown = dict(chapter)
    for state in ("active", "inactive"):
        if state in chapter:
            shown[state] = [_record(r) for r in chapter[state]]
    return shown


def _record(record: Mapping[str, Any]) -> dict[str, Any]:
    subject_is_person = party_kind(str(record.get("subject_id") or "")) == "person"
    details = {
        key: mask_name(value)
        if _names_person(key, subject_is_person) and isinstance(value, str)
        else value
        for key, value in (record.get("details") or {}).items()
    }
    return {**record, "details": details}


def _names_person(key: str, subject_is_person: bool) -> bool:
    """True for a registry field that holds a person's name.

    >>> _names_person("legal_rep_name", False), _names_person("debtor_name", False)
    (True, False)
    >>> _names_person("party_name", True), _names_person("court_name", False)
    (True, False)
    """
    if key in _SUBJECT_NAMES:
        return subject_is_person
    return key.endswith("_name") and key not in _ORGANISATION_NAMES


#: Registry fields that name the record's subject (a person's name only for a person).
_SUBJECT_NAMES = frozenset({"party_name", "debtor_name", "taxpayer_name", "holder_name"})
#: Registry fields ending in ``_name`` that name organisations, never persons.
_ORGANISATION_NAMES = frozenset({"court_name", "authority_name", "company_name", "agency_name"})
