"""R5 — bribery in procurement."""

from __future__ import annotations

from datetime import date

from tests.analysis.helpers import conviction, holds, measures, names, officer, rep, route, world

BAN = ("bidding_ban", "R5")


def _briber(party: str, closed_on: str = "2023-05-10") -> dict[str, list[dict[str, object]]]:
    return {party: [conviction("K", party, "briber", closed_on)]}


def test_company_briber_itself() -> None:
    found = measures(world("C", records=_briber("C")))
    assert names(found, "C") == {("briber_conviction", None), BAN}
    assert route(next(m for m in found["C"] if m.rule == "R5")) == ["C"]


def test_legal_rep_briber() -> None:
    found = measures(world("C", "P", _briber("P"), [rep("P", "C")]))
    assert names(found, "C") == {BAN}
    assert names(found, "P") == {("briber_conviction", None)}  # a person gets no bidding_ban
    (ban,) = found["C"]
    assert ban.until == date(2028, 5, 9)


def test_controller_briber_through_a_chain() -> None:
    rels = [
        holds("P", "H", 60),
        holds("H", "C", 75),
        officer("Q", "D", "actual_controller"),
        holds("C", "E", 50),
    ]
    found = measures(world("HCDE", "PQ", {**_briber("P"), **_briber("Q")}, rels))
    assert all(BAN in names(found, c) for c in "HCD")
    assert route(next(m for m in found["C"] if m.rule == "R5")) == ["P", "H", "C"]
    # 50% is no control; but it is enough for R3 (bribers are serious dishonesty records)
    assert names(found, "E") == {("enhanced_supervision", "R3")}


def test_company_briber_controls_its_subsidiary() -> None:
    found = measures(world("AB", records=_briber("A"), rels=[holds("A", "B", 51)]))
    assert names(found, "B") == {BAN, ("enhanced_supervision", "R3")}


def test_conviction_older_than_five_years_or_bribe_taker() -> None:
    assert measures(world("C", "P", _briber("P", "2021-11-26"), [rep("P", "C")])) == {}
    taker = {"P": [conviction("K", "P", "bribe_taker", "2023-05-10")]}
    assert "C" not in measures(world("C", "P", taker, [rep("P", "C")]))


def test_no_chain_through_a_legal_rep_of_a_holder() -> None:
    # P represents H, H owns C: P is no controller of C, and C's legal rep is not P
    found = measures(world("HC", "P", _briber("P"), [rep("P", "H"), holds("H", "C", 100)]))
    assert names(found, "H") == {BAN}
    assert "C" not in found
