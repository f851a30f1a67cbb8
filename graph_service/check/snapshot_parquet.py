"""A decision snapshot (:mod:`.snapshot`) from the Spark engine's Parquet files, without Neo4j,
and the stateless check replica that serves from it (issue #18, docs/scale.md).

A Spark run (``propagate --engine spark``) leaves, in the engine's folder, ``export/`` (the
graph it read: ``parties``, ``records``, ``open_objections.parquet`` and ``manifest.json``)
and ``measures/`` (``measures.parquet``: every stored measure; ``run.json``: the run). That is
everything a snapshot generation holds, so any host with those files can build one with
``credit-graph snapshot build --from-parquet DIR`` and serve checks from it with
``CREDIT_GRAPH_SNAPSHOT_SOURCE=file``: no Bolt round trip, and no Neo4j at all for today's
checks.

Invariants:

* The generation is written by the snapshot module's own writer (``create``,
  ``write_parties``, ``replace_objections``, ``write_meta``, ``publish``: one format, one
  writer), with rows shaped exactly as ``cypher/check/snapshot_page.cypher`` returns them, so
  a check answers the same from either build (tests/spark/test_snapshot_parquet.py).
* Files made under another catalog version than the one in force are refused (the export's
  manifest and the run's record both), as are measures of parties the export does not hold
  and a run that did not read this export (its party count differs); missing files are all
  named in one error. Nothing is published until the generation is whole.
* A replica (``snapshot_source = "file"``) never builds: it follows ``CURRENT`` in its
  snapshot folder, so a new generation built there is taken within one poll.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from graph_service import metrics
from graph_service.analysis.activity import red_list_kinds
from graph_service.check import snapshot
from graph_service.check.snapshot import Meta
from graph_service.check.snapshot_build import (
    SnapshotKeeper,
    age_s,
    snapshot_folder,
    start_keeper,
)
from graph_service.db import Database
from graph_service.errors import ExportRefused, SnapshotUnavailable
from graph_service.export.parquet import OBJECTIONS, _pyarrow, check_export
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.settings import Settings

log = logging.getLogger(__name__)

#: Parties written per batch (bounds the builder's memory: parties are streamed).
BATCH: Final = 5_000
#: The record fields a snapshot keeps of a red-list record (``check/snapshot_page``).
RED_FIELDS: Final = ("record_key", "kind", "ref", "severity", "domain", "list", "category",
                     "status", "start", "end", "voided_on")  # fmt: skip
#: The measure fields a snapshot keeps, and which of them are dates (written as ISO text).
MEASURE_FIELDS: Final = ("measure", "origin", "rule", "record_ref", "record_kind", "authority",
                         "basis", "path_json", "record_start", "record_end", "until")  # fmt: skip
DATE_FIELDS: Final = frozenset({"record_start", "record_end", "until"})


@dataclass(frozen=True)
class ParquetSource:
    """Where a Spark run's files are: its export and its measures."""

    export_dir: Path
    measures_dir: Path

    @classmethod
    def of(cls, folder: Path, export_dir: Path | None = None) -> ParquetSource:
        """The files of the engine's folder ``folder`` (``export/`` and ``measures/`` in it,
        as ``propagate --engine spark`` leaves them); ``export_dir`` when the run read
        another export (``--input``)."""
        return cls(export_dir or folder / "export", folder / "measures")

    def required(self) -> list[Path]:
        """Every file a build reads."""
        return [
            self.export_dir / "manifest.json",
            self.export_dir / "parties",
            self.export_dir / "records",
            self.export_dir / OBJECTIONS,
            self.measures_dir / "measures.parquet",
            self.measures_dir / "run.json",
        ]


@dataclass(frozen=True)
class Built:
    """A published generation: its file, meta, size and build time."""

    path: Path
    meta: Meta
    measures: int
    bytes: int
    seconds: float

    def as_json(self) -> dict[str, Any]:
        """What ``snapshot build`` prints."""
        return {
            "file": str(self.path),
            "run_id": self.meta.run_id,
            "catalog_version": self.meta.catalog_version,
            "parties": self.meta.parties,
            "measures": self.measures,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 2),
        }


def build_from_parquet(source: ParquetSource, folder: Path, catalog: Catalog) -> Built:
    """Builds a snapshot generation in ``folder`` from ``source`` and makes it the current
    one; refuses files of another catalog version, of another export, or incomplete ones."""
    started = time.perf_counter()
    run = _checked_run(source, catalog)
    measures = _measures_by_party(source.measures_dir / "measures.parquet")
    count = sum(len(ms) for ms in measures.values())
    red = _red_records(source.export_dir / "records", catalog)
    objections = _objections(source.export_dir / OBJECTIONS)
    path = snapshot.new_generation(folder)
    conn = snapshot.create(path)
    try:
        parties = 0
        for batch in _party_batches(source.export_dir / "parties"):
            rows = [_row(p, red, measures) for p in batch]
            parties += snapshot.write_parties(conn, rows, catalog, date.today())
        if measures:
            sample = sorted(measures)[:3]
            raise ExportRefused(
                f"{source.measures_dir / 'measures.parquet'} holds measures of {len(measures)}"
                f" parties the export {source.export_dir} does not hold (e.g. {sample}):"
                " they are not of the same run"
            )
        if parties != run["parties"]:
            raise ExportRefused(
                f"run {run['run_id']} read {run['parties']} parties, the export"
                f" {source.export_dir} holds {parties}: the run did not read this export"
            )
        snapshot.replace_objections(conn, objections)
        meta = Meta(
            str(run["run_id"]), run.get("finished_at"), catalog.version, snapshot.now_iso(),
            parties,
        )  # fmt: skip
        snapshot.write_meta(conn, meta)
        snapshot.publish(folder, path, conn)
    except BaseException:
        conn.close()
        path.unlink(missing_ok=True)
        raise
    snapshot.remove_old(folder, path)
    built = Built(path, meta, count, path.stat().st_size, time.perf_counter() - started)
    log.info("decision snapshot built from Parquet", extra=built.as_json())
    return built


def _checked_run(source: ParquetSource, catalog: Catalog) -> dict[str, Any]:
    """The run's record, once every file is there and both the export and the run were made
    under the catalog in force."""
    missing = [str(p) for p in source.required() if not p.exists()]
    if missing:
        raise ExportRefused(
            "cannot build the decision snapshot from Parquet; missing: " + ", ".join(missing)
        )
    check_export(source.export_dir, catalog.version)
    path = source.measures_dir / "run.json"
    try:
        run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        version, run_id, parties = run["catalog_version"], run["run_id"], int(run["parties"])
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise ExportRefused(f"{path} is not a propagation run's record ({error})") from None
    if version != catalog.version:
        raise ExportRefused(
            f"the measures in {source.measures_dir} were computed under catalog {version!r},"
            f" but {catalog.version!r} is in force; run propagate --engine spark again"
        )
    return {**run, "run_id": str(run_id), "parties": parties}


def _measures_by_party(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every measure of ``measures.parquet`` as ``check/snapshot_page`` returns it, by party
    (the measures are few beside the parties: about one party in twenty has one)."""
    _, pq = _pyarrow()
    columns = ["party_id", *MEASURE_FIELDS]
    found: dict[str, list[dict[str, Any]]] = {}
    for row in pq.read_table(path, columns=columns).to_pylist():
        found.setdefault(row.pop("party_id"), []).append(_measure(row))
    return found


def _measure(row: Mapping[str, Any]) -> dict[str, Any]:
    """A measure row with its dates as ISO text, as Cypher's ``toString`` writes them.

    >>> _measure({"measure": "m", "until": date(2027, 1, 2), "record_start": None})["until"]
    '2027-01-02'
    """
    return {k: _iso(row.get(k)) if k in DATE_FIELDS else row.get(k) for k in MEASURE_FIELDS}


def _red_records(folder: Path, catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """The records of red-list kinds, by party, with the fields ``check/snapshot_page``
    reads (from ``record_json``: every field as stored, dates as ISO text)."""
    _, pq = _pyarrow()
    kinds = list(red_list_kinds(catalog))
    columns = ["party_id", "seq", "record_json"]
    # Filtered as it is read: only the few red-list records ever become Python objects.
    table = pq.read_table(folder, columns=columns, filters=[("kind", "in", kinds)])
    found: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in table.to_pylist():
        record = json.loads(row["record_json"])
        red = {k: record.get(k) for k in RED_FIELDS}
        found.setdefault(row["party_id"], []).append((row["seq"], red))
    return {p: [r for _, r in sorted(rs, key=lambda pair: pair[0])] for p, rs in found.items()}


def _objections(path: Path) -> dict[str, str]:
    """``record_ref → objection_id`` of the objections open when the export was made."""
    _, pq = _pyarrow()
    rows = pq.read_table(path).to_pylist()
    return {str(r["record_ref"]): str(r["objection_id"]) for r in rows}


def _party_batches(folder: Path) -> Iterator[list[dict[str, Any]]]:
    """The export's parties, :data:`BATCH` at a time (never all in memory)."""
    _, pq = _pyarrow()
    for part in sorted(folder.glob("*.parquet")):
        parquet = pq.ParquetFile(part)
        for batch in parquet.iter_batches(batch_size=BATCH, columns=["party_id", "kind", "name"]):
            yield batch.to_pylist()


def _row(
    party: Mapping[str, Any],
    red: Mapping[str, list[dict[str, Any]]],
    measures: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """A snapshot row; takes the party's measures out of ``measures`` (what is left after
    the last party belongs to no party of the export)."""
    party_id = str(party["party_id"])
    return {
        "party_id": party_id,
        "name": party["name"],
        "kind": party["kind"],
        "red_records": red.get(party_id, []),
        "measures": measures.pop(party_id, []),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# --- the replica -------------------------------------------------------------------------------
def start_snapshot(settings: Settings, db: Database) -> SnapshotKeeper | None:
    """The app's decision snapshot: kept from Neo4j (:func:`start_keeper`), or, on a
    stateless replica (``snapshot_source = "file"``), only followed (:class:`Follower`)."""
    if settings.snapshot_source == "neo4j" or not settings.check_snapshot:
        return start_keeper(settings, db)
    catalog = catalog_in_force(settings)
    follower = Follower(db, catalog, snapshot_folder(settings), settings.snapshot_poll_s)
    metrics.SNAPSHOT_AGE_SECONDS.set_function(lambda: _age_or_nan(follower))
    follower.step()  # ready at once when a generation is there
    if not follower.ready.is_set():
        log.warning(
            "no decision snapshot of this catalog in the replica's folder; checks for today"
            " answer 503 until `credit-graph snapshot build --from-parquet` puts one there",
            extra={"folder": str(follower.folder)},
        )
    return follower.start(0.0)


class Follower(SnapshotKeeper):
    """A keeper that never reads Neo4j nor builds: it follows the generation ``CURRENT``
    names (put there by :func:`build_from_parquet`), ready while that one is of the catalog
    in force, and remakes its precomputed answers each day (one process of the host)."""

    def step(self) -> None:
        """One poll: the day's fragments remade (by the host's holder of the builder's lock),
        then follow ``CURRENT``."""
        self._keep_fragments()
        self._follow()


def _age_or_nan(keeper: SnapshotKeeper) -> float:
    try:
        return age_s(keeper.reader.meta())
    except SnapshotUnavailable:
        return float("nan")
