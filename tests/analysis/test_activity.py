"""§1: when a record is active, and what each record kind gives directly (§2)."""

from __future__ import annotations

from datetime import date

import pytest

from graph_service.analysis.activity import add_years, is_active, record_end
from graph_service.errors import PolicyError
from tests.analysis.helpers import blacklist, conviction, measures, names, world

D = date(2026, 11, 26)


def _record(**dates: date | None) -> dict[str, object]:
    return {"kind": "blacklist", "ref": "B", **dates}


@pytest.mark.parametrize(
    ("dates", "active"),
    [
        ({"start": D}, True),  # the start day itself is active
        ({"start": date(2026, 11, 27)}, False),  # not yet
        ({"start": None}, False),  # no start: never active
        ({"start": date(2020, 1, 1), "end": D}, False),  # expires on the as-of date itself
        ({"start": date(2020, 1, 1), "end": date(2026, 11, 27)}, True),
        ({"start": date(2020, 1, 1), "voided_on": D}, False),  # repaired that day
        ({"start": date(2020, 1, 1), "voided_on": date(2026, 11, 27)}, True),  # repaired later
    ],
)
def test_active_on_a_date(dates: dict[str, date | None], active: bool) -> None:
    assert is_active(_record(**dates), D) is active


def test_corrected_status_changes_nothing() -> None:
    # `corrected` never sets voided_on; only repaired / revoked / removed do.
    assert is_active({**_record(start=date(2020, 1, 1)), "status": "corrected"}, D)


def test_active_years_end_five_years_after_start() -> None:
    closed = {"start": date(2021, 11, 26)}
    assert record_end(closed, 5) == D
    assert not is_active(closed, D, 5)
    assert is_active({"start": date(2021, 11, 27)}, D, 5)


def test_leap_day_moves_to_first_of_march() -> None:
    assert add_years(date(2020, 2, 29), 5) == date(2025, 3, 1)


def test_direct_measures_per_kind_and_variant() -> None:
    records = {
        "S": [{"kind": "admin_penalty", "ref": "P1", "severity": "serious", "start": "2026-01-01"}],
        # a minor penalty is published 3 months (due_process.periods): started within them
        "G": [{"kind": "admin_penalty", "ref": "P2", "severity": "minor", "start": "2026-10-01"}],
        "U": [{"kind": "admin_penalty", "ref": "P3", "start": "2026-01-01"}],  # no severity
        "T": [{"kind": "tax_violation", "ref": "T1", "start": "2026-01-01"}],
        "B": [blacklist("B1")],
        "R": [{"kind": "red_list", "ref": "R1", "list": "a_grade_taxpayer", "start": "2025-01-01"}],
        "O": [{"kind": "official_record", "ref": "O1", "category": "award", "start": "2025-01-01"}],
    }
    found = measures(world("SGUTBRO", records=records))
    assert names(found, "S") == {("admin_penalty_serious", None)}
    assert names(found, "G") == names(found, "U") == {("admin_penalty_general", None)}
    assert names(found, "T") == {("tax_violation", None)}
    assert names(found, "B") == {("blacklist", None)}
    assert "R" not in found and "O" not in found  # red list and awards restrict nobody


def test_direct_measure_until_is_the_day_before_the_end() -> None:
    # started so that its 3-year publication period (due_process.periods) ends after its end
    graph = world("B", records={"B": [blacklist("B1", start="2025-01-01", end="2027-09-01")]})
    (measure,) = measures(graph)["B"]
    assert measure.until == date(2027, 8, 31)
    assert measure.record.end == date(2027, 9, 1)
    assert measure.origin == "direct" and measure.rule is None
    assert [hop.party_id for hop in measure.path] == ["B"]


def test_briber_conviction_older_than_five_years_gives_nothing() -> None:
    old = {"P": [conviction("K1", "P", "briber", "2021-11-26")]}
    assert measures(world(persons="P", records=old)) == {}
    recent = {"P": [conviction("K1", "P", "briber", "2021-11-27")]}
    (measure,) = measures(world(persons="P", records=recent))["P"]
    assert (measure.measure, measure.until) == ("briber_conviction", date(2026, 11, 26))
    assert measure.record.end == date(2026, 11, 27)


def test_undeclared_record_kind_is_an_error() -> None:
    graph = world("C", records={"C": [{"kind": "gossip", "ref": "G1", "start": "2026-01-01"}]})
    with pytest.raises(PolicyError, match="gossip"):
        measures(graph)
