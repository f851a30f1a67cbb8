"""``load … --what-if`` (due process §6): exactly what a real load and propagation would change,
and nothing written — the graph's fingerprint (every node and relationship, change log
included: tests/loaders/conftest.graph_dump) and the list of loads are the same afterwards."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph_service.cli.main import app
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.propagation import runner, store
from graph_service.propagation.whatif import WHAT_IF_TIMEOUT_S, WhatIf, what_if
from loaders.engine import LoadOptions, list_loads, load_file
from tests.conftest import run_cli
from tests.loaders.conftest import FIXTURES, graph_dump, rejects, write

TODAY = date(2026, 11, 26)
#: A day the fixtures' tax violation (2022-03-15 … 2025-03-15) is active, after its repair
#: (record_updates.csv, effective 2024-01-10): the repair loses its measures that day.
REPAIRED = date(2024, 6, 1)
#: Who holds, represents and heads the debtors and taxpayers (so derived measures too).
PARTIES = ["companies", "persons", "shareholdings", "officers", "branches"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # default reject files land here


def _load(db: Database, kinds: list[str], as_of: date = TODAY) -> None:
    for kind in kinds:
        summary = load_file(db, kind, FIXTURES / f"{kind}.csv")
        assert summary.rejected == 0, kind
    runner.run_full(db, as_of=as_of)


#: What a load and a propagation write (the fingerprint): the registries' data, measures, the
#: change log, runs and contradictions. Not the API keys, audit log, checks or notices, which
#: the service's background workers may touch while another test module's server runs.
LOADED_LABELS = {
    "Party", "Case", "Record", "RecordUpdate", "Contact", "Measure", "MeasureChange",
    "PropagationRun", "Contradiction",
}  # fmt: skip
LOADED_TYPES = {
    "LEGAL_REP_OF", "HOLDS_SHARES", "OFFICER_OF", "BRANCH_OF", "EMPLOYED_AT", "PARTY_TO",
    "HANDLED", "INTERVENED_IN", "HEARD_BY", "HAS_RECORD", "NAMED_IN", "CONCERNS_CASE",
    "HAS_UPDATE", "HAS_CONTACT", "SHARES_CONTACT", "HAS_MEASURE",
}  # fmt: skip


def _fingerprint(db: Database) -> tuple[Any, ...]:
    """Every node and relationship a load or propagation writes (tests/loaders' graph_dump,
    the crash tests' comparison), and the list of loads."""
    nodes, rels = graph_dump(db)
    kept_nodes = [n for n in nodes if LOADED_LABELS & set(json.loads(n)[0])]
    kept_rels = [r for r in rels if LOADED_TYPES & set(json.loads(r)[0])]
    assert kept_nodes and kept_rels  # the fingerprint holds something
    loads = [(x["load_id"], x.get("status")) for x in list_loads(db, limit=100)]
    return kept_nodes, kept_rels, loads


def _what_if(db: Database, kind: str, as_of: date = TODAY) -> WhatIf:
    with db.rolled_back(WHAT_IF_TIMEOUT_S) as view:
        summary = load_file(view, kind, FIXTURES / f"{kind}.csv")
        assert summary.created + summary.updated > 0
        return what_if(db, view, [str(summary.load_id)], as_of=as_of)


def _real(db: Database, kind: str, as_of: date = TODAY) -> tuple[set[str], set[str]]:
    """The measure keys a real load of ``kind`` and a full run gain and lose."""
    before = set(store.stored_measures(db, None))
    load_file(db, kind, FIXTURES / f"{kind}.csv")
    runner.run_full(db, as_of=as_of)
    after = set(store.stored_measures(db, None))
    return after - before, before - after


def _keys(entries: list[dict[str, Any]]) -> set[str]:
    return {e["measure_key"] for e in entries}


def test_gains_are_exactly_the_real_loads_and_nothing_is_written(db: Database) -> None:
    _load(db, PARTIES)
    fingerprint = _fingerprint(db)

    result = _what_if(db, "dishonest_debtors")

    assert _fingerprint(db) == fingerprint  # no row, :Load, :Measure or :MeasureChange
    assert result.gains and not result.losses
    assert {e["rule"] for e in result.gains} > {None}  # direct and derived (R1…) measures
    derived = next(e for e in result.gains if e["rule"])
    assert derived["record"]["kind"] == "dishonest_debtor" and len(derived["path"]) > 1
    gained, lost = _real(db, "dishonest_debtors")
    assert (_keys(result.gains), _keys(result.losses)) == (gained, lost)


def test_a_file_that_ends_records_gives_losses(db: Database) -> None:
    _load(db, [*PARTIES, "tax_violations"], REPAIRED)
    fingerprint = _fingerprint(db)

    result = _what_if(db, "record_updates", REPAIRED)

    assert _fingerprint(db) == fingerprint
    assert result.losses and not result.gains
    assert {e["record"]["kind"] for e in result.losses} == {"tax_violation"}  # the repaired one
    gained, lost = _real(db, "record_updates", REPAIRED)
    assert (_keys(result.gains), _keys(result.losses)) == (gained, lost)


def test_cli_what_if_with_bad_rows_reports_rejects_as_a_real_load(
    db: Database, tmp_path: Path
) -> None:
    _load(db, ["companies", "persons"])
    good = (FIXTURES / "dishonest_debtors.csv").read_bytes().decode("gb18030").splitlines()
    text = "\n".join([*good[:3], "（2021）冀01执9号,法院,not-an-id,某公司,,,,,2021-06-01,"]) + "\n"
    path = write(tmp_path, "dishonest_debtors.csv", text)
    fingerprint = _fingerprint(db)

    done = run_cli("load", "dishonest_debtors", str(path), "--what-if", "--json",
                   "--reject-file", str(tmp_path / "whatif.rejects.csv"))  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert _fingerprint(db) == fingerprint
    out = json.loads(done.stdout)
    assert out["written"] is False and out["gains"] and out["losses"] == []
    assert out["summary"]["status"] == "what_if" and out["summary"]["load_id"] is None
    assert {"party_id", "measure", "rule", "record", "path"} <= set(out["gains"][0])
    real = load_file(db, "dishonest_debtors", path, LoadOptions(tmp_path / "real.rejects.csv"))
    summary = real.as_json()
    counts = ("read", "rejected", "loaded", "duplicates")
    assert out["summary"]["rejected"] == 1
    assert [out["summary"][k] for k in counts] == [summary[k] for k in counts]
    assert rejects(tmp_path / "whatif.rejects.csv") == rejects(tmp_path / "real.rejects.csv")


def test_cli_load_dir_what_if_prints_the_changes(db: Database, tmp_path: Path) -> None:
    _load(db, PARTIES)
    folder = tmp_path / "new"
    folder.mkdir()
    source = FIXTURES / "dishonest_debtors.csv"
    (folder / source.name).write_bytes(source.read_bytes())
    fingerprint = _fingerprint(db)

    done = run_cli("load-dir", str(folder), "--what-if", "--reject-dir", str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert _fingerprint(db) == fingerprint
    assert "dishonest_debtors.csv (dishonest_debtors): what_if" in done.stdout
    assert "what if (nothing written)" in done.stdout
    assert "  + " in done.stdout and "record dishonest_debtor:" in done.stdout


def test_what_if_and_dry_run_exclude_each_other() -> None:
    args = ["load", "companies", str(FIXTURES / "companies.csv"), "--what-if", "--dry-run"]

    done = CliRunner().invoke(app, args)

    assert isinstance(done.exception, InvalidInput)
    assert "--what-if and --dry-run exclude each other" in str(done.exception)
