"""`audit verify` of a host's local log against Neo4j's: every mirrored entry must be there
as written, counted — two entries of the same content need two copies in Neo4j."""

from __future__ import annotations

from pathlib import Path

from graph_service.db import Database
from graph_service.security.audit import Actor, Event
from graph_service.security.audit_mirror import AuditMirror, verify_local
from graph_service.security.local_audit import FILE_NAME, LocalAuditLog, connect


def test_a_deleted_copy_of_one_of_two_identical_entries_is_reported(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "audit"
    log = LocalAuditLog(folder)
    # one key's same query in the same microsecond, as two workers may log it
    payload = {"fields": ["party"], "parties": ["X"]}
    actor = Actor("investigator", "investigator", "k1")
    event = Event("graphql", actor, payload, at="2026-12-06T21:00:00.000001Z")
    for _ in range(2):
        log.submit(event).result(10)
    log.close()
    conn = connect(folder / FILE_NAME)
    try:
        assert AuditMirror(db, folder).step(conn) == 2
    finally:
        conn.close()
    before = verify_local(db, folder)
    first, second = db.read("notices/test_audit_kind", kind="graphql")
    db.write("meta/test_delete_audit_entry", seq=second["seq"])  # one of the two copies

    after = verify_local(db, folder)

    assert first["payload"] == second["payload"]
    assert before is not None and before.problems == []
    assert after is not None and len(after.problems) == 1
    assert "local entry 2 (graphql at 2026-12-06T21:00:00.000001Z)" in after.problems[0]
