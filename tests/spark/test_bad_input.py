"""What the Spark engine refuses, each in one clear line: no Java or the wrong one, a master
that does not answer (within the bounded wait), an export made under another catalog
version, and a fixed point that reaches its round cap (the run fails; nothing is written)."""

from __future__ import annotations

import json
import socket
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph_service.analysis import build_graph
from graph_service.errors import ExportRefused, SparkError, SparkUnavailable
from graph_service.export.parquet import FORMAT, MANIFEST, check_export
from graph_service.policy import default_catalog
from graph_service.spark import engine, frames
from graph_service.spark.session import check_java, check_master
from graph_service.spark.tables import tables_from_graph
from tests.spark.equal import CATALOG_TEXT


def _fake_java(tmp_path: Path, version: str) -> str:
    java = tmp_path / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2023-10-17' >&2\n")
    java.chmod(0o755)
    return str(java)


def test_no_java_is_one_line_naming_what_is_needed(tmp_path: Path) -> None:
    with pytest.raises(SparkError) as refused:
        check_java(str(tmp_path / "no-java-here"))
    assert "needs Java 17" in str(refused.value) and "\n" not in str(refused.value)


def test_java_11_is_refused_naming_both_versions(tmp_path: Path) -> None:
    with pytest.raises(SparkError, match=r"needs Java 17 .* is Java 11"):
        check_java(_fake_java(tmp_path, "11.0.21"))


def test_java_17_is_accepted(tmp_path: Path) -> None:
    check_java(_fake_java(tmp_path, "17.0.15"))


def test_a_master_that_does_not_answer_fails_within_the_wait() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    began = time.monotonic()
    with pytest.raises(SparkUnavailable, match=f"spark://127.0.0.1:{port} does not answer"):
        check_master(f"spark://127.0.0.1:{port}", timeout_s=3)
    assert time.monotonic() - began < 5


def test_an_export_under_another_catalog_version_is_refused(tmp_path: Path) -> None:
    manifest = {"format": FORMAT, "catalog_version": "2020.01-1", "exported_at": "x",
                "counts": {}, "schema": {}}  # fmt: skip
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    version = default_catalog().version
    with pytest.raises(ExportRefused, match=f"'2020.01-1', but '{version}' is in force"):
        check_export(tmp_path, version)
    assert check_export(tmp_path, "2020.01-1").catalog_version == "2020.01-1"


def test_a_folder_without_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportRefused, match="no complete export"):
        check_export(tmp_path, default_catalog().version)


def test_the_round_cap_fails_naming_the_iteration_and_frontier(spark: Any) -> None:
    chain = [f"C{i}" for i in range(5)]  # a listed holder, then a chain of 60% holdings
    parties = [
        {
            "party_id": "L",
            "kind": "person",
            "records": [{"kind": "blacklist", "ref": "B", "start": "2024-01-01"}],
        }
    ]
    parties += [{"party_id": c, "kind": "company"} for c in chain]
    rels = [{"type": "HOLDS_SHARES", "source": a, "target": b, "stake_pct": 60}
            for a, b in zip(["L", *chain], chain, strict=False)]  # fmt: skip
    inputs = frames.inputs_from_tables(spark, tables_from_graph(build_graph(parties, rels)))
    with pytest.raises(SparkError) as failed:
        engine.compute(inputs, default_catalog(), CATALOG_TEXT, date(2026, 11, 26), cap=2)
    assert "iteration 2 reached the cap of 2 with a frontier of 1 parties" in str(failed.value)
    assert "nothing was written" in str(failed.value)
