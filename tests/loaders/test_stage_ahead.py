"""load-dir stages the next file while the current one is written (loaders.engine, issue 15):
the result is the same as one file after the other, and a load that stops discards the file
staged ahead, rejects included — they belong to a file that was not loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.db import Database
from loaders import write
from loaders.engine import LoadOptions, load_directory, load_file
from tests.loaders.conftest import FIXTURES, nodes
from tests.loaders.conftest import write as write_file

BAD_PERSON = "13010219720315835X,无效\n"  # a wrong check digit: rejected in pass 1


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "registries"
    folder.mkdir()
    write_file(folder, "companies.csv", (FIXTURES / "companies.csv").read_text(encoding="utf-8"))
    persons = (FIXTURES / "persons.csv").read_text(encoding="utf-8")
    write_file(folder, "persons.csv", persons + BAD_PERSON)
    return folder


def test_staged_ahead_loads_as_file_after_file(db: Database, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    together = load_directory(db, folder, LoadOptions(reject_dir=tmp_path / "a"))
    alone = [load_file(db, k, folder / f"{k}.csv") for k in ("companies", "persons")]
    assert [(s.kind, s.read, s.rejected) for s in together] == [
        (s.kind, s.read, s.rejected) for s in alone
    ]
    assert [(s.created, s.updated) for s in alone] == [(0, 0), (0, 0)]
    assert (tmp_path / "a" / "persons.rejects.csv").is_file()
    assert len(nodes(db, "Person")) >= 2


def test_a_stopped_load_discards_the_file_staged_ahead(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object) -> None:
        raise RuntimeError("Neo4j went away")

    monkeypatch.setattr(write.BatchLoader, "load", fail)
    with pytest.raises(RuntimeError, match="went away"):
        load_directory(db, _folder(tmp_path), LoadOptions(reject_dir=tmp_path / "b"))
    assert not (tmp_path / "b" / "persons.rejects.csv").exists()
