"""Pure validation and normalisation of rows: no file, no graph."""

from __future__ import annotations

import pytest

from loaders.mapping import get_mapping
from loaders.validate import (
    Invalid,
    RowValidator,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_pct,
)


@pytest.mark.parametrize(
    "text", ["2024-06-30", "2024/6/30", "20240630", "2024年6月30日", "２０２４-０６-３０"]
)
def test_every_accepted_date_form(text: str) -> None:
    assert parse_date(text) == "2024-06-30"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-30", "is not a real date"),
        ("2023-13-01", "is not a real date"),
        ("20230230", "is not a real date"),
        ("30/06/2024", "is not a date"),
        ("1850-01-01", "is outside the years"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text", ["51", "51%", "51.0", "５１％", " 51 % "])
def test_percentages(text: str) -> None:
    assert parse_pct(text) == 51.0


def test_percentage_over_100_is_refused() -> None:
    with pytest.raises(Invalid, match="between 0 and 100"):
        parse_pct("101")


@pytest.mark.parametrize(
    "text", ["0311-8666 1234", "(0311)86661234", "０３１１－８６６６１２３４", "+86 311 8666 1234"]
)
def test_phone_spellings_compare_equal(text: str) -> None:
    assert normalise_phone(text) == "031186661234"


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalise_email(" Hengtai@Example.CN ") == "hengtai@example.cn"
    with pytest.raises(Invalid):
        normalise_email("not-an-address")


def test_enum_accepts_chinese_synonyms() -> None:
    row, problems = RowValidator(get_mapping("companies"))(
        {"uscc": "91130102RG8E64XKKR", "name": "甲", "status": "吊销", "org_kind": "法院"}
    )
    assert problems == []
    assert (row["status"], row["org_kind"]) == ("revoked", "court")


def test_enum_default_and_unknown_value() -> None:
    validator = RowValidator(get_mapping("companies"))
    row, _ = validator({"uscc": "91130102RG8E64XKKR", "name": "甲"})
    assert row["org_kind"] == "enterprise"
    _, problems = validator({"uscc": "91130102RG8E64XKKR", "name": "甲", "status": "dormant"})
    assert problems == ["status dormant is not one of active, cancelled, moved_out, revoked"]


def test_every_problem_of_a_row_is_named() -> None:
    _, problems = RowValidator(get_mapping("shareholdings"))(
        {"company_uscc": "", "holder_id": "91130102RG8E64XKKX", "stake_pct": "abc"}
    )
    assert problems == [
        "company_uscc is empty (required)",
        "holder_id 91130102RG8E64XKKX fails the USCC check digit",
        "stake_pct abc is not a percentage",
    ]


def test_birth_date_must_agree_with_the_id_number() -> None:
    _, problems = RowValidator(get_mapping("persons"))(
        {"id_number": "130102197203158350", "name": "张伟", "birth_date": "1972-03-16"}
    )
    assert problems == [
        "birth_date 1972-03-16 disagrees with id_number 130102197203158350, which says 1972-03-15"
    ]


def test_until_before_since_is_refused() -> None:
    _, problems = RowValidator(get_mapping("officers"))(
        {"company_uscc": "91130102RG8E64XKKR", "person_id": "130102197203158350",
         "role": "董事长", "since": "2020-01-01", "until": "2019-12-31"}
    )  # fmt: skip
    assert problems == ["until 2019-12-31 is before since 2020-01-01"]


def test_contact_values_are_normalised_by_kind_into_a_key() -> None:
    validator = RowValidator(get_mapping("contacts"))
    row, problems = validator({"party_id": "91130102RG8E64XKKR", "kind": "电话",
                               "value": "(0311)8666-1234"})  # fmt: skip
    assert problems == []
    assert row["contact_key"] == "phone:031186661234"
    _, problems = validator({"party_id": "91130102RG8E64XKKR", "kind": "email", "value": "x"})
    assert problems == ["value x is not an e-mail address"]


def test_record_ref_normalises_case_number_and_debtor() -> None:
    row, _ = RowValidator(get_mapping("record_updates"))(
        {"record_ref": "〔2021〕冀01执456号|91130102rg8e64xkkr", "status": "信用修复",
         "effective_on": "2024/1/10"}
    )  # fmt: skip
    assert row["record_ref"] == "(2021)冀01执456号|91130102RG8E64XKKR"
    assert (row["status"], row["effective_on"]) == ("repaired", "2024-01-10")
