"""The mirror's batches are bounded by the text they hold as well as by their count (issue
14): a backlog of 1,000-party checks' entries (~0.5 MB each) is copied a few at a time, all
of it, in order; small entries still go ``batch_max`` at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.security import audit_mirror
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, Event
from graph_service.security.audit_mirror import AuditMirror, verify_local
from graph_service.security.local_audit import FILE_NAME, LocalAuditLog, batch_after, connect

ACTOR = Actor("bench", "checker", "k1")


def _log(folder: Path, sizes: list[int]) -> None:
    """Entries whose stored rows hold ``sizes`` characters of answer each."""
    log = LocalAuditLog(folder)
    for n, size in enumerate(sizes):
        row = {"check_id": f"c{n}", "response": "x" * size}
        event = Event("check", ACTOR, {"check_id": f"c{n}"})
        log.submit(event, Attachment("audit/create_checks", row))
    log.submit(Event("check", ACTOR, {"check_id": "small"})).result(10)
    log.close()


def test_a_batch_stops_at_the_text_bound_and_says_more_may_wait(tmp_path: Path) -> None:
    # Arrange: 6 entries of ~100 kB, then a small one
    _log(tmp_path, [100_000] * 6)
    conn = connect(tmp_path / FILE_NAME)
    # Act
    first, more = batch_after(conn, 0, 500, 250_000)
    rest, more_after = batch_after(conn, first[-1].entry.seq, 500, 250_000)
    everything, cut = batch_after(conn, 0, 500, 10_000_000)
    one, one_more = batch_after(conn, 0, 500, 1)
    conn.close()
    # Assert
    assert [e.entry.seq for e in first] == [1, 2, 3] and more  # the third passes the bound
    assert [e.entry.seq for e in rest] == [4, 5, 6] and more_after
    assert len(everything) == 7 and not cut
    assert len(one) == 1 and one_more  # at least one entry, however big


def test_the_count_bound_still_holds_for_small_entries(tmp_path: Path) -> None:
    _log(tmp_path, [10] * 4)
    conn = connect(tmp_path / FILE_NAME)
    batch, more = batch_after(conn, 0, 3, 10_000_000)
    conn.close()
    assert [e.entry.seq for e in batch] == [1, 2, 3] and more


def test_a_backlog_of_big_entries_is_mirrored_whole_in_bounded_batches(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: 5 entries of ~300 kB, a bound of ~700 kB a batch
    folder = tmp_path / "audit"
    _log(folder, [300_000] * 5)
    monkeypatch.setattr(audit_mirror, "BATCH_CHARS", 700_000)
    mirror = AuditMirror(db, folder)
    conn = connect(folder / FILE_NAME)
    try:
        # Act: one step a batch, as the mirror's loop takes them
        copied = [mirror.step(conn) for _ in range(4)]
    finally:
        conn.close()
    # Assert
    assert copied == [3, 3, 0, 0]  # 3 × 300 kB pass the bound; the rest and the small one
    report = verify_local(db, folder)
    assert report is not None and report.problems == [] and report.mirrored == 6
