"""Pure validation and normalisation of registry rows, one function per field type.

A parser takes a field's trimmed, non-empty text and returns its clean value, or raises
:class:`Invalid` with a phrase that completes ``"<field> <value> …"`` for a person to read.
Clean values are plain JSON types: text, float, or an ISO date string (``YYYY-MM-DD``), so
staged rows can be spooled and hashed; the writer turns dates into Neo4j ``DATE`` values.

>>> from loaders.mapping import get_mapping
>>> validator = RowValidator(get_mapping("shareholdings"))
>>> row, problems = validator({"company_uscc": "９１１３０１０４ＰＱＸＲ０ＱＥＤ４７",
...     "holder_id": "91130102RG8E64XKKX", "stake_pct": "60%", "since": "2015年9月1日"})
>>> row["company_uscc"], row["stake_pct"], row["since"]
('91130104PQXR0QED47', 60.0, '2015-09-01')
>>> problems
['holder_id 91130102RG8E64XKKX fails the USCC check digit']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

from graph_service.identifiers import (
    id_birth_date,
    identifier_problem,
    normalise,
    normalise_case_no,
    normalise_record_ref,
    to_half_width,
)
from loaders.mapping import Check, FieldSpec, RegistryMapping, enum_key

Value = str | float | None
Row = dict[str, Value]


class Invalid(ValueError):
    """A value that cannot be loaded; the message completes ``<field> <value> …``."""


# --- field types ----------------------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|(\d{2})(\d{2})|年(\d{1,2})月(\d{1,2})日)$"
)
_EARLIEST, _LATEST = 1900, 2100


def parse_date(text: str) -> str:
    """A date in any accepted form, as ``YYYY-MM-DD``.

    >>> [parse_date(t) for t in ("2024-6-30", "2024/06/30", "20240630", "2024年6月30日")]
    ['2024-06-30', '2024-06-30', '2024-06-30', '2024-06-30']
    >>> parse_date("2023-02-30")
    Traceback (most recent call last):
    loaders.validate.Invalid: is not a real date
    """
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
        # Fast path for the common ISO form (most exports): C-speed parse, same checks.
        try:
            if _EARLIEST <= date.fromisoformat(text).year <= _LATEST:
                return text
        except ValueError:
            pass  # an impossible date like 2023-02-30: the general path says why
    match = _DATE.match(to_half_width(text))
    if not match:
        raise Invalid("is not a date (expected YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or YYYY年M月D日)")
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        value = date(year, month, day)
    except ValueError:
        raise Invalid("is not a real date") from None
    if not _EARLIEST <= year <= _LATEST:
        raise Invalid(f"is outside the years {_EARLIEST}–{_LATEST}")
    return value.isoformat()


def parse_number(text: str) -> float:
    """A non-negative amount; thousands separators and full-width digits are accepted.

    >>> parse_number("１,865,000.00")
    1865000.0
    """
    try:
        value = float(to_half_width(text).replace(",", "").replace(" ", ""))
    except ValueError:
        raise Invalid("is not a number") from None
    if not math.isfinite(value):
        raise Invalid("is not a number")
    if value < 0:
        raise Invalid("is negative")
    return value


def parse_pct(text: str) -> float:
    """A percentage 0–100: ``51``, ``51%`` and ``51.0`` all mean 51.

    >>> parse_pct("51%"), parse_pct("５１．０")
    (51.0, 51.0)
    """
    plain = to_half_width(text).strip().rstrip("%").strip()
    try:
        value = float(plain)
    except ValueError:
        raise Invalid("is not a percentage") from None
    if not 0 <= value <= 100:
        raise Invalid("is not between 0 and 100")
    return value


_EXTENSION = re.compile(r"(转|ext|x|#).*$", re.IGNORECASE)
_NON_DIGIT = re.compile(r"\D")


def normalise_phone(text: str) -> str:
    """The digits of a phone number in national form, so that spellings compare equal.

    An extension (转, ext, #) is dropped; +86 / 0086 is removed, and a landline gets back
    its trunk 0.

    >>> normalise_phone("0311-8666 1234"), normalise_phone("(0311)86661234")
    ('031186661234', '031186661234')
    >>> normalise_phone("+86 311 8666 1234"), normalise_phone("+86 138 0013 8000")
    ('031186661234', '13800138000')
    """
    plain = _EXTENSION.sub("", to_half_width(text).strip())
    digits = _NON_DIGIT.sub("", plain)
    if plain.startswith(("+", "00")):
        digits = digits[4:] if digits.startswith("0086") else digits.removeprefix("86")
        if not digits.startswith("1"):
            digits = "0" + digits
    if not 7 <= len(digits) <= 15:
        raise Invalid("is not a phone number (7 to 15 digits)")
    return digits


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(text: str) -> str:
    """An e-mail address, half-width and lower-cased.

    >>> normalise_email(" Hengtai@Example.cn ")
    'hengtai@example.cn'
    """
    value = to_half_width(text).strip().lower()
    if not _EMAIL.match(value):
        raise Invalid("is not an e-mail address")
    return value


def normalise_address(text: str) -> str:
    """An address, half-width and without any spaces, so that spellings compare equal.

    >>> normalise_address("石家庄市 桥西区 新石中路７号")
    '石家庄市桥西区新石中路7号'
    """
    return "".join(to_half_width(text).split())


def _identifier(kind: str) -> Callable[[str, FieldSpec], str]:
    def parse(text: str, spec: FieldSpec) -> str:
        code = normalise(text)
        problem = identifier_problem(code, kind)  # type: ignore[arg-type]
        if problem:
            raise Invalid(problem)
        return code

    return parse


def _enum(text: str, spec: FieldSpec) -> str:
    key = enum_key(text)
    if key in spec.values:
        return spec.values[key]
    if spec.open:
        return key
    allowed = ", ".join(sorted(set(spec.values.values())))
    raise Invalid(f"is not one of {allowed}")


def _district(text: str, spec: FieldSpec) -> str:
    code = normalise(text)
    if len(code) != 6 or not code.isdigit():
        raise Invalid("is not a 6-digit administrative division code")
    return code


Parser = Callable[[str, FieldSpec], Value]

PARSERS: dict[str, Parser] = {
    "text": lambda text, spec: text,
    "uscc": _identifier("uscc"),
    "id_number": _identifier("id_number"),
    "party_id": _identifier("party_id"),
    "date": lambda text, spec: parse_date(text),
    "number": lambda text, spec: parse_number(text),
    "pct": lambda text, spec: parse_pct(text),
    "enum": _enum,
    "district": _district,
    "case_no": lambda text, spec: normalise_case_no(text),
    "ref": lambda text, spec: normalise(text),
    "record_ref": lambda text, spec: normalise_record_ref(text),
    "phone": lambda text, spec: normalise_phone(text),
    "email": lambda text, spec: normalise_email(text),
    "address": lambda text, spec: normalise_address(text),
}


# --- row rules ------------------------------------------------------------------------------


def _date_order(row: Row, check: Check) -> str | None:
    first, second = check.fields
    a, b = row.get(first), row.get(second)
    if isinstance(a, str) and isinstance(b, str) and b < a:
        return f"{second} {b} is before {first} {a}"
    return None


def _birth_date_matches_id(row: Row, check: Check) -> str | None:
    birth_field, id_field = check.fields
    birth, code = row.get(birth_field), row.get(id_field)
    if not isinstance(birth, str) or not isinstance(code, str):
        return None
    written = id_birth_date(code)
    if written is not None and written.isoformat() != birth:
        return f"{birth_field} {birth} disagrees with {id_field} {code}, which says {written}"
    return None


_CONTACT_NORMALISERS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "email": normalise_email,
    "address": normalise_address,
}


def _contact(row: Row, check: Check) -> str | None:
    """Normalises the contact value by its kind and derives the Contact's key."""
    kind_field, value_field = check.fields
    kind, value = row.get(kind_field), row.get(value_field)
    if not isinstance(kind, str) or not isinstance(value, str):
        return None
    try:
        clean = _CONTACT_NORMALISERS[kind](value)
    except Invalid as exc:
        return f"{value_field} {shown(value)} {exc}"
    row[value_field] = clean
    row[str(check.params["into"])] = f"{kind}:{clean}"
    return None


ROW_RULES: dict[str, Callable[[Row, Check], str | None]] = {
    "date_order": _date_order,
    "birth_date_matches_id": _birth_date_matches_id,
    "contact": _contact,
}


# --- control characters ---------------------------------------------------------------------

#: C0 and C1 control characters but tab, line feed and carriage return (which quoted CSV
#: fields may hold), and DEL. No registry text holds one; a NUL in a name is an attack or a
#: corrupt file, and the staged rows' hash relies on U+001F never being inside a value.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str) -> str | None:
    r"""The first control character in ``text`` (tab, CR and LF are text), or None.

    >>> control_character("Evil\x00Corp"), control_character("第一行,\r\n第二行\t")
    ('\x00', None)
    """
    found = _CONTROL.search(text)
    return found.group() if found else None


def control_problem(where: str, char: str) -> str:
    r"""Why a row holding the control character ``char`` is rejected (without the value).

    >>> control_problem("name", "\x00")
    'name holds the control character U+0000 (NUL), which registry text never contains'
    """
    label = " (NUL)" if char == "\x00" else ""
    return (
        f"{where} holds the control character U+{ord(char):04X}{label},"
        " which registry text never contains"
    )


# --- rows -----------------------------------------------------------------------------------


class RowValidator:
    """Validates and normalises the rows of one registry kind (pure; reusable)."""

    def __init__(self, mapping: RegistryMapping) -> None:
        self.mapping = mapping
        # (name, parser or None for plain text, required, default, spec): precomputed once,
        # as this loop runs for every field of every row.
        self._fields = [
            (s.name, None if s.type == "text" else PARSERS[s.type], s.required, s.default or "", s)
            for s in mapping.fields
        ]
        self._rules = [(c, ROW_RULES[c.rule]) for c in mapping.checks if c.rule in ROW_RULES]

    def __call__(self, raw: Mapping[str, str]) -> tuple[Row, list[str]]:
        """The clean row and the problems found (none means the row can be loaded)."""
        row: Row = {}
        problems: list[str] = []
        for name, parse, required, default, spec in self._fields:
            text = raw.get(name, "").strip() or default
            if not text:
                row[name] = None
                if required:
                    problems.append(f"{name} is empty (required)")
            elif parse is None:
                row[name] = text
            else:
                try:
                    row[name] = parse(text, spec)
                except Invalid as exc:
                    row[name] = None
                    problems.append(f"{name} {shown(text)} {exc}")
        if not problems and self._rules:
            problems = [p for check, rule in self._rules if (p := rule(row, check))]
        return row, problems


def shown(text: str) -> str:
    r"""A value as quoted in a reason: short, on one line.

    >>> shown("石家庄 华北\n建设"), len(shown("x" * 100))
    ('石家庄 华北 建设', 40)
    """
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 40 else one_line[:37] + "..."
