"""Propagation against the real Neo4j: stored measures, incremental = full, change log, as-of."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service.analysis import compute_measures
from graph_service.analysis.graph import graph_from_rows
from graph_service.db import Database
from graph_service.policy import default_catalog
from graph_service.propagation import runner, store
from loaders.engine import LoadOptions, load_file
from tests.conftest import run_cli
from tests.propagation.sample import TODAY, sample_file

ORDER = [
    "companies", "persons", "shareholdings", "officers", "branches", "officials",
    "official_records", "cases", "case_parties", "case_officials", "interventions",
    "dishonest_debtors", "tax_violations", "admin_penalties", "blacklists", "red_list",
    "contacts", "record_updates",
]  # fmt: skip


def _load(db: Database, kinds: list[str], tmp: Path) -> list[str]:
    load_ids = []
    for kind in kinds:
        options = LoadOptions(reject_file=tmp / f"{kind}.rejects.csv")
        summary = load_file(db, kind, sample_file(kind), options)
        assert summary.rejected == 0
        load_ids.append(str(summary.load_id))
    return load_ids


def _state(db: Database) -> tuple[dict[str, str], dict[str, float]]:
    measures = {k: s.content_hash for k, s in store.stored_measures(db, None).items()}
    return measures, store.stored_risk(db)


def _stored(db: Database, party: str) -> list[tuple[str, str | None]]:
    return sorted((s.measure, s.rule) for s in store.stored_measures(db, [party]).values())


def test_sample_world_measures_are_stored_with_explanations(db: Database, tmp_path: Path) -> None:
    _load(db, ORDER, tmp_path)
    result = runner.run_full(db, as_of=TODAY)
    assert result.gained > 0
    assert _stored(db, "130102197203158350") == [  # 张伟, legal rep of the listed 华北建设
        ("high_consumption_ban", "R1"),
        ("officer_ban", "R1"),
    ]
    assert _stored(db, "9213011071AQ7XXNXJ") == [("dishonest_debtor", "R4")]  # its branch
    assert _stored(db, "91130111WHGGB7XE3B") == []  # 宏达: its tax case was repaired
    again = runner.run_full(db, as_of=TODAY)
    assert (again.gained, again.lost, again.changed) == (0, 0, 0)


def test_branch_measure_path_is_stored_hop_by_hop(db: Database, tmp_path: Path) -> None:
    _load(db, ORDER, tmp_path)
    runner.run_full(db, as_of=TODAY)
    rows = db.read("meta/test_measure_paths", party_id="9213011071AQ7XXNXJ")
    (path,) = [json.loads(r["path_json"]) for r in rows]
    assert [(h["party_id"], h["relation"]) for h in path] == [
        ("91130102RG8E64XKKR", None),
        ("9213011071AQ7XXNXJ", "BRANCH_OF"),
    ]


@pytest.mark.parametrize(
    "late",
    [
        ["dishonest_debtors"],
        ["blacklists", "record_updates"],
        ["shareholdings", "branches", "case_parties"],
    ],
)
def test_incremental_after_a_load_equals_a_full_run(
    db: Database, tmp_path: Path, late: list[str]
) -> None:
    early = [k for k in ORDER if k not in late]
    _load(db, early, tmp_path)
    runner.run_full(db, as_of=TODAY)
    incremental = runner.after_loads(db, _load(db, late, tmp_path), as_of=TODAY)
    incremental_state = _state(db)
    full = runner.run_full(db, as_of=TODAY)
    assert incremental.mode == "incremental"  # not a full run: the state was this day's
    assert incremental.gained > 0 and incremental.risk_changed > 0
    assert (full.gained, full.lost, full.changed, full.risk_changed) == (0, 0, 0, 0)
    assert _state(db) == incremental_state


def test_changes_are_logged_and_listed_by_the_cli(db: Database, tmp_path: Path) -> None:
    _load(db, [k for k in ORDER if k != "dishonest_debtors"], tmp_path)
    runner.run_full(db, as_of=TODAY)
    loaded = _load(db, ["dishonest_debtors"], tmp_path)
    run_id = runner.after_loads(db, loaded, as_of=TODAY).run_id
    done = run_cli("changes", "--since", "1h", "--json")
    assert done.returncode == 0, done.stderr
    logged = [c for c in json.loads(done.stdout) if c["run_id"] == run_id]
    gained = {(c["party_id"], c["measure"]) for c in logged if c["change"] == "gained"}
    assert ("91130102RG8E64XKKR", "dishonest_debtor") in gained
    assert ("130102196508301272", "officer_ban") in gained  # 刘洋, 70% holder: R1


def test_propagate_cli_reports_a_full_run(db: Database, tmp_path: Path) -> None:
    _load(db, ORDER, tmp_path)
    done = run_cli("propagate", "--json")
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["mode"] == "full" and report["catalog_version"] == default_catalog().version


@pytest.mark.parametrize("day", [date(2021, 6, 1), date(2024, 1, 9), date(2026, 5, 1)])
def test_measures_as_of_a_past_date_match_the_whole_graph(
    db: Database, tmp_path: Path, day: date
) -> None:
    _load(db, ORDER, tmp_path)
    whole = compute_measures(graph_from_rows(store.read_all(db)), default_catalog(), day)
    parties = [
        "91130102RG8E64XKKR",
        "130111197804120864",
        "9213011071AQ7XXNXJ",
        "130105196902052701",
    ]
    found = runner.measures_as_of(db, parties, day)
    for party in parties:
        assert [m.key for m in found.measures.get(party, [])] == [
            m.key for m in whole.get(party, [])
        ]


def test_after_loads_reads_what_each_load_touched_once(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = _load(db, [k for k in ORDER if k != "dishonest_debtors"], tmp_path)
    runner.run_full(db, as_of=TODAY)
    (late,) = _load(db, ["dishonest_debtors"], tmp_path)
    asked: list[list[str]] = []
    touched_by_loads = store.touched_by_loads

    def spy(db: Database, load_ids: list[str]) -> set[str]:
        asked.append(sorted(load_ids))
        return touched_by_loads(db, load_ids)

    monkeypatch.setattr(store, "touched_by_loads", spy)
    # A pending load (read by the run with the pending ones) and one propagated before (read
    # apart): each is asked for once.
    after = runner.after_loads(db, [late, early[0]], as_of=TODAY)
    assert sorted(asked) == sorted([[early[0]], [late]])  # load ids are random uuids
    state = _state(db)
    full = runner.run_full(db, as_of=after.as_of)
    assert after.mode == "incremental" and after.gained > 0
    assert (full.gained, full.lost, full.changed, full.risk_changed) == (0, 0, 0, 0)
    assert _state(db) == state
