"""The local audit log's writer thread survives any failure of a batch: its waiters get a 503
(AuditUnavailable), and later entries are written; an append it does not confirm in time is
refused the same way."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graph_service.errors import AuditUnavailable
from graph_service.security import local_audit
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, Event
from graph_service.security.local_audit import LocalAuditLog


def test_an_entry_that_cannot_be_written_fails_and_the_writer_goes_on(tmp_path: Path) -> None:
    local = LocalAuditLog(tmp_path, timeout_s=5)
    actor = Actor("tests", "checker")
    try:
        # A stored row that is not JSON: a TypeError, neither a SQLite nor an OS error.
        unwritable = Attachment("audit/create_checks", {"row": object()})
        failed = local.submit(Event("check", actor, {"check_id": "bad"}), unwritable)
        with pytest.raises(AuditUnavailable):
            failed.result(10)
        written = local.submit(Event("check", actor, {"check_id": "good"})).result(10)
    finally:
        local.close()
    assert written.seq == 1  # the failed batch left nothing in the chain


def test_an_append_the_writer_does_not_confirm_in_time_is_503_and_the_next_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a writer that hangs (a disk that does not answer) until released.
    release, real = threading.Event(), local_audit.write_batch

    def hanging(conn: Any, pending: Any) -> Any:
        release.wait(10)
        return real(conn, pending)

    monkeypatch.setattr(local_audit, "write_batch", hanging)
    local = LocalAuditLog(tmp_path, timeout_s=0.4)
    actor = Actor("tests", "checker")
    try:
        # Act: the bound ends the wait, with its 503, however late the writer is.
        started = time.monotonic()
        with pytest.raises(AuditUnavailable, match=r"did not confirm the entry within 0\.4 s"):
            asyncio.run(local.append("check", actor, {"check_id": "late"}, None))
        waited = time.monotonic() - started
        release.set()
        written = asyncio.run(local.append("check", actor, {"check_id": "next"}, None))
    finally:
        release.set()
        local.close()
    # Assert: refused at its bound (looked at every quarter of it), and the log goes on.
    assert 0.4 <= waited < 0.4 * 1.25 + 0.3
    assert written.seq == 2  # the late entry was written after all: logged, never answered
