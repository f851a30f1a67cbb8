"""The command line as an operator uses it: help, status, and one clear line on every error."""

from __future__ import annotations

import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.propagation import warmup
from graph_service.settings import Settings
from tests.conftest import TEST_PORT, cli_env, run_cli
from tests.loaders.conftest import cached_plans
from tests.servers import free_port

COMMANDS = [
    [],
    ["neo4j"],
    ["neo4j", "start"],
    ["neo4j", "stop"],
    ["neo4j", "status"],
    ["db"],
    ["db", "migrate"],
    ["db", "reset"],
    ["db", "status"],
    ["serve"],
    ["run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_help_everywhere(command: list[str]) -> None:
    done = run_cli(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


def _assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr + done.stdout
    for needle in needles:
        assert needle in lines[0]


def test_neo4j_status_says_where_and_which_version(neo4j_settings: Settings) -> None:
    done = run_cli("neo4j", "status")
    assert done.returncode == 0, done.stderr
    assert f"bolt://127.0.0.1:{TEST_PORT}" in done.stdout
    assert "5.26" in done.stdout


def test_db_status_and_migrate_are_idempotent(neo4j_settings: Settings) -> None:
    assert "nothing to do" in run_cli("db", "migrate").stdout
    done = run_cli("db", "status")
    assert done.returncode == 0
    assert "expected" in done.stdout


def test_db_reset_refuses_without_yes(neo4j_settings: Settings) -> None:
    done = run_cli("db", "reset")
    assert done.returncode == 2
    assert "--yes" in done.stderr


def test_wrong_password_is_one_clear_line(neo4j_settings: Settings) -> None:
    done = run_cli("db", "status", env=cli_env(CREDIT_GRAPH_NEO4J_PASSWORD="wrong-password"))
    _assert_one_line_error(done, "refused user 'neo4j'", "CREDIT_GRAPH_NEO4J_PASSWORD")


def test_neo4j_down_is_one_clear_line() -> None:
    port = free_port()
    done = run_cli("db", "migrate", env=cli_env(CREDIT_GRAPH_EMBEDDED_PORT=str(port)))
    _assert_one_line_error(done, "not reachable", "credit-graph neo4j start")


def test_configured_uri_without_password_is_refused() -> None:
    done = run_cli("db", "status", env=cli_env(CREDIT_GRAPH_NEO4J_URI="bolt://127.0.0.1:1"))
    _assert_one_line_error(done, "CREDIT_GRAPH_NEO4J_PASSWORD is not set")


def test_port_taken_is_one_clear_line(tmp_path: Path, neo4j_settings: Settings) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        env = cli_env(CREDIT_GRAPH_HOME=str(tmp_path), CREDIT_GRAPH_EMBEDDED_PORT=str(port))
        done = run_cli("neo4j", "start", env=env)
    _assert_one_line_error(done, f"port {port}", "CREDIT_GRAPH_EMBEDDED_PORT")


def test_missing_java_is_one_clear_line(tmp_path: Path, neo4j_settings: Settings) -> None:
    env = cli_env(
        CREDIT_GRAPH_HOME=str(tmp_path),
        CREDIT_GRAPH_EMBEDDED_PORT=str(free_port()),
        CREDIT_GRAPH_JAVA="no-such-java",
    )
    done = run_cli("neo4j", "start", env=env)
    _assert_one_line_error(done, "Java 17+ not found", "CREDIT_GRAPH_JAVA")


def test_missing_maven_is_one_clear_line(tmp_path: Path) -> None:
    env = cli_env(
        CREDIT_GRAPH_HOME=str(tmp_path),
        CREDIT_GRAPH_LAUNCHER_DIR=str(tmp_path / "launcher"),  # nothing built here yet
        CREDIT_GRAPH_EMBEDDED_PORT=str(free_port()),
        CREDIT_GRAPH_MAVEN="no-such-mvn",
    )
    done = run_cli("neo4j", "start", env=env)
    _assert_one_line_error(done, "Maven not found", "CREDIT_GRAPH_MAVEN")


def test_status_of_a_stopped_server_exits_non_zero(tmp_path: Path) -> None:
    env = cli_env(CREDIT_GRAPH_HOME=str(tmp_path), CREDIT_GRAPH_EMBEDDED_PORT=str(free_port()))
    done = run_cli("neo4j", "status", env=env)
    assert done.returncode == 1
    assert "not running" in done.stdout


def test_neo4j_start_warms_the_propagations_plans_unless_told_not_to(db: Database) -> None:
    # Arrange: Neo4j runs (start is then only the warm-up) with its query caches empty
    cached_plans(db)

    # Act
    cold = run_cli("neo4j", "start", "--no-warm")
    after_cold = cached_plans(db)
    off = run_cli("neo4j", "start", env=cli_env(CREDIT_GRAPH_WARM_PLANS_ON_START="false"))
    after_off = cached_plans(db)
    warm = run_cli("neo4j", "start")
    after_warm = cached_plans(db)

    # Assert: only the default start planned the run's statements, and said so
    assert cold.returncode == off.returncode == warm.returncode == 0, warm.stderr
    assert "plans warmed" not in cold.stdout + off.stdout
    assert "propagation plans warmed (" in warm.stdout, warm.stdout + warm.stderr
    statements = int(warm.stdout.split("plans warmed (")[1].split(" ")[0])
    assert statements == sum(map(len, warmup.transactions(datetime.now(UTC), "any")))
    assert after_warm >= statements
    assert after_cold < 5 and after_off < 5


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CREDIT_GRAPH_WARM_WATCH_S", "-1", "greater than or equal to 0"),
        ("CREDIT_GRAPH_REQUEST_DEADLINE_S", "soon", "valid number"),
    ],
)
def test_a_setting_out_of_range_is_one_line_naming_its_variable(
    variable: str, value: str, problem: str
) -> None:
    # Act
    done = run_cli("neo4j", "status", env=cli_env(**{variable: value}))

    # Assert
    _assert_one_line_error(done, variable, problem, repr(value))
