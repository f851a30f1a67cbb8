"""R1 — responsible persons of a company with an active dishonest-debtor listing."""

from __future__ import annotations

from datetime import date

from graph_service.analysis.control import controllers
from graph_service.policy import default_catalog
from tests.analysis.helpers import (
    AS_OF,
    branch,
    debtor,
    holds,
    measures,
    names,
    officer,
    rep,
    route,
    world,
)

R1 = {("high_consumption_ban", "R1"), ("officer_ban", "R1")}
LISTED = {"C": [debtor("X|C")]}


def test_legal_rep_and_principal_get_both_measures() -> None:
    graph = world(
        "C",
        "LPM",
        LISTED,
        [rep("L", "C"), officer("P", "C", "principal"), officer("M", "C", "manager")],
    )
    found = measures(graph)
    assert names(found, "L") == names(found, "P") == R1
    assert "M" not in found  # a manager is not a responsible person under R1
    (ban, _) = found["P"]
    assert [(h.party_id, h.relation, h.role) for h in ban.path] == [
        ("C", None, None),
        ("P", "OFFICER_OF", "principal"),
    ]
    assert ban.basis.startswith("《最高人民法院关于限制被执行人高消费")


def test_controller_needs_more_than_half() -> None:
    graph = world(
        "C", "ABE", LISTED, [holds("A", "C", 50.01), holds("B", "C", 49.99), holds("E", "C", 0)]
    )
    found = measures(graph)
    assert names(found, "A") == R1
    assert "B" not in found
    graph = world("C", "AB", LISTED, [holds("A", "C", 50), holds("B", "C", 50)])
    assert measures(graph).keys() == {"C"}  # exactly 50% controls nothing


def test_rows_of_one_holder_add_up() -> None:
    graph = world("C", "A", LISTED, [holds("A", "C", 30), holds("A", "C", 21)])
    assert names(measures(graph), "A") == R1


def test_controllers_through_a_chain_of_majority_owned_companies() -> None:
    # P holds 80% of H, H 60% of C; Q is the actual controller of H (a controller of C's
    # controller); H, a company, is a controller too but R1 reaches persons only
    graph = world(
        "CH",
        "PQ",
        LISTED,
        [holds("P", "H", 80), holds("H", "C", 60), officer("Q", "H", "actual_controller")],
    )
    found = measures(graph)
    assert names(found, "P") == names(found, "Q") == R1
    assert "H" not in found
    assert route(found["P"][0]) == ["C", "H", "P"]
    assert [h.stake_pct for h in found["P"][0].path] == [None, 60.0, 80.0]


def test_chain_broken_by_a_non_majority_link() -> None:
    graph = world("CH", "P", LISTED, [holds("P", "H", 100), holds("H", "C", 50)])
    assert "P" not in measures(graph)


def test_stakes_that_ended_do_not_control() -> None:
    ended = [
        holds("A", "C", 70, until="2026-11-26"),
        officer("B", "C", "actual_controller", until="2025-01-01"),
    ]
    assert measures(world("C", "AB", LISTED, ended)).keys() == {"C"}
    future = [holds("A", "C", 70, since="2026-11-27")]
    assert measures(world("C", "A", LISTED, future)).keys() == {"C"}


def test_until_is_the_earliest_end_along_the_longest_lived_chain() -> None:
    rels = [
        holds("P", "H", 80, until="2027-01-01"),
        holds("H", "C", 60),
        officer("P", "C", "actual_controller", until="2028-03-01"),
    ]
    (ban, _) = measures(world("CH", "P", {"C": [debtor("X|C", end="2030-01-01")]}, rels))["P"]
    assert route(ban) == ["C", "P"]  # the direct role outlives the chain through H
    assert ban.until == date(2028, 2, 29)


def test_listing_that_ended_on_the_as_of_date_gives_nothing() -> None:
    records = {"C": [debtor("X|C", end="2026-11-26")]}
    assert measures(world("C", "L", records, [rep("L", "C")])) == {}


def test_a_listed_person_is_no_entity_and_starts_no_r1() -> None:
    graph = world("C", "P", {"P": [debtor("X|P")]}, [holds("P", "C", 100)])
    found = measures(graph)
    assert names(found, "P") == {("dishonest_debtor", None)}


def test_branch_inherits_the_listing_but_its_principal_gets_no_r1() -> None:
    # derived measures never start R1: the branch's listing is its parent's
    graph = world("CB", "W", LISTED, [branch("B", "C"), rep("W", "B")])
    found = measures(graph)
    assert names(found, "B") == {("dishonest_debtor", "R4")}
    assert "W" not in found


def test_one_measure_per_record_even_with_several_roles() -> None:
    rels = [rep("L", "C"), officer("L", "C", "principal"), holds("L", "C", 90)]
    found = measures(world("C", "L", {"C": [debtor("X|C"), debtor("Y|C")]}, rels))
    assert len(found["L"]) == 4  # two measures × two listings, one path each
    assert {h.relation for m in found["L"] for h in m.path[1:]} == {"LEGAL_REP_OF"}


def test_controllers_on_an_ownership_cycle() -> None:
    graph = world("AB", "P", rels=[holds("A", "B", 60), holds("B", "A", 60), holds("P", "A", 40)])
    found = controllers(graph, "A", default_catalog().control, AS_OF)
    assert sorted(found) == ["B"]  # A is not its own controller; P holds 40% only
