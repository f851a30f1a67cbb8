"""Personal-data minimisation for the checker role (pure rules)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_service.identifiers import is_valid_id_number
from graph_service.security.masking import (
    is_person,
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


# --- the walk written out for speed masks exactly as the plain recursive walk -----------------
def _reference(value: Any) -> Any:
    """The plain recursive walk (as masking.py had it): every value through one function."""
    if isinstance(value, dict):
        masked = {key: _reference(item) for key, item in value.items()}
        if is_person(value) and isinstance(value.get("name"), str):
            masked["name"] = mask_name(value["name"])
        return masked
    if isinstance(value, list):
        return [_reference(item) for item in value]
    if isinstance(value, str):
        pattern = r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"
        return re.sub(pattern, _reference_id, value)
    return value


def _reference_id(match: re.Match[str]) -> str:
    code = match.group(0).upper()
    return mask_id_number(code) if is_valid_id_number(code) else match.group(0)


_TEXT = st.one_of(
    st.sampled_from([PERSON, PERSON.lower(), "13010019750101415x", COMPANY, "张伟", "欧阳娜娜",
                     "130102197203158351", f"X|{PERSON}", f"\n{PERSON}\t", f"a{PERSON}", ""]),
    st.text(max_size=30),
)  # fmt: skip
_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TEXT)
_KEYS = st.sampled_from(["party_id", "id_number", "name", "kind", "path", "record", "ref"])
_JSON = st.recursive(
    st.one_of(_SCALAR, st.just("person")),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_mask_json_masks_as_the_plain_walk(value: Any) -> None:
    assert mask_json(value) == _reference(value)
