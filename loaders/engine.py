"""The one loader engine: read → validate (pure) → dedupe → load in batches → record the load.

Every registry kind is a mapping (:mod:`loaders.mapping`); this module knows none of them.
A load of one file runs in two passes:

1. :func:`loaders.stage.stage` reads and validates the whole file without touching the graph;
   a file-level problem (unknown type, missing required column, empty file, undecodable or
   truncated data) refuses the file with nothing written.
2. :class:`loaders.write.BatchLoader` writes the surviving rows in batches, one transaction
   each, with per-row outcomes (created / updated / unchanged).

A ``:Load`` node records each load (status ``started`` → ``done`` / ``failed``) with its
summary (created by the first batch written, in its transaction, and finished there too when
that batch is the file's only one: loaders/write.py), and counts its committed batches: they
are pending for the propagation until a run covers them (graph_service/propagation/runner.py).
A load killed at any point is simply run again: every batch is idempotent and unchanged rows
write nothing, and the rerun's propagation covers the killed load's batches too, so the graph
ends exactly as after one uninterrupted load.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from graph_service import faults
from graph_service.db import Database
from graph_service.errors import InvalidInput, LoadRefused
from loaders.mapping import dependency_order, file_stem, get_mapping, kind_for_file
from loaders.read import RegistryFile
from loaders.stage import Staged, stage
from loaders.summary import RejectWriter, Summary
from loaders.write import BatchLoader, Decider, Ensured, LoadRecord, Outcome, Provenance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressEvent:
    """How far a load is: phase ``read`` counts bytes, ``load`` counts staged rows."""

    file: str
    phase: Literal["read", "load"]
    done: int
    total: int


ProgressHook = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class LoadOptions:
    """How to run a load (all optional)."""

    reject_file: Path | None = None  # default: ./<file stem>.rejects.csv, created on a reject
    reject_dir: Path | None = None  # load_directory: where default reject files go
    dry_run: bool = False  # validate and report only; nothing is written to the graph
    batch_size: int | None = None  # rows per transaction; default from settings
    progress: ProgressHook | None = None
    encoding: str | None = None  # --encoding: the files' encoding, when detection cannot tell
    # References known to exist, shared by the files of one load_directory (loaders.write).
    ensured: Ensured | None = None


def load_file(
    db: Database | None, kind: str, path: Path, options: LoadOptions | None = None
) -> Summary:
    """Loads one registry file of ``kind``; returns its summary.

    ``db`` may be None for a dry run. Raises :class:`LoadRefused` (nothing written) when the
    file cannot be loaded at all, and the database errors of :mod:`graph_service.db`.
    """
    opts = options or LoadOptions()
    return _pass_two(db, _pass_one(kind, path, opts), opts)


@dataclass
class _Staged:
    """A file after pass 1 (read and validated), waiting for pass 2."""

    kind: str
    path: Path
    summary: Summary
    staged: Staged
    rejects: RejectWriter
    started: float

    def discard(self) -> None:
        """Drops a file staged ahead that will not be loaded (an earlier file failed)."""
        self.staged.close()
        self.rejects.discard()


def _pass_one(kind: str, path: Path, opts: LoadOptions) -> _Staged:
    """Reads and validates the whole file; raises LoadRefused with nothing written."""
    mapping = get_mapping(kind)
    started = time.monotonic()
    source = RegistryFile(path, mapping, opts.encoding)
    summary = Summary(kind=kind, file=path.name, encoding=source.encoding, dry_run=opts.dry_run)
    rejects = _reject_writer(path, opts)
    try:
        staged = stage(source, mapping, rejects, _read_progress(opts, path.name))
    except LoadRefused:
        rejects.discard()  # half a list of rejects of a file that was not loaded misleads
        raise
    except BaseException:
        rejects.close()
        raise
    summary.read, summary.rejected = staged.read, staged.rejected
    summary.unknown_columns = list(source.unknown_columns)
    return _Staged(mapping.kind, path, summary, staged, rejects, started)


def _pass_two(
    db: Database | None, file: _Staged, opts: LoadOptions, not_before: float = 0.0
) -> Summary:
    """Writes a staged file (or decides it, for a dry run) and records the load.

    Its seconds count from ``not_before`` when it was staged earlier (load_directory: the end
    of the previous file), so that the files' seconds add up to the run's.
    """
    summary, staged, rejects = file.summary, file.staged, file.rejects
    began = max(file.started, not_before)
    recorded = False  # whether the :Load was finished with the file's last batch
    try:
        if opts.dry_run or db is None:
            _dry_run(summary, staged, rejects)
        else:
            recorded = _write(db, file.kind, file.path, summary, staged, rejects, opts, began)
    finally:
        staged.close()
        rejects.close()
    _done(summary, rejects, began)
    if db is not None and not opts.dry_run:
        if not recorded:
            _record_finish(db, summary)
        faults.checkpoint(db.settings, "load_file")
    return summary


def _done(summary: Summary, rejects: RejectWriter, began: float) -> None:
    """Completes a summary once every row is written: reject file, time, accounting."""
    summary.reject_file = str(rejects.path) if rejects.written else None
    summary.finish(time.monotonic() - began)
    summary.check_accounting()


def load_directory(
    db: Database | None, folder: Path, options: LoadOptions | None = None
) -> list[Summary]:
    """Loads every registry file of ``folder``, kinds in dependency order, names in order.

    A file whose name matches no kind, or which is refused, gets a summary with status
    ``skipped`` / ``refused`` and the others still load; database errors stop the run.
    """
    opts = options or LoadOptions()
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder")
    summaries: list[Summary] = []
    opts = replace(opts, ensured=opts.ensured or Ensured())
    files = [(kind, path, _file_options(opts, path)) for kind, path in _plan(folder, summaries)]
    # Pass 1 of the next file runs while this one is written: it is Python work that touches
    # no graph, and Neo4j works meanwhile, so the two cores both work (issue 15). One file
    # ahead at most; it is staged completely before any of its rows is written, as alone.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-stage") as ahead:
        upcoming = [ahead.submit(_pass_one, *file) for file in files[:1]]
        previous_end = 0.0
        for index, (kind, path, file_opts) in enumerate(files):
            current = upcoming.pop()
            if index + 1 < len(files):
                upcoming.append(ahead.submit(_pass_one, *files[index + 1]))
            try:
                summaries.append(_pass_two(db, current.result(), file_opts, previous_end))
                previous_end = time.monotonic()
            except LoadRefused as exc:
                summaries.append(_refused(kind, path, exc))
            except BaseException:
                _drop(upcoming)
                raise
    return summaries


def _file_options(opts: LoadOptions, path: Path) -> LoadOptions:
    if opts.reject_dir is None:
        return opts
    return _with_reject_file(opts, opts.reject_dir / _reject_name(path))


def _drop(upcoming: list[Future[_Staged]]) -> None:
    """Discards the file staged ahead when the load stops before it."""
    for future in upcoming:
        try:
            future.result().discard()
        except BaseException:  # noqa: S110 - its own failure does not matter once we stop
            pass


def list_loads(db: Database, limit: int = 20, kind: str | None = None) -> list[dict[str, Any]]:
    """The most recent loads, newest first, as recorded on their :Load nodes."""
    return [dict(row["load"]) for row in db.read("load/list_loads", limit=limit, kind=kind)]


# --- one file -------------------------------------------------------------------------------


def _write(
    db: Database,
    kind: str,
    path: Path,
    summary: Summary,
    staged: Staged,
    rejects: RejectWriter,
    opts: LoadOptions,
    began: float,
) -> bool:
    """Writes the file's rows; whether its last batch also recorded the load done."""
    prov = _provenance(kind, path)
    summary.load_id = prov.load_id
    start = {"kind": kind, "file": path.name, "path": str(path.resolve()),
             "started_at": prov.loaded_at, "encoding": summary.encoding}  # fmt: skip
    record = LoadRecord(start, lambda outcome: _done_props(summary, rejects, began, outcome))
    batch_size = opts.batch_size or db.settings.batch_size
    loader = BatchLoader(db, get_mapping(kind), prov, batch_size, opts.ensured, record)
    try:
        loader.load(Decider(staged, rejects, summary, prov), _load_progress(opts, path.name))
    except BaseException as exc:
        _record_failure(db, summary, exc, None if loader.started else start)
        raise
    summary.status = "done"
    if not loader.started:  # no batch was written (every row rejected or a duplicate)
        db.write("load/record_load_start", load_id=prov.load_id, props=start, batches=0)
    return loader.finished


def _done_props(
    summary: Summary, rejects: RejectWriter, began: float, last: Outcome
) -> dict[str, Any]:
    """The :Load's properties when the file's only batch, with outcome ``last``, commits:
    the summary as :func:`_pass_two` completes it, worked out on a copy (the batch's
    transaction may be retried)."""
    done = replace(summary, status="done")
    done.add_outcomes({"created": last.created, "updated": last.updated,
                       "unchanged": last.unchanged})  # fmt: skip
    done.referenced_created += last.referenced_created
    _done(done, rejects, began)
    return {**done.graph_props(), "finished_at": datetime.now(UTC)}


def _dry_run(summary: Summary, staged: Staged, rejects: RejectWriter) -> None:
    """Decides every staged row as a load would, without writing: counts what would load."""
    summary.status = "dry_run"
    decider = Decider(staged, rejects, summary, _provenance(summary.kind, Path(summary.file)))
    summary.loaded = sum(1 for entry in staged.entries() if decider.decide(entry) is not None)


def _provenance(kind: str, path: Path) -> Provenance:
    return Provenance(kind, path.name, uuid.uuid4().hex, datetime.now(UTC))


def _record_finish(db: Database, summary: Summary) -> None:
    props = summary.graph_props()
    props["finished_at"] = datetime.now(UTC)
    db.write("load/record_load_finish", load_id=summary.load_id, props=props)


def _record_failure(
    db: Database, summary: Summary, exc: BaseException, start: dict[str, Any] | None
) -> None:
    """Marks the :Load failed when the graph can still be reached; the rerun fixes the rest.
    ``start``: the :Load's start properties when no batch committed it."""
    summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
    try:
        props = {"status": "failed", "error": summary.error, "finished_at": datetime.now(UTC)}
        if start is not None:
            db.write("load/record_load_start", load_id=summary.load_id, props=start, batches=0)
        db.write("load/record_load_finish", load_id=summary.load_id, props=props)
    except Exception:  # the original error matters more; Neo4j may be what failed
        log.warning("could not record the failed load", extra={"load_id": summary.load_id})


# --- helpers --------------------------------------------------------------------------------


def _reject_name(path: Path) -> str:
    return f"{file_stem(path)}.rejects.csv"


def _reject_writer(path: Path, opts: LoadOptions) -> RejectWriter:
    if opts.reject_file is not None:
        return RejectWriter(opts.reject_file, always=True)
    return RejectWriter(Path.cwd() / _reject_name(path))


def _with_reject_file(opts: LoadOptions, reject_file: Path) -> LoadOptions:
    return replace(opts, reject_file=reject_file)


def _read_progress(opts: LoadOptions, name: str) -> Callable[[int, int], None] | None:
    hook = opts.progress
    if hook is None:
        return None
    return lambda done, total: hook(ProgressEvent(name, "read", done, total))


def _load_progress(opts: LoadOptions, name: str) -> Callable[[int, int], None] | None:
    hook = opts.progress
    if hook is None:
        return None
    return lambda done, total: hook(ProgressEvent(name, "load", done, total))


def _plan(folder: Path, summaries: list[Summary]) -> list[tuple[str, Path]]:
    """(kind, file) pairs to load in order; unrecognised files are noted as skipped."""
    by_kind: dict[str, list[Path]] = {}
    # Not only regular files: a link, FIFO or folder named like a registry is refused, not missed.
    for path in sorted(p for p in folder.iterdir() if p.is_file() or kind_for_file(p)):
        kind = kind_for_file(path)
        if kind is None:
            if not file_stem(path).lower().endswith(".rejects"):
                summaries.append(_skipped(path))
            continue
        by_kind.setdefault(kind, []).append(path)
    order = dependency_order(get_mapping(k) for k in by_kind)
    return [(kind, path) for kind in order for path in by_kind[kind]]


def _skipped(path: Path) -> Summary:
    return Summary(
        kind="unknown", file=path.name, status="skipped",
        error="no registry kind matches this file name",
    )  # fmt: skip


def _refused(kind: str, path: Path, exc: LoadRefused) -> Summary:
    summary = Summary(kind=kind, file=path.name, status="refused", error=str(exc))
    summary.read = exc.rows_read
    return summary
