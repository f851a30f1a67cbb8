"""The three reads of parties give the same rows but for the relationships (issue 15 item 3).

``propagation/read_parties_by_id`` (full runs, the export) reads everything; an incremental
run's measures read ``propagation/read_scope_parties`` (no shared contacts: measures never
follow them) and its risk update ``propagation/risk_links`` (each party beside its links, in
a shape of their own). Three statements kept in step by hand: a column added to one alone,
or a relationship type dropped from the wrong one, is seen here.
"""

from __future__ import annotations

from pathlib import Path

from graph_service.db import Database, Row
from graph_service.propagation import store
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "registries"


def rows_by_id(rows: list[Row]) -> dict[str, Row]:
    """Rows by party id."""
    return {str(row["party_id"]): row for row in rows}


def test_the_narrower_reads_are_the_full_read_less_relationships(
    db: Database, tmp_path: Path
) -> None:
    # Arrange: the sample world, with shared contacts
    load_directory(db, FIXTURES, LoadOptions(reject_dir=tmp_path))
    (row,) = db.read_plain("propagation/party_ids")
    ids: list[str] = row["ids"]

    # Act
    everything = rows_by_id(store.read_rows(db, ids, store.EVERYTHING))
    for_measures = rows_by_id(store.read_rows(db, ids, store.FOR_MEASURES))
    risk = {party: got.party for party, got in store.Neo4jRiskData(db).links(set(ids)).items()}

    # Assert: every party in each; the same but for the shared contacts, or for every edge
    shared = [
        e for row in everything.values() for e in row["edges"] if e["type"] == "SHARES_CONTACT"
    ]
    assert shared and set(everything) == set(for_measures) == set(risk) == set(ids)
    for party, full in everything.items():
        rule_edges = [e for e in full["edges"] if e["type"] != "SHARES_CONTACT"]
        assert for_measures[party] == {**full, "edges": rule_edges}
        assert risk[party] == {k: v for k, v in full.items() if k != "edges"}
