"""Changes whose parties no ``load_id`` marks: ``propagation/touched_by_loads`` still returns them.

An incremental run starts from the parties the loads touched; riskscope's Rule (and the
measures' scope) need every party whose records changed and both ends of every relationship
that changed among them. Loads did not give them all (issue 15, session 14, found while
checking the Rule): a contacts load derives SHARES_CONTACT links (now found by their
``load_id``, schema v010), a company row with a new legal representative deletes the old
LEGAL_REP_OF, and a record row with a new subject deletes the old HAS_RECORD (the old ends
are now the load's ``detached``, load/count_batch); and (the reviewer's R6) a cases load
that changes a bribery case's ``closed_on`` or ``case_type`` changes its parties'
convictions (now: the parties to the cases a load wrote, schema v011). Each test compares
the incremental run after such a load with a full run on the same date: they failed before,
a party keeping its measures or risk until the daily full run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.propagation import runner, store
from loaders.engine import LoadOptions, load_file
from tests.propagation.sample import sample_file
from tests.propagation.test_runner import ORDER, _load, _state

LISTED = "91130102RG8E64XKKR"  # 华北建设, a dishonest debtor; its legal rep is 张伟
FORMER_REP = "130102197203158350"  # 张伟
OTHER_PERSON = "130104198007224880"  # 李娜
BRIBERY = "（2022）冀0105刑初78号"  # a bribery case closed 2022-11-30: its briber is convicted
BLACKLIST_ENTRY = "WL-2024-0309"  # an internet blacklist entry (active) of 黄涛:
BLACKLISTED = "130108200106111975"


def after_touched(db: Database, load_id: str) -> set[str]:
    """The parties the propagation after ``load_id`` starts from."""
    return store.touched_by_loads(db, [load_id])


def _load_without(db: Database, tmp: Path, party: str, kinds: set[str]) -> None:
    """Loads every fixture file in order, those of ``kinds`` without the rows naming ``party``."""
    for kind in ORDER:
        source = sample_file(kind)
        if kind in kinds:
            lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
            source = tmp / source.name
            source.write_text("".join(ln for ln in lines if party not in ln), encoding="utf-8")
        summary = load_file(db, kind, source, LoadOptions(reject_file=tmp / "rejects.csv"))
        assert summary.rejected == 0


def _measures_of(db: Database, party: str) -> list[str]:
    return sorted(s.measure for s in store.stored_measures(db, [party]).values())


def _load_changed(db: Database, tmp: Path, kind: str, key: str, field: str, value: str) -> str:
    """Loads the fixture file of ``kind`` with ``field`` of the row ``key`` set to ``value``
    (the file's other rows unchanged: the load updates that one row)."""
    source = sample_file(kind)
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    (row,) = [r for r in rows if key in r.values()]
    row[field] = value
    changed = tmp / f"{kind}.csv"
    with changed.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = load_file(db, kind, changed, LoadOptions(reject_file=tmp / "rejects.csv"))
    if summary.rejected or summary.updated != 1:  # not an AssertionError: not the gap
        raise RuntimeError(f"{kind}: {summary.rejected} rejected, {summary.updated} updated")
    return str(summary.load_id)


def test_a_late_contacts_load(db: Database, tmp_path: Path) -> None:
    _load(db, [k for k in ORDER if k != "contacts"], tmp_path)
    runner.run_full(db)
    after = runner.after_loads(db, _load(db, ["contacts"], tmp_path))
    assert after.parties  # the shared contacts' ends were recomputed
    state = _state(db)
    runner.run_full(db, as_of=after.as_of)
    assert _state(db) == state


def test_a_new_legal_representative(db: Database, tmp_path: Path) -> None:
    # 张伟 is also the company's chair and a holder: without those rows, his measures come
    # from his legal representation alone and must go with it.
    _load_without(db, tmp_path, FORMER_REP, {"officers", "shareholdings"})
    runner.run_full(db)
    assert _measures_of(db, FORMER_REP)
    load_id = _load_changed(db, tmp_path, "companies", LISTED, "legal_rep_id", OTHER_PERSON)
    after = runner.after_loads(db, [load_id])
    assert not _measures_of(db, FORMER_REP)
    state = _state(db)
    runner.run_full(db, as_of=after.as_of)
    assert _state(db) == state


def test_a_record_given_another_subject(db: Database, tmp_path: Path) -> None:
    _load(db, ORDER, tmp_path)
    runner.run_full(db)
    load_id = _load_changed(db, tmp_path, "blacklists", BLACKLIST_ENTRY, "party_id", OTHER_PERSON)
    after = runner.after_loads(db, [load_id])
    assert BLACKLISTED in after_touched(db, load_id)  # the entry's former subject
    state = _state(db)
    runner.run_full(db, as_of=after.as_of)
    assert _state(db) == state


def test_the_detached_ends_are_kept_on_the_load(db: Database, tmp_path: Path) -> None:
    _load(db, ORDER, tmp_path)
    load_id = _load_changed(db, tmp_path, "companies", LISTED, "legal_rep_id", OTHER_PERSON)
    loads = db.read("load/list_loads", kind="companies", limit=10)
    (load,) = [row["load"] for row in loads if row["load"]["load_id"] == load_id]
    assert FORMER_REP in after_touched(db, load_id)
    assert FORMER_REP in (load.get("detached") or [])


@pytest.mark.parametrize(("field", "value"), [("closed_on", "2026-12-31"), ("case_type", "civil")])
def test_a_bribery_case_changed(db: Database, tmp_path: Path, field: str, value: str) -> None:
    _load(db, ORDER, tmp_path)
    runner.run_full(db)
    before = _state(db)
    load_id = _load_changed(db, tmp_path, "cases", BRIBERY, field, value)
    after = runner.after_loads(db, [load_id])
    state = _state(db)
    assert state != before  # the conviction's measures went
    runner.run_full(db, as_of=after.as_of)
    assert _state(db) == state
