"""The input graph, affected components, explanations and peripheral risk."""

from __future__ import annotations

import json
from datetime import date

import pytest

from graph_service.analysis import (
    affected_component,
    build_graph,
    compute_measures,
    graph_from_rows,
    peripheral_risk,
)
from graph_service.analysis.graph import as_date
from graph_service.errors import InvalidInput
from graph_service.policy import default_catalog
from tests.analysis import sample_world
from tests.analysis.helpers import (
    AS_OF,
    blacklist,
    branch,
    contact,
    debtor,
    holds,
    measures,
    officer,
    rep,
    world,
)


def test_build_graph_refuses_what_it_cannot_map() -> None:
    with pytest.raises(InvalidInput, match="kind company\\|person"):
        build_graph([{"party_id": "X", "kind": "robot"}], [])
    with pytest.raises(InvalidInput, match="unknown relationship type 'OWNS'"):
        world("AB", rels=[{"type": "OWNS", "source": "A", "target": "B"}])
    with pytest.raises(InvalidInput, match="party not given"):
        world("A", rels=[holds("A", "Z", 10)])
    with pytest.raises(InvalidInput, match="kind and a ref"):
        world("A", records={"A": [{"kind": "blacklist", "start": "2024-01-01"}]})
    with pytest.raises(InvalidInput, match="not a date"):
        as_date("26/11/2026")


def test_parallel_edges_keep_their_type_in_the_key() -> None:
    graph = world(
        "C",
        "P",
        rels=[
            officer("P", "C", "chair"),
            officer("P", "C", "principal"),
            officer("P", "C", "actual_controller"),
        ],
    )
    assert sorted(graph["P"]["C"]) == ["OFFICER_OF", "OFFICER_OF#2", "OFFICER_OF#3"]


def test_affected_component_follows_rule_relations_and_named_persons() -> None:
    tax = {"kind": "tax_violation", "ref": "T", "start": "2025-01-01", "named_legal_rep_id": "N"}
    graph = world(
        "ABCDE",
        "PN",
        {"E": [tax]},
        [
            holds("P", "A", 10, until="2001-01-01"),
            rep("P", "B"),
            branch("C", "B"),
            contact("C", "D"),
        ],
    )
    assert affected_component(graph, ["A"]) == {"A", "B", "C", "P"}  # whatever the dates
    assert affected_component(graph, ["N"]) == {"E", "N"}
    assert affected_component(graph, ["D"]) == {"D"}  # shared contacts change no measure
    assert affected_component(graph, ["gone"]) == {"gone"}


def test_measure_as_dict_and_key() -> None:
    graph = world("C", "L", {"C": [debtor("X|C")]}, [rep("L", "C")])
    ban = measures(graph)["L"][0]
    data = ban.as_dict()
    assert data["key"] == ban.key and len(ban.key) == 32
    assert data["record"]["record_key"] == "dishonest_debtor:X|C"
    assert json.loads(json.dumps(data["path"])) == [
        {"party_id": "C", "name": "C", "relation": None, "stake_pct": None, "role": None},
        {"party_id": "L", "name": "L", "relation": "LEGAL_REP_OF", "stake_pct": None, "role": None},
    ]
    assert measures(graph)["L"][0].key == ban.key  # stable across runs


def test_peripheral_risk_decays_and_ignores_inactive_relationships() -> None:
    rels = [
        holds("L", "A", 5),
        officer("P", "A", "director"),
        holds("Q", "A", 5, until="2026-11-26"),
        contact("A", "B"),
    ]
    graph = world("AB", "LPQ", {"L": [blacklist("B-L")]}, rels)
    risk = peripheral_risk(graph, default_catalog(), AS_OF)
    assert risk == {"A": 0.5, "B": 0.125, "L": 1.0, "P": 0.2}


def test_peripheral_risk_never_changes_a_decision() -> None:
    graph = world("A", "L", {"L": [blacklist("B-L")]}, [holds("L", "A", 10)])
    assert "A" not in measures(graph)
    assert peripheral_risk(graph, default_catalog(), AS_OF)["A"] == 0.5


def test_risk_below_the_cut_off_is_dropped() -> None:
    chain = [holds(a, b, 10) for a, b in zip("ABCDEFGH", "BCDEFGHI", strict=False)]
    graph = world("ABCDEFGHI", records={"A": [blacklist("B-A")]}, rels=chain)
    risk = peripheral_risk(graph, default_catalog(), date(2026, 11, 26))
    assert risk["G"] == 0.5**6  # 0.015625: still above 0.01
    assert "H" not in risk  # 0.5**7 is not


def test_rows_of_the_read_query_give_the_same_graph() -> None:
    """The reader's row shape (named persons, convictions, outgoing edges) maps 1:1."""
    rows = []
    rels = sample_world.relationships()
    for party in sample_world.parties():
        records, convictions = [], []
        for record in party["records"]:
            if record["kind"] == "bribery_conviction":
                convictions.append(
                    {
                        "case_no": record["ref"],
                        "role": record["role"],
                        "closed_on": record["start"],
                        "court": record["authority"],
                    }
                )
                continue
            named = [
                {"party_id": record.pop(f"named_{role}_id"), "role": role}
                for role in ("legal_rep", "finance_officer")
                if f"named_{role}_id" in record
            ]
            records.append({**record, "named": named})
        edges = [
            {k: v for k, v in r.items() if k != "source"}
            for r in rels
            if r["source"] == party["party_id"]
        ]
        rows.append({**party, "records": records, "convictions": convictions, "edges": edges})
    expected = build_graph(sample_world.parties(), sample_world.relationships())
    found = compute_measures(graph_from_rows(rows), default_catalog(), AS_OF)
    assert found == compute_measures(expected, default_catalog(), AS_OF)
    assert len(found) == 11
