"""A load stopped at any point and run again ends with exactly the graph of one clean load.

"Exactly" means every node and relationship with every property, history included; only the
load id and load time differ between runs by nature, so the dumps leave them out.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from graph_service import migrations
from graph_service.db import Database
from loaders.engine import LoadOptions, ProgressEvent, list_loads, load_directory
from tests.conftest import ROOT, cli_env
from tests.loaders.conftest import graph_dump, small_world


class Interrupted(Exception):
    """Stands for a crash, Ctrl-C or kill in the middle of a load."""


def _clean_dump(db: Database, folder: Path) -> tuple[list[str], list[str]]:
    migrations.reset(db)
    load_directory(db, folder, LoadOptions(batch_size=5))
    return graph_dump(db)


@pytest.mark.parametrize("stop_after", [1, 4, 9])
def test_interrupted_load_rerun_equals_a_clean_load(
    db: Database, tmp_path: Path, stop_after: int
) -> None:
    folder = small_world(tmp_path / "world")
    expected = _clean_dump(db, folder)
    migrations.reset(db)
    batches = 0

    def crash(event: ProgressEvent) -> None:
        nonlocal batches
        if event.phase == "load":
            batches += 1
            if batches == stop_after:
                raise Interrupted

    with pytest.raises(Interrupted):
        load_directory(db, folder, LoadOptions(batch_size=5, progress=crash))
    assert graph_dump(db) != expected  # really stopped half-way
    assert "failed" in {entry["status"] for entry in list_loads(db)}

    rerun = load_directory(db, folder, LoadOptions(batch_size=5))

    assert graph_dump(db) == expected
    assert sum(s.unchanged for s in rerun) > 0  # the rows of the first run were not redone


_KILLER = """
import os, signal, sys
from pathlib import Path
from graph_service.db import Database
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory

batches = 0
def kill(event):
    global batches
    if event.phase == "load":
        batches += 1
        if batches == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)

with Database(Settings()) as db:
    load_directory(db, Path(sys.argv[1]), LoadOptions(batch_size=5, progress=kill))
"""


def test_load_killed_with_sigkill_rerun_equals_a_clean_load(db: Database, tmp_path: Path) -> None:
    folder = small_world(tmp_path / "world")
    expected = _clean_dump(db, folder)
    migrations.reset(db)

    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, str(folder), "6"],
        env=cli_env(), cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert "started" in {entry["status"] for entry in list_loads(db)}  # shown as unfinished

    load_directory(db, folder, LoadOptions(batch_size=5))

    assert graph_dump(db) == expected
    assert (ROOT / "graph_service").is_dir()  # the child ran against this checkout


def test_small_world_exercises_history_stubs_and_duplicates(db: Database, tmp_path: Path) -> None:
    summaries = load_directory(db, small_world(tmp_path), LoadOptions(batch_size=5))

    by_kind = {s.kind: s for s in summaries}
    assert by_kind["companies"].superseded_count == 1
    assert by_kind["shareholdings"].exact_duplicates == 1
    assert by_kind["companies"].referenced_created == 12
    assert by_kind["record_updates"].created == 1
    nodes, _ = graph_dump(db)
    assert any('"status": "revoked"' in n and "dishonest_debtor" in n for n in nodes)
