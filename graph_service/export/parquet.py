"""``credit-graph export DIR``: the propagation's input from Neo4j as Parquet, for the Spark
engine or any data platform.

The parties are read in batches of ids with the very query the NetworkX engine's full run
reads (``propagation/read_parties_by_id``), so both engines see one input; each batch becomes
rows of the three tables (graph_service/spark/tables.py) plus the records' status updates
(``export/record_updates``) and is written as it comes (pyarrow), so neither Neo4j nor this
process holds the whole graph. ``manifest.json`` names the catalog version in force, the time,
the counts and the schema; a run refuses an export made under another catalog version.
``open_objections.parquet`` (record_ref, objection_id) holds the objections open at the
export, which the check snapshot built from Parquet needs (graph_service/check/
snapshot_parquet.py; the propagation does not read it).

Layout: ``DIR/{parties,records,edges,record_updates}/part-NNNNN.parquet``,
``DIR/open_objections.parquet`` and ``DIR/manifest.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_service.analysis.graph import as_date
from graph_service.db import Database, unsized
from graph_service.dueprocess.contested import open_objections
from graph_service.errors import ExportRefused, SparkError
from graph_service.spark.tables import SCHEMAS, Tables, tables_from_rows

#: Parties per batch read and written.
BATCH = 10_000
#: The export's format (bumped when a table's columns change).
FORMAT = 1
UPDATE_COLUMNS = {
    "record_key": "string",
    "update_key": "string",
    "status": "string",
    "effective_on": "date32",
}
TABLES = {**SCHEMAS, "record_updates": UPDATE_COLUMNS}
MANIFEST = "manifest.json"
#: The open objections (what marks a measure contested in a check), one file.
OBJECTIONS = "open_objections.parquet"
OBJECTION_COLUMNS = {"record_ref": "string", "objection_id": "string"}


@dataclass(frozen=True)
class Manifest:
    """What an export holds and under which catalog it was made."""

    format: int
    catalog_version: str
    exported_at: str
    counts: dict[str, int]
    schema: dict[str, dict[str, str]]

    def as_json(self) -> dict[str, Any]:
        """The manifest as JSON-able data."""
        return asdict(self)


def export(db: Database, folder: Path, catalog_version: str, batch: int = BATCH) -> Manifest:
    """Writes every party's propagation input under ``folder`` and its manifest last (an
    export without a manifest is incomplete)."""
    pa, pq = _pyarrow()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    counts = dict.fromkeys(TABLES, 0)
    schemas = {name: _schema(pa, columns) for name, columns in TABLES.items()}
    for name in TABLES:
        (folder / name).mkdir(exist_ok=True)
        for old in (folder / name).glob("*.parquet"):
            old.unlink()
    for n, (tables, updates) in enumerate(_batches(db, batch)):
        rows = {**asdict(tables), "record_updates": updates}
        for name, table_rows in rows.items():
            table = pa.Table.from_pylist(table_rows, schema=schemas[name])
            pq.write_table(table, folder / name / f"part-{n:05d}.parquet")
            counts[name] += len(table_rows)
    counts["open_objections"] = _write_objections(db, folder, pa, pq)
    manifest = Manifest(
        FORMAT, catalog_version, datetime.now(UTC).isoformat(), counts, dict(TABLES)
    )
    (folder / MANIFEST).write_text(json.dumps(manifest.as_json(), indent=2), encoding="utf-8")
    return manifest


def _write_objections(db: Database, folder: Path, pa: Any, pq: Any) -> int:
    """Writes the open objections (record_ref, objection_id); how many there are."""
    rows = [{"record_ref": r, "objection_id": o} for r, o in sorted(open_objections(db).items())]
    table = pa.Table.from_pylist(rows, schema=_schema(pa, OBJECTION_COLUMNS))
    pq.write_table(table, folder / OBJECTIONS)
    return len(rows)


def _batches(db: Database, batch: int) -> Iterator[tuple[Tables, list[dict[str, Any]]]]:
    (row,) = db.read_plain("propagation/party_ids", timeout_s=300)
    ids: list[str] = row["ids"]
    for start in range(0, max(len(ids), 1), batch):
        chunk = ids[start : start + batch]
        (found,) = db.read_plain(
            "propagation/read_parties_by_id", **unsized(ids=chunk), timeout_s=300
        )
        (updates,) = db.read_plain("export/record_updates", **unsized(ids=chunk), timeout_s=300)
        yield tables_from_rows(found["parties"]), [_update(u) for u in updates["updates"]]


def _update(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {**raw, "effective_on": as_date(raw.get("effective_on"))}


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an export; refuses a folder that holds no complete export."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as error:
        raise ExportRefused(
            f"{folder} holds no complete export ({MANIFEST}: {error}); run credit-graph export"
        ) from None


def check_export(folder: Path, catalog_version: str) -> Manifest:
    """The export's manifest, refused when it was made under another catalog version or in
    another format (its measures would answer under a policy no longer in force)."""
    manifest = read_manifest(folder)
    if manifest.format != FORMAT:
        raise ExportRefused(
            f"export {folder} has format {manifest.format}, this version reads {FORMAT};"
            " export again"
        )
    if manifest.catalog_version != catalog_version:
        raise ExportRefused(
            f"export {folder} was made under catalog {manifest.catalog_version!r}, but"
            f" {catalog_version!r} is in force; export again"
        )
    return manifest


def _schema(pa: Any, columns: Mapping[str, str]) -> Any:
    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow, from the ``spark`` extra, imported when an export is made."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise SparkError(
            "export needs the spark extra (pyarrow): pip install 'credit-graph[spark]'"
        ) from None
    return pa, pq


def written_tables(folder: Path) -> Sequence[str]:
    """The tables present in an export folder."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name in TABLES)
