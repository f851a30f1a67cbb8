"""The investigator key of ``credit-graph run``: created once, kept private, printed at start."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graph_service.cli.workbench_key import FILE_NAME, demo_key
from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import KeyStore, key_id_of, list_keys, revoke_key
from graph_service.security.roles import Role
from tests.conftest import ROOT, TEST_HOME, cli_env
from tests.servers import free_port
from tests.web.conftest import Service

pytestmark = pytest.mark.neo4j


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_is_created_once_kept_with_mode_0600_and_accepted_as_investigator(
    session_db: Database, tmp_path: Path
) -> None:
    key, created = demo_key(session_db, tmp_path)
    again, created_again = demo_key(session_db, tmp_path)

    assert (created, created_again) == (True, False)
    assert again == key
    assert (tmp_path / FILE_NAME).read_text(encoding="utf-8").strip() == key
    assert _mode(tmp_path / FILE_NAME) == 0o600
    caller = KeyStore(session_db, cache_s=0).authenticate(key)
    assert caller is not None and caller.role is Role.INVESTIGATOR


def test_a_revoked_key_is_replaced_by_a_new_one(session_db: Database, tmp_path: Path) -> None:
    key, _ = demo_key(session_db, tmp_path)
    name = next(k.name for k in list_keys(session_db) if k.key_id == key_id_of(key))
    with AuditLog(session_db) as audit:
        revoke_key(audit, Actor("web-tests", "operator"), name)

    fresh, created = demo_key(session_db, tmp_path)

    assert created and fresh != key
    assert KeyStore(session_db, cache_s=0).authenticate(fresh) is not None
    assert _mode(tmp_path / FILE_NAME) == 0o600


def test_run_prints_the_workbench_address_and_the_same_key_at_each_start(world: Service) -> None:
    del world  # a running, non-empty graph: `run` would load the demo world into an empty one
    (TEST_HOME / FILE_NAME).unlink(missing_ok=True)
    first = _start_and_read_key()
    second = _start_and_read_key()
    assert first == second
    assert _mode(TEST_HOME / FILE_NAME) == 0o600


def _start_and_read_key() -> str:
    """Starts ``credit-graph run`` on a free port, reads its banner, and stops it."""
    port = free_port()
    env = cli_env(CREDIT_GRAPH_PORT=str(port))
    command = [sys.executable, "-m", "graph_service.cli", "run"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        lines = [_next_line(process)]
        while not lines[-1].startswith("investigator key") and len(lines) < 10:
            lines.append(_next_line(process))
    finally:
        process.terminate()
        process.wait(timeout=30)
    banner = "\n".join(lines)
    assert f"workbench: http://127.0.0.1:{port}/" in banner, banner
    found = re.search(r"investigator key \(.*\): (cgk_\S+)", banner)
    assert found, banner
    return found[1]


def _next_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, "credit-graph run ended before printing its banner"
    return line.strip()


def test_the_key_file_is_not_readable_by_others_even_if_loosened(
    session_db: Database, tmp_path: Path
) -> None:
    demo_key(session_db, tmp_path)
    os.chmod(tmp_path / FILE_NAME, 0o644)
    demo_key(session_db, tmp_path)
    assert _mode(tmp_path / FILE_NAME) == 0o600
