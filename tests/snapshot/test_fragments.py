"""Answers joined from the snapshot's precomputed fragments (issue 14): the same text as a
party decided from its row, in every context, plain and masked; and the cases where a
fragment may not be joined (another day, an open objection, another spelling, unreadable).

These read a snapshot file written by :mod:`graph_service.check.snapshot` itself (no Neo4j:
the evaluation of today's checks never reads it); the service's answers over Neo4j are the
other files of this folder.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from graph_service.check import fragments, snapshot
from graph_service.check.snapshot import Meta
from graph_service.check.snapshot_eval import SnapshotEvaluator
from graph_service.policy import default_catalog
from graph_service.security.canonical import canonical_json
from graph_service.security.masking import mask_result
from graph_service.security.roles import Caller, Role
from graph_service.settings import Settings

PERSON = "110101194901252391"  # a person whose measures reach him through a company
OFFICER = "130102197203158350"  # a person on another's path (masked for checkers)
COMPANY = "91510104WJFBQAU18R"  # measures of several strengths, ties broken by record
RED = "91130102RG8E64XKKR"  # red-listed, no measure
UNKNOWN = "91110000MA01ABCD0J"  # valid, not in the snapshot
INVALID = "91110000MA01ABCD0X"  # fails its check character
CATALOG = default_catalog()
CALLER = Caller("tests", Role.INVESTIGATOR, "key")


def _today() -> date:
    """The service's today, read when used: a day taken at import goes stale when the run
    crosses midnight (the evaluator and the builder read the clock themselves)."""
    return date.today()


def _measure(name: str, ref: str, **extra: Any) -> dict[str, Any]:
    """A stored measure as check/snapshot_page returns it."""
    path = [
        {"party_id": COMPANY, "name": "成都兴鹏房地产开发有限公司", "relation": None,
         "stake_pct": None, "role": None},
        {"party_id": OFFICER, "name": "张伟", "relation": "NAMED_IN", "stake_pct": 51,
         "role": "finance_officer"},
    ]  # fmt: skip
    return {
        "measure": name, "origin": "derived", "rule": "R2", "record_ref": ref,
        "record_kind": "tax_violation", "authority": "税务局", "record_start": "2025-03-24",
        "record_end": None, "path_json": json.dumps(path, ensure_ascii=False),
        "until": None, "basis": "备忘录 " + OFFICER, **extra,
    }  # fmt: skip


def _rows() -> list[dict[str, Any]]:
    yesterday = (_today() - timedelta(days=1)).isoformat()
    tomorrow = (_today() + timedelta(days=1)).isoformat()
    company_measures = [
        _measure("exit_review", "SW-2"),
        _measure("tax_violation", "SW-3"),
        _measure("admin_penalty_serious", "SW-1"),
        _measure("tax_violation", "SW-1"),
        _measure("blacklist", "SW-0", until=yesterday),  # lapsed: not in today's answer
        _measure("bidding_ban", "SW-4", until=tomorrow),
    ]
    red = {"kind": "red_list", "ref": "AEO-1", "start": "2017-11-13", "end": None,
           "list": "customs_aeo", "status": "active"}  # fmt: skip
    return [
        {"party_id": PERSON, "name": "朱华", "kind": "person", "red_records": [],
         "measures": [_measure("officer_ban", "SW-9")]},
        {"party_id": OFFICER, "name": "张伟", "kind": "person", "red_records": [],
         "measures": []},
        {"party_id": COMPANY, "name": "成都兴鹏", "kind": "company", "red_records": [red],
         "measures": company_measures},
        {"party_id": RED, "name": "华北", "kind": None, "red_records": [red], "measures": []},
    ]  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A published snapshot of :func:`_rows` with today's fragments."""
    path = snapshot.new_generation(tmp_path)
    conn = snapshot.create(path)
    snapshot.write_parties(conn, _rows(), CATALOG, _today())
    snapshot.replace_objections(conn, {})
    snapshot.write_meta(conn, Meta("run-1", snapshot.now_iso(), CATALOG.version, "now", 4))
    snapshot.publish(tmp_path, path, conn)
    return tmp_path


def _evaluator(folder: Path) -> SnapshotEvaluator:
    reader = snapshot.SnapshotReader(folder)
    reader.reopen()
    return SnapshotEvaluator(reader)


DB = SimpleNamespace(settings=Settings(catalog=None))  # what the evaluation reads: the catalog
#: Every kind of party, and two spellings a caller may use (lower case, full width).
PARTIES = [PERSON, OFFICER, COMPANY, RED, UNKNOWN, INVALID, COMPANY, COMPANY.lower(),
           "９１５１０１０４ＷＪＦＢＱＡＵ１８Ｒ", " " + PERSON]  # fmt: skip


def _decided(evaluator: SnapshotEvaluator, context: str, masked: bool) -> str:
    """The results as the service made them before fragments: decided from the rows."""
    result = evaluator.from_snapshot(DB, context, PARTIES, _today(), CALLER)  # type: ignore[arg-type]
    shown = [r.as_json() for r in result.results]
    return canonical_json([mask_result(r) for r in shown] if masked else shown).decode()


def _joined(
    evaluator: SnapshotEvaluator, context: str, masked: bool, parties: list[str] = PARTIES
) -> str:
    answer = evaluator.answer_text(DB, context, parties, _today(), masked)  # type: ignore[arg-type]
    return answer.results.decode("utf-8")  # UTF-8: equal texts are equal bytes


@pytest.mark.parametrize("masked", [False, True])
def test_joined_fragments_are_the_decided_answer_in_every_context(
    folder: Path, masked: bool
) -> None:
    # Arrange
    evaluator = _evaluator(folder)
    # Act / Assert: byte for byte, every context
    for context in CATALOG.contexts:
        assert _joined(evaluator, context, masked) == _decided(evaluator, context, masked)


def test_the_masked_answer_hides_persons_and_the_plain_one_does_not(folder: Path) -> None:
    evaluator = _evaluator(folder)
    plain = _joined(evaluator, "government_procurement", False)
    masked = _joined(evaluator, "government_procurement", True)
    assert "张伟" in plain and OFFICER in json.loads(plain)[0]["measures"][0]["path"][1].values()
    assert "张伟" not in masked and "张*" in masked and "1301**********8350" in masked


def test_a_fragment_is_joined_not_recomputed(folder: Path) -> None:
    # Arrange: the company's row made unreadable; its fragment is intact
    parties = [COMPANY, PERSON, COMPANY]  # as stored: nothing sent in another spelling
    expected = _joined(_evaluator(folder), "bidding", True, parties)
    _sql(folder, "UPDATE parties SET measures = 'not json' WHERE party_id = ?", COMPANY)
    # Act / Assert: still answered, from the fragment alone
    assert _joined(_evaluator(folder), "bidding", True, parties) == expected


def test_a_corrupt_fragment_is_refused_with_a_warning_and_the_row_decides(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange
    _sql(folder, "UPDATE parties SET f_measures = '[[1' WHERE party_id = ?", COMPANY)
    evaluator = _evaluator(folder)
    # Act
    with caplog.at_level(logging.WARNING):
        joined = _joined(evaluator, "bidding", True)
    # Assert
    assert joined == _decided(evaluator, "bidding", True)
    assert any(
        "fragment of the decision snapshot is unusable" in r.getMessage()
        and getattr(r, "party_id", None) == COMPANY
        for r in caplog.records
    )


@pytest.mark.parametrize(
    ("column", "damaged"),
    [("f_name", '"成都兴'), ("f_kind", "company"), ("f_masked_name", '"成都兴鹏"}'),
     ("f_measures", "[]"), ("f_red", 0)],
)  # fmt: skip
def test_a_damaged_fragment_text_fails_its_crc_and_the_row_decides(
    folder: Path, caplog: pytest.LogCaptureFixture, column: str, damaged: Any
) -> None:
    # Arrange: one of the company's fragment texts damaged (cut, unquoted, a stray brace, its
    # measures or red-listing lost), its day and code intact: spliced as it is, it would make
    # a body that is not JSON, or another answer, signed (the reviewer's C15)
    update = f"UPDATE parties SET {column} = ? WHERE party_id = ?"  # noqa: S608 - our columns
    _sql(folder, update, damaged, COMPANY)
    evaluator = _evaluator(folder)
    # Act
    with caplog.at_level(logging.WARNING):
        joined = _joined(evaluator, "bidding", True)
    # Assert: decided from its row, named in the log; the body is the decided one
    assert joined == _decided(evaluator, "bidding", True)
    assert json.loads(joined)[2]["party_id"] == COMPANY
    assert any(
        "fragment of the decision snapshot is unusable" in r.getMessage()
        and getattr(r, "party_id", None) == COMPANY
        and "CRC" in str(getattr(r, "error", ""))
        for r in caplog.records
    )


def test_a_fragment_of_another_shape_is_refused_too(folder: Path) -> None:
    _sql(folder, "UPDATE parties SET f_measures = '[[\"only a name\"]]' WHERE party_id = ?", PERSON)
    evaluator = _evaluator(folder)
    assert _joined(evaluator, "bidding", False) == _decided(evaluator, "bidding", False)


def test_yesterdays_fragments_are_not_joined_and_are_remade(folder: Path) -> None:
    # Arrange: every fragment made yesterday, the company's measures changed since
    yesterday = (_today() - timedelta(days=1)).isoformat()
    _sql(folder, "UPDATE parties SET f_made_on = ?", yesterday)
    _sql(folder, "UPDATE parties SET measures = '[]' WHERE party_id = ?", COMPANY)
    evaluator = _evaluator(folder)
    # Act / Assert: decided from the rows (the company, red-listed, now fast-tracked)
    joined = json.loads(_joined(evaluator, "bidding", False))
    assert joined[2]["measures"] == [] and joined[2]["decision"] == "fast_track"
    assert _joined(evaluator, "bidding", False) == _decided(evaluator, "bidding", False)
    # Act: the builder's remaking, a page at a time, until none is left
    path = snapshot.current_path(folder)
    assert path is not None
    conn = snapshot.open_for_update(path)
    after: str | None = ""
    while after is not None:
        after = snapshot.refresh_fragments(conn, CATALOG, _today(), after, 2)
    # Assert
    assert snapshot.fragments_on(conn) == fragments.stamp(_today())
    made = {row[0] for row in conn.execute("SELECT DISTINCT f_made_on FROM parties")}
    conn.close()
    assert made == {fragments.stamp(_today())}
    _sql(folder, "UPDATE parties SET measures = 'not json' WHERE party_id = ?", COMPANY)
    assert (
        json.loads(_joined(evaluator, "bidding", False, [COMPANY]))[0]["decision"] == "fast_track"
    )


def test_a_measure_under_an_open_objection_is_decided_from_the_row_contested(
    folder: Path,
) -> None:
    # Arrange
    _sql(folder, "INSERT INTO open_objections VALUES (?, 'OBJ-1')", "SW-3")
    evaluator = _evaluator(folder)
    # Act
    joined = _joined(evaluator, "bidding", True)
    # Assert
    assert joined == _decided(evaluator, "bidding", True)
    contested = [m for m in json.loads(joined)[2]["measures"] if m["contested"]]
    assert [(m["record"]["ref"], m["objection_id"]) for m in contested] == [("SW-3", "OBJ-1")]


def test_a_snapshot_without_fragments_is_decided_from_its_rows(tmp_path: Path) -> None:
    # Arrange: rows written without a catalog and day (as a scale benchmark writes them)
    path = snapshot.new_generation(tmp_path)
    conn = snapshot.create(path)
    snapshot.write_parties(conn, _rows())
    snapshot.replace_objections(conn, {})
    snapshot.write_meta(conn, Meta("run-1", snapshot.now_iso(), CATALOG.version, "now", 4))
    snapshot.publish(tmp_path, path, conn)
    evaluator = _evaluator(tmp_path)
    # Act / Assert
    assert _joined(evaluator, "bidding", True) == _decided(evaluator, "bidding", True)


def test_a_row_decided_whole_is_read_from_the_state_its_fragments_were(folder: Path) -> None:
    # Arrange: the company's row as stored; its fragment is stale, so it is decided whole
    _sql(folder, "UPDATE parties SET f_made_on = 'yesterday' WHERE party_id = ?", COMPANY)
    reader = snapshot.SnapshotReader(folder)
    reader.reopen()
    before = reader.read_stored([COMPANY], lambda read: read.whole(COMPANY))

    def use(read: snapshot.StoredRead) -> snapshot.StoredRow:
        # a newer run commits the company's row while the check's read is open
        _sql(folder, "UPDATE parties SET measures = '[]' WHERE party_id = ?", COMPANY)
        return read.whole(COMPANY)

    # Act
    during = reader.read_stored([COMPANY, PERSON], use)
    after = reader.read_stored([COMPANY], lambda read: read.whole(COMPANY))
    # Assert: the read saw one state of the file — the one its fragments came from
    assert during == before and before.measures != b"[]"
    assert after.measures == b"[]"


def _sql(folder: Path, statement: str, *params: Any) -> None:
    path = snapshot.current_path(folder)
    assert path is not None
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(statement, params)
    conn.close()
