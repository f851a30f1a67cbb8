"""The demo world that ``credit-graph run`` loads into an empty graph.

It lives in the CLI because it joins the generator, the ingest engine (``loaders``) and the
propagation: only the command line may import ``loaders`` from ``graph_service``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from graph_service.db import Database
from graph_service.propagation import runner
from graph_service.synthetic.world import generate_world
from loaders.engine import LoadOptions, load_directory

#: Size and seed of the demo world: big enough to explore, small enough to load in seconds.
DEMO_PARTIES = 2_000
DEMO_SEED = 1


def load_demo_if_empty(db: Database, parties: int = DEMO_PARTIES) -> int:
    """Generates and loads a synthetic world when the graph holds no data, then propagates.

    Returns the rows loaded (0 when the graph already had data).
    """
    rows = db.read("meta/count_nodes")
    if rows and rows[0]["nodes"]:
        return 0
    with tempfile.TemporaryDirectory(prefix="credit-graph-demo-") as folder:
        out = Path(folder)
        generate_world(parties, DEMO_SEED, out / "world")
        options = LoadOptions(reject_dir=out / "rejects")
        summaries = load_directory(db, out / "world", options)
    runner.run_full(db)
    return sum(s.loaded for s in summaries)
