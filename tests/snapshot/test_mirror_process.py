"""The audit mirror's process never keeps the host's mirror lock without copying: it exits
when its worker dies (even while it is still starting), a start-up that fails stops it, Ctrl-C
does not stop it, and a process that cannot run is replaced by a thread of the worker."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.security.audit import Actor, Event
from graph_service.security.audit_mirror import AuditMirror, settings_json
from graph_service.security.audit_read import by_check
from graph_service.security.local_audit import LocalAuditLog
from tests.conftest import ROOT, cli_env, unwritable_folder, wait_for
from tests.snapshot.conftest import HUABEI, check, serving_settings
from tests.snapshot.test_local_audit import _mirror_processes

#: A worker in miniature: takes the mirror lock, starts the mirror process, says its pid.
WORKER = """
import json, sys, time
from graph_service.security.audit_mirror import AuditMirror
from graph_service.settings import Settings
settings = Settings(**json.loads(sys.stdin.readline()))
mirror = AuditMirror(None, settings.effective_audit_local_dir, settings=settings)
assert mirror._try_lock()
child = mirror._spawn(settings, mirror._lock_file)
print(child.pid, flush=True)
time.sleep(120)
"""


def _lock_free(folder: Path, within_s: float) -> bool:
    """Whether the host's mirror lock can be taken within ``within_s`` (then released)."""
    deadline = time.monotonic() + within_s
    with (folder / "mirror.lock").open("ab") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)
                continue
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True


def test_a_mirror_process_whose_worker_dies_as_it_starts_exits_and_frees_the_lock(
    tmp_path: Path,
) -> None:
    settings = serving_settings(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=cli_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(settings_json(settings).encode("utf-8") + b"\n")
    worker.stdin.close()
    child = int(worker.stdout.readline())
    # Killed while its mirror process is still importing (it had not looked at its parent).
    worker.kill()
    worker.wait()
    assert _lock_free(settings.effective_audit_local_dir, within_s=20), f"{child} kept the lock"


def test_a_start_up_that_fails_after_the_mirror_started_stops_it(tmp_path: Path) -> None:
    # A replica following a snapshot folder it cannot read fails at start, after the mirror.
    snapshots = unwritable_folder(tmp_path, "s")
    settings = serving_settings(tmp_path, snapshot_source="file", snapshot_dir=snapshots)
    with pytest.raises(NotADirectoryError), TestClient(create_app(settings)):
        pass
    assert _lock_free(settings.effective_audit_local_dir, within_s=5)
    assert _mirror_processes() == []


def test_ctrl_c_does_not_stop_the_mirror_process(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    with TestClient(create_app(serving_settings(tmp_path))) as client:
        answer = check(client, checker, HUABEI)
        # the process is copying by now
        wait_for(lambda: by_check(world, answer["check_id"]), 30, "not mirrored while it runs")
        (process,) = _mirror_processes()
        os.kill(process, signal.SIGINT)  # as Ctrl-C sends it to the terminal's process group
        time.sleep(1.5)
        assert _mirror_processes() == [process]  # still the same one, not a new one
    assert _mirror_processes() == []  # the service stopped it (SIGTERM)


@pytest.mark.parametrize(
    "command",
    [
        ("/nonexistent/python",),  # cannot be started (OSError)
        (sys.executable, "-m", "graph_service.no_such_module"),  # fails at start
    ],
    ids=["not-started", "fails-at-start"],
)
def test_a_mirror_process_that_cannot_run_is_replaced_by_a_thread_that_copies(
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    command: tuple[str, ...],
) -> None:
    monkeypatch.setattr(AuditMirror, "command", command)
    settings = serving_settings(tmp_path)
    folder = settings.effective_audit_local_dir
    local = LocalAuditLog(folder)
    event = Event("check", Actor("tests", "checker"), {"check_id": "mirror-fallback"})
    local.submit(event).result(10)
    mirror = AuditMirror(db, folder, settings=settings).start()
    try:
        assert local.wait_mirrored(20), "the entry never reached Neo4j"
    finally:
        mirror.stop()
        local.close()
    assert "mirroring in a thread of this worker instead" in caplog.text


def test_a_mirror_process_stopped_while_its_worker_lives_exits_cleanly(tmp_path: Path) -> None:
    """SIGTERM from a live worker (its stdin pipe still open, the watching thread blocked on
    it) ends the process without the interpreter's fatal "could not acquire lock for <stdin>"
    at shutdown, which the service's structured log would carry as a non-JSON line."""
    settings = serving_settings(tmp_path)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=ROOT, env=cli_env(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(settings_json(settings).encode("utf-8") + b"\n")
    worker.stdin.flush()
    child = int(worker.stdout.readline())
    try:
        wait_for(lambda: len(os.listdir(f"/proc/{child}/task")) >= 2, 60)  # watching, mirroring
        time.sleep(1.0)
        os.kill(child, signal.SIGTERM)
        wait_for(lambda: _state(child) == "Z", 60)  # exited (the sleeping worker does not reap)
    finally:
        worker.kill()
        _, stderr = worker.communicate(timeout=30)
    assert b"Fatal Python error" not in stderr, stderr.decode(errors="replace")[-2000:]


def _state(pid: int) -> str:
    """The process's state letter from /proc (Z: exited, not yet reaped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
