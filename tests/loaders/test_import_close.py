"""The import's stops of the embedded Neo4j, against a stand-in JVM (a Python child process).

``credit-graph import`` closes a store (``embedded.close_store``: SIGTERM, then only until its
lock files are free) and renames its folder while the JVM still spends ~10 s shutting Bolt
down, and waits for that exit only at the end (``Importer.reap_stage``). A real Neo4j takes
10-30 s to start, so these default-suite tests use a process that behaves as Neo4j does at a
stop: it holds POSIX record locks on ``store_lock`` and a ``database_lock`` (as Neo4j locks its
store files), and on SIGTERM releases them and exits only a few seconds later — or ignores
SIGTERM, as a JVM that hangs in its shutdown does. The real stops are covered by the ``large``
import tests (tests/loaders/test_import.py), which run the real Neo4j.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service import embedded
from graph_service.cli import import_cmd
from tests.conftest import make_settings

#: Seconds the stand-in lives on after SIGTERM released its locks (Bolt's shutdown).
EXIT_S = 3.0

STAND_IN = """
import fcntl, signal, sys, time
paths, mode, exit_s = sys.argv[1:-2], sys.argv[-2], float(sys.argv[-1])
handles = [open(p, "r+") for p in paths]
for h in handles:
    fcntl.lockf(h, fcntl.LOCK_EX | fcntl.LOCK_NB)
def closing(*_):
    for h in handles:
        h.close()  # the databases closed: the locks are free
    time.sleep(exit_s)  # the rest of the JVM's shutdown
    sys.exit(0)
signal.signal(signal.SIGTERM, closing if mode == "closes" else signal.SIG_IGN)
print("ready", flush=True)
while True:
    time.sleep(1)
"""


def _locks(home: Path) -> list[Path]:
    databases = home / "neo4j" / "data" / "databases"
    (databases / "neo4j").mkdir(parents=True)
    locks = [databases / "store_lock", databases / "neo4j" / "database_lock"]
    for lock in locks:
        lock.write_text("")
    return locks


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[tuple[Path, list[Path], subprocess.Popen[str]]]:
    """A stand-in Neo4j of ``home`` that closes its store on SIGTERM, exiting later."""
    home = tmp_path / "home"
    locks = _locks(home)
    child = _start(home, locks, "closes")
    yield home, locks, child
    child.kill()
    child.wait()


def _start(home: Path, locks: list[Path], mode: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", STAND_IN, *map(str, locks), mode, str(EXIT_S)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    (home / "neo4j.pid").write_text(str(child.pid))
    return child


def _free(lock: Path) -> bool:
    handle = os.open(lock, os.O_RDWR)
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(handle)


def test_close_store_returns_when_the_locks_are_free_before_the_exit(
    stand_in: tuple[Path, list[Path], subprocess.Popen[str]],
) -> None:
    home, locks, child = stand_in
    settings = make_settings(home=home)
    assert not any(map(_free, locks))  # held while it runs

    began = time.monotonic()
    assert embedded.close_store(settings) is True
    closed_s = time.monotonic() - began

    assert closed_s < EXIT_S / 2  # did not wait for the exit
    assert all(map(_free, locks))  # the store may be renamed now
    assert child.poll() is None  # still shutting down
    assert embedded.stop(settings) is True  # the later wait for the exit
    assert child.poll() is not None or not embedded._alive(child.pid)
    assert not (home / "neo4j.pid").exists()


def test_a_staged_neo4j_slow_to_exit_does_not_fail_a_finished_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    importer = import_cmd.Importer(make_settings(home=home))
    stage_home = home / "import" / "stage"
    child = _start(stage_home, _locks(stage_home), "hangs")  # ignores SIGTERM
    monkeypatch.setattr(import_cmd, "STAGE_EXIT_S", 0.5)
    try:
        importer.reap_stage()  # raised EmbeddedNeo4jError before: the import exited 1

        (line,) = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert "staged Neo4j was slow to exit" in line and str(child.pid) in line
        assert child.wait(timeout=5) != 0  # killed
    finally:
        child.kill()
        child.wait()
