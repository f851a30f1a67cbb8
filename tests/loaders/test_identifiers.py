"""Identifiers: check digits exactly as the registry formats define them, and the reasons."""

from __future__ import annotations

import pytest

from graph_service.identifiers import (
    identifier_problem,
    is_valid_id_number,
    is_valid_uscc,
    normalise,
    normalise_case_no,
    party_kind,
    uscc_check_char,
)

SAMPLE_USCCS = ["91130102RG8E64XKKR", "9213011071AQ7XXNXJ", "12130102BA4P8PL6T0"]
SAMPLE_IDS = ["130102197203158350", "13010019750101415X", "130108200106111975"]


@pytest.mark.parametrize("code", SAMPLE_USCCS)
def test_sample_usccs_pass(code: str) -> None:
    assert is_valid_uscc(code)
    assert party_kind(code) == "company"


@pytest.mark.parametrize("code", SAMPLE_IDS)
def test_sample_id_numbers_pass(code: str) -> None:
    assert is_valid_id_number(code)
    assert party_kind(code) == "person"


def test_uscc_check_digit_by_hand() -> None:
    # Weighted sum of 91130102RG8E64XKK: value of each character in the alphabet times its
    # weight; check = 31 - sum mod 31 → R (index 25).
    values = [9, 1, 1, 3, 0, 1, 0, 2, 25, 16, 8, 14, 6, 4, 29, 19, 19]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    assert "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - total % 31) % 31] == "R"
    assert uscc_check_char("91130102RG8E64XKK") == "R"


@pytest.mark.parametrize(
    ("code", "kind", "reason"),
    [
        ("91130102RG8E64XKKX", "party_id", "fails the USCC check digit"),
        ("130102197203158351", "id_number", "fails the resident ID check digit"),
        ("130102197302298350", "id_number", "has an impossible birth date (19730229)"),
        ("130102219903158350", "id_number", "has an impossible birth date (21990315)"),
        ("91130102RG8E64XKK", "uscc", "is 17 characters long; a USCC has 18"),
        ("91130102RG8E64XKKO", "uscc", "contains 'O', which no USCC has"),
        ("130102197203158350", "uscc", "is a resident ID number, not a USCC"),
        ("91130102RG8E64XKKR", "id_number", "is a USCC (a company's code), not a resident ID"),
    ],
)
def test_failures_say_why(code: str, kind: str, reason: str) -> None:
    problem = identifier_problem(code, kind)  # type: ignore[arg-type]
    assert problem is not None
    assert problem.startswith(reason)


def test_full_width_and_lower_case_are_normalised_never_fixed() -> None:
    assert normalise("９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ") == "91130102RG8E64XKKR"
    assert normalise("13010019750101415x") == "13010019750101415X"
    # A wrong check digit stays wrong: the loader rejects, it never "repairs" an identifier.
    assert not is_valid_uscc(normalise("91130102RG8E64XKKX"))


def test_case_numbers_get_half_width_round_brackets() -> None:
    expected = "(2022)冀0105刑初78号"
    for text in ["（2022）冀0105刑初78号", "〔2022〕冀0105刑初78号", "(２０２２)冀0105刑初78号"]:
        assert normalise_case_no(text) == expected


def test_case_numbers_lose_their_spaces() -> None:
    assert normalise_case_no(" 【2021】冀01执 456号 ") == "(2021)冀01执456号"
