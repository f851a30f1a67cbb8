"""Publication periods (due process §1): month arithmetic, the end day itself, each kind and
class of the catalog, a changed catalog, ``ended_by: period`` and the why-not facts that depend
on periods and objections."""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph_service.analysis.activity import activate, add_months, ended, period_end
from graph_service.analysis.why_not import why_not
from graph_service.errors import PolicyError
from graph_service.policy import Catalog, default_catalog, parse_catalog
from loaders.engine import LoadOptions, load_file
from tests.analysis.helpers import debtor, measures, names, rep, world


@cache
def _packaged() -> dict[str, Any]:
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _changed(**periods: Any) -> Catalog:
    data = copy.deepcopy(_packaged())
    data["due_process"]["periods"].update(periods)
    return parse_catalog(data, "test")


def _penalty(severity: str | None, start: date, **more: Any) -> dict[str, Any]:
    record = {"kind": "admin_penalty", "ref": "P", "record_key": "admin_penalty:P", "start": start}
    return {**record, **({"severity": severity} if severity else {}), **more}


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 8, 31), 3, date(2025, 11, 30)),  # 11-31 does not exist: the month's last
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # a leap year's February
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # over the year's end
        (date(2025, 2, 10), 36, date(2028, 2, 10)),
    ],
)
def test_start_plus_months_is_the_same_day_or_the_months_last(
    start: date, months: int, end: date
) -> None:
    assert add_months(start, months) == end


def test_the_policys_example_a_general_penalty_is_active_up_to_the_day_before() -> None:
    penalty = _penalty("general", date(2025, 2, 10))
    assert activate(penalty, default_catalog(), date(2026, 2, 9)) is not None
    assert activate(penalty, default_catalog(), date(2026, 2, 10)) is None  # the end day itself


def test_the_end_day_of_a_month_end_is_not_active() -> None:
    penalty = _penalty("minor", date(2025, 8, 31))  # 3 months: ends 2025-11-30
    assert activate(penalty, default_catalog(), date(2025, 11, 29)) is not None
    assert activate(penalty, default_catalog(), date(2025, 11, 30)) is None


@pytest.mark.parametrize(
    ("record", "end"),
    [
        (_penalty("minor", date(2025, 1, 1)), date(2025, 4, 1)),
        (_penalty("general", date(2025, 1, 1)), date(2026, 1, 1)),
        (_penalty("serious", date(2025, 1, 1)), date(2028, 1, 1)),
        (_penalty(None, date(2025, 1, 1)), date(2026, 1, 1)),  # no severity: as general
        ({"kind": "tax_violation", "ref": "T", "start": date(2022, 3, 15)}, date(2025, 3, 15)),
        ({"kind": "blacklist", "ref": "B", "start": date(2023, 5, 1)}, date(2026, 5, 1)),
        ({"kind": "dishonest_debtor", "ref": "X", "start": date(2015, 1, 1)}, None),  # court's
        ({"kind": "red_list", "ref": "R", "start": date(2015, 1, 1)}, None),
    ],
)
def test_each_kind_and_class_has_the_catalogs_period(
    record: dict[str, Any], end: date | None
) -> None:
    assert period_end(record, default_catalog()) == end


def test_an_earlier_own_end_wins_and_says_expired() -> None:
    penalty = _penalty("serious", date(2025, 1, 1), end=date(2026, 1, 1))
    found = ended(penalty, default_catalog(), date(2026, 6, 1))
    assert found is not None and found[:2] == ("expired", date(2026, 1, 1))


def test_a_period_that_runs_first_says_period_with_its_day() -> None:
    penalty = _penalty("general", date(2025, 2, 10), end=date(2027, 1, 1))
    found = ended(penalty, default_catalog(), date(2026, 6, 1))
    assert found is not None and found[:2] == ("period", date(2026, 2, 10))
    assert ended(penalty, default_catalog(), date(2026, 2, 9)) is None


def test_a_changed_catalog_changes_when_records_end() -> None:
    penalty = _penalty("general", date(2025, 2, 10))
    longer = _changed(admin_penalty={**_packaged()["due_process"]["periods"]["admin_penalty"],
                                     "general": {"min_months": 3, "max_months": 24}})  # fmt: skip
    assert activate(penalty, default_catalog(), date(2026, 3, 1)) is None
    assert activate(penalty, longer, date(2026, 3, 1)) is not None


def test_direct_measures_end_with_the_period() -> None:
    graph = world("C", records={"C": [{"kind": "tax_violation", "ref": "T1",
                                       "start": "2024-01-10"}]})  # fmt: skip
    (measure,) = measures(graph, date(2026, 11, 26))["C"]
    assert measure.until == date(2027, 1, 9)  # the day before start + 36 months
    assert names(measures(graph, date(2027, 1, 10)), "C") == set()


@pytest.mark.parametrize(
    ("periods", "problem"),
    [
        ({"admin_penalty": {"default": {"min_months": 13, "max_months": 12}}}, "min_months 13 >"),
        (
            {
                "admin_penalty": {
                    "grave": {"min_months": 0, "max_months": 1},
                    "default": {"min_months": 0, "max_months": 1},
                }
            },
            "unknown class",
        ),
        ({"tax_violations": {"default": {"min_months": 0, "max_months": 1}}}, "unknown record"),
        ({"blacklist": {"general": {"min_months": 0, "max_months": 1}}}, "needs a `default`"),
        ({"blacklist": {"default": {"min_months": 0, "max_months": 0}}}, "max_months"),
    ],
)
def test_a_bad_period_is_refused_naming_the_place(periods: dict[str, Any], problem: str) -> None:
    with pytest.raises(PolicyError, match=problem):
        _changed(**periods)


# --- why not: period and objection_upheld ---------------------------------------------------------


def test_why_not_names_a_record_ended_by_its_period() -> None:
    graph = world("C", "L", {"C": [{"kind": "tax_violation", "ref": "T1", "start": "2022-03-15",
                                    "named_legal_rep_id": "L"}]}, [rep("L", "C")])  # fmt: skip
    answer = why_not(graph, default_catalog(), "C", "bidding", date(2026, 11, 26))
    (fact,) = [f for f in answer.facts if f.kind == "record_ended"]
    assert fact.details["ended_by"] == "period" and fact.ended_on == date(2025, 3, 15)
    assert "was period on 2025-03-15" in fact.explanation


def test_why_not_names_an_upheld_objection() -> None:
    upheld = {"status": "revoked", "effective_on": "2026-11-20", "source": "objection",
              "objection_id": "o-1"}  # fmt: skip
    record = {**debtor("X|C"), "voided_on": "2026-11-20", "status": "revoked",
              "updates": [upheld]}  # fmt: skip
    graph = world("C", records={"C": [record]})
    answer = why_not(graph, default_catalog(), "C", "bidding", date(2026, 11, 26))
    (fact,) = answer.facts
    assert fact.kind == "objection_upheld" and fact.details["objection_id"] == "o-1"
    assert fact.details["ended_by"] == "revoked" and fact.ended_on == date(2026, 11, 20)
    assert "objection o-1 was upheld" in fact.explanation


def test_a_revocation_from_the_registry_stays_record_ended() -> None:
    update = {"status": "revoked", "effective_on": "2026-11-20"}
    record = {**debtor("X|C"), "voided_on": "2026-11-20", "status": "revoked",
              "updates": [update]}  # fmt: skip
    answer = why_not(world("C", records={"C": [record]}), default_catalog(), "C", "bidding",
                     date(2026, 11, 26))  # fmt: skip
    assert [f.kind for f in answer.facts] == ["record_ended"]


def test_an_unknown_penalty_class_is_a_reject_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "admin_penalties.csv"
    path.write_text(
        "decision_no,party_id,severity,decided_on\n"
        "P-1,91130102RG8E64XKKR,严厉,2026-01-05\n"
        "P-2,91130102RG8E64XKKR,一般,2026-01-05\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    summary = load_file(
        None, "admin_penalties", path, LoadOptions(reject_file=rejects, dry_run=True)
    )
    assert (summary.rejected, summary.read) == (1, 2)
    text = rejects.read_text(encoding="utf-8-sig")
    assert "severity" in text and "general, minor, serious" in text
