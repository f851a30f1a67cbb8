"""The import's graph kept mostly on disk (loaders/bulk_store.py) makes the same importer files
as the graph kept wholly in memory.

No Neo4j: the loader engine runs on :class:`loaders.bulk_graph.MemoryGraph` and writes CSV.
With ``import_cache_entries=0`` every entry goes to the SQLite file before each statement and
transaction and is read back from it by the next, so every later-wins update, history entry,
stub filled in, Official label, record update and derived link crosses the file; the graph
that never spills (a limit above its size) is the reference. ``tests/loaders/test_import.py``
compares the imported graph with load-dir's, also with every entry spilled.
"""

from __future__ import annotations

import csv
import errno
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from loaders.bulk import SPILL_FILE, Prepared, prepare
from loaders.bulk_store import SpillStore
from loaders.engine import LoadOptions
from tests.conftest import make_settings
from tests.loaders.conftest import FIXTURES, small_world

Files = dict[tuple[str, str], list[str]]
#: A load's time, also inside history entries (each run has its own).
STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ][\d:.]+\+00:00")


def _prepare(world: Path, out: Path, cache: int, batch: int) -> tuple[Prepared, Files]:
    settings = make_settings(import_cache_entries=cache)
    prepared = prepare(settings, world, out, LoadOptions(batch_size=batch))
    # Each run has its own load ids: named by the file they loaded instead.
    names = {s.load_id: s.file for s in prepared.summaries if s.load_id}
    files: Files = {}
    for name, path in prepared.csv.nodes + prepared.csv.relationships:
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = csv.reader(handle)
        timed = [i for i, c in enumerate(header) if c.split(":")[0] in ("seconds", "rows_per_s")]
        for row in rows:  # how long a load took: its own
            for i in timed:
                row[i] = ""
        lines = [STAMP.sub("T", "\x1f".join(row)) for row in rows]
        for load_id, file in names.items():
            lines = [line.replace(load_id, f"<{file}>") for line in lines]
        # File names number the kinds in the order first met, which the file's order changes.
        files[(name, ",".join(header))] = sorted(lines)
    return prepared, files


def _by_file(prepared: Prepared, by_load: dict[str, Any]) -> dict[str, Any]:
    names = {s.load_id: s.file for s in prepared.summaries}
    return {names[load_id]: value for load_id, value in by_load.items()}


def _sample_world(folder: Path) -> Path:
    """The sample registries and a second companies file changing rows of the first."""
    shutil.copytree(FIXTURES, folder)
    lines = (folder / "companies.csv").read_text(encoding="utf-8").splitlines()
    changed = [lines[0], lines[1].replace("有限公司", "有限责任公司", 1), lines[2]]
    (folder / "companies-9.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("world", ["small", "sample"])
def test_graph_spilled_to_disk_equals_the_graph_in_memory(tmp_path: Path, world: str) -> None:
    folder = (small_world if world == "small" else _sample_world)(tmp_path / "world")

    held, expected = _prepare(folder, tmp_path / "held", cache=10**9, batch=5)
    spilled, got = _prepare(folder, tmp_path / "spilled", cache=0, batch=5)

    assert got == expected
    assert any("history" in header for _, header in got)  # later wins, history kept
    assert spilled.csv.node_count == held.csv.node_count > 20
    assert spilled.csv.relationship_count == held.csv.relationship_count > 20
    assert _by_file(spilled, spilled.csv.empty_lists) == _by_file(held, held.csv.empty_lists)
    assert not (tmp_path / "spilled" / SPILL_FILE).exists()  # removed with the CSV written


def test_an_entry_changed_while_hot_survives_the_flush(tmp_path: Path) -> None:
    store = SpillStore(tmp_path / "g.sqlite", limit=0)
    nodes = store.map("nodes")
    nodes[("party", "P1")] = {"name": "a"}
    store.settle()
    assert not nodes.hot  # written out, forgotten

    props = nodes[("party", "P1")]
    props["name"] = "b"  # in place, as the statements change entities
    store.settle()
    nodes.pop(("party", "P2"))
    nodes[("party", "P2")] = {"name": "c"}

    assert dict(nodes.items()) == {("party", "P1"): {"name": "b"}, ("party", "P2"): {"name": "c"}}
    nodes.pop(("party", "P1"))
    assert ("party", "P1") not in nodes and ("party", "P2") in nodes
    assert nodes.get(("party", "P1")) is None
    store.close()


def test_a_full_disk_under_the_graph_file_is_enospc(tmp_path: Path) -> None:
    store = SpillStore(tmp_path / "g.sqlite", limit=0)
    store.db.execute("PRAGMA max_page_count=8")  # the file may not grow past 8 pages
    nodes = store.map("nodes")
    for i in range(2_000):
        nodes[("party", f"P{i}")] = {"name": "x" * 100}

    with pytest.raises(OSError) as raised:
        store.flush()

    assert raised.value.errno == errno.ENOSPC
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    store.close()
