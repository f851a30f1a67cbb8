"""R2 — persons named in a tax-violation case; R6 — officials."""

from __future__ import annotations

from datetime import date

from tests.analysis.helpers import conviction, measures, names, world

R2 = {("officer_ban", "R2"), ("exit_review", "R2")}


def _tax(**more: object) -> dict[str, object]:
    return {
        "kind": "tax_violation",
        "ref": "SW-1",
        "start": "2025-03-15",
        "end": "2028-03-15",
        "named_legal_rep_id": "L",
        "named_finance_officer_id": "F",
        **more,
    }


def test_named_legal_rep_and_finance_officer() -> None:
    found = measures(world("C", "LF", {"C": [_tax()]}))
    assert names(found, "L") == names(found, "F") == R2
    assert names(found, "C") == {("tax_violation", None)}
    ban = next(m for m in found["F"] if m.measure == "officer_ban")
    assert [(h.party_id, h.relation, h.role) for h in ban.path] == [
        ("C", None, None),
        ("F", "NAMED_IN", "finance_officer"),
    ]
    assert ban.until == date(2028, 3, 14)


def test_repaired_or_expired_case_names_nobody() -> None:
    assert measures(world("C", "LF", {"C": [_tax(voided_on="2024-01-10")]})) == {}
    assert measures(world("C", "LF", {"C": [_tax(end="2026-11-26")]})) == {}


def test_person_named_in_both_roles_gets_the_measures_once() -> None:
    found = measures(world("C", "L", {"C": [_tax(named_finance_officer_id="L")]}))
    assert len(found["L"]) == 2
    assert {m.path[-1].role for m in found["L"]} == {"legal_rep"}


def test_named_person_unknown_to_the_graph_is_still_measured() -> None:
    found = measures(world("C", records={"C": [_tax()]}))
    assert names(found, "L") == R2
    assert found["L"][0].path[-1].name is None


# --- R6 ---------------------------------------------------------------------------------------


def _intervention(occurred_on: str, category: str = "intervention") -> dict[str, object]:
    # category: the interventions registry's 类别 (干预 intervention, 过问 inquiry)
    return {"kind": "intervention", "ref": "GY-1", "category": category, "start": occurred_on}


def _official(category: str, **more: object) -> dict[str, object]:
    return {
        "kind": "official_record",
        "ref": f"GWY-{category}",
        "category": category,
        "start": "2025-01-01",
        **more,
    }


def test_intervention_in_the_last_five_years() -> None:
    (review,) = measures(world(persons="O", records={"O": [_intervention("2021-11-27")]}))["O"]
    assert (review.measure, review.rule, review.until) == (
        "promotion_review",
        "R6",
        date(2026, 11, 26),
    )
    assert measures(world(persons="O", records={"O": [_intervention("2021-11-26")]})) == {}


def test_discipline_and_violation_while_active() -> None:
    records = {
        "A": [_official("discipline")],
        "B": [_official("violation", end="2026-11-26")],
        "C": [_official("appraisal")],
        "D": [_official("discipline", voided_on="2026-01-01")],
    }
    found = measures(world(persons="ABCD", records=records))
    assert names(found, "A") == {("official_discipline", None), ("promotion_review", "R6")}
    assert found.keys() == {"A"}


def test_bribe_taker_counts_as_a_violation_for_five_years() -> None:
    records = {"T": [conviction("K", "T", "bribe_taker", "2022-11-30")]}
    found = measures(world(persons="T", records=records))
    assert names(found, "T") == {("official_discipline", None), ("promotion_review", "R6")}
    assert {m.until for m in found["T"]} == {date(2027, 11, 29)}
    assert measures(world(persons="T", records=records), as_of=date(2027, 11, 30)) == {}
