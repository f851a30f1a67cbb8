"""One plan a load statement, whatever the size of the batch (issue 15 item 2).

Neo4j 5 caches a plan per order of magnitude of each top-level list parameter's size, so
``UNWIND $rows`` was planned again for a file of 30 rows after one of 3 (and a 10-row file
paid a fresh plan of ``load/records`` that a 3,000-row file had made). The load statements
take their rows inside a map (``graph_service/db.py``: ``unsized``), which has no size for
the planner. Counted with ``db.clearQueryCaches()``, whose message says how many plans it
dropped.
"""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

from graph_service.db import Database
from tests.loaders.conftest import cached_plans, load, make_uscc, write

DEBTORS_HEADER = (
    "case_no,court_name,debtor_id,debtor_name,legal_rep_name,obligation,performance,"
    "behaviour,published_on,removed_on\n"
)


def debtors(rows: int, rng: random.Random) -> Path:
    """A dishonest-debtor file of ``rows`` new listings, each at a company the graph lacks."""
    lines = [
        f"(2026)冀01执{uuid.UUID(int=rng.getrandbits(128)).hex[:10]}号,石家庄市中级人民法院,"
        f"{make_uscc(rng)},某公司,,,unperformed,,2026-11-20,\n"
        for _ in range(rows)
    ]
    return write(Path.cwd(), f"debtors-{rng.getrandbits(32)}.csv", DEBTORS_HEADER + "".join(lines))


def plans_made(db: Database, sizes: list[int], rng: random.Random) -> int:
    """The plans Neo4j made while loading one file of each size, from empty query caches."""
    cached_plans(db)
    for size in sizes:
        summary = load(db, "dishonest_debtors", debtors(size, rng))
        assert summary.created == size
    return cached_plans(db)


def test_files_of_3_and_30_rows_share_every_plan(db: Database) -> None:
    # Arrange: the same statements run for each file (new listings of unknown companies:
    # the reference, the record, the :Load), only the number of rows differs.
    rng = random.Random(15)  # noqa: S311 - test data, not secrets

    # Act
    same_magnitude = plans_made(db, [3, 4], rng)
    ten_times = plans_made(db, [3, 30], rng)

    # Assert: before, load/ensure_companies and load/records were planned again for 30 rows.
    assert same_magnitude > 0
    assert ten_times == same_magnitude


def test_every_load_statement_reads_its_rows_from_the_batch_map() -> None:
    """The parameter is said in each ``cypher/load`` file and, for the import, in
    ``loaders/bulk_statements.py`` (``NO_ROWS``: the statements that take no rows); a file
    left reading a top-level ``$rows`` would be planned per size again, and one the import
    calls the other way would fail only on the import's path."""
    from graph_service.queries import get_registry
    from loaders.bulk_statements import NO_ROWS

    registry = get_registry()
    texts = {name: registry[name].text for name in registry.names() if name.startswith("load/")}
    assert NO_ROWS <= texts.keys()
    batch = re.compile(r"\$batch\b")
    for name, text in texts.items():
        assert "$rows" not in text, name
        assert "UNWIND $" not in text.replace("UNWIND $batch.", ""), name  # no other list
    assert not any(batch.search(texts[name]) for name in NO_ROWS)
    assert sum("UNWIND $batch.rows AS row" in text for text in texts.values()) >= 25
