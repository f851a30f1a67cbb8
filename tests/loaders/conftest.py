"""Helpers of the loader tests: registry files made on the fly, and whole-graph dumps.

Every test here runs in its own temporary folder (default reject files land there), and the
sample registry files are the copies under ``tests/fixtures/registries`` (never shared/).
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.identifiers import USCC_ALPHABET, id_check_char, uscc_check_char
from loaders.engine import LoadOptions, load_file
from loaders.summary import Summary
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "registries"
#: Provenance that differs between two runs of the same load by nature.
VOLATILE = frozenset({"load_id", "loaded_at"})


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Runs each test in its own folder, where default reject files are written."""
    monkeypatch.chdir(tmp_path)
    yield


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Writes a registry file exactly as given (no newline translation)."""
    path = folder / name
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def load(db: Database | None, kind: str, path: Path, **options: Any) -> Summary:
    """Loads one file and checks the summary's accounting, as every load must satisfy."""
    summary = load_file(db, kind, path, LoadOptions(**options))
    assert summary.read == summary.loaded + summary.rejected + summary.duplicates
    return summary


def rejects(path: Path) -> list[dict[str, str]]:
    """The rows of a reject file."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def nodes(db: Database, label: str) -> list[dict[str, Any]]:
    """The properties of every node with ``label``."""
    return [r["props"] for r in db.read("meta/test_dump_nodes") if label in r["labels"]]


def node(db: Database, label: str, key: str, value: str) -> dict[str, Any]:
    """The properties of the one node with ``label`` whose ``key`` is ``value``."""
    (found,) = [n for n in nodes(db, label) if n.get(key) == value]
    return found


def rels(db: Database, rel_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(start key, end key, properties) of every relationship of ``rel_type``."""
    rows = db.read("meta/test_dump_rels")
    return [(r["start"], r["end"], r["props"]) for r in rows if r["type"] == rel_type]


def cached_plans(db: Database) -> int:
    """How many plans Neo4j's query caches held; empties them (``db.clearQueryCaches()``)."""
    (row,) = db.read("meta/test_clear_query_caches")
    found = re.search(r"of (\d+) quer", str(row["value"]))  # or "Query cache already empty."
    return int(found.group(1)) if found else 0


# --- identifiers for generated worlds ---------------------------------------------------------


def make_uscc(rng: random.Random) -> str:
    """A random valid USCC."""
    body = "91130102" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + str(uscc_check_char(body))


def make_id(rng: random.Random) -> str:
    """A random valid resident ID number."""
    body = f"130102{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + id_check_char(body)


def small_world(folder: Path, seed: int = 7) -> Path:
    """A folder with five registries whose rows refer to each other (and to unknown parties).

    Built so that a load takes several batches of 5 rows per file, with superseded rows,
    exact duplicates, stubs created from references and a record update.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    folder.mkdir(parents=True, exist_ok=True)
    companies = [make_uscc(rng) for _ in range(12)]
    persons = [make_id(rng) for _ in range(12)]
    lines = ["uscc,name,legal_rep_id,legal_rep_name,status"]
    lines += [f"{c},公司{i},{persons[i]},人{i},存续" for i, c in enumerate(companies)]
    lines.append(f"{companies[0]},公司0(更名),{persons[0]},人0,存续")  # supersedes line 2
    write(folder, "companies.csv", "\n".join(lines) + "\n")
    people = ["id_number,name,gender"] + [f"{p},人{i},男" for i, p in enumerate(persons[:8])]
    write(folder, "persons.csv", "\n".join(people) + "\n")
    holds = ["company_uscc,holder_id,holder_name,stake_pct"]
    for i, c in enumerate(companies):
        holds += [f"{c},{persons[(i + 1) % 12]},人{i + 1},60%", f"{c},{companies[i - 1]},,40"]
    holds.append(holds[1])  # an exact duplicate
    write(folder, "shareholdings.csv", "\n".join(holds) + "\n")
    debtors = ["case_no,debtor_id,debtor_name,published_on"]
    debtors += [
        f"（2021）冀01执{i}号,{c},公司{i},2021-06-0{i % 9 + 1}" for i, c in enumerate(companies)
    ]
    write(folder, "dishonest_debtors.csv", "\n".join(debtors) + "\n")
    update = {"record_ref": f"(2021)冀01执3号|{companies[3]}", "status": "撤销",
              "effective_on": "2024年1月2日"}  # fmt: skip
    write(folder, "record_updates.jsonl", json.dumps(update, ensure_ascii=False) + "\n")
    return folder


# --- whole-graph dumps ----------------------------------------------------------------------


def graph_dump(db: Database) -> tuple[list[Any], list[Any]]:
    """Every data node and relationship, comparable across runs (load ids and times removed).

    History entries are JSON: their load id and time are removed too.
    """
    nodes = sorted(_canonical(r["labels"], r["props"]) for r in db.read("meta/test_dump_nodes"))
    rels = sorted(
        _canonical([r["type"], r["start"], r["end"]], r["props"])
        for r in db.read("meta/test_dump_rels")
    )
    return nodes, rels


def _canonical(head: list[Any], props: dict[str, Any]) -> str:
    clean = {k: _stable(k, v) for k, v in props.items() if k not in VOLATILE}
    return json.dumps([sorted(map(str, head)), clean], sort_keys=True, default=str)


def _stable(key: str, value: Any) -> Any:
    if key == "history":
        return [{k: v for k, v in json.loads(e).items() if k not in VOLATILE} for e in value]
    return value
