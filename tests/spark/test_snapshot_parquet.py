"""The decision snapshot built from a Spark run's Parquet files (issue #18 item 4): a replica
serving from it answers every check over HTTP exactly as a service whose snapshot is kept from
Neo4j, reads no Neo4j for it, and goes on answering with Neo4j unreachable (its audit entries
wait in the local log and reach Neo4j's chain once it answers again); files of another catalog
version or an incomplete set are refused, naming what is wrong."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.analysis import propagate
from graph_service.app import create_app
from graph_service.db import Database, unsized
from graph_service.export.parquet import MANIFEST, OBJECTIONS, export
from graph_service.policy import default_catalog
from graph_service.propagation import runner, store
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import EMBEDDED_DEV_PASSWORD
from graph_service.spark.run import run_spark, write_measures
from graph_service.spark.tables import Tables, graph_from_tables
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, TEST_PORT, cli_env, make_settings, run_cli
from tests.propagation.test_runner import ORDER, _load

pytestmark = pytest.mark.neo4j

HUABEI = "91130102RG8E64XKKR"  # a listed dishonest judgment debtor in the sample registries
#: Fields of an answer that differ between two answers of one decision.
PER_ANSWER = ("check_id", "snapshot_at", "receipt")


class Proxy:
    """A TCP relay to the test Neo4j: what a replica on another host reaches it through;
    :meth:`cut` makes Neo4j unreachable for it (refused, as a down host or a partition)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> Proxy:
        """Listens and relays every connection to Neo4j."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """Stops listening and drops every relayed connection."""
        # shutdown() first: close() alone leaves a socket that another thread is blocked on
        # (accept, recv) open in the kernel, still listening or connected.
        for sock in [*self._open, *([self._listener] if self._listener else [])]:
            _shut(sock)
            sock.close()
        self._listener = None
        self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", TEST_PORT))
            self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _shut(source)
        _shut(sink)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # not connected (any more)


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """A relay to the test Neo4j, cut after the test."""
    relay = Proxy().start()
    yield relay
    relay.cut()


def _serving(folder: Path, **overrides: Any) -> dict[str, Any]:
    return {
        "receipt_key_file": folder.parent / "receipt.pem",  # one signer: comparable receipts
        "snapshot_dir": folder / "snapshot",
        "audit_local": True,
        "check_snapshot": True,
        "audit_local_dir": folder / "audit",
        "snapshot_poll_s": 0.2,
        **overrides,
    }


def _key(db: Database, name: str, role: Role) -> dict[str, str]:
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), name, role)
    return {"X-API-Key": key}


def _answers(client: TestClient, key: dict[str, str], parties: list[str]) -> list[Any]:
    """One check of every party in each context, as answered (less what differs per answer)."""
    found = []
    for context in default_catalog().contexts:
        body = {"context": context, "parties": parties, "purpose": "parquet snapshot test"}
        response = client.post("/v1/checks", json=body, headers=key)
        assert response.status_code == 200, response.text
        found.append({k: v for k, v in response.json().items() if k not in PER_ANSWER})
    return found


def _differences(ours: list[Any], theirs: list[Any]) -> list[Any]:
    """The first few results that differ, side by side (a readable failure): every field of
    every result, its measures in the answer's own order (``check.evaluate._order`` breaks
    every tie, so the order may not depend on where the snapshot was built from)."""
    found = []
    for a, b in zip(ours, theirs, strict=True):
        if {**a, "results": None} != {**b, "results": None}:
            found.append(({**a, "results": None}, {**b, "results": None}))
        pairs = zip(a["results"], b["results"], strict=True)
        found += [(x, y) for x, y in pairs if x != y]
    return found[:3]


def _wait_ready(client: TestClient) -> None:
    started = time.monotonic()
    while not client.get("/readyz").json().get("snapshot_ready"):
        assert time.monotonic() - started < 30, "the snapshot did not become ready"
        time.sleep(0.1)


@pytest.mark.large  # minutes: the sample registries through Spark (make test-large)
def test_a_replica_from_a_spark_run_answers_as_neo4j_and_without_it(
    db: Database, tmp_path: Path, spark: Any, proxy: Proxy
) -> None:
    _load(db, ORDER, tmp_path)
    checker = _key(db, "parquet-checker", Role.CHECKER)
    investigator = _key(db, "parquet-objector", Role.INVESTIGATOR)
    spark_dir = tmp_path / "spark"
    kept = create_app(make_settings(**_serving(tmp_path / "kept")))
    with TestClient(kept) as client:
        # An open objection, so that contested marks are compared too.
        (row,) = db.read_plain("propagation/read_parties_by_id", **unsized(ids=[HUABEI]))
        records = row["parties"][0]["records"]
        ref = next(r["ref"] for r in records if r["kind"] == "dishonest_debtor")
        body = {"record_ref": ref, "grounds": "paid in full", "contact": "x"}
        filed = client.post("/v1/objections", json=body, headers=investigator)
        assert filed.status_code == 201, filed.text
        with Database(make_settings(spark_dir=spark_dir)) as engine_db:
            run_id = run_spark(engine_db, session=spark).result.run_id
        from_neo4j = _kept_answers(client, checker, _parties(db), run_id)
    answers = _replica_story(db, spark_dir, tmp_path / "replica", proxy, checker, from_neo4j)
    decided = [r for answer in answers for r in answer["results"] if r["measures"]]
    assert decided and any(m["contested"] for r in decided for m in r["measures"])


def test_a_replica_from_parquet_answers_as_neo4j_and_without_it(
    parquet: Path, db: Database, tmp_path: Path, proxy: Proxy
) -> None:
    checker = _key(db, "parquet-checker", Role.CHECKER)
    with TestClient(create_app(make_settings(**_serving(tmp_path / "kept")))) as client:
        run_id = store.last_runs(db, 1)[0]["run_id"]
        from_neo4j = _kept_answers(client, checker, _parties(db), run_id)
    answers = _replica_story(db, parquet, tmp_path / "replica", proxy, checker, from_neo4j)
    assert any(r["decision"] == "deny" for answer in answers for r in answer["results"])


def _parties(db: Database) -> list[str]:
    """Every party of the graph and one valid id in no registry."""
    return [*sorted(db.read_plain("propagation/party_ids")[0]["ids"]), "91110000MA01ABCD0J"]


def _kept_answers(
    client: TestClient, checker: dict[str, str], parties: list[str], run_id: str
) -> list[Any]:
    """The answers of the service keeping its snapshot from Neo4j, once it has ``run_id``."""
    started = time.monotonic()
    while (answers := _answers(client, checker, parties))[0]["run_id"] != run_id:
        assert time.monotonic() - started < 10, "the kept snapshot did not take the run"
        time.sleep(0.2)
    return answers


def _replica_story(
    db: Database,
    spark_dir: Path,
    replica_dir: Path,
    proxy: Proxy,
    checker: dict[str, str],
    from_neo4j: list[Any],
) -> list[Any]:
    """A replica's snapshot built with the CLI from ``spark_dir``; its answers equal
    ``from_neo4j`` with no Bolt read, and still while Neo4j is unreachable (the entry waits in
    the local log and reaches Neo4j once it answers again). Its answers."""
    env = cli_env(CREDIT_GRAPH_SNAPSHOT_DIR=str(replica_dir / "snapshot"))
    built = run_cli("snapshot", "build", "--from-parquet", str(spark_dir), "--json", env=env)
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["run_id"] == from_neo4j[0]["run_id"]

    neo4j_by_proxy = {"neo4j_uri": f"bolt://127.0.0.1:{proxy.port}",
                      "neo4j_password": EMBEDDED_DEV_PASSWORD}  # fmt: skip
    settings = make_settings(**_serving(replica_dir, snapshot_source="file", **neo4j_by_proxy))
    replica: FastAPI = create_app(settings)
    parties = [r["party_id"] for r in from_neo4j[0]["results"]]
    with TestClient(replica) as client:
        _wait_ready(client)
        from_parquet = _answers(client, checker, parties)
        assert _differences(from_parquet, from_neo4j) == []
        reads = replica.state.db.query_counts
        assert not [q for q in reads if q.startswith("check/")]  # no Bolt read for a check

        proxy.cut()  # Neo4j unreachable from the replica
        outage = {"context": "bidding", "parties": parties, "purpose": "during the outage"}
        during = client.post("/v1/checks", json=outage, headers=checker)
        assert during.status_code == 200, during.text
        answered = {k: v for k, v in during.json().items() if k not in PER_ANSWER}
        before = next(a for a in from_parquet if a["context"] == "bidding")
        assert _differences([answered], [before]) == []
        check_id = during.json()["check_id"]
        assert not db.read("audit/check_by_id", check_id=check_id)  # only in the local log

        proxy.start()  # back: the mirror copies the local log into Neo4j's chain
        started = time.monotonic()
        while not db.read("audit/check_by_id", check_id=check_id):
            assert time.monotonic() - started < 20, "the outage's check never reached Neo4j"
            time.sleep(0.2)
    return from_parquet


@pytest.fixture
def parquet(db: Database, tmp_path: Path) -> Path:
    """A run's Parquet files as ``propagate --engine spark`` leaves them, without Spark (the
    engines' equality is tests/spark/test_equivalence.py's): a few companies, one a listed
    debtor, propagated and stored; the export; the stored run's measures and record."""
    folder = tmp_path / "registries"
    folder.mkdir()
    for name in ("companies.csv", "dishonest_debtors.csv"):
        shutil.copy(ROOT / "tests/fixtures/registries" / name, folder / name)
    load_directory(db, folder, LoadOptions(reject_dir=tmp_path))
    run = runner.run_full(db)
    spark_dir = tmp_path / "spark"
    manifest = export(db, spark_dir / "export", default_catalog().version)
    tables = Tables(*(pq.read_table(spark_dir / "export" / t).to_pylist()
                      for t in ("parties", "records", "edges")))  # fmt: skip
    computed = propagate(graph_from_tables(tables), default_catalog(), run.as_of)
    write_measures(spark_dir / "measures", computed.measures.values(), computed.risk)
    record = {**store.last_runs(db, 1)[0], "parties": manifest.counts["parties"]}
    (spark_dir / "measures" / "run.json").write_text(json.dumps(record), encoding="utf-8")
    return spark_dir


def _build(folder: Path, tmp_path: Path) -> Any:
    env = cli_env(CREDIT_GRAPH_SNAPSHOT_DIR=str(tmp_path / "snapshot"))
    return run_cli("snapshot", "build", "--from-parquet", str(folder), env=env)


def test_a_build_names_every_missing_file(parquet: Path, tmp_path: Path) -> None:
    (parquet / "export" / OBJECTIONS).unlink()
    shutil.rmtree(parquet / "export" / "records")
    done = _build(parquet, tmp_path)
    assert done.returncode != 0
    assert "missing" in done.stderr and OBJECTIONS in done.stderr and "records" in done.stderr
    assert not list(tmp_path.glob("snapshot/*/gen-*"))  # nothing published


def test_files_of_another_catalog_version_are_refused(parquet: Path, tmp_path: Path) -> None:
    assert _build(parquet, tmp_path).returncode == 0, "as made: accepted"
    run_file = parquet / "measures" / "run.json"
    run_file.write_text(
        json.dumps({**json.loads(run_file.read_text()), "catalog_version": "1999-01"})
    )
    done = _build(parquet, tmp_path)
    assert done.returncode != 0 and "'1999-01'" in done.stderr and "in force" in done.stderr
    manifest = parquet / "export" / MANIFEST
    manifest.write_text(
        json.dumps({**json.loads(manifest.read_text()), "catalog_version": "1999-02"})
    )
    done = _build(parquet, tmp_path)
    assert done.returncode != 0 and "'1999-02'" in done.stderr


def test_measures_of_another_export_are_refused(parquet: Path, tmp_path: Path) -> None:
    run_file = parquet / "measures" / "run.json"
    run_file.write_text(json.dumps({**json.loads(run_file.read_text()), "parties": 1}))
    done = _build(parquet, tmp_path)
    assert done.returncode != 0 and "did not read this export" in done.stderr


def test_a_replica_without_a_snapshot_answers_503(db: Database, tmp_path: Path) -> None:
    checker = _key(db, "empty-replica", Role.CHECKER)
    replica = create_app(make_settings(**_serving(tmp_path / "r", snapshot_source="file")))
    with TestClient(replica) as client:
        body = {"context": "bidding", "parties": ["91110000MA01ABCD0J"], "purpose": "x"}
        answer = client.post("/v1/checks", json=body, headers=checker)
    assert answer.status_code == 503 and answer.json()["error"] == "snapshot_unavailable"
    assert not list((tmp_path / "r" / "snapshot").glob("*/gen-*"))  # it built nothing
