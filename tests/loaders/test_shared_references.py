"""The files of one load-dir share what they know exists (loaders.write.Ensured, issue 15):
a party written by its own registry file is not ensured again by the files after it, and a
party no file owns is still created from the row that refers to it."""

from __future__ import annotations

from pathlib import Path

from graph_service.db import Database
from loaders.engine import LoadOptions, load_directory
from tests.loaders.conftest import FIXTURES, nodes, write

ZHANG, WANG = "130102197203158350", "130105198501094897"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "registries"
    folder.mkdir()
    companies = (FIXTURES / "companies.csv").read_text(encoding="utf-8").splitlines()[:2]
    write(folder, "companies.csv", "\n".join(companies) + "\n")
    write(folder, "persons.csv", f"id_number,name\n{ZHANG},张伟\n")
    officers = (
        "company_uscc,person_id,person_name,role\n"
        f"91130102RG8E64XKKR,{ZHANG},张伟伟,chair\n"  # another spelling: the registry's stays
        f"91130102RG8E64XKKR,{WANG},王强,manager\n"  # no persons row: a stub from this one
    )
    write(folder, "officers.csv", officers)
    return folder


def test_owned_parties_stay_and_unowned_ones_are_created(db: Database, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    summaries = load_directory(db, folder, LoadOptions(reject_dir=tmp_path))
    persons = {p["party_id"]: p for p in nodes(db, "Person")}
    officers = next(s for s in summaries if s.kind == "officers")
    assert (officers.created, officers.referenced_created) == (2, 1)
    assert persons[ZHANG]["name"] == "张伟" and "known_only_from" not in persons[ZHANG]
    assert persons[WANG]["name"] == "王强" and persons[WANG]["known_only_from"] == "officers"
    again = load_directory(db, folder, LoadOptions(reject_dir=tmp_path))
    assert {s.kind: (s.created, s.updated) for s in again} == {
        "companies": (0, 0), "persons": (0, 0), "officers": (0, 0),
    }  # fmt: skip
