"""Personal-data minimisation: what the ``checker`` role sees of persons (pure).

Rules (docs/security.md):

* A person's **name** keeps its first character; every further character becomes ``*``
  (张伟 → 张*, 欧阳娜娜 → 欧***). Keeping only one character, even of a two-character
  surname, shows the least and is the same rule for every name.
* A resident **id number** keeps its first 4 and last 4 characters (the province/city code and
  the check digits): 130102197203158350 → 1301**********8350.
* Companies are not persons: their names and USCCs are never masked.
* The party id a checker sent is echoed as sent (it is the checker's own input).

Investigators and admins see everything whole; see :func:`~.roles.sees_personal_data`.

Check answers are masked by walking their JSON: any string containing a valid resident id
number has it masked, and any object that describes a person (``kind == "person"`` or a
person's id under ``party_id``/``id_number``) has its ``name`` masked. The evaluation logic
only has to mark person objects that way (docs/security.md, "For the evaluation logic").
"""

from __future__ import annotations

import re
from typing import Any

from graph_service import identifiers

# A resident id number standing on its own (not inside a longer code).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PERSON_ID_KEYS = ("party_id", "id_number")
#: Characters of a resident id number: shorter text cannot hold one.
_ID_LENGTH = 18


def mask_name(name: str) -> str:
    """A person's name with every character but the first replaced by ``*``.

    >>> mask_name("张伟"), mask_name("欧阳娜娜"), mask_name(" 王 "), mask_name("")
    ('张*', '欧***', '王', '')
    """
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1)


def mask_id_number(code: str) -> str:
    """A resident id number with all but its first 4 and last 4 characters hidden.

    >>> mask_id_number("130102197203158350")
    '1301**********8350'
    >>> mask_id_number("1234567")  # too short to show any part
    '*******'
    """
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]


def mask_text(text: str) -> str:
    """``text`` with every valid resident id number in it masked (other codes untouched).

    >>> mask_text("(2023)冀0102执1号|130102197203158350")
    '(2023)冀0102执1号|1301**********8350'
    >>> mask_text("91130102RG8E64XKKR")  # a company's USCC stays
    '91130102RG8E64XKKR'
    """
    if len(text) < _ID_LENGTH:  # too short to hold an id number: skip the regex (most strings)
        return text
    return _ID_NUMBER.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    code = match.group(0).upper()
    return mask_id_number(code) if is_valid_id_number(code) else match.group(0)


#: Cached per process and day: an answer names the same parties on many paths.
is_valid_id_number = identifiers.cached_per_day(identifiers.is_valid_id_number)


def is_person(obj: dict[str, Any]) -> bool:
    """True when a JSON object describes a person: by its ``kind`` or a person's id.

    >>> is_person({"kind": "person"}), is_person({"party_id": "130102197203158350"})
    (True, True)
    >>> is_person({"party_id": "91130102RG8E64XKKR", "name": "某公司"})
    False
    """
    if obj.get("kind") == "person":
        return True
    for key in _PERSON_ID_KEYS:
        code = obj.get(key)
        if isinstance(code, str) and len(code) == _ID_LENGTH and is_valid_id_number(code.upper()):
            return True
    return False


def mask_json(value: Any) -> Any:
    """A copy of a JSON value with persons' names and id numbers masked.

    >>> mask_json({"path": [{"party_id": "130102197203158350", "name": "张伟"},
    ...                     {"party_id": "91130102RG8E64XKKR", "name": "某某有限公司"}]})
    {'path': [{'party_id': '1301**********8350', 'name': '张*'}, \
{'party_id': '91130102RG8E64XKKR', 'name': '某某有限公司'}]}
    """
    if isinstance(value, dict):
        return _mask_dict(value)
    if isinstance(value, list):
        return _mask_list(value)
    if isinstance(value, str):
        return mask_text(value)
    return value


def _mask_dict(obj: dict[str, Any]) -> dict[str, Any]:
    """:func:`mask_json` of an object. The walk is written out for the exact JSON types, so
    a scalar costs no call: a 1,000-party answer holds ~18,000 values, and a call per value
    was a fifth of such a check's CPU."""
    masked: dict[str, Any] = {}
    for key, item in obj.items():
        kind = type(item)
        if kind is str:
            masked[key] = item if len(item) < _ID_LENGTH else mask_text(item)
        elif kind in _SCALARS:
            masked[key] = item
        else:
            masked[key] = mask_json(item)
    if is_person(obj) and isinstance(obj.get("name"), str):
        masked["name"] = mask_name(obj["name"])
    return masked


def _mask_list(items: list[Any]) -> list[Any]:
    masked: list[Any] = []
    for item in items:
        kind = type(item)
        if kind is str:
            masked.append(item if len(item) < _ID_LENGTH else mask_text(item))
        elif kind in _SCALARS:
            masked.append(item)
        else:
            masked.append(mask_json(item))
    return masked


#: Types whose values masking returns as they are (exact types: a str subclass is text).
_SCALARS = frozenset({int, bool, float, type(None)})


def mask_result(result: dict[str, Any]) -> dict[str, Any]:
    """One party's check result as a checker sees it; its ``party_id`` is echoed as sent.

    >>> mask_result({"party_id": "130102197203158350", "kind": "person", "name": "张伟",
    ...              "measures": [{"record_ref": "X|130102197203158350"}]})
    {'party_id': '130102197203158350', 'kind': 'person', 'name': '张*', \
'measures': [{'record_ref': 'X|1301**********8350'}]}
    """
    masked: dict[str, Any] = mask_json(result)
    masked["party_id"] = result.get("party_id")
    return masked
