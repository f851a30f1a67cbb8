"""Computing check characters, to *make* valid identifiers for the synthetic world.

Validation lives in ``graph_service.identifiers``; this module only builds identifiers, so the
generator does not depend on the validator it is meant to exercise (the tests compare the two
through an independent re-implementation of the rules).

* USCC (统一社会信用代码, GB 32100-2015): 2-character registration type, 6-digit district code,
  9-character organisation code (GB 11714, whose 9th character is its own check digit), and a
  check character over the first 17.
* Resident identity number (GB 11643-1999): 6-digit district code, 8-digit birth date, 3-digit
  sequence (odd for men, even for women) and a check character over the first 17.
"""

from __future__ import annotations

from datetime import date

#: The USCC alphabet: digits and upper-case letters without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# GB 11714 organisation code: letters count 10..35 (A=10), weights over the first 8 characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``first17``.

    >>> uscc_check("91130102RG8E64XKK")
    'R'
    """
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    """The 9th character of a GB 11714 organisation code (``0``–``9`` or ``X``).

    >>> org_code_check("D2143569")
    'X'
    """
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(registration_type: str, district: str, org_body: str) -> str:
    """A complete USCC from its type (e.g. ``91``), district and 8-character organisation body.

    >>> make_uscc("91", "130102", "RG8E64XK")
    '91130102RG8E64XKXQ'
    """
    first17 = registration_type + district + org_body + org_code_check(org_body)
    return first17 + uscc_check(first17)


def id_check(first17: str) -> str:
    """The 18th character of a resident identity number.

    >>> id_check("13010219720315835")
    '0'
    """
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def make_id_number(district: str, birth: date, sequence: int, male: bool) -> str:
    """A resident identity number; the last sequence digit is odd for men, even for women.

    ``sequence`` (0–499) picks the number among people born on the same day in the district.

    >>> make_id_number("130102", date(1972, 3, 15), 417, male=True)
    '130102197203158350'
    """
    seq = sequence * 2 + (1 if male else 0)
    first17 = f"{district}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check(first17)
