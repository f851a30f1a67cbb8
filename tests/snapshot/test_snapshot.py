"""Today's checks come from the host's decision snapshot: one run's measures, named in every
answer, a newer run visible within 2 s, rebuilt when missing, corrupt or of another catalog."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.check import snapshot
from graph_service.check.snapshot_build import SnapshotKeeper, snapshot_folder
from graph_service.check.snapshot_eval import SnapshotEvaluator
from graph_service.db import Database
from graph_service.errors import SnapshotUnavailable
from graph_service.policy.catalog import catalog_in_force
from graph_service.propagation import runner
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Caller, Role
from graph_service.settings import Settings
from tests.conftest import ROOT
from tests.propagation.test_newday import RUIFENG, _blacklisted_from
from tests.snapshot.conftest import HUABEI, UNKNOWN, check, serving_settings


def _first_generation(tmp_path: Path) -> tuple[Settings, Path]:
    """The serving settings of ``tmp_path`` and the generation a first start of the service
    built with them."""
    settings = serving_settings(tmp_path)
    with TestClient(create_app(settings)):
        pass
    current = snapshot.current_path(snapshot_folder(settings))
    assert current is not None
    return settings, current


def _latest_run(db: Database) -> str:
    return str(db.read("check/snapshot_state")[0]["run_id"])


def test_a_check_for_today_reads_no_neo4j_and_names_its_run(
    world: Database, app: FastAPI, client: TestClient, checker: dict[str, str]
) -> None:
    reads_before = app.state.db.query_counts["check/parties"]
    answer = check(client, checker, HUABEI, UNKNOWN)
    assert [(r["found"], r["decision"]) for r in answer["results"]] == [
        (True, "deny"),
        (False, "allow"),
    ]
    assert answer["results"][0]["measures"][0]["measure"] == "dishonest_debtor"
    assert answer["run_id"] == _latest_run(world)
    assert answer["snapshot_at"] is not None
    assert app.state.db.query_counts["check/parties"] == reads_before  # no Bolt read


def test_a_check_for_another_date_still_computes_from_history(
    world: Database, app: FastAPI, client: TestClient, checker: dict[str, str]
) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    answer = check(client, checker, HUABEI, as_of=yesterday)
    assert answer["results"][0]["decision"] == "deny"
    assert app.state.db.query_counts["check/parties"] == 1  # read from the graph
    assert answer["run_id"] is None and answer["snapshot_at"] is None


def test_a_new_run_is_answered_within_two_seconds_and_never_mixed(
    world: Database, client: TestClient, checker: dict[str, str], tmp_path: Path
) -> None:
    before = check(client, checker, RUIFENG)
    # 瑞丰 blacklisted from today (loaded, not propagated yet), then today's run gains it.
    # (A run for another day would not do: today's checks do not take its measures.)
    _blacklisted_from(world, tmp_path, date.today())
    run = runner.run_full(world)
    committed = time.monotonic()
    while (answer := check(client, checker, RUIFENG))["run_id"] != run.run_id:
        assert answer["run_id"] == before["run_id"]  # the old run whole, until the new one
        assert answer["results"][0]["decision"] == "allow"
        assert time.monotonic() - committed < 2.0, "the new run was not seen within 2 s"
        time.sleep(0.05)
    assert answer["results"][0]["decision"] == "deny"
    assert [m["measure"] for m in answer["results"][0]["measures"]] == ["blacklist"]


def test_a_corrupt_snapshot_is_rebuilt_at_start(
    world: Database, tmp_path: Path, checker: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    settings, current = _first_generation(tmp_path)
    current.write_bytes(b"not a database" * 1000)
    with caplog.at_level(logging.INFO), TestClient(create_app(settings)) as client:
        answer = check(client, checker, HUABEI)
    assert answer["results"][0]["decision"] == "deny"
    assert any("snapshot is corrupt" in r.getMessage() for r in caplog.records)
    assert snapshot.current_path(snapshot_folder(settings)) != current


def test_a_snapshot_of_format_2_is_rebuilt_at_start(
    world: Database, tmp_path: Path, checker: dict[str, str]
) -> None:
    # Arrange: the generation as the code before fragments' CRCs wrote it (format 2, no f_crc)
    settings, older = _first_generation(tmp_path)
    conn = sqlite3.connect(older, isolation_level=None)
    conn.execute("ALTER TABLE parties DROP COLUMN f_crc")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    conn.close()
    # Act
    with TestClient(create_app(settings)) as client:
        answer = check(client, checker, HUABEI)
    # Assert: answered from a new generation of this format, never from the old file
    assert answer["results"][0]["decision"] == "deny"
    rebuilt = snapshot.current_path(snapshot_folder(settings))
    assert rebuilt is not None and rebuilt != older
    with sqlite3.connect(rebuilt) as new:
        assert new.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("3",)


def test_a_snapshot_of_another_catalog_is_refused_and_rebuilt(
    world: Database, tmp_path: Path, checker: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(serving_settings(tmp_path))):
        pass
    data = yaml.safe_load((ROOT / "graph_service/policy/catalog.yaml").read_text("utf-8"))
    data["version"] = "operator-2026.12"
    path = tmp_path / "operator.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    settings = serving_settings(tmp_path, catalog=path)
    # A copy of the packaged catalog's snapshot where the operator catalog's belongs: refused.
    packaged = snapshot.current_path(snapshot_folder(serving_settings(tmp_path)))
    assert packaged is not None
    shutil.copytree(packaged.parent, snapshot_folder(settings))
    with caplog.at_level(logging.INFO), TestClient(create_app(settings)) as client:
        answer = check(client, checker, HUABEI)
    assert answer["catalog_version"] == "operator-2026.12"
    assert any("another catalog" in r.getMessage() for r in caplog.records)
    meta = snapshot.check_file(snapshot.current_path(snapshot_folder(settings)))  # type: ignore[arg-type]
    assert meta.catalog_version == "operator-2026.12"


def test_one_builder_per_host_the_other_workers_follow(world: Database, tmp_path: Path) -> None:
    settings = serving_settings(tmp_path)
    catalog, folder = catalog_in_force(settings), snapshot_folder(settings)
    first = SnapshotKeeper(world, catalog, folder, 0.1).start(30)
    second = SnapshotKeeper(world, catalog, folder, 0.1).start(30)
    try:
        assert (first.is_builder, second.is_builder) == (True, False)
        assert first.reader.path == second.reader.path
        run = runner.run_full(world, as_of=date(2020, 1, 1))
        deadline = time.monotonic() + 2.0
        while second.reader.meta().run_id != run.run_id:
            assert time.monotonic() < deadline, "the follower did not see the new run in 2 s"
            time.sleep(0.05)
    finally:
        first.stop()
        second.stop()
    # The builder gone, the follower takes over at its next poll.
    second = SnapshotKeeper(world, catalog, folder, 0.1).start(30)
    second.stop()


def test_no_snapshot_yet_is_503_snapshot_unavailable(world: Database, tmp_path: Path) -> None:
    evaluator = SnapshotEvaluator(snapshot.SnapshotReader(tmp_path / "empty"))
    caller = Caller("t", Role.CHECKER, "0123456789ab")
    with pytest.raises(SnapshotUnavailable) as raised:
        evaluator(world, "bidding", [HUABEI], date.today(), caller)
    assert raised.value.http_status == 503


def test_an_objection_filed_marks_the_measure_contested_within_two_seconds(
    world: Database, client: TestClient, checker: dict[str, str]
) -> None:
    with AuditLog(world) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), "objector", Role.INVESTIGATOR)
    (measure,) = check(client, checker, HUABEI)["results"][0]["measures"]
    assert (measure["contested"], measure["objection_id"]) == (False, None)
    body = {"record_ref": measure["record"]["ref"], "grounds": "paid in full", "contact": "x"}
    filed = client.post("/v1/objections", json=body, headers={"X-API-Key": key})
    assert filed.status_code == 201, filed.text
    started = time.monotonic()
    while not (measure := check(client, checker, HUABEI)["results"][0]["measures"][0])["contested"]:
        assert time.monotonic() - started < 2.0, "the objection was not seen within 2 s"
        time.sleep(0.05)
    assert measure["objection_id"] == filed.json()["objection_id"]
    assert check(client, checker, HUABEI)["results"][0]["decision"] == "deny"  # still restricts
