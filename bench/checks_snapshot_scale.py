"""Decision snapshot at scale (issue 14 item 1): size, write time and read latency of a
generation of ``--parties`` parties, made from the rows of an existing generation.

    .venv/bin/python bench/checks_snapshot_scale.py --source PATH.sqlite --parties 1000000

No 1,000,000-party world is loaded in Neo4j on this machine, so the rows of a real
generation (by default the benchmark store's, built from the 100,000-party world by
``bench/checks_floor.py``) are repeated with distinct party ids (``<id>#<k>``) until there are
``--parties`` of them, and written with the builder's own writer functions
(:mod:`graph_service.check.snapshot`: ``create``, ``write_parties``, ``replace_objections``,
``write_meta``, ``publish``) in pages of 5,000 as a whole build writes them. What this measures
is the file's size and the SQLite side of a whole build; the Neo4j side (reading the pages,
about 35 s at 100,000 parties in the issue-14 benchmark run) scales with the graph and is not
in it. It then times ``SnapshotReader.read`` of one random party and of 1,000 random parties
(as today's checks read them). JSON goes to ``bench/out/checks-snapshot-<parties>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from checks_plan import _sibling
from common import HOME, OUT

from graph_service.check import snapshot
from graph_service.check.snapshot import Meta, SnapshotReader
from graph_service.identifiers import party_kind
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.settings import Settings


def _writer() -> tuple[Catalog, date]:
    """What the builder writes each row with: its precomputed answer for the day (snapshot
    format 3: with its CRC, graph_service/check/fragments.py) under the catalog in force, so
    the size and write time measured are those of a served snapshot."""
    return catalog_in_force(Settings()), date.today()


PAGE = 5_000


def main() -> int:
    """Runs the measurement (see the module docstring)."""
    args = _arguments()
    source = args.source or _current(HOME / "snapshot")
    rows = _source_rows(source)
    report: dict[str, Any] = {
        "parties": args.parties, "source": str(source), "source_parties": len(rows),
        "load_before": os.getloadavg(),
    }  # fmt: skip
    if args.servable is not None:
        report |= _servable(source, rows, args.parties, args.servable)
    else:
        with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
            folder = Path(scratch)
            started = time.perf_counter()
            path = snapshot.new_generation(folder)
            conn = snapshot.create(path)
            pages, writer = _pages(rows, args.parties), _writer()
            written = sum(snapshot.write_parties(conn, page, *writer) for page in pages)
            snapshot.replace_objections(conn, {})
            meta = Meta("scale-test", None, "scale-test", snapshot.now_iso(), written)
            snapshot.write_meta(conn, meta)
            snapshot.publish(folder, path, conn)
            report["write_s"] = round(time.perf_counter() - started, 1)
            report["size_mib"] = round(path.stat().st_size / 2**20, 1)
            report["written"] = written
            report["read"] = _reads(folder, rows, args.parties)
    report["load_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"checks-snapshot-{'servable-' if args.servable else ''}{args.parties}.json"
    (OUT / name).write_text(text + "\n", encoding="utf-8")
    return 0


def _arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parties", type=int, default=1_000_000, help="parties in the generation")
    p.add_argument("--source", type=Path, help="a generation to take rows from")
    p.add_argument("--scratch", type=Path, help="folder for the generation (default: /tmp)")
    p.add_argument(
        "--servable",
        type=Path,
        help="instead: write a generation a replica can serve into DIR/<catalog version>/ and"
        " keep it (copies under valid ids of their kind, the source's run and catalog, its"
        " open objections), for `bench/checks_floor.py --snapshot-dir DIR`",
    )
    return p.parse_args()


def _servable(source: Path, rows: list[dict[str, Any]], parties: int, root: Path) -> dict[str, Any]:
    """Writes a servable generation of ``parties`` parties into ``root``: the source's rows,
    then copies of them under other valid identifiers of the same kind (a check decides a
    copy as it decides its original); meta and open objections as the source's."""
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        meta = snapshot.read_meta(conn)
        objections = dict(conn.execute("SELECT record_ref, objection_id FROM open_objections"))
    finally:
        conn.close()
    folder = root / re.sub(r"[^A-Za-z0-9._-]", "_", meta.catalog_version)
    started = time.perf_counter()
    path = snapshot.new_generation(folder)
    conn = snapshot.create(path)
    pages, writer = _valid_pages(rows, parties), _writer()
    written = sum(snapshot.write_parties(conn, page, *writer) for page in pages)
    snapshot.replace_objections(conn, objections)
    (count,) = conn.execute("SELECT count(*) FROM parties").fetchone()
    snapshot.write_meta(conn, Meta(meta.run_id, meta.run_finished_at, meta.catalog_version,
                                   snapshot.now_iso(), count))  # fmt: skip
    snapshot.publish(folder, path, conn)
    return {"servable": str(path), "write_s": round(time.perf_counter() - started, 1),
            "size_mib": round(path.stat().st_size / 2**20, 1), "written": written,
            "distinct": count}  # fmt: skip


def _valid_pages(rows: list[dict[str, Any]], parties: int) -> Iterator[list[dict[str, Any]]]:
    rng = random.Random(1)
    taken = {str(r["party_id"]) for r in rows}
    page: list[dict[str, Any]] = []
    for n in range(parties):
        row = rows[n % len(rows)]
        if n >= len(rows):
            row = {**row, "party_id": _valid_copy(str(row["party_id"]), rng, taken)}
        page.append(row)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _valid_copy(party: str, rng: random.Random, taken: set[str]) -> str:
    """Another valid identifier of ``party``'s kind, not in ``taken`` (then added to it)."""
    for _ in range(1000):
        candidate = _sibling(party, rng)
        if candidate not in taken and party_kind(candidate) == party_kind(party):
            taken.add(candidate)
            return candidate
    raise SystemExit(f"error: no free identifier like {party}")


def _current(root: Path) -> Path:
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        path = snapshot.current_path(folder)
        if path is not None:
            return path
    raise SystemExit(f"error: no snapshot generation under {root}; give --source")


def _source_rows(path: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        query = "SELECT party_id, name, kind, red_records, measures FROM parties"
        return [
            {"party_id": p, "name": n, "kind": k, "red_records": json.loads(r),
             "measures": json.loads(m)}
            for p, n, k, r, m in conn.execute(query)
        ]  # fmt: skip
    finally:
        conn.close()


def _pages(rows: list[dict[str, Any]], parties: int) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    for n in range(parties):
        row = rows[n % len(rows)]
        copy = n // len(rows)
        page.append({**row, "party_id": row["party_id"] + (f"#{copy}" if copy else "")})
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _party(rows: list[dict[str, Any]], parties: int, rng: random.Random) -> str:
    n = rng.randrange(parties)
    copy = n // len(rows)
    return str(rows[n % len(rows)]["party_id"]) + (f"#{copy}" if copy else "")


def _reads(folder: Path, rows: list[dict[str, Any]], parties: int) -> dict[str, Any]:
    reader = SnapshotReader(folder)
    reader.reopen()
    rng = random.Random(1)
    figures: dict[str, Any] = {}
    for name, size, times in (("single", 1, 2_000), ("batch_1000", 1_000, 50)):
        spent = []
        for _ in range(times):
            ids = [_party(rows, parties, rng) for _ in range(size)]
            started = time.perf_counter()
            got = reader.read(ids)
            spent.append(time.perf_counter() - started)
            if len(got.rows) != len(set(ids)):
                raise SystemExit("error: the snapshot lost rows")
        spent.sort()
        figures[name] = {"p50_ms": round(spent[len(spent) // 2] * 1e3, 3),
                         "p99_ms": round(spent[int(len(spent) * 0.99)] * 1e3, 3)}  # fmt: skip
    return figures


if __name__ == "__main__":
    sys.exit(main())
