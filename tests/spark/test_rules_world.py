"""One world made of the rules' own examples (the doctests of analysis/: R1 through a chain
and an officer, R2, R3 at exactly 50 % and through a cycle, R4 down a branch of a branch, R5
by a controlled chain, R6, risk over a shared contact) side by side, so that a change to any
rule of the Spark engine shows in one run: the random worlds draw few examples."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph_service.analysis import build_graph
from tests.spark.equal import assert_equal, both

DAY = date(2026, 11, 26)


def _rec(kind: str, ref: str, start: str = "2021-06-01", **more: Any) -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "start": start, **more}


def _rel(kind: str, source: str, target: str, **more: Any) -> dict[str, Any]:
    return {"type": kind, "source": source, "target": target, **more}


PARTIES: list[dict[str, Any]] = [
    # R1: a listed company, its legal rep, a 51% holder company held 80% by a person
    {
        "party_id": "C1",
        "kind": "company",
        "name": "甲",
        "records": [_rec("dishonest_debtor", "X|C1")],
    },
    {"party_id": "L1", "kind": "person", "name": "法人"},
    {"party_id": "H1", "kind": "company", "name": "控股"},
    {"party_id": "P1", "kind": "person", "name": "老板"},
    {"party_id": "O1", "kind": "person", "name": "负责人"},
    # R2: a tax case naming a legal rep and a finance officer
    {
        "party_id": "T2",
        "kind": "company",
        "name": "税",
        "records": [
            _rec(
                "tax_violation",
                "T2",
                "2025-01-01",
                end="2027-01-01",
                named_legal_rep_id="L2",
                named_finance_officer_id="F2",
            )
        ],
    },
    {"party_id": "L2", "kind": "person", "name": "法人二"},
    {"party_id": "F2", "kind": "person", "name": "财务"},
    # R3: exactly 50 %, an indirect holding through a listed-controlled company, a cycle
    {"party_id": "L3", "kind": "person", "records": [_rec("blacklist", "B3", "2024-01-01")]},
    *({"party_id": f"{c}3", "kind": "company"} for c in "ABCDS"),
    # R4: a branch of a branch of a listed company
    {
        "party_id": "P4",
        "kind": "company",
        "name": "总公司",
        "records": [_rec("tax_violation", "T4", "2025-01-01", end="2027-01-01")],
    },
    {"party_id": "B4", "kind": "company", "name": "分公司"},
    {"party_id": "BB4", "kind": "company", "name": "分公司的分支"},
    # R5: a briber, the company it represents, and a chain it controls
    {
        "party_id": "K5",
        "kind": "person",
        "name": "行贿人",
        "records": [_rec("bribery_conviction", "K5", "2023-01-02", role="briber")],
    },
    *({"party_id": f"{c}5", "kind": "company"} for c in "ABC"),
    # R6: an official with a discipline record and one with an intervention
    {
        "party_id": "G6",
        "kind": "person",
        "records": [_rec("official_record", "G6", "2024-01-01", category="discipline")],
    },
    {
        "party_id": "I6",
        "kind": "person",
        "records": [_rec("intervention", "I6", "2022-01-01", category="intervention")],
    },
    # risk: a contact shared with the listed company
    {"party_id": "Q7", "kind": "company"},
]
RELATIONSHIPS = [
    _rel("LEGAL_REP_OF", "L1", "C1"),
    _rel("HOLDS_SHARES", "H1", "C1", stake_pct=51),
    _rel("HOLDS_SHARES", "P1", "H1", stake_pct=80, until="2027-01-01"),
    _rel("OFFICER_OF", "O1", "C1", role="principal"),
    _rel("OFFICER_OF", "P1", "C1", role="actual_controller", until="2028-01-01"),
    _rel("HOLDS_SHARES", "L3", "A3", stake_pct=50),
    _rel("HOLDS_SHARES", "A3", "B3", stake_pct=30),
    _rel("HOLDS_SHARES", "L3", "B3", stake_pct=20),
    _rel("HOLDS_SHARES", "B3", "C3", stake_pct=60),
    _rel("HOLDS_SHARES", "C3", "D3", stake_pct=49.99),
    _rel("HOLDS_SHARES", "C3", "B3", stake_pct=40),
    _rel("HOLDS_SHARES", "L3", "S3", stake_pct=30, until="2027-06-01"),
    _rel("HOLDS_SHARES", "L3", "S3", stake_pct=25),
    _rel("BRANCH_OF", "B4", "P4"),
    _rel("BRANCH_OF", "BB4", "B4", until="2026-12-15"),
    _rel("LEGAL_REP_OF", "K5", "A5"),
    _rel("HOLDS_SHARES", "K5", "B5", stake_pct=50.01),
    _rel("HOLDS_SHARES", "B5", "C5", stake_pct=100),
    _rel("SHARES_CONTACT", "Q7", "C1", via="phone:1"),
    _rel("OFFICER_OF", "P1", "Q7", role="director"),
]


def test_the_rules_examples_equal_networkx(spark: Any) -> None:
    graph = build_graph(PARTIES, RELATIONSHIPS)
    nx_result, spark_result = both(spark, graph, DAY)
    rules = {m.rule for ms in nx_result.measures.values() for m in ms}
    assert rules >= {None, "R1", "R2", "R3", "R4", "R5", "R6"}  # every rule is exercised
    assert_equal(nx_result, spark_result)
