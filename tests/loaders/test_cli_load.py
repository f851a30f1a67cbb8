"""``credit-graph load | load-dir | loads`` as an operator and a script use them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from graph_service.db import Database
from tests.conftest import run_cli
from tests.loaders.conftest import FIXTURES, rejects, write

SUMMARY_KEYS = {
    "kind", "file", "read", "loaded", "created", "updated", "unchanged", "rejected",
    "duplicates", "unknown_columns", "seconds",
}  # fmt: skip


def _one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("command", [["load"], ["load-dir"], ["loads"]])
def test_help(command: list[str]) -> None:
    done = run_cli(*command, "--help")
    assert done.returncode == 0 and "Usage" in done.stdout


def test_load_json_summary_has_the_documented_keys(db: Database) -> None:
    done = run_cli("load", "companies", str(FIXTURES / "companies.csv"), "--json")

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert SUMMARY_KEYS <= set(summary)
    assert (summary["kind"], summary["file"], summary["read"]) == ("companies", "companies.csv", 11)
    assert summary["created"] == 11 and summary["rejected"] == 0
    assert summary["read"] == summary["loaded"] + summary["rejected"] + summary["duplicates"]


def test_load_dir_json_lists_every_file_twice_unchanged(db: Database) -> None:
    first = run_cli("load-dir", str(FIXTURES), "--json")
    second = run_cli("load-dir", str(FIXTURES), "--json")

    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    summaries = json.loads(second.stdout)
    assert len(summaries) == 18 and all(SUMMARY_KEYS <= set(s) for s in summaries)
    assert all(s["unchanged"] == s["read"] for s in summaries)


def test_human_summary_and_reject_file(db: Database, tmp_path: Path) -> None:
    text = "company_uscc,holder_id,stake_pct,备注\n91130102RG8E64XKKR,91130102RG8E64XKKX,10,x\n"
    path = write(tmp_path, "shareholdings.csv", text)
    reject_file = tmp_path / "rejects.csv"

    done = run_cli("load", "shareholdings", str(path), "--reject-file", str(reject_file))

    assert done.returncode == 0, done.stderr
    assert "read 1 = loaded 0 (created 0, updated 0, unchanged 0) + rejected 1" in done.stdout
    assert "unknown columns (ignored): 备注" in done.stdout
    assert str(reject_file) in done.stdout
    (row,) = rejects(reject_file)
    assert row["line"] == "2"
    assert row["reason"] == "holder_id 91130102RG8E64XKKX fails the USCC check digit"


def test_loads_lists_past_loads(db: Database) -> None:
    run_cli("load", "persons", str(FIXTURES / "persons.csv"))

    done = run_cli("loads", "--json")

    assert done.returncode == 0, done.stderr
    (entry,) = json.loads(done.stdout)
    assert (entry["kind"], entry["status"], entry["read"]) == ("persons", "done", 10)
    assert "persons.csv  done  read=10 created=10" in run_cli("loads").stdout


def test_unknown_kind_is_one_clear_line(db: Database) -> None:
    _one_line_error(run_cli("load", "firms", str(FIXTURES / "companies.csv")), "'firms'")


def test_missing_required_column_is_one_clear_line(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", "uscc\n91130102RG8E64XKKR\n")
    _one_line_error(run_cli("load", "companies", str(path)), "required column name (企业名称)")
    assert db.read("meta/count_nodes")[0]["nodes"] == 0


def test_load_dir_exits_non_zero_when_a_file_is_refused(db: Database, tmp_path: Path) -> None:
    write(tmp_path, "persons.csv", "")
    done = run_cli("load-dir", str(tmp_path), "--json")
    assert done.returncode == 1
    (summary,) = json.loads(done.stdout)
    assert summary["status"] == "refused" and "is empty" in summary["error"]
