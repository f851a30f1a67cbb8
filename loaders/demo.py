"""The demo world that ``credit-graph run`` loads into an empty graph."""

from __future__ import annotations

from graph_service.db import Database


def load_demo_if_empty(db: Database) -> int:
    """Loads the demo world when the graph holds no data; returns the rows loaded (0 if not)."""
    rows = db.read("meta/count_nodes")
    if rows and rows[0]["nodes"]:
        return 0
    return 0  # replaced by the loader engine (issue 3)
