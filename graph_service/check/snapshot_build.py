"""Keeping the host's decision snapshot (:mod:`.snapshot`) equal to the newest propagation run.

Invariants:

* Per host one process is the *builder*: the one holding an exclusive ``flock`` on
  ``builder.lock`` in the snapshot folder (taken at start, retried by every other process at
  each poll, released by the OS when the holder dies). Only it reads Neo4j (one cheap query a
  poll, ``check/snapshot_state``) and writes; the other workers only follow ``CURRENT``.
* A snapshot holds exactly one run's measures. The builder applies a newer run only when no
  measure change was written after that run finished (``unfinished == 0``, before and after
  reading): otherwise another run is writing and what it would read could mix two runs. A run
  killed half-way leaves such changes until the next run; after :data:`FLUX_WAIT_S` the
  builder applies what is stored anyway, with a warning, rather than stay stale for good.
* A newer run is applied *incrementally* — the parties its :MeasureChange nodes name and those
  its completed loads touched are read again and replaced in one write transaction — so a
  commit reaches checks within one poll plus that read (well under 2 s). A missing, corrupt,
  other-format or other-catalog snapshot, or one of another graph, is rebuilt whole into a new
  generation and published atomically.
* Every process is *ready* (checks for today answer) once ``CURRENT`` names a generation made
  under the catalog in force; until then they answer 503 ``snapshot_unavailable``.
* Each day the lock's holder remakes the parties' precomputed answers (:mod:`.fragments`),
  :data:`PAGE` parties a poll — also while Neo4j is down, and on a replica that only follows
  (they need only the file); a party whose answer is not of the day is decided from its row.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Final

from graph_service import hostlock, metrics
from graph_service.analysis.activity import red_list_kinds
from graph_service.check import snapshot
from graph_service.check.snapshot import Meta, SnapshotReader
from graph_service.check.snapshot_eval import SnapshotEvaluator
from graph_service.db import Database
from graph_service.dueprocess.contested import open_objections
from graph_service.errors import CreditGraphError, SnapshotUnavailable, Unavailable
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.propagation import store
from graph_service.settings import Settings

log = logging.getLogger(__name__)

#: Parties read from Neo4j per page of a whole build.
PAGE: Final = 5_000
#: Seconds measure changes of an unfinished run may block a newer snapshot before the builder
#: takes what is stored (a run killed half-way leaves them until the next run).
FLUX_WAIT_S: Final = 30.0
#: Seconds between two writes of ``confirmed_at`` (the answers' ``snapshot_at``).
CONFIRM_EVERY_S: Final = 1.0


@dataclass(frozen=True)
class GraphState:
    """What ``check/snapshot_state`` says about the graph."""

    run_id: str | None
    finished_at: str | None
    unfinished: int
    parties: int
    as_of: str | None = None  # the day the run was for

    @classmethod
    def read(cls, db: Database) -> GraphState:
        """The graph's state now (one query)."""
        row = db.read_plain("check/snapshot_state")[0]
        as_of = None if row["as_of"] is None else str(row["as_of"])
        return cls(row["run_id"], row["finished_at"], int(row["unfinished"]), int(row["parties"]),
                   as_of)  # fmt: skip


def start_keeper(settings: Settings, db: Database) -> SnapshotKeeper | None:
    """The app's snapshot keeper, started (None when checks read Neo4j: ``check_snapshot``
    off). Waits up to ``snapshot_start_wait_s`` for a usable snapshot."""
    if not settings.check_snapshot:
        return None
    catalog = catalog_in_force(settings)
    keeper = SnapshotKeeper(db, catalog, snapshot_folder(settings), settings.snapshot_poll_s)
    metrics.SNAPSHOT_AGE_SECONDS.set_function(lambda: _age_or_nan(keeper))
    return keeper.start(settings.snapshot_start_wait_s)


def _age_or_nan(keeper: SnapshotKeeper) -> float:
    try:
        return age_s(keeper.reader.meta())
    except SnapshotUnavailable:
        return float("nan")


def snapshot_folder(settings: Settings) -> Path:
    """The folder of the snapshot made under the catalog in force: one per catalog version, so
    that processes running different catalogs (a rolling change) never share a builder."""
    version = catalog_in_force(settings).version
    return settings.effective_snapshot_dir / re.sub(r"[^A-Za-z0-9._-]", "_", version)


class SnapshotKeeper:
    """The snapshot of one process: its reader, and — in the builder — its upkeep thread."""

    def __init__(self, db: Database, catalog: Catalog, folder: Path, poll_s: float = 0.5) -> None:
        self.db = db
        self.catalog = catalog
        self.folder = folder
        self.poll_s = poll_s
        self.reader = SnapshotReader(folder)
        #: Today's checks from this snapshot (graph_service.check.service.check_service).
        self.evaluator = SnapshotEvaluator(self.reader)
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._lock_file: IO[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._flux_since: float | None = None
        self._confirmed = 0.0
        self._checked_once = False
        # Whether the last poll found Neo4j unreachable (the builder only).
        self._unreachable = False
        # Whether the folder refused to be written (said once, not at every poll).
        self._unwritable = False
        # The generation and day whose fragments are all made, and how far a remaking got.
        self._fragments_done: tuple[Path, date] | None = None
        self._fragments_scan: tuple[Path | None, date | None, str] = (None, None, "")

    # --- life cycle -------------------------------------------------------------------------
    def start(self, wait_s: float) -> SnapshotKeeper:
        """Starts the upkeep thread and waits up to ``wait_s`` for a usable snapshot."""
        self._thread = threading.Thread(target=self._run, name="snapshot", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + wait_s
        # Waiting is worth it only while Neo4j answers: with it down, start at once (503).
        while not self.ready.wait(0.1):
            if self._unreachable or time.monotonic() > deadline:
                log.warning("decision snapshot not ready; checks for today answer 503 until it is")
                break
        return self

    def stop(self) -> None:
        """Stops the thread and releases the builder's lock."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self._lock_file is not None:
            self._lock_file.close()  # closing the file releases the flock
            self._lock_file = None

    @property
    def is_builder(self) -> bool:
        """Whether this process writes the host's snapshot."""
        return self._lock_file is not None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.poll_s)

    def step(self) -> None:
        """One poll: build or update (builder), then follow ``CURRENT`` (everyone)."""
        try:
            if self._lock_file is None:
                self._try_lock()
            if self._lock_file is not None:
                self._sync()
            self._unreachable = False
        except CreditGraphError as exc:  # Neo4j down: keep serving what is there
            self._unreachable = isinstance(exc, Unavailable)
            log.debug("snapshot upkeep skipped", extra={"error": str(exc)})
        except Exception:
            log.exception("snapshot upkeep failed")
        self._keep_fragments()
        self._follow()

    def _keep_fragments(self) -> None:
        """The day's fragments remade by the host's one holder of the builder's lock — after
        a build or update, and also while Neo4j is down and on a replica that only follows
        (:class:`~graph_service.check.snapshot_parquet.Follower`): they need only the file,
        and without them every check after midnight is decided from rows, at several times
        the CPU, until they are remade."""
        try:
            if self._lock_file is None:
                self._try_lock()
            if self._lock_file is not None:
                self._refresh_fragments()
        except OSError as exc:  # a folder this process may not write (a replica's): follow it
            if not self._unwritable:
                log.warning(
                    "the snapshot folder cannot be written: its precomputed answers are not"
                    " remade by this process", extra={"error": str(exc)},
                )  # fmt: skip
            self._unwritable = True
        except Exception:
            log.exception("the snapshot's precomputed answers could not be remade")

    def _try_lock(self) -> None:
        self._lock_file = hostlock.take(self.folder / "builder.lock")

    def _follow(self) -> None:
        """Reopens the generation ``CURRENT`` names; ready when its catalog is in force."""
        if self.reader.reopen() is None:
            self.ready.clear()
            return
        try:
            usable = self.reader.meta().catalog_version == self.catalog.version
        except SnapshotUnavailable:
            usable = False
        if usable:
            self.ready.set()
        else:
            self.ready.clear()

    # --- the builder --------------------------------------------------------------------------
    def _sync(self) -> None:
        """Brings the snapshot to the graph's newest run (or confirms it is there)."""
        state = GraphState.read(self.db)
        meta = self._usable()
        if meta is None or (not self._checked_once and self._of_another_graph(meta, state)):
            self._build(state)
        elif meta.run_id == state.run_id:
            self._confirm(meta)
        elif self._of_another_graph(meta, state, count=False):  # reset or restored meanwhile
            self._build(state)
        elif self._settled(state):
            self._update(meta, state)
        self._checked_once = True

    def _refresh_fragments(self) -> None:
        """Makes the fragments of the day (:mod:`.fragments`), :data:`PAGE` parties a poll,
        once the day has changed since they were made (or some were never made); parties
        whose fragment is not of the day are decided from their rows meanwhile."""
        path = snapshot.current_path(self.folder)
        today = date.today()
        if path is None or self._fragments_done == (path, today):
            return
        if self._fragments_scan[:2] != (path, today):  # another generation or day: from the top
            self._fragments_scan = (path, today, "")
        conn = snapshot.open_for_update(path)
        try:
            after = snapshot.refresh_fragments(
                conn, self.catalog, today, self._fragments_scan[2], PAGE
            )
        finally:
            conn.close()
        if after is None:
            self._fragments_done = (path, today)
        else:
            self._fragments_scan = (path, today, after)

    def _of_another_graph(self, meta: Meta, state: GraphState, count: bool = True) -> bool:
        """Whether the snapshot was made from another graph (its run is not in this one, or —
        with ``count``, at start — the party count differs): then it is rebuilt whole, not
        updated (an update reads only what newer runs changed)."""
        known = meta.run_id is None or bool(
            self.db.read_plain("check/snapshot_run_exists", run_id=meta.run_id)[0]["exists"]
        )
        if known and (not count or meta.parties == state.parties):
            return False
        log.info("decision snapshot is of another graph; rebuilding it from Neo4j")
        return True

    def _usable(self) -> Meta | None:
        """The current generation's meta, or None (with the reason logged) to rebuild it."""
        path = snapshot.current_path(self.folder)
        if path is None:
            log.info("decision snapshot missing; building it from Neo4j")
            return None
        try:
            meta = snapshot.check_file(path) if not self._checked_once else self.reader.meta()
        except SnapshotUnavailable as exc:
            log.warning(f"{exc}; rebuilding it from Neo4j")
            return None
        if meta.catalog_version != self.catalog.version:
            log.warning(
                "decision snapshot was made under another catalog; refused, rebuilding",
                extra={"snapshot": meta.catalog_version, "in_force": self.catalog.version},
            )
            return None
        return meta

    def _settled(self, state: GraphState) -> bool:
        """Whether no run is writing (or one has been 'writing' too long: a killed run)."""
        if state.unfinished == 0:
            self._flux_since = None
            return True
        now = time.monotonic()
        self._flux_since = self._flux_since or now
        if now - self._flux_since < FLUX_WAIT_S:
            return False
        log.warning(
            "measure changes of an unfinished propagation run have been in the graph for"
            f" {FLUX_WAIT_S:g} s (a killed run?); the snapshot takes the stored measures",
            extra={"changes": state.unfinished},
        )
        return True

    def _build(self, state: GraphState) -> None:
        """A whole new generation from Neo4j, published once complete and still current."""
        if not self._settled(state):
            return
        started = time.perf_counter()
        path = snapshot.new_generation(self.folder)
        conn = snapshot.create(path)
        day = date.today()
        try:
            pages = self._pages()
            count = sum(snapshot.write_parties(conn, page, self.catalog, day) for page in pages)
            snapshot.replace_objections(conn, open_objections(self.db))
            after = GraphState.read(self.db)
            if after.run_id != state.run_id or (after.unfinished and not state.unfinished):
                log.info("a propagation run committed during the snapshot build; rebuilding")
                conn.close()
                path.unlink(missing_ok=True)
                return
            snapshot.write_meta(conn, self._meta(state, after.parties))
            snapshot.publish(self.folder, path, conn)
        except BaseException:
            conn.close()
            path.unlink(missing_ok=True)
            raise
        snapshot.remove_old(self.folder, path)
        log.info(
            "decision snapshot built",
            extra={"run_id": state.run_id, "parties": count, "file": path.name,
                   "seconds": round(time.perf_counter() - started, 2)},
        )  # fmt: skip

    def _pages(self) -> Iterator[list[dict[str, Any]]]:
        kinds = red_list_kinds(self.catalog)
        after = ""
        while True:
            rows = self.db.read_plain(
                "check/snapshot_page", after=after, limit=PAGE, red_list_kinds=kinds
            )
            page: list[dict[str, Any]] = rows[0]["parties"] if rows else []
            if not page:
                return
            yield page
            after = page[-1]["party_id"]

    def _update(self, meta: Meta, state: GraphState) -> None:
        """Applies the runs newer than the snapshot's, in place, in one transaction."""
        if meta.run_finished_at is None:
            self._build(state)
            return
        changed = self._changed_parties(meta.run_finished_at)
        if len(changed) > max(PAGE, meta.parties // 2):
            self._build(state)  # most of the graph changed: a whole build reads less
            return
        rows = self._parties(sorted(changed))
        after = GraphState.read(self.db)
        if after.run_id != state.run_id or (after.unfinished and not state.unfinished):
            return  # a newer run began meanwhile: the next poll applies both
        self._write(rows, changed, self._meta(state, after.parties))
        log.info(
            "decision snapshot updated",
            extra={"run_id": state.run_id, "parties": len(changed)},
        )

    def _changed_parties(self, since: str) -> set[str]:
        runs = self.db.read_plain("check/snapshot_runs_since", since=since)
        run_ids = [r["run_id"] for r in runs]
        loads = [load for r in runs for load in r["loads"]]
        rows = self.db.read_plain("check/snapshot_changed_parties", since=since, runs=run_ids)
        changed = set(rows[0]["parties"]) if rows else set()
        return changed | (store.touched_by_loads(self.db, loads) if loads else set())

    def _parties(self, party_ids: list[str]) -> list[dict[str, Any]]:
        kinds = red_list_kinds(self.catalog)
        found: list[dict[str, Any]] = []
        for start in range(0, len(party_ids), PAGE):
            ids = party_ids[start : start + PAGE]
            rows = self.db.read_plain("check/snapshot_parties", ids=ids, red_list_kinds=kinds)
            found.extend(rows[0]["parties"] if rows else [])
        return found

    def _write(self, rows: list[dict[str, Any]], changed: set[str], meta: Meta) -> None:
        path = snapshot.current_path(self.folder)
        if path is None:
            return
        conn = snapshot.open_for_update(path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            snapshot.write_parties(conn, rows, self.catalog, date.today())
            snapshot.delete_parties(conn, sorted(changed - {r["party_id"] for r in rows}))
            snapshot.replace_objections(conn, open_objections(self.db))
            snapshot.write_meta(conn, meta)
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _confirm(self, meta: Meta) -> None:
        """Records that the snapshot's run is still the newest (the answers' ``snapshot_at``)
        and refreshes the open objections; at most once a second."""
        now = time.monotonic()
        if now - self._confirmed < CONFIRM_EVERY_S:
            return
        path = snapshot.current_path(self.folder)
        if path is None:
            return
        conn = snapshot.open_for_update(path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            snapshot.write_meta(conn, _confirmed(meta))
            snapshot.replace_objections(conn, open_objections(self.db))
            conn.execute("COMMIT")
        finally:
            conn.close()
        self._confirmed = now

    def _meta(self, state: GraphState, parties: int) -> Meta:
        return Meta(state.run_id, state.finished_at, self.catalog.version, snapshot.now_iso(),
                    parties, state.as_of)  # fmt: skip


def _confirmed(meta: Meta) -> Meta:
    return replace(meta, confirmed_at=snapshot.now_iso())


def snapshot_status(keeper: SnapshotKeeper | None) -> dict[str, Any]:
    """What ``/readyz`` says of the snapshot: its run, when it was last confirmed current and
    how long ago (empty when checks read Neo4j)."""
    if keeper is None:
        return {}
    try:
        meta = keeper.reader.meta()
    except SnapshotUnavailable:
        return {"snapshot_ready": False, "snapshot_run_id": None, "snapshot_age_s": None}
    return {
        "snapshot_ready": keeper.ready.is_set(),
        "snapshot_run_id": meta.run_id,
        "snapshot_at": meta.confirmed_at,
        "snapshot_age_s": round(age_s(meta), 3),
    }


def age_s(meta: Meta) -> float:
    """Seconds since ``meta`` was last confirmed current."""
    return max(0.0, time.time() - datetime.fromisoformat(meta.confirmed_at).timestamp())
