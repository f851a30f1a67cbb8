"""Identifiers of credit subjects: normalisation and check digits (pure functions).

Two identifiers name every party (see the registry formats):

* ``uscc`` — the unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters
  from ``0123456789ABCDEFGHJKLMNPQRTUWXY``; the 18th is a check character.
* ``id_number`` — the resident identity number (公民身份号码, GB 11643-1999): 17 digits and a
  check character (a digit or ``X``); digits 7–14 are the birth date.

A party id field holds either; its form tells which. Nothing here ever "fixes" an
identifier: a value that fails its check is reported with a reason a person understands, and
the loaders reject the row. The sanction check uses the same functions on its input. Case
numbers (案号, e.g. ``(2021)冀01执456号``) are normalised here too, for the loaders and the
case lookup alike.

>>> normalise(" ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ ")
'91130102RG8E64XKKR'
>>> party_kind("91130102RG8E64XKKR"), party_kind("130102197203158350"), party_kind("x")
('company', 'person', None)
>>> identifier_problem("91130102RG8E64XKKX", "party_id")
'fails the USCC check digit'
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date
from functools import lru_cache, wraps
from operator import mul
from typing import Literal, TypeVar

T = TypeVar("T")

IdentifierKind = Literal["uscc", "id_number", "party_id"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # index: weighted sum mod 11
_ID_ASCII_ZERO = ord("0") * sum(_ID_WEIGHTS)
_ID_FORM = re.compile(r"^\d{17}[\dX]$")
_EARLIEST_BIRTH = date(1900, 1, 1)

# Full-width ASCII (U+FF01–U+FF5E) sits exactly 0xFEE0 above ASCII; U+3000 is the
# ideographic space. One translate() call is much faster than a per-character loop.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_half_width(text: str) -> str:
    """Full-width ASCII letters, digits and punctuation replaced by their half-width forms.

    >>> to_half_width("（２０２２）冀０１执１号")
    '(2022)冀01执1号'
    """
    return text.translate(_HALF_WIDTH)


def normalise(text: str) -> str:
    """The canonical form of an identifier: half-width, trimmed, upper case.

    >>> normalise("　１３０１００１９７５０１０１４１５ｘ")
    '13010019750101415X'
    """
    return to_half_width(text).strip().upper()


# Courts write the year of a case number in 〔〕, 【】 or [] as well as in round brackets.
_CASE_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")"})


def normalise_case_no(text: str) -> str:
    """A case number (案号) with half-width characters and round brackets, without spaces.

    The loaders store case numbers in this form and lookups normalise their input with it,
    so every spelling of one number finds the same case.

    >>> normalise_case_no("（2022）冀0105刑初78号"), normalise_case_no("〔2021〕冀01执 456号")
    ('(2022)冀0105刑初78号', '(2021)冀01执456号')
    """
    return "".join(normalise(text).translate(_CASE_BRACKETS).split())


def normalise_record_ref(text: str) -> str:
    """A record reference (the record_updates registry's ``record_ref``, a repair's or an
    objection's): ``CASE_NO|PARTY_ID`` gets each part normalised as its own kind, any other
    reference is normalised whole — one spelling, whoever wrote it.

    >>> normalise_record_ref("（2021）冀01执456号 | 91130102rg8e64xkkr")
    '(2021)冀01执456号|91130102RG8E64XKKR'
    """
    if "|" in text:
        case_no, _, party = text.partition("|")
        return f"{normalise_case_no(case_no)}|{normalise(party)}"
    return normalise(text)


def uscc_check_char(first17: str) -> str | None:
    """The check character for the first 17 characters of a USCC, None if one is invalid.

    >>> uscc_check_char("91130102RG8E64XKK")
    'R'
    """
    if len(first17) != 17:
        return None
    try:
        total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    except KeyError:
        return None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID number.

    >>> id_check_char("13010019750101415")
    'X'
    """
    # Bytes iterate as ASCII codes: subtracting '0' once for the weighted sum is much faster
    # than int() per character (loaders check millions of numbers).
    total = sum(map(mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_ASCII_ZERO
    return _ID_CHECK[total % 11]


def id_birth_date(code: str) -> date | None:
    """The birth date written in digits 7–14 of an ID number, None if it is impossible.

    Impossible means not a calendar date, before 1900, or in the future.

    >>> id_birth_date("130102197203158350")
    datetime.date(1972, 3, 15)
    >>> id_birth_date("130102197202308350") is None
    True
    """
    digits = code[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return born if _EARLIEST_BIRTH <= born <= _today() else None


_today_cache: tuple[float, date] = (0.0, date.min)


def _today() -> date:
    """Today's date, looked up at most once a minute (loaders check millions of ids)."""
    global _today_cache
    checked, today = _today_cache
    now = time.monotonic()
    if now - checked > 60:
        _today_cache = (now, date.today())
        today = _today_cache[1]
    return today


def cached_per_day(check: Callable[[str], T]) -> Callable[[str], T]:
    """``check`` of an identifier, cached per process and day: checks and their masking ask
    about the same ids again and again, and whether an ID number is valid depends on the day
    (a birth date in the future is not), so an answer is reused only on the day it was given.

    >>> kind = cached_per_day(party_kind)
    >>> kind("91130102RG8E64XKKR"), kind("130102197203158350"), kind("x")
    ('company', 'person', None)
    """

    @lru_cache(maxsize=1 << 15)
    def on(code: str, day: date) -> T:
        del day  # the cache's key only
        return check(code)

    @wraps(check)
    def cached(code: str) -> T:
        return on(code, _today())

    return cached


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` (already normalised) is an 18-character USCC with a correct check.

    >>> is_valid_uscc("91130102RG8E64XKKR"), is_valid_uscc("91130102RG8E64XKKX")
    (True, False)
    """
    return len(code) == 18 and uscc_check_char(code[:17]) == code[17]


def is_valid_id_number(code: str) -> bool:
    """True when ``code`` (normalised) is a resident ID number with a correct check and birth date.

    >>> is_valid_id_number("13010019750101415X"), is_valid_id_number("130100197501014150")
    (True, False)
    """
    return (
        _ID_FORM.match(code) is not None
        and id_check_char(code[:17]) == code[17]
        and id_birth_date(code) is not None
    )


def party_kind(code: str) -> Literal["company", "person"] | None:
    """Which kind of party a valid identifier names; None when it is not valid.

    A code valid as both (only possible for an all-digit USCC) is taken as a person's:
    GB 11643 numbers are all digits by design, while real USCCs almost always carry letters.
    """
    if is_valid_id_number(code):
        return "person"
    if is_valid_uscc(code):
        return "company"
    return None


def identifier_problem(code: str, kind: IdentifierKind) -> str | None:
    """What is wrong with ``code`` (normalised) as a ``kind`` identifier; None when valid.

    The phrase completes a sentence that starts with the field name and value, as in
    ``holder_id 91130102RG8E64XKKX fails the USCC check digit``.

    >>> identifier_problem("130102197203158350", "uscc")
    'is a resident ID number, not a USCC'
    >>> identifier_problem("130102197202308351", "id_number")
    'has an impossible birth date (19720230)'
    >>> identifier_problem("1301021972", "party_id")
    'is 10 characters long; a USCC or resident ID number has 18'
    """
    if kind == "uscc":
        return _uscc_problem(code)
    if kind == "id_number":
        return _id_problem(code)
    return _party_problem(code)


def _uscc_problem(code: str) -> str | None:
    if is_valid_uscc(code):
        return None
    if is_valid_id_number(code):
        return "is a resident ID number, not a USCC"
    if len(code) != 18:
        return f"is {len(code)} characters long; a USCC has 18"
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        return f"contains {''.join(bad)!r}, which no USCC has (I, O, S, V and Z are never used)"
    return "fails the USCC check digit"


def _id_problem(code: str) -> str | None:
    if is_valid_id_number(code):
        return None
    if is_valid_uscc(code):
        return "is a USCC (a company's code), not a resident ID number"
    if len(code) != 18:
        return f"is {len(code)} characters long; a resident ID number has 18"
    if not _ID_FORM.match(code):
        return "is not a resident ID number (17 digits and a check digit or X)"
    if id_birth_date(code) is None:
        return f"has an impossible birth date ({code[6:14]})"
    return "fails the resident ID check digit"


def _party_problem(code: str) -> str | None:
    if party_kind(code) is not None:
        return None
    if len(code) != 18:
        return f"is {len(code)} characters long; a USCC or resident ID number has 18"
    if _ID_FORM.match(code):
        # Digits only (or a final X): written as a person's number, so say what fails there.
        return _id_problem(code)
    return _uscc_problem(code)
