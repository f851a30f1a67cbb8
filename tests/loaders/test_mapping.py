"""The registry mappings: all 18 kinds, file-name recognition and load order."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.errors import InvalidInput
from loaders.mapping import UnknownKind, all_mappings, get_mapping, kind_for_file
from tests.loaders.conftest import FIXTURES

KINDS = [
    "companies", "persons", "shareholdings", "officers", "branches", "officials",
    "official_records", "cases", "case_parties", "case_officials", "interventions",
    "dishonest_debtors", "tax_violations", "admin_penalties", "blacklists", "red_list",
    "contacts", "record_updates",
]  # fmt: skip


def test_every_registry_kind_has_a_mapping() -> None:
    assert sorted(all_mappings()) == sorted(KINDS)


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(UnknownKind, match=r"unknown registry kind 'firms'.*companies"):
        get_mapping("firms")


def test_each_sample_file_is_recognised_by_name() -> None:
    found = {kind_for_file(p) for p in FIXTURES.iterdir()}
    assert found == set(KINDS)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("companies_2024-06.csv.gz", "companies"),
        ("case_parties.part2.jsonl", "case_parties"),
        ("cases.csv", "cases"),
        ("official_records.csv", "official_records"),
        ("失信被执行人名单.csv", "dishonest_debtors"),
        ("companies.rejects.csv", None),
        ("notes.txt", None),
    ],
)
def test_file_names(name: str, kind: str | None) -> None:
    assert kind_for_file(Path(name)) == kind


def test_dependency_order_puts_parties_first_and_updates_last() -> None:
    order = list(all_mappings())
    assert order[:2] == ["companies", "persons"]
    assert order[-1] == "record_updates"
    for mapping in all_mappings().values():
        for before in mapping.after:
            assert order.index(before) < order.index(mapping.kind), mapping.kind


def test_ambiguous_file_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    companies = get_mapping("companies")
    monkeypatch.setattr(type(companies), "matches_file", lambda self, path: True)
    with pytest.raises(InvalidInput, match="several registry kinds"):
        kind_for_file(Path("x.csv"))
