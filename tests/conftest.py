"""Test policy: a real Neo4j, never a mock.

The suite runs against the embedded Neo4j the project starts, with its own home folder and
port so that it never touches a developer's data. If it is already running (``.ci/run`` and
``make test`` start it), it is reused; otherwise it is started here and stopped at the end.
Each test that writes gets an empty graph (schema kept) through the ``db`` fixture.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph_service import embedded, migrations
from graph_service.db import Database
from graph_service.queries import QueryRegistry, cypher_root
from graph_service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
# Several test runs can share a machine (developers, CI) when each takes its own port; the
# home folder follows the port so that their data never mix.
TEST_PORT = int(os.environ.get("CREDIT_GRAPH_TEST_PORT", "7688"))
TEST_HOME = ROOT / ".credit-graph" / f"test-{TEST_PORT}"
#: Helper statements only tests run (dumps, planted or tampered data); not shipped in the wheel.
TEST_CYPHER = ROOT / "tests" / "cypher"


def make_settings(**overrides: object) -> Settings:
    """Settings of the test Neo4j (own home and port), with ``overrides``.

    An app made with them does not complete pending propagation at start (nor warm the
    propagation's plans, which would plan beside the tests that count plans): tests load without
    propagating and then propagate as of a fixed date, and a background run as of today
    would race them (tests/propagation/test_crash.py turns it on); nor make the new day's full
    run for the same reason (tests/propagation/test_newday.py turns it on). Its request deadline is
    60 s, not 5: the suite shares two cores with Neo4j, and a request that takes 5 s here is
    a busy machine, not an outage (the tests of the deadline set their own).
    """
    values: dict[str, object] = {
        "home": TEST_HOME, "embedded_port": TEST_PORT, "neo4j_uri": "",
        "complete_pending_on_start": False, "warm_plans_on_start": False,
        "warm_pages_on_start": False, "propagate_new_day": False,
        "request_deadline_s": 60.0,
        # Checks read Neo4j and commit their entries to Neo4j before the answer, as the tests of
        # that mode assert (measures planted by test Cypher outside any propagation run, an
        # entry readable in Neo4j the moment the check is answered); tests/snapshot/ and the
        # outage test turn the decision snapshot, the local audit log and its mirror on.
        "audit_local": False, "check_snapshot": False,
        # The notice worker writes its lease into the graph every few seconds: a service left
        # running for the session (tests/graphql's api) would put a node into every graph a
        # later test empties. tests/notices turns it on where it is what is tested.
        "notice_delivery": False,
    }  # fmt: skip
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def unreachable_db() -> Database:
    """A database whose Neo4j is a port where nothing listens, retried not at all."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(
        neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="x" * 8, max_retry_time_s=0.0
    )
    return Database(settings)


def cli_env(**extra: str) -> dict[str, str]:
    """Environment for running the CLI as a subprocess against the test Neo4j."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_GRAPH_")}
    env.update(CREDIT_GRAPH_HOME=str(TEST_HOME), CREDIT_GRAPH_EMBEDDED_PORT=str(TEST_PORT))
    # as make_settings says why
    env.update(
        CREDIT_GRAPH_COMPLETE_PENDING_ON_START="false", CREDIT_GRAPH_PROPAGATE_NEW_DAY="false"
    )
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    """Runs ``credit-graph ARGS`` as a user would and captures its output."""
    command = [sys.executable, "-m", "graph_service.cli", *args]
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        command, capture_output=True, text=True, env=env or cli_env(), cwd=ROOT, check=False, **kw
    )


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Settings]:
    """The running test Neo4j, migrated; started here if needed and then stopped here."""
    settings = make_settings()
    started = not embedded.status(settings).running
    embedded.start(settings)
    with Database(settings) as db:
        migrations.migrate(db)
    yield settings
    if started:
        embedded.stop(settings)


@pytest.fixture(scope="session")
def session_db(neo4j_settings: Settings) -> Iterator[Database]:
    """One driver for the whole session; it also knows the tests' own statements."""
    with Database(neo4j_settings, QueryRegistry(cypher_root(), TEST_CYPHER)) as db:
        yield db


@pytest.fixture
def db(session_db: Database) -> Database:
    """The test Neo4j, emptied (schema kept) before the test."""
    migrations.reset(session_db)
    session_db.query_counts.clear()
    return session_db


def unwritable_folder(tmp_path: Path, name: str) -> Path:
    """A folder ``name`` that cannot be made (its parent is a file), as a full or read-only disk
    leaves a service's log or snapshot folder."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    return blocker / name


def wait_for(
    condition: Callable[[], object],
    timeout_s: float = 15.0,
    what: str = "condition not met in time",
) -> None:
    """Returns once ``condition()`` holds; fails after ``timeout_s``, saying ``what``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
