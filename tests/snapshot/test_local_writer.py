"""The local audit log's writer thread survives any failure of a batch: its waiters get a 503
(AuditUnavailable), and later entries are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.errors import AuditUnavailable
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
