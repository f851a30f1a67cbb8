"""`credit-graph check` for today answers from the host's decision snapshot, as the service
does (the answer names the run); for another date from the graph's history (issue 14)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from graph_service.check.snapshot import current_path
from graph_service.db import Database
from tests.conftest import cli_env, run_cli
from tests.snapshot.conftest import HUABEI

ARGS = ("check", HUABEI, "--context", "bidding", "--purpose", "cli snapshot test", "--json")


def _env(tmp_path: Path) -> dict[str, str]:
    return cli_env(
        CREDIT_GRAPH_CHECK_SNAPSHOT="true",
        CREDIT_GRAPH_SNAPSHOT_DIR=str(tmp_path / "snapshot"),
        CREDIT_GRAPH_RECEIPT_KEY_FILE=str(tmp_path / "receipt.pem"),
    )


def test_cli_check_for_today_reads_the_snapshot_and_names_its_run(
    world: Database, tmp_path: Path
) -> None:
    run_id = world.read("check/snapshot_state")[0]["run_id"]
    done = run_cli(*ARGS, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["run_id"] == run_id and answer["snapshot_at"] is not None
    assert answer["results"][0]["decision"] == "deny"
    # No service kept the snapshot: the command built the host's one (and left it there).
    assert any(current_path(p) for p in (tmp_path / "snapshot").iterdir())


def test_cli_check_for_another_date_computes_from_history(world: Database, tmp_path: Path) -> None:
    del world
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    done = run_cli(*ARGS, "--as-of", yesterday, env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["run_id"] is None and answer["snapshot_at"] is None
    assert answer["results"][0]["decision"] == "deny"
    assert not (tmp_path / "snapshot").exists()  # no snapshot read, none built
