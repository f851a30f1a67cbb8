"""The snapshot's precomputed answers (fragments, issue 14) where they are made.

A row whose stored measures are not of the shape propagation stores (a snapshot built from a
Parquet export reads an outside input) gets none, a warning names it, and the rest of the
snapshot is written and answered from its fragments: one odd row must not leave every check
for today without a snapshot. After midnight the day's fragments are remade by the host's
holder of the builder's lock also while Neo4j is down, and on a replica that only follows.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_service.check import fragments, snapshot
from graph_service.check.snapshot import Meta
from graph_service.check.snapshot_build import SnapshotKeeper
from graph_service.check.snapshot_parquet import Follower
from tests.conftest import unreachable_db
from tests.snapshot.test_fragments import (
    CATALOG,
    COMPANY,
    PERSON,
    _evaluator,
    _joined,
    _measure,
    _rows,
    _sql,
    _today,
)

#: Stored measures of shapes propagation never writes, each with what is wrong with it.
ODD_MEASURES: dict[str, dict[str, Any]] = {
    "no path": {k: v for k, v in _measure("exit_review", "SW-7").items() if k != "path_json"},
    "a null path": {**_measure("exit_review", "SW-7"), "path_json": None},
    "a path of numbers": {**_measure("exit_review", "SW-7"), "path_json": json.dumps([1, 2])},
    "no origin": {k: v for k, v in _measure("exit_review", "SW-7").items() if k != "origin"},
}


def _written(tmp_path: Path, odd: dict[str, Any]) -> Path:
    """A published snapshot of the usual rows, the person's measures replaced by ``odd``."""
    rows = [{**row, "measures": [odd]} if row["party_id"] == PERSON else row for row in _rows()]
    path = snapshot.new_generation(tmp_path)
    conn = snapshot.create(path)
    snapshot.write_parties(conn, rows, CATALOG, _today())
    snapshot.replace_objections(conn, {})
    snapshot.write_meta(conn, Meta("run-1", snapshot.now_iso(), CATALOG.version, "now", 4))
    snapshot.publish(tmp_path, path, conn)
    return path


@pytest.mark.parametrize("what", sorted(ODD_MEASURES))
def test_an_odd_row_gets_no_fragment_and_the_others_are_still_joined(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, what: str
) -> None:
    # Act
    with caplog.at_level(logging.WARNING):
        path = _written(tmp_path, ODD_MEASURES[what])
    # Assert: written whole; the odd party without a fragment, named in a warning
    conn = snapshot.open_for_update(path)
    made = dict(conn.execute("SELECT party_id, f_made_on FROM parties").fetchall())
    conn.close()
    assert made.pop(PERSON) is None
    assert set(made.values()) == {fragments.stamp(_today())} and COMPANY in made
    assert any(
        r.getMessage() == "no precomputed answer for a party of the decision snapshot"
        and getattr(r, "party", None) == PERSON
        for r in caplog.records
    )
    # The company is answered from its fragment, as from an intact snapshot
    intact = snapshot.new_generation(tmp_path / "intact")
    conn = snapshot.create(intact)
    snapshot.write_parties(conn, _rows(), CATALOG, _today())
    snapshot.replace_objections(conn, {})
    snapshot.write_meta(conn, Meta("run-1", snapshot.now_iso(), CATALOG.version, "now", 4))
    snapshot.publish(tmp_path / "intact", intact, conn)
    expected = _joined(_evaluator(tmp_path / "intact"), "bidding", False, [COMPANY])
    assert _joined(_evaluator(tmp_path), "bidding", False, [COMPANY]) == expected


def test_make_says_which_party_and_what_was_wrong() -> None:
    row = {"party_id": PERSON, "name": "朱华", "kind": "person", "red_records": [],
           "measures": [ODD_MEASURES["a null path"]]}  # fmt: skip
    with pytest.raises(fragments.FragmentUnusable, match=f"of {PERSON} has an unexpected shape"):
        fragments.make(row, CATALOG, _today())


def _made_on(folder: Path) -> set[str]:
    path = snapshot.current_path(folder)
    assert path is not None
    conn = snapshot.open_for_update(path)
    try:
        return {row[0] for row in conn.execute("SELECT DISTINCT f_made_on FROM parties")}
    finally:
        conn.close()


def _yesterdays(tmp_path: Path) -> Path:
    """A published snapshot whose every fragment was made yesterday (midnight has passed)."""
    _written(tmp_path, _measure("exit_review", "SW-7"))
    _sql(tmp_path, "UPDATE parties SET f_made_on = ?", (_today() - timedelta(days=1)).isoformat())
    return tmp_path


def test_a_replica_that_only_follows_remakes_the_days_fragments(tmp_path: Path) -> None:
    # Arrange: a replica's folder (snapshot_source = file): nothing but the published file
    folder = _yesterdays(tmp_path)
    with unreachable_db() as db:  # a follower never reads it
        follower = Follower(db, CATALOG, folder)
        # Act: its polls, as its thread would make them
        for _ in range(3):
            follower.step()
        follower.stop()
    # Assert
    assert _made_on(folder) == {fragments.stamp(_today())} and follower.ready.is_set()


def test_the_builder_remakes_the_days_fragments_while_neo4j_is_down(tmp_path: Path) -> None:
    folder = _yesterdays(tmp_path)
    with unreachable_db() as db:
        keeper = SnapshotKeeper(db, CATALOG, folder)
        for _ in range(3):
            keeper.step()  # each poll's read of the graph is refused
        keeper.stop()
    assert _made_on(folder) == {fragments.stamp(_today())} and keeper.ready.is_set()


@pytest.mark.parametrize("masked", [False, True])
def test_a_joined_answer_says_what_the_audit_keeps_as_the_decided_one_would(
    tmp_path: Path, masked: bool
) -> None:
    # The audit entry's summary of each result is made beside the joined text: it must be
    # what the decided results give, in every context, for every kind of party
    from graph_service.check.snapshot_eval import decided_of
    from tests.snapshot.test_fragments import DB, PARTIES, _decided

    _written(tmp_path, _measure("exit_review", "SW-7"))
    evaluator = _evaluator(tmp_path)
    for context in CATALOG.contexts:
        answer = evaluator.answer_text(DB, context, PARTIES, _today(), masked)  # type: ignore[arg-type]
        decided = json.loads(_decided(evaluator, context, masked))
        assert answer.decisions == [decided_of(r) for r in decided], context
        assert len(answer.decisions) == len(PARTIES)


def test_a_replica_whose_folder_cannot_be_written_keeps_following(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange: the builder's lock cannot be opened (here: a folder in its place; a read-only
    # or full disk does the same), as on a replica whose snapshot folder is mounted read-only
    folder = _yesterdays(tmp_path)
    (folder / "builder.lock").mkdir()
    with unreachable_db() as db, caplog.at_level(logging.WARNING):
        follower = Follower(db, CATALOG, folder)
        # Act: polls go on (before, the first one's error ended the keeper's thread)
        for _ in range(3):
            follower.step()
        follower.stop()
    # Assert: still serving what is there, yesterday's fragments untouched, said once
    assert follower.ready.is_set()
    assert _made_on(folder) == {(_today() - timedelta(days=1)).isoformat()}
    said = [r for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(said) == 1


@pytest.mark.parametrize("made_on", ["today", "today/0123456789ab"])
def test_fragments_another_code_made_are_decided_from_the_row_then_remade(
    tmp_path: Path, made_on: str
) -> None:
    # Arrange: today's fragments as the code before a deploy made them (the day alone, as
    # before code stamps, or another code's stamp; that code may have shaped or masked answers
    # otherwise), their text made different
    _written(tmp_path, _measure("exit_review", "SW-7"))
    expected = _joined(_evaluator(tmp_path), "bidding", True, [COMPANY])
    other = made_on.replace("today", _today().isoformat())
    _sql(tmp_path, "UPDATE parties SET f_made_on = ?, f_name = '\"旧的\"', f_masked_name ="
         " '\"旧的\"'", other)  # fmt: skip
    # Act / Assert: not joined (the old text never reaches an answer), decided from the row
    assert _joined(_evaluator(tmp_path), "bidding", True, [COMPANY]) == expected
    # and remade by this code at the builder's next polls
    with unreachable_db() as db:
        keeper = SnapshotKeeper(db, CATALOG, tmp_path)
        for _ in range(3):
            keeper.step()
        keeper.stop()
    assert _made_on(tmp_path) == {fragments.stamp(_today())}


def test_metrics_count_parties_joined_and_decided(tmp_path: Path) -> None:
    # Operators see a check's CPU rise after midnight or a deploy: this says why (the
    # parties decided from rows until their answers are remade)
    from prometheus_client import REGISTRY

    def counted() -> tuple[float, float]:
        joined = REGISTRY.get_sample_value("credit_graph_check_parties_total", {"how": "joined"})
        decided = REGISTRY.get_sample_value("credit_graph_check_parties_total", {"how": "decided"})
        return joined or 0.0, decided or 0.0

    folder = _yesterdays(tmp_path)
    before = counted()
    _joined(_evaluator(folder), "bidding", False, [COMPANY, PERSON])  # yesterday's: decided
    middle = counted()
    with unreachable_db() as db:
        keeper = SnapshotKeeper(db, CATALOG, folder)
        keeper.step()
        keeper.stop()
    _joined(_evaluator(folder), "bidding", False, [COMPANY, PERSON, COMPANY])  # remade
    after = counted()
    assert (middle[0] - before[0], middle[1] - before[1]) == (0, 2)
    assert (after[0] - middle[0], after[1] - middle[1]) == (3, 0)
