"""The host-local audit log: check entries made durable on local disk before the answer.

Invariants (docs/security.md, "The local audit log"):

* One SQLite file per host (``<audit_local_dir>/local-audit.sqlite``), shared by every worker
  process, in WAL mode with ``synchronous=FULL``: a committed entry survives a ``kill -9`` and a
  power cut. Its entries form one hash chain (:func:`graph_service.security.audit.chain`, seq
  1, 2, 3 … from :data:`~graph_service.security.audit.GENESIS`) named by a random ``chain_id``
  kept in the file.
* Appends are serialised by SQLite's write lock (``BEGIN IMMEDIATE``), across threads and
  processes; the head is read inside that transaction, so the chain cannot fork.
* :meth:`LocalAuditLog.append` resolves only once the transaction holding the entry has
  committed; when it cannot be written (disk full, folder unwritable) it raises
  :class:`~graph_service.errors.AuditUnavailable` (503) and nothing is answered.
* Group commit, as the Neo4j appender (:mod:`.appender`): one writer thread per process takes
  every entry waiting (up to ``batch_max``) into one transaction — one fsync for all of them.
* An entry keeps its attachment (the stored ``:Check``) beside it, outside the hash: the
  entry's payload carries the row's ``stored_digest``, so the row is covered anyway. The
  mirror (:mod:`.audit_mirror`) copies both to Neo4j and records here how far it got
  in a small side file (``mirrored_seq``, replaced atomically, never fsync'd: Neo4j's own
  record of the progress is authoritative, this copy serves waits and the lag, and keeping it
  out of the log's file keeps the mirror off the appenders' write lock).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

from graph_service.errors import AuditUnavailable
from graph_service.security.appender import Attachment, Stamp, _settle
from graph_service.security.audit import GENESIS, Actor, Entry, Event
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.overdue import Overdue

log = logging.getLogger(__name__)

#: The file's name inside the local audit folder.
FILE_NAME: Final = "local-audit.sqlite"
#: The side file holding the last seq the mirror copied to Neo4j.
MIRRORED: Final = "mirrored_seq"
#: The side file a reader touches when it waits for the mirror (:func:`nudge`).
NUDGE: Final = "mirror_now"
#: The stored row's text (``json.dumps(row, ensure_ascii=False)``, byte for byte), by an
#: encoder made once instead of one per entry.
_ROW_ENCODER: Final = json.JSONEncoder(ensure_ascii=False)

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    " kind TEXT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,"
    " actor_key_id TEXT, payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
    " attachment_query TEXT, attachment_row TEXT)",
)


@dataclass(frozen=True)
class LocalEntry:
    """An entry of the local chain with the row stored with it."""

    entry: Entry
    attachment: Attachment | None
    #: The payload's text as the file holds it: its canonical JSON, as hashed (the mirror
    #: hashes and stores it as is once it has checked it against the entry's hash).
    payload_text: str = ""


class _Pending(NamedTuple):
    """An event waiting for the writer (a tuple: one is made per check, and a frozen
    dataclass's ``__init__`` cost several times as much)."""

    event: Event
    attachment: Attachment | None
    future: Future[Stamp] | None = None
    #: An awaiting request's loop and future (resolved on that loop, a batch at a time).
    waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[Stamp]] | None = None


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the local log at ``path`` (created with its tables if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # the WAL is fsync'd at every commit
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('chain_id', ?)", (uuid.uuid4().hex,))
    conn.execute("COMMIT")
    return conn


def write_batch(conn: sqlite3.Connection, pending: Sequence[_Pending]) -> list[Entry]:
    """Chains ``pending`` after the file's head and commits them in one transaction."""
    begin_immediate(conn)
    try:
        last_seq, last_hash = head(conn)
        entries, rows = chained_rows(last_seq, last_hash, pending)
        conn.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return entries


def begin_immediate(conn: sqlite3.Connection, timeout_s: float = 30.0) -> None:
    """Begins a write transaction, waiting for another process's writer to commit.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15 … ms between tries, so a writer that
    finds the other worker's writer in its fsync (a few ms) mostly sleeps 10–20 ms more than
    needed; measured under load, that wait, not CPU, set a check's latency. Trying again
    after a fraction of a millisecond takes the lock soon after it is free.
    """
    deadline = time.monotonic() + timeout_s
    pause = 0.0002
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.002)


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The newest entry's seq and hash (0 and GENESIS for an empty log)."""
    row = conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def entries_after(conn: sqlite3.Connection, seq: int, limit: int) -> list[LocalEntry]:
    """Up to ``limit`` entries after ``seq``, in order."""
    cursor = conn.execute("SELECT * FROM entries WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
    return [_local_entry(row) for row in cursor]


def batch_after(
    conn: sqlite3.Connection, seq: int, limit: int, max_chars: int
) -> tuple[list[LocalEntry], bool]:
    """The entries after ``seq``, in order, up to ``limit`` of them and — at least one — up to
    about ``max_chars`` of stored text (payloads and attachments); and whether a bound cut the
    batch short (more may wait). A 1,000-party check's entry holds ~0.2 MB (its payload and
    its answer, stored compressed: :mod:`graph_service.security.stored`; ~0.55 MB before), so a
    bound on the count alone let one batch of the mirror hold hundreds of MB."""
    cursor = conn.execute("SELECT * FROM entries WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))
    rows: list[Sequence[Any]] = []
    chars = 0
    for row in cursor:  # rows are read one at a time: the ones past the bound never are
        rows.append(row)
        chars += len(row[6]) + len(row[10] or "")
        if chars >= max_chars:
            cursor.close()
            return [_local_entry(r) for r in rows], True
    return [_local_entry(r) for r in rows], len(rows) >= limit


def meta_value(conn: sqlite3.Connection, key: str) -> str:
    """A value of the file's meta table (``chain_id``)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else ""


def set_mirrored(folder: Path, seq: int) -> None:
    """Records that the entries up to ``seq`` are in Neo4j (atomically, not fsync'd)."""
    temporary = folder / f"{MIRRORED}.{uuid.uuid4().hex[:8]}.tmp"
    temporary.write_text(str(seq), encoding="utf-8")
    os.replace(temporary, folder / MIRRORED)


def nudge(folder: Path) -> None:
    """Asks the mirror to copy at its next look rather than let entries gather: someone waits
    for them (a receipt or feedback on a check just answered)."""
    try:
        (folder / NUDGE).touch()
    except OSError:  # the mirror copies within its gathering time anyway
        log.warning("could not ask the audit mirror to copy now", exc_info=True)


def nudged_since(folder: Path, since: float) -> bool:
    """Whether :func:`nudge` was called at or after ``since`` (``time.time()``), give or take
    the few milliseconds a file's time lags the clock (the kernel's coarse clock stamps it):
    a nudge a moment early only makes the mirror copy sooner."""
    try:
        return (folder / NUDGE).stat().st_mtime >= since - 0.02
    except OSError:
        return False


def mirrored(folder: Path) -> int:
    """The last seq the mirror recorded as in Neo4j (0 before it recorded any)."""
    try:
        return int((folder / MIRRORED).read_text(encoding="utf-8") or 0)
    except (FileNotFoundError, ValueError):
        return 0


def chained_rows(
    last_seq: int, last_hash: str, pending: Sequence[_Pending]
) -> tuple[list[Entry], list[tuple[Any, ...]]]:
    """``pending`` chained after the entry ``last_seq`` whose hash is ``last_hash``, as
    :func:`graph_service.security.audit.chain` chains them, and their rows of the file.

    One pass: an entry's payload is serialised once, for its hash and its row (the writer
    thread holds the GIL the checks need while it does this).

    >>> from graph_service.security.audit import Actor, Event, chain
    >>> events = [Event("check", Actor("k", "checker", "id"), {"p": ["张", 1, None]}),
    ...           Event("feedback", Actor("cli:me", "operator"), {})]
    >>> entries, rows = chained_rows(7, "h7", [_Pending(e, None) for e in events])
    >>> entries == chain(7, "h7", events), rows[1][0], rows[1][7] == entries[0].hash
    (True, 9, True)
    """
    entries: list[Entry] = []
    rows: list[tuple[Any, ...]] = []
    for seq, item in enumerate(pending, start=last_seq + 1):
        event, attachment = item.event, item.attachment
        payload = canonical_json(event.payload)
        hash_ = sha256_hex(hashed(seq, event, payload, last_hash))
        entry = Entry(seq, event.at, event.kind, event.actor, event.payload, last_hash, hash_)
        attached = _ROW_ENCODER.encode(attachment.row) if attachment else None
        rows.append((
            seq, event.at, event.kind, event.actor.name, event.actor.role, event.actor.key_id,
            payload.decode("utf-8"), last_hash, hash_,
            attachment.query if attachment else None, attached,
        ))  # fmt: skip
        entries.append(entry)
        last_hash = hash_
    return entries, rows


def hashed(seq: int, event: Event, payload: bytes, prev_hash: str) -> bytes:
    """The bytes :meth:`Entry.computed_hash` hashes — the canonical JSON of the entry's
    ``actor``, ``at``, ``kind``, ``payload``, ``prev_hash`` and ``seq`` (in that, sorted,
    order) — with the payload's canonical JSON given."""
    return b"".join((
        b'{"actor":', canonical_json(event.actor.as_json()),
        b',"at":', canonical_json(event.at),
        b',"kind":', canonical_json(event.kind),
        b',"payload":', payload,
        b',"prev_hash":', canonical_json(prev_hash),
        b',"seq":', canonical_json(seq), b"}",
    ))  # fmt: skip


def _local_entry(row: Sequence[Any]) -> LocalEntry:
    seq, at, kind, name, role, key_id, payload, prev_hash, hash_, query, attached = row
    entry = Entry(seq, at, kind, Actor(name, role, key_id), json.loads(payload), prev_hash, hash_)
    attachment = Attachment(query, json.loads(attached)) if query else None
    return LocalEntry(entry, attachment, payload)


class LocalAuditLog:
    """The local log of one process: :meth:`append` from requests (group commit), reads for
    the mirror, waits for it. Close it at shutdown to flush the queue."""

    def __init__(self, folder: Path, batch_max: int = 500, timeout_s: float = 10.0) -> None:
        self.path = folder / FILE_NAME
        self._batch_max = batch_max
        self._timeout_s = timeout_s
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._reader_conn: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        self._overdue: dict[asyncio.AbstractEventLoop, Overdue] = {}

    async def append(
        self, kind: str, actor: Actor, payload: dict[str, Any], attachment: Attachment | None
    ) -> Stamp:
        """Logs an event and waits until it is durable on disk; AuditUnavailable if not.

        The request waits on a future of its own loop, which the writer resolves together
        with the rest of its batch (one wake-up of the loop per commit; a concurrent future
        wrapped for asyncio cost a check more CPU than its share of the commit). The wait is
        bounded by the log's timeout through the loop's one :class:`~.overdue.Overdue`, not a
        timer of its own."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Stamp] = loop.create_future()
        self._put(_Pending(Event(kind, actor, payload), attachment, None, (loop, waiter)))
        self._overdue_of(loop).add(waiter)
        return await waiter

    def _overdue_of(self, loop: asyncio.AbstractEventLoop) -> Overdue:
        """The watch over ``loop``'s waits (a service has one loop per worker; tests start
        and close many, whose watches go with them)."""
        overdue = self._overdue.get(loop)
        if overdue is None:
            self._overdue = {k: v for k, v in self._overdue.items() if not k.is_closed()}
            overdue = self._overdue[loop] = Overdue(loop, self._timeout_s, self._unconfirmed)
        return overdue

    def _unconfirmed(self) -> AuditUnavailable:
        return AuditUnavailable(
            f"the local audit log did not confirm the entry within {self._timeout_s:g} s"
        )

    def submit(self, event: Event, attachment: Attachment | None = None) -> Future[Stamp]:
        """Queues ``event`` for the writer; the future resolves once it is committed."""
        future: Future[Stamp] = Future()
        self._put(_Pending(event, attachment, future))
        return future

    def _put(self, pending: _Pending) -> None:
        with self._lock:
            if self._closed:
                raise AuditUnavailable("the audit log is closed (the service is stopping)")
            if self._writer is None:
                self._writer = threading.Thread(target=self._run, name="local-audit", daemon=True)
                self._writer.start()
            self._queue.put(pending)

    def close(self, timeout_s: float = 30.0) -> None:
        """Writes what is queued, then stops the writer."""
        with self._lock:
            self._closed = True
            writer = self._writer
        if writer is not None:
            self._queue.put(None)
            writer.join(timeout_s)

    # --- reading: the mirror's progress and lag -------------------------------------------
    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Runs a read on this process's reading connection (one query at a time)."""
        with self._read_lock:
            if self._reader_conn is None:
                self._reader_conn = connect(self.path)
            return self._reader_conn.execute(sql, params).fetchall()

    def progress(self) -> tuple[int, int]:
        """The newest entry's seq and the newest one the mirror has copied to Neo4j."""
        newest = self._query("SELECT coalesce(max(seq), 0) FROM entries")[0][0]
        return int(newest), mirrored(self.path.parent)

    def lag(self) -> tuple[int, float]:
        """Entries not yet in Neo4j and the age in seconds of the oldest of them."""
        newest, mirrored = self.progress()
        if newest <= mirrored:
            return 0, 0.0
        rows = self._query("SELECT at FROM entries WHERE seq = ?", (mirrored + 1,))
        return newest - mirrored, max(0.0, _now() - _seconds(rows[0][0])) if rows else 0.0

    def wait_mirrored(self, timeout_s: float) -> bool:
        """Waits until every entry committed so far is in Neo4j; False on timeout."""
        target, mirrored = self.progress()
        deadline, next_nudge = time.monotonic() + timeout_s, 0.0
        while mirrored < target:
            now = time.monotonic()
            if now >= deadline:
                return False
            if now >= next_nudge:  # again every 0.1 s: a nudge made while the mirror was
                nudge(self.path.parent)  # copying is older than its next gathering
                next_nudge = now + 0.1
            time.sleep(0.02)
            mirrored = self.progress()[1]
        return True

    # --- the writer thread ------------------------------------------------------------------
    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while True:
            first = self._queue.get()
            batch, stop = self._drain(first)
            if batch:
                conn = self._commit(conn, batch)
            if stop:
                if conn is not None:
                    conn.close()
                return

    def _drain(self, first: _Pending | None) -> tuple[list[_Pending], bool]:
        batch: list[_Pending] = []
        item = first
        while True:
            if item is None:
                return batch, True
            batch.append(item)
            if len(batch) >= self._batch_max:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False

    def _commit(
        self, conn: sqlite3.Connection | None, batch: list[_Pending]
    ) -> sqlite3.Connection | None:
        """Writes ``batch``; every waiter learns the outcome. The connection to keep.

        Any failure fails the batch's waiters (503), never the thread: a writer thread gone
        would leave every later check waiting for its timeout."""
        try:
            if conn is None:
                conn = connect(self.path)
                conn.execute("PRAGMA busy_timeout=0")  # write_batch waits for the lock itself
            entries = write_batch(conn, batch)
        except Exception as exc:
            expected = isinstance(exc, sqlite3.Error | OSError)  # disk full, folder gone
            log.error("local audit append failed", exc_info=not expected,
                      extra={"entries": len(batch), "error": repr(exc)})  # fmt: skip
            _tell(batch, [AuditUnavailable("the audit log cannot be written") for _ in batch])
            if conn is not None:
                conn.close()
            return None  # reconnect next time (the folder may be back)
        _tell(batch, [Stamp(entry.seq, entry.hash) for entry in entries])
        return conn


def _tell(batch: Sequence[_Pending], outcomes: Sequence[Stamp | Exception]) -> None:
    """Gives every waiter of ``batch`` its outcome: one call into each waiting loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Stamp], Any]]] = {}
    for pending, outcome in zip(batch, outcomes, strict=True):
        if pending.future is not None:
            if isinstance(outcome, Stamp):
                _settle(pending.future, result=outcome)
            else:
                _settle(pending.future, error=outcome)
        if pending.waiter is not None:
            loop, waiter = pending.waiter
            by_loop.setdefault(loop, []).append((waiter, outcome))
    for loop, waiters in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, waiters)
        except RuntimeError:  # the loop is closed: no one is waiting any more
            pass


def _resolve(waiters: list[tuple[asyncio.Future[Stamp], Stamp | Exception]]) -> None:
    """On the waiters' loop: resolves those still waiting (a timed-out one is cancelled)."""
    for waiter, outcome in waiters:
        if waiter.done():
            continue
        if isinstance(outcome, Stamp):
            waiter.set_result(outcome)
        else:
            waiter.set_exception(outcome)


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _seconds(stamp: str) -> float:
    """Seconds since the epoch of a log timestamp (``…Z``)."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
