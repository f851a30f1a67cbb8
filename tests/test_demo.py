"""`credit-graph run`'s demo world: generated, loaded and propagated into an empty graph only."""

from __future__ import annotations

from graph_service.cli.demo_world import load_demo_if_empty
from graph_service.db import Database


def test_demo_world_loads_into_an_empty_graph_once(db: Database) -> None:
    loaded = load_demo_if_empty(db, parties=300)
    assert loaded > 300
    assert db.read("meta/count_nodes")[0]["nodes"] > 300
    assert db.read("propagation/last_runs", limit=1)[0]["run"]["mode"] == "full"
    assert load_demo_if_empty(db, parties=300) == 0
