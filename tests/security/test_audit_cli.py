"""``credit-graph audit verify|show|export`` as an operator runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.roles import Role
from tests.conftest import run_cli
from tests.security.conftest import COMPANY, PERSON, MakeKey, auth, check_body


@pytest.fixture
def two_checks(client: TestClient, make_key: MakeKey) -> list[str]:
    """Two checks by different callers: one of PERSON, one of PERSON and COMPANY."""
    first = auth(make_key(Role.CHECKER, "procurement-portal"))
    second = auth(make_key(Role.INVESTIGATOR, "inspector-li"))
    ids = [
        client.post("/v1/checks", json=check_body(parties=[PERSON]), headers=first),
        client.post(
            "/v1/checks",
            json=check_body(parties=[COMPANY, PERSON], purpose="case 2026-88", context="exit"),
            headers=second,
        ),
    ]
    return [r.json()["check_id"] for r in ids]


def test_verify_ok_then_names_the_tampered_entry(two_checks: list[str], db: Database) -> None:
    done = run_cli("audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("audit log OK: 4 entries")  # 2 keys created, 2 checks
    db.write("meta/test_tamper_audit_entry", seq=3, payload=json.dumps({"purpose": "x"}))
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert "entry 3: its content was changed (hash mismatch)" in done.stdout
    assert done.stderr.startswith("error: the audit log does not verify (1 problem(s))")


def test_verify_names_a_deleted_entry(two_checks: list[str], db: Database) -> None:
    db.write("meta/test_delete_audit_entry", seq=2)
    done = run_cli("audit", "verify")
    assert done.returncode == 1
    assert "entry 2 was deleted (entry 3 follows entry 1)" in done.stdout


def test_show_party_says_who_checked_when_and_why(two_checks: list[str]) -> None:
    done = run_cli("audit", "show", "--party", PERSON.lower())
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2  # newest first
    assert lines[0].split("\t")[2:8] == [
        "inspector-li (investigator)", "check", "case 2026-88", "exit", two_checks[1], "allow",
    ]  # fmt: skip
    assert "procurement-portal (checker)" in lines[1] and "bid evaluation 2026-017" in lines[1]
    # Looking someone up is itself logged: the next lookup shows the first one.
    again = run_cli("audit", "show", "--party", PERSON, "--json")
    entries = json.loads(again.stdout)
    assert entries[0]["kind"] == "audit_read"
    assert entries[0]["actor"]["role"] == "operator"


def test_show_needs_exactly_one_of_party_or_check(db: Database) -> None:
    done = run_cli("audit", "show")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: give exactly one of --party or --check"


def test_export_jsonl_and_csv(two_checks: list[str], tmp_path: object) -> None:
    since = (date.today() - timedelta(days=1)).isoformat()
    jsonl = run_cli("audit", "export", "--since", since, "--format", "jsonl")
    assert jsonl.returncode == 0, jsonl.stderr
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]  # the export's own entry is last
    assert rows[4]["kind"] == "audit_export"
    assert rows[2]["payload"]["check_id"] == two_checks[0]
    assert rows[2]["payload"]["purpose"] == "bid evaluation 2026-017"
    exported = run_cli("audit", "export", "--since", since, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["seq"] for r in table] == ["1", "2", "3", "4", "5", "6"]
    assert table[3]["parties"] == f"{COMPANY} {PERSON}"
    assert table[5]["kind"] == "audit_export"


def test_export_since_tomorrow_is_empty_and_a_bad_date_is_one_line(db: Database) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    done = run_cli("audit", "export", "--since", tomorrow)
    assert done.returncode == 0 and done.stdout == ""
    bad = run_cli("audit", "export", "--since", "yesterday")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: --since 'yesterday' is not a date")


def test_show_party_lists_an_entry_committed_just_before(
    client: TestClient, make_key: MakeKey
) -> None:
    # The party index is eventually consistent (schema v005): `show` must wait for it to catch
    # up rather than miss the newest entries. Many entries right before make a lag likely.
    headers = auth(make_key(Role.CHECKER, "portal"))
    for i in range(30):
        client.post("/v1/checks", json=check_body(purpose=f"bulk {i}"), headers=headers)
    newest = client.post("/v1/checks", json=check_body(parties=[PERSON]), headers=headers)
    done = run_cli("audit", "show", "--party", PERSON)
    assert done.returncode == 0, done.stderr
    assert newest.json()["check_id"] in done.stdout.splitlines()[0]
