"""The ``:Load`` record rides in the batches' transactions (issue 15 item 2): a file of one
batch is one transaction, the record says what the summary says, and a load that fails or
writes no batch is still recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from loaders.engine import list_loads
from loaders.summary import Summary
from tests.loaders.conftest import FIXTURES, load, write

#: The :Load properties that repeat the summary's counts.
COUNTED = ("read", "loaded", "created", "updated", "unchanged", "rejected", "duplicates",
           "referenced_created")  # fmt: skip


def _count_transactions(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The write transactions run through ``db`` from now on (a name each)."""
    seen: list[str] = []
    write, write_tx = db.write, db.write_tx

    def counted_write(name: str, /, timeout_s: float | None = None, **params: Any) -> Any:
        seen.append(name)
        return write(name, timeout_s, **params)

    def counted_tx(work: Callable[[Any], Any], timeout_s: float | None = None) -> Any:
        seen.append("batch")
        return write_tx(work, timeout_s)

    monkeypatch.setattr(db, "write", counted_write)
    monkeypatch.setattr(db, "write_tx", counted_tx)
    return seen


def _recorded(db: Database, summary: Summary) -> dict[str, Any]:
    (entry,) = [e for e in list_loads(db) if e["load_id"] == summary.load_id]
    return entry


def test_a_file_of_one_batch_is_one_transaction_that_records_the_load_done(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = _count_transactions(db, monkeypatch)

    summary = load(db, "shareholdings", FIXTURES / "shareholdings.csv")

    assert transactions == ["batch"]
    entry = _recorded(db, summary)
    assert entry["status"] == "done" and entry["committed_batches"] == 1
    assert {k: entry[k] for k in COUNTED} == {k: getattr(summary, k) for k in COUNTED}
    assert (entry["kind"], entry["file"]) == ("shareholdings", "shareholdings.csv")
    assert entry["started_at"] <= entry["finished_at"]
    assert entry["created"] == 12


def test_a_file_of_several_batches_records_its_end_apart(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    transactions = _count_transactions(db, monkeypatch)

    summary = load(db, "shareholdings", FIXTURES / "shareholdings.csv", batch_size=5)

    assert transactions == ["batch", "batch", "batch", "load/record_load_finish"]
    entry = _recorded(db, summary)
    assert entry["status"] == "done" and entry["committed_batches"] == 3
    assert {k: entry[k] for k in COUNTED} == {k: getattr(summary, k) for k in COUNTED}


def test_an_unchanged_reload_records_a_load_that_leaves_nothing_pending(db: Database) -> None:
    load(db, "shareholdings", FIXTURES / "shareholdings.csv")

    again = load(db, "shareholdings", FIXTURES / "shareholdings.csv")

    entry = _recorded(db, again)
    assert (entry["status"], entry["committed_batches"], entry["unchanged"]) == ("done", 0, 12)


def test_a_file_whose_rows_are_all_rejected_is_still_recorded(db: Database, tmp_path: Path) -> None:
    bad = write(tmp_path, "shareholdings.csv", (FIXTURES / "shareholdings.csv").read_text(
        encoding="utf-8").splitlines()[0] + "\nnot-an-id,,,,,,\n")  # fmt: skip

    summary = load(db, "shareholdings", bad)

    entry = _recorded(db, summary)
    assert (entry["status"], entry["rejected"], entry["loaded"]) == ("done", 1, 0)
    assert entry["committed_batches"] == 0 and entry["kind"] == "shareholdings"


def test_a_load_whose_first_batch_fails_is_recorded_failed_and_a_rerun_loads(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tx = db.write_tx

    def fails(work: Callable[[Any], Any], timeout_s: float | None = None) -> Any:
        raise RuntimeError("Neo4j went away")

    monkeypatch.setattr(db, "write_tx", fails)
    with pytest.raises(RuntimeError, match="went away"):
        load(db, "shareholdings", FIXTURES / "shareholdings.csv")
    monkeypatch.setattr(db, "write_tx", write_tx)

    (failed,) = list_loads(db)
    assert (failed["status"], failed["kind"], failed["committed_batches"]) == (
        "failed", "shareholdings", 0,
    )  # fmt: skip
    assert "went away" in failed["error"]
    rerun = load(db, "shareholdings", FIXTURES / "shareholdings.csv")
    assert rerun.created == 12 and _recorded(db, rerun)["status"] == "done"
