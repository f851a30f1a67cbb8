"""``credit-graph import DIR`` (Neo4j's offline importer) makes the graph ``load-dir`` makes.

The real CLI in a subprocess, the real importer and the real Neo4j. An import stops the test
Neo4j, swaps its store and starts it again, and takes minutes (two JVMs start, one to write
the store and one to bring its schema online): these tests are ``large``, except those that
end before the importer runs.

What legitimately differs between the two graphs, and is left out of the comparison: load and
propagation run ids and times (``VOLATILE``/``RUN_VOLATILE``, as in the crash tests, also inside
history entries); in the :Load records, the seconds and rows/s a load took and the id of the
run that propagated it; a stored contradiction's refresh id and time and its content hash (a
hash over the load ids it names); and the :PropagationRun record itself: after ``load-dir``
the propagation is an incremental run (or its fallback), after ``import`` one full run; the
measures, risk scores and change log they leave are compared.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service import embedded
from graph_service.db import Database
from tests.conftest import ROOT, TEST_HOME, cli_env, make_settings, run_cli
from tests.loaders.conftest import FIXTURES, VOLATILE, small_world

#: Differ between two runs by nature (see the module docstring).
RUN_VOLATILE = VOLATILE | {"run_id", "computed_at"}
LOAD_VOLATILE = RUN_VOLATILE | {"started_at", "finished_at", "seconds", "rows_per_s",
                                "propagation_run"}  # fmt: skip
#: A stored contradiction's refresh, and what hashes the load ids it names (its provenance).
CONTRADICTION_VOLATILE = RUN_VOLATILE | {"refresh_id", "refreshed_at", "content_hash"}
#: Rows per batch for both commands: several batches per file, as the crash tests use.
BATCH = "5"


def fingerprint(db: Database) -> dict[str, Any]:
    """Every node (measures, risk, contradictions and :Load records included) and relationship,
    without what differs by nature; the change log as a multiset."""
    nodes, changes, loads = [], [], []
    for row in db.read("meta/test_dump_all_nodes"):
        labels, props = row["labels"], row["props"]
        if {"PropagationRun", "SchemaMigration", "NoticeMark"} & set(labels):
            continue
        if "MeasureChange" in labels:
            keep = ("measure_key", "change", "party_id", "measure", "rule", "record_key")
            changes.append(json.dumps([props.get(k) for k in keep]))
        elif "Load" in labels:
            loads.append(_canonical(labels, props, LOAD_VOLATILE))
        elif "Contradiction" in labels:
            provenance = json.loads(props["provenance_json"])
            props = {**props, "provenance_json": [_without(p, VOLATILE) for p in provenance]}
            nodes.append(_canonical(labels, props, CONTRADICTION_VOLATILE))
        else:
            nodes.append(_canonical(labels, props, RUN_VOLATILE))
    rels = [
        _canonical([r["type"], r["start"], r["end"]], r["props"], RUN_VOLATILE)
        for r in db.read("meta/test_dump_rels")
    ]
    return {"nodes": sorted(nodes), "rels": sorted(rels), "changes": sorted(changes),
            "loads": sorted(loads)}  # fmt: skip


def _without(values: dict[str, Any], volatile: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in volatile}


def _canonical(head: list[Any], props: dict[str, Any], volatile: frozenset[str]) -> str:
    clean = _without(props, volatile)
    if "history" in clean:
        clean["history"] = [_without(json.loads(e), VOLATILE) for e in clean["history"]]
    # The type beside the text: a Neo4j Date and the string "2021-06-01" must not compare equal.
    return json.dumps([sorted(map(str, head)), clean], sort_keys=True, default=_typed)


def _typed(value: Any) -> list[str]:
    return [type(value).__name__, str(value)]


def _import(
    folder: Path, *extra: str, batch: str = BATCH, **env: str
) -> subprocess.CompletedProcess[str]:
    # No entity kept in memory between statements: the whole graph crosses the import's
    # SQLite file (loaders/bulk_store.py), as a large world's does.
    env = {"CREDIT_GRAPH_IMPORT_CACHE_ENTRIES": "0", **env}
    return run_cli(
        "import", str(folder), "--reject-dir", str(folder.parent / "rejects"),
        "--batch-size", batch, *extra,
        env=cli_env(CREDIT_GRAPH_BATCH_SIZE=batch, **env), timeout=900,
    )  # fmt: skip


def _load_dir(folder: Path, batch: str = BATCH) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "load-dir", str(folder), "--reject-dir", str(folder.parent / "rejects"),
        "--batch-size", batch, env=cli_env(CREDIT_GRAPH_BATCH_SIZE=batch), timeout=600,
    )  # fmt: skip


def _world(tmp_path: Path) -> Path:
    """The sample registries and the small world (superseded rows, exact duplicates, stubs,
    a record update) in one folder, a second companies file that repeats and changes rows of
    the first (duplicate keys across files: the later file wins, history kept), and contacts
    shared across batches."""
    folder = small_world(tmp_path / "world")
    for path in FIXTURES.iterdir():
        target = folder / path.name
        if target.exists():
            target = folder / f"{path.stem}-2{path.suffix}"
        shutil.copy(path, target)
    lines = (folder / "companies.csv").read_text(encoding="utf-8").splitlines()
    changed = [lines[0], lines[1], lines[2].replace("公司1", "公司1(迁址)")]
    (folder / "companies-9.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    (folder / "contacts-9.jsonl").write_text(_shared_contacts(lines[1:12]), encoding="utf-8")
    return folder


def _shared_contacts(company_lines: list[str]) -> str:
    """Eleven companies reporting two phones, so that parties sharing a contact arrive in
    different batches of 5 (where the derived SHARES_CONTACT takes its provenance from), and
    a row superseded by a later one with another date."""
    rows = []
    for i, line in enumerate(company_lines):
        phone = "0311-8666 1234" if i % 2 else "0311-8777 5678"
        rows.append({"party_id": line.split(",")[0], "kind": "phone", "value": phone,
                     "reported_on": f"2024-0{i % 9 + 1}-01"})  # fmt: skip
    rows.append({**rows[0], "reported_on": "2024-12-31"})
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def test_import_equals_load_dir_of_the_sample_registries(db: Database, tmp_path: Path) -> None:
    """The default run's equality: every registry kind once (the sample registries) and a
    second companies file repeating and changing rows of the first, in whole-file batches;
    the large test below repeats it over more rows in batches of 5."""
    world = tmp_path / "world"
    shutil.copytree(FIXTURES, world)
    lines = (world / "companies.csv").read_text(encoding="utf-8").splitlines()
    changed = [lines[0], lines[1].replace("有限公司", "有限责任公司", 1), lines[2]]
    (world / "companies-9.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    # A header ending in a comma: its :Load's unknown_columns is [""], which the importer's
    # CSV cannot hold (an empty cell reads as no property).
    trailing = [line + "," for line in lines[:2]]
    (world / "companies-8.csv").write_text("\n".join(trailing) + "\n", encoding="utf-8")

    got = _assert_import_equals_load_dir(db, world, batch="5000")

    assert any("history" in n for n in got["nodes"])  # the second file's change, kept
    assert any('"unknown_columns": [""]' in n for n in got["loads"])


@pytest.mark.large
def test_import_equals_load_dir_of_the_same_files(db: Database, tmp_path: Path) -> None:
    got = _assert_import_equals_load_dir(db, _world(tmp_path), batch=BATCH)

    assert any("history" in n for n in got["nodes"])  # superseded and cross-file history
    assert sum('"SHARES_CONTACT"' in r for r in got["rels"]) > 20  # across batches


def _assert_import_equals_load_dir(db: Database, world: Path, batch: str) -> dict[str, Any]:
    """Loads ``world`` with load-dir, resets, imports it, and asserts the two graphs' fingerprints
    are equal; the imported fingerprint."""
    loaded = _load_dir(world, batch)
    assert loaded.returncode == 0, loaded.stderr
    expected = fingerprint(db)
    assert run_cli("db", "reset", "--yes").returncode == 0

    imported = _import(world, "--json", batch=batch)

    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["import"]["nodes"] > 50 and report["import"]["propagation"]["mode"] == "full"
    got = fingerprint(db)
    for part in ("nodes", "rels", "changes", "loads"):
        only = sorted(set(got[part]) ^ set(expected[part]))
        assert got[part] == expected[part], f"{part}: {len(only)} differ, e.g. {only[:4]}"
    assert expected["changes"]  # the propagation gave measures, compared above
    return got


def test_import_refuses_a_graph_that_is_not_empty(db: Database, tmp_path: Path) -> None:
    world = small_world(tmp_path / "world")
    db.write("meta/test_create_party", party_id="P1", name="x")

    refused = _import(world)

    assert refused.returncode != 0
    (line,) = [ln for ln in refused.stderr.splitlines() if ln.strip()]
    assert "not empty" in line and "credit-graph db reset" in line
    assert not (tmp_path / "rejects").exists()  # refused before any file was read


def test_csv_only_writes_importer_files_and_the_command(tmp_path: Path) -> None:
    world = small_world(tmp_path / "world")
    out = tmp_path / "csv"

    done = _import(world, "--csv-only", str(out), "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)["import"]
    args = (out / "import-args.txt").read_text().split("\n")
    assert all(arg.startswith("--") for arg in args if arg)  # options only: no database name
    assert report["importer_command"][:4] == ["neo4j-admin", "database", "import", "full"]
    assert report["peak_rss_mib"]["cli_files"] > 0  # the files' pass alone
    assert "WARNING" not in done.stderr  # e.g. planning statements ahead on a graph in memory
    node_files = [a for a in args if a.startswith("--nodes=")]
    assert any(a.startswith("--nodes=Company:Party=") for a in node_files)
    header = Path(node_files[0].split("=", 2)[2]).read_text(encoding="utf-8").splitlines()[0]
    assert ":ID(" in header


@pytest.mark.large
def test_import_killed_while_the_importer_runs_leaves_the_store_and_a_rerun_works(
    db: Database, tmp_path: Path
) -> None:
    world = _world(tmp_path)
    before = fingerprint(db)
    child = _start_import(world, tmp_path)
    importer = _wait_for_importer(child)

    os.kill(importer, signal.SIGKILL)  # the importer dies half-way through the store
    _, err = child.communicate(timeout=120)

    assert child.returncode == 1, err
    assert "importer failed" in err.decode() and "graph is unchanged" in err.decode()
    assert fingerprint(db) == before  # Neo4j still serves the old (empty) store

    rerun = _import(world)

    assert rerun.returncode == 0, rerun.stderr
    assert fingerprint(db) != before


@pytest.mark.large
def test_import_killed_at_the_swap_is_undone_by_the_rerun(db: Database, tmp_path: Path) -> None:
    world = _world(tmp_path)

    killed = _import(world, CREDIT_GRAPH_FAULT_KILL_AT="import_swap")

    assert killed.returncode == -signal.SIGKILL
    assert not (TEST_HOME / "neo4j").exists()  # died between the two renames
    rerun = _import(world)
    assert rerun.returncode == 0, rerun.stderr
    assert embedded.status(make_settings()).running
    assert fingerprint(db)["nodes"]


@pytest.mark.large
def test_import_killed_with_the_staged_store_running_leaves_the_live_port_free(
    db: Database, tmp_path: Path
) -> None:
    """The staged store runs on a port of its own: after a kill -9 while it runs, `neo4j start`
    brings the old store back on the live port, and the next import stops the staged server."""
    world = small_world(tmp_path / "world")
    before = fingerprint(db)

    killed = _import(world, CREDIT_GRAPH_FAULT_KILL_AT="import_finish")

    assert killed.returncode == -signal.SIGKILL
    staged_pid = int((TEST_HOME / "import" / "stage" / "neo4j.pid").read_text())
    started = run_cli("neo4j", "start")
    assert started.returncode == 0, started.stderr  # the live port was not taken
    assert fingerprint(db) == before  # the old (empty) store on the live port
    rerun = _import(world)
    assert rerun.returncode == 0, rerun.stderr
    assert not _alive(staged_pid)  # the next import stopped the leftover staged server
    assert fingerprint(db)["nodes"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    return state != "Z"


@pytest.mark.large
def test_import_refuses_when_the_graph_was_written_while_it_ran(
    db: Database, tmp_path: Path
) -> None:
    """Something written to the live graph after the first check (here while the importer
    runs) would be thrown away by the swap: the import refuses and keeps the live store."""
    world = small_world(tmp_path / "world")
    child = _start_import(world, tmp_path)
    _wait_for_importer(child, settle_s=0)

    db.write("meta/test_create_party", party_id="P-LATE", name="written during the import")
    _, err = child.communicate(timeout=600)

    assert child.returncode == 1, err
    (line,) = [ln for ln in err.decode().splitlines() if ln.strip() and "import:" not in ln]
    assert "written to while the import ran" in line and "graph is unchanged" in line
    assert [n for n in fingerprint(db)["nodes"] if "P-LATE" in n]
    assert not (TEST_HOME / "import" / "stage").exists()  # the staged store discarded


@pytest.mark.large
def test_importer_failure_leaves_the_old_store(db: Database, tmp_path: Path) -> None:
    world = small_world(tmp_path / "world")
    before = fingerprint(db)

    failed = _import(world, CREDIT_GRAPH_IMPORT_HEAP="2m")  # the importer's JVM cannot start

    assert failed.returncode == 1
    assert "importer failed" in failed.stderr and "graph is unchanged" in failed.stderr
    assert fingerprint(db) == before


def _start_import(world: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "import", str(world), "--batch-size", BATCH,
         "--reject-dir", str(tmp_path / "rejects")],
        cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_importer(
    child: subprocess.Popen[bytes], timeout_s: float = 300, settle_s: float = 3
) -> int:
    """The pid of the importer JVM the CLI started, once it has run for ``settle_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["pgrep", "-P", str(child.pid), "-f", "org.neo4j.cli.AdminTool"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if found.stdout.strip():
            time.sleep(settle_s)  # into the import proper: the JVM started and reads the CSV
            return int(found.stdout.split()[0])
        assert child.poll() is None, child.communicate()
        time.sleep(0.2)
    raise AssertionError("the importer did not start")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 KiB file system (tmpfs), which the small world's CSV files fill; root only."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(mount)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_while_writing_the_import_files_is_one_clear_line(
    small_disk: Path, tmp_path: Path
) -> None:
    world = small_world(tmp_path / "world")  # about 30 KiB of importer CSV

    full = _import(world, "--csv-only", str(small_disk / "out"))

    assert full.returncode == 1
    (line,) = [ln for ln in full.stderr.splitlines() if ln.strip()]
    assert "no space left on the disk" in line and "graph is unchanged" in line


@pytest.mark.large
def test_import_into_a_new_home_starts_neo4j_only_on_the_new_store(tmp_path: Path) -> None:
    """A home without a store (Neo4j never started there) is empty as it is: the import does
    not start Neo4j to check it, and leaves it running on the imported store; ``--json``
    names the staged store's phases and the importer's peak RSS."""
    world = small_world(tmp_path / "world")
    home = tmp_path / "home"
    launcher = str(make_settings().launcher_dir.resolve())  # the launcher built already
    env = cli_env(CREDIT_GRAPH_HOME=str(home), CREDIT_GRAPH_EMBEDDED_PORT=str(_free_port()),
                  CREDIT_GRAPH_LAUNCHER_DIR=launcher)  # fmt: skip
    try:
        done = run_cli("import", str(world), "--json", "--reject-dir", str(tmp_path / "r"),
                       env=env, timeout=900)  # fmt: skip

        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)["import"]
        assert list(report["phases"]) == ["check", "load_and_csv", "importer", "stage_start",
                                          "schema", "propagation", "stage_close", "swap",
                                          "neo4j_start"]  # fmt: skip
        assert report["peak_rss_mib"]["importer"] > 0
        # One start on the live port, the last one: none for the check of the empty home.
        assert (home / "neo4j.log").read_text().count("READY") == 1
        status = run_cli("neo4j", "status", "--json", env=env)
        assert json.loads(status.stdout)["running"] is True, status.stdout
        assert not (home / "import" / "stage" / "neo4j").exists()  # renamed into the home
    finally:
        run_cli("neo4j", "stop", env=env)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
