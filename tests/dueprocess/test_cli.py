"""``credit-graph repairs list|show|decide`` and ``credit-graph objections list|decide`` as an
operator runs them (a subprocess against the test Neo4j): listing, showing, deciding with the
propagation that follows, and one-line errors naming what is wrong."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from graph_service.cli.repairs_cmd import valid_id
from graph_service.db import Database
from graph_service.dueprocess import objections, repairs
from graph_service.dueprocess.requests import ObjectionRequest, RepairRequest
from graph_service.errors import InvalidInput
from graph_service.policy import default_catalog
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from tests.conftest import run_cli
from tests.dueprocess.conftest import BLACKLISTING, LISTING, ZHANG

ACTOR = Actor("tests", "investigator")


def _repair(db: Database) -> str:
    with AuditLog(db) as audit:
        desk = repairs.Desk(db, audit, default_catalog())
        body = RepairRequest(record_ref=BLACKLISTING, commitment="承诺", evidence=["报告"])
        return str(repairs.file_repair(desk, body, ACTOR)["repair_id"])


def _objection(db: Database) -> str:
    with AuditLog(db) as audit:
        desk = repairs.Desk(db, audit, default_catalog())
        body = ObjectionRequest(record_ref=LISTING, grounds="已履行", contact="0311-86661234")
        return str(objections.file_objection(desk, body, ACTOR)["objection_id"])


def test_repairs_list_decide_and_errors_naming_the_field(world: Database) -> None:
    repair_id = _repair(world)

    listed = run_cli("repairs", "list", "--state", "pending", "--json")
    decided = run_cli("repairs", "decide", repair_id, "--decision", "approved",
                      "--reason", "材料齐全")  # fmt: skip
    again = run_cli("repairs", "decide", repair_id, "--decision", "rejected", "--reason", "x")
    bad_id = run_cli("repairs", "show", "not-an-id")

    assert listed.returncode == 0, listed.stderr
    assert [a["repair_id"] for a in json.loads(listed.stdout)] == [repair_id]
    assert decided.returncode == 0, decided.stderr
    answer = json.loads(decided.stdout)
    assert answer["state"] == "approved" and answer["propagation"]["lost"] == 1
    assert answer["decided_by"].startswith("cli:")
    assert again.returncode == 1 and "already approved" in again.stderr
    assert bad_id.returncode == 1 and bad_id.stderr.startswith("error: repair_id:")


def test_objections_list_and_decide(world: Database) -> None:
    objection_id = _objection(world)

    listed = run_cli("objections", "list", "--state", "open")
    checked = run_cli("check", ZHANG, "--context", "high_consumption", "--purpose", "test")
    no_action = run_cli("objections", "decide", objection_id, "--decision", "upheld",
                        "--reason", "核实")  # fmt: skip
    decided = run_cli("objections", "decide", objection_id, "--decision", "upheld",
                      "--action", "revoked", "--reason", "核实")  # fmt: skip

    assert listed.returncode == 0, listed.stderr
    due = (date.today() + timedelta(days=7)).isoformat()
    assert listed.stdout.split("\n")[0].split("\t") == [objection_id, "open", LISTING, f"due {due}"]
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.split("\t")[1] == "deny"  # it still restricts
    assert checked.stdout.strip().endswith(f"contested: objection {objection_id}")
    assert no_action.returncode == 1 and no_action.stderr.startswith("error: upheld.action:")
    assert decided.returncode == 0, decided.stderr
    assert json.loads(decided.stdout)["state"] == "upheld"
    assert json.loads(decided.stdout)["propagation"]["lost"] >= 3
    assert objections.objections(world, "closed")[0]["objection_id"] == objection_id


def test_pure_refusals_of_the_cli_name_the_field() -> None:
    # (no subprocess: the same functions the commands call, with what a user could type)
    with pytest.raises(InvalidInput, match=r"^repair_id: "):
        valid_id("42", "repair_id")
    with pytest.raises(InvalidInput, match=r"^state: must be one of open, overdue, closed"):
        objections.objections(None, "pending")  # type: ignore[arg-type]  # refused before a read
