"""Personal-data minimisation for the checker role (pure rules)."""

from __future__ import annotations

import pytest

from graph_service.security.masking import (
    mask_id_number,
    mask_json,
    mask_name,
    mask_result,
    mask_text,
)
from graph_service.security.roles import Role, sees_personal_data
from tests.security.conftest import COMPANY, PERSON


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张伟", "张*"), ("欧阳娜娜", "欧***"), ("李", "李"), ("Maria Garcia", "M***********")],
)
def test_names_keep_their_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_numbers_show_first_four_and_last_four() -> None:
    assert mask_id_number(PERSON) == "1301**********8350"
    assert mask_id_number("13010019750101415X") == "1301**********415X"


def test_only_valid_id_numbers_in_text_are_masked() -> None:
    assert mask_text(f"see {PERSON}.") == "see 1301**********8350."
    assert mask_text("130102197203158351") == "130102197203158351"  # wrong check digit
    assert mask_text(COMPANY) == COMPANY


def test_companies_are_not_masked() -> None:
    company = {"party_id": COMPANY, "kind": "company", "name": "石家庄华北建设工程有限公司"}
    assert mask_json(company) == company


def test_a_person_object_is_masked_by_kind_even_without_an_id() -> None:
    assert mask_json({"kind": "person", "name": "欧阳娜娜"}) == {"kind": "person", "name": "欧***"}


def test_the_checked_party_id_is_echoed_but_its_name_masked() -> None:
    result = {"party_id": PERSON, "kind": "person", "name": "张伟", "measures": []}
    assert mask_result(result) == {**result, "name": "张*"}


def test_who_sees_personal_data() -> None:
    assert [sees_personal_data(r) for r in Role] == [False, True, False, True]
