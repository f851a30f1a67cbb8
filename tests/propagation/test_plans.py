"""An incremental run's statements are planned once for lists of every size (issue 15 item 3).

Neo4j 5 caches a plan per order of magnitude of each top-level list parameter's size, so a
scope search whose levels asked about 1, 30 and 300 parties planned ``propagation/hops``
three times (0.5-1.1 s each after a start). The statements take their lists inside a map
(``graph_service/db.py``: ``unsized``).
"""

from __future__ import annotations

from graph_service.db import Database
from graph_service.propagation import store
from tests.loaders.conftest import cached_plans


def read_everything(db: Database, ids: list[str]) -> None:
    """Every read of an incremental run that takes a list, about ``ids``."""
    store.touched_by_loads(db, ids)
    store.Neo4jHops(db)({"up_holders": set(ids), "named_persons": set(ids)})
    store.Neo4jRiskData(db).links(set(ids))
    store.stored_measures(db, ids)
    store.voiding_sources(db, ids, ["revoked"])
    store.read_parties(db, ids)


def plans_made(db: Database, sizes: list[int]) -> int:
    """The plans Neo4j made for the reads about lists of each size, from empty caches."""
    cached_plans(db)
    for size in sizes:
        read_everything(db, [f"p{i}" for i in range(size)])
    return cached_plans(db)


def test_reads_about_1_30_and_300_parties_share_their_plans(db: Database) -> None:
    # Arrange, Act
    one_size = plans_made(db, [1])
    three_magnitudes = plans_made(db, [1, 30, 300])

    # Assert: one plan each; before, three of every statement.
    assert one_size == 6
    assert three_magnitudes == one_size
