"""``credit-graph load-dir`` killed with SIGKILL at any phase ends, after the next load,
``propagate`` or service start, with exactly the graph of one uninterrupted load: rows,
measures, risk scores and the measure change log.

The child is the real CLI; it sends itself a real SIGKILL at a named phase boundary
(``CREDIT_GRAPH_FAULT_KILL_AT``, graph_service/faults.py), since the propagation of a small
world lasts milliseconds and a kill from outside would hit it only by luck. Between the kill
and the rerun the load must be visibly pending: in ``credit-graph loads`` and ``/readyz``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.propagation import runner
from tests.conftest import cli_env, make_settings, run_cli
from tests.loaders.conftest import VOLATILE, small_world

#: What differs between two runs of the same propagation by nature: its id and time.
RUN_VOLATILE = VOLATILE | {"run_id", "computed_at"}
#: Rows per transaction, for loads and propagation writes alike: several batches per file and
#: several batches of measures, so that a kill can land between any two of them.
BATCH = "5"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five registries whose rows refer to each other: companies with dishonest-debtor
    listings, their holders and legal representatives (so derived measures and risk)."""
    return small_world(tmp_path_factory.mktemp("crash") / "world")


@pytest.fixture(scope="module")
def uninterrupted(world: Path, session_db: Database) -> dict[str, Any]:
    """The state after one uninterrupted ``load-dir`` of ``world`` into an empty graph."""
    assert run_cli("db", "reset", "--yes").returncode == 0
    done = _load_dir(world)
    assert done.returncode == 0, done.stderr
    state = _state(session_db)
    assert len(state["measures"]) > 2 * int(BATCH)  # several measure batches to die between
    assert state["risk"] and state["changes"]
    return state


def _load_dir(world: Path, **env: str) -> subprocess.CompletedProcess[str]:
    reject_dir = world.parent / "rejects"
    return run_cli(
        "load-dir", str(world), "--reject-dir", str(reject_dir), "--batch-size", BATCH,
        env=cli_env(CREDIT_GRAPH_BATCH_SIZE=BATCH, **env), timeout=300,
    )  # fmt: skip


def _killed_at(world: Path, point: str) -> None:
    # A run killed while it holds the propagation lease blocks the next run until the lease
    # lapses (60 s by default: each of these tests waited that long); 5 s keeps that wait
    # short while a busy machine still renews it in time (every third of it).
    crashed = _load_dir(
        world, CREDIT_GRAPH_FAULT_KILL_AT=point, CREDIT_GRAPH_PROPAGATION_LEASE_S="5"
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr


def _state(db: Database) -> dict[str, Any]:
    """The graph as a user sees it: every data node (measures and ``risk_score`` included)
    and relationship without run and load ids and times, and the change log as a multiset."""
    nodes, changes, measures, risk = [], [], [], {}
    for row in db.read("meta/test_dump_nodes"):
        labels, props = row["labels"], row["props"]
        if "PropagationRun" in labels:
            continue  # one per run: a crashed run and its completion are two
        if "Contradiction" in labels:
            continue  # found anew after a load, not by propagate or a service start
        if "NoticeMark" in labels:
            continue  # the notice worker's reading position, set by a service start
        if "MeasureChange" in labels:
            changes.append(_change(props))
            continue
        if "Measure" in labels:
            measures.append(props["measure_key"])
        if props.get("risk_score") is not None:
            risk[props["party_id"]] = props["risk_score"]
        nodes.append(_canonical(labels, props))
    rels = [
        _canonical([r["type"], r["start"], r["end"]], r["props"])
        for r in db.read("meta/test_dump_rels")
    ]
    return {
        "nodes": sorted(nodes), "rels": sorted(rels), "changes": sorted(changes),
        "measures": sorted(measures), "risk": risk,
    }  # fmt: skip


def _canonical(head: list[Any], props: dict[str, Any]) -> str:
    clean = {k: v for k, v in props.items() if k not in RUN_VOLATILE}
    if "history" in clean:
        clean["history"] = [
            {k: v for k, v in json.loads(e).items() if k not in VOLATILE} for e in clean["history"]
        ]
    return json.dumps([sorted(map(str, head)), clean], sort_keys=True, default=str)


def _change(props: dict[str, Any]) -> str:
    keep = ("measure_key", "change", "party_id", "measure", "rule", "record_key")
    return json.dumps([props.get(k) for k in keep])


def _pending(db: Database) -> list[str]:
    return [load.file for load in runner.pending_loads(db)]


#: Where to die. Files load in dependency order: companies (3 batches of 5 rows), persons (2),
#: dishonest_debtors (3), shareholdings (5), record_updates (1). Late points leave the most
#: behind: the rows of the earlier files are committed, and a rerun finds them unchanged.
PHASES = {
    "inside a file": "load_batch:13",  # shareholdings.csv: its 5 batches, not its end
    "between files": "load_file:4",  # all but record_updates.jsonl loaded
    "during the propagation": "propagation_compute",
    "while measures are written": "measures_batch:2",
    "during the risk update": "risk_update",
}


@pytest.mark.parametrize("point", PHASES.values(), ids=PHASES.keys())
def test_load_dir_killed_then_rerun_equals_an_uninterrupted_load(
    db: Database, world: Path, uninterrupted: dict[str, Any], point: str
) -> None:
    _killed_at(world, point)
    assert _state(db) != uninterrupted  # the kill really left something undone

    rerun = _load_dir(world)

    assert rerun.returncode == 0, rerun.stderr
    assert _state(db) == uninterrupted
    assert "completing the propagation of" in rerun.stderr
    assert _pending(db) == []


def test_a_load_killed_before_its_propagation_is_shown_pending(
    db: Database, world: Path, uninterrupted: dict[str, Any]
) -> None:
    _killed_at(world, "propagation_compute")

    as_json = run_cli("loads", "--limit", "100", "--json")
    as_text = run_cli("loads", "--limit", "100")

    assert as_json.returncode == 0, as_json.stderr
    pending = [entry for entry in json.loads(as_json.stdout) if entry["propagation"] == "pending"]
    assert {entry["file"] for entry in pending} == {p.name for p in world.iterdir()}
    assert as_text.stdout.count("propagation pending") == len(pending), as_text.stdout


def test_propagate_alone_completes_a_killed_load(
    db: Database, world: Path, uninterrupted: dict[str, Any]
) -> None:
    _killed_at(world, "measures_batch:2")

    done = run_cli("propagate", env=cli_env(CREDIT_GRAPH_BATCH_SIZE=BATCH))

    assert done.returncode == 0, done.stderr
    assert _state(db) == uninterrupted
    assert "completed the propagation of 5 loads" in done.stdout
    assert _pending(db) == []


def test_loading_another_file_completes_a_killed_load(
    db: Database, world: Path, uninterrupted: dict[str, Any]
) -> None:
    _killed_at(world, "risk_update")

    done = run_cli("load", "persons", str(world / "persons.csv"))

    assert done.returncode == 0, done.stderr
    assert "unchanged 8" in done.stdout  # the file itself brings nothing new
    assert _state(db) == uninterrupted
    assert _pending(db) == []


def test_readyz_shows_pending_propagation_until_it_is_completed(
    db: Database, world: Path, uninterrupted: dict[str, Any]
) -> None:
    _killed_at(world, "load_file:3")
    app = create_app(make_settings())  # no completion at start (tests/conftest.py)

    with TestClient(app) as client:
        pending = client.get("/readyz")
        assert run_cli("propagate").returncode == 0
        completed = client.get("/readyz")

    assert pending.status_code == 200, pending.text
    assert pending.json()["propagation_pending"] is True
    assert pending.json()["pending_loads"] == 3
    assert completed.json()["propagation_pending"] is False


def test_service_start_completes_a_killed_load(
    db: Database, world: Path, uninterrupted: dict[str, Any]
) -> None:
    _killed_at(world, "propagation_compute")

    with TestClient(create_app(make_settings(complete_pending_on_start=True))) as client:
        deadline = time.monotonic() + 120
        while client.get("/readyz").json().get("propagation_pending") is not False:
            assert time.monotonic() < deadline, "the start-up completion did not finish"
            time.sleep(0.2)

    assert _state(db) == uninterrupted
    assert _pending(db) == []
