"""An incremental run reads its parties while the scope search still finds them (issue 15 item 3).

The search's levels and the read of the parties they found were the two longest waits of a
run after one record at 100,000 parties, one after the other; ``store.ReadAhead`` reads each
level's parties in a thread of its own as soon as the level is whole.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from graph_service.db import Database, Row
from graph_service.propagation import runner, store
from tests.propagation.sample import EARLY, TODAY, load


def stored(db: Database) -> tuple[dict[str, str], dict[str, float]]:
    """The stored measures' hashes and risk scores."""
    measures = {k: s.content_hash for k, s in store.stored_measures(db, None).items()}
    return measures, store.stored_risk(db)


def test_the_run_reads_each_level_as_the_search_finds_it(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a propagated graph, a load of new records pending, every read batch recorded
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    load_id = load(db, "dishonest_debtors", tmp_path)
    batches: list[tuple[str, list[str]]] = []
    read_batch = store._read_batch

    def spy(db: Database, ids: list[str], read: str = store.EVERYTHING) -> list[Row]:
        batches.append((threading.current_thread().name, list(ids)))
        return read_batch(db, ids, read)

    monkeypatch.setattr(store, "_read_batch", spy)

    # Act
    run = runner.after_loads(db, [load_id])
    ahead = [ids for thread, ids in batches if thread.startswith("propagation-read-ahead")]
    after_run = stored(db)
    full = runner.run_full(db, as_of=run.as_of)

    # Assert: the scope's parties in several reads (before: one), in the read-ahead thread,
    # each party once; and the run stored what a full run computes
    parties = [party for ids in ahead for party in ids]
    assert run.mode == "incremental" and run.gained > 0
    assert len(ahead) > 1
    assert len(parties) == len(set(parties)) == run.read
    assert (full.gained, full.lost, full.changed, full.risk_changed) == (0, 0, 0, 0)
    assert stored(db) == after_run


def test_parties_read_ahead_are_those_read_at_once(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: reads of at most 3 parties
    for kind in EARLY:
        load(db, kind, tmp_path)
    ids = sorted(str(row["party_id"]) for row in db.read("propagation/sample_parties", limit=40))
    some, others = set(ids[::2]), set(ids[1::2])
    monkeypatch.setattr(store, "AHEAD_BATCH", 3)
    sizes: list[int] = []
    read_batch = store._read_batch

    def spy(db: Database, ids: list[str], read: str = store.EVERYTHING) -> list[Row]:
        sizes.append(len(ids))
        return read_batch(db, ids, read)

    monkeypatch.setattr(store, "_read_batch", spy)

    # Act: half of them read ahead in two goes (one party twice), the rest asked at the end
    with store.ReadAhead(db) as ahead:
        ahead.add(set(list(some)[:5]))
        ahead.add(some)
        rows = ahead.parties(some | others | {"no such party"})
    read_ahead = list(sizes)

    # Assert: as read_parties gives them, relationships kept within the set; each party
    # read once, at most 3 a read
    assert rows == store.read_parties(db, some | others)
    assert sum(read_ahead) == len(ids) + 1 and max(read_ahead) == 3
