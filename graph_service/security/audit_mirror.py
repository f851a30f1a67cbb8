"""The mirror: copies the host's local audit log (:mod:`.local_audit`) into Neo4j's chain.

Invariants (docs/security.md, "The local audit log"):

* One mirror per host: the process holding an exclusive ``flock`` on ``mirror.lock`` in the
  local audit folder; every other process retries the lock each second, so when the holder
  dies (``kill -9`` included) another takes over.
* Each batch of local entries is appended to Neo4j's chain exactly as the Neo4j appender
  appends (:func:`graph_service.security.appender.write_entries`: the head locked, a new
  ``seq`` and ``prev_hash`` in Neo4j's chain, the same ``at``, kind, actor and payload, the
  stored checks attached) and, **in the same transaction**, the local chain's progress is set
  on its own head node (``AuditHead {name: "mirror:<chain_id>"}``: the last local seq and its
  local hash). So a batch is in Neo4j exactly once: a mirror killed after the commit finds the
  progress there on restart and resumes after it.
* While Neo4j is down the entries wait in the local log (their checks were answered: they are
  durable there); the mirror retries every second and catches up when it is back.
* With ``audit_mirror_process`` (the default) the worker that takes the lock copies nothing
  itself: it starts ``python -m graph_service.security.audit_mirror``, a process of its own
  that inherits the lock, runs at a lower priority (:data:`NICE`) and exits when its worker
  does. Copying in a thread of a worker took a fifth of that worker's CPU under load and
  competed for its GIL with the checks; in its own process it takes only idle CPU while the
  workers are busy, and catches up in bigger batches once they are not (its lag is on
  ``/metrics`` and ``/readyz``; a check is durable in the local log before it is answered).
  The process learns its worker is gone from its stdin: the worker holds the pipe's write end
  open for the process's life, and the kernel closes it when the worker dies (``kill -9``
  included), so the process exits and frees the lock for another worker. A process that
  cannot be started, or fails at start, is tried :data:`SPAWN_TRIES` times with growing
  pauses; then the worker mirrors in a thread of its own instead (logged as an error).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, Final

from graph_service import hostlock, logs, metrics
from graph_service.db import Database, Tx
from graph_service.errors import CreditGraphError
from graph_service.malloc import fix_mmap_threshold
from graph_service.security import local_audit
from graph_service.security.appender import HEAD_NAME, store_entries
from graph_service.security.audit import (
    GENESIS,
    ChainVerifier,
    Entry,
    Event,
    from_row,
    lookup_fields,
    to_row,
)
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.local_audit import LocalAuditLog, LocalEntry
from graph_service.security.state import Security
from graph_service.settings import Settings

log = logging.getLogger(__name__)

#: Seconds between the mirror's looks at the local log once it has copied all it found.
IDLE_S: Final = 0.1
#: While entries keep arriving, the mirror lets them gather for up to this many seconds (or
#: until ``batch_max`` wait) before copying them in one Neo4j transaction. A transaction costs
#: Neo4j far more than its entries' share: measured (2026-12-06, 4,000 single-party check
#: entries), Neo4j spent 1.1–1.3 ms of CPU per entry copied 80 at a time — what looking every
#: :data:`IDLE_S` gave at ~800 checks/s — and 0.44 ms per entry 500 at a time, on the cores that
#: serve the checks. When the log is quiet (no entry since the last look) what waits is copied
#: at once, so a lone check is mirrored as soon as before.
GATHER_S: Final = 1.0
#: Stored text (characters of payloads and attachments) a batch holds at most, beside
#: ``audit_batch_max`` entries: ~37 entries of 1,000-party checks (~0.2 MB each, their payload
#: and compressed answer; ~16 when answers were stored as text) where the count alone allowed
#: 500 — hundreds of MB in the mirror's process and in one Neo4j transaction. Single-party
#: entries (~2 kB) still go 500 at a time.
BATCH_CHARS: Final = 8_000_000
#: Seconds it waits after a failure (Neo4j down) or while another process mirrors.
RETRY_S: Final = 1.0
#: How much lower the mirror process's priority is than the workers' (``nice``): it copies
#: with the CPU the workers leave.
NICE: Final = 10
#: Mirror processes in a row that may fail (not started, or gone within :data:`STARTED_S`)
#: before the worker mirrors in its own thread; the pause doubles after each.
SPAWN_TRIES: Final = 3
#: Seconds a mirror process must have run for its exit not to count as a failed start.
STARTED_S: Final = 30.0


def start_local_audit(settings: Settings, db: Database, security: Security) -> AuditMirror | None:
    """Gives ``security`` the host's local log and starts this process's mirror (None when
    check entries go straight to Neo4j: ``audit_local`` off)."""
    if not settings.audit_local:
        return None
    folder = settings.effective_audit_local_dir
    local = LocalAuditLog(folder, settings.audit_batch_max, settings.audit_timeout_s)
    security.local_audit = local
    metrics.AUDIT_MIRROR_LAG_ENTRIES.set_function(lambda: _lag_or_nan(local)[0])
    metrics.AUDIT_MIRROR_LAG_SECONDS.set_function(lambda: _lag_or_nan(local)[1])
    child_settings = settings if settings.audit_mirror_process else None
    return AuditMirror(db, folder, settings.audit_batch_max, child_settings).start()


def _lag_or_nan(local: LocalAuditLog) -> tuple[float, float]:
    try:
        return local.lag()
    except (sqlite3.Error, OSError):
        return float("nan"), float("nan")


def mirror_status(local: LocalAuditLog | None) -> dict[str, Any]:
    """What ``/readyz`` says of the local log: entries waiting for the mirror and the age of
    the oldest (empty when check entries go straight to Neo4j)."""
    if local is None:
        return {}
    try:
        entries, seconds = local.lag()
    except (sqlite3.Error, OSError) as exc:
        return {"audit_local_error": str(exc)}
    return {"audit_mirror_lag_entries": entries, "audit_mirror_lag_s": round(seconds, 3)}


def progress_name(chain_id: str) -> str:
    """The name of the ``:AuditHead`` node recording how far ``chain_id`` is mirrored."""
    return f"mirror:{chain_id}"


def mirrored_seq(db: Database, chain_id: str) -> int:
    """The last local seq of ``chain_id`` that is in Neo4j (0 when none is)."""
    rows = db.read("audit/head", name=progress_name(chain_id))
    return int(rows[0]["seq"]) if rows else 0


def copy(tx: Tx, chain_id: str, batch: list[LocalEntry]) -> int:
    """Appends the entries of ``batch`` Neo4j does not hold yet, with the progress; the last
    local seq now mirrored."""
    done = tx.run("audit/lock_head", name=progress_name(chain_id), genesis=GENESIS)[0]["seq"]
    todo = [e for e in batch if e.entry.seq > done]
    if not todo:
        return int(done)
    append_copies(tx, todo)
    last = todo[-1].entry
    tx.run("audit/set_head", name=progress_name(chain_id), seq=last.seq, hash=last.hash)
    return last.seq


def append_copies(tx: Tx, todo: Sequence[LocalEntry]) -> list[Entry]:
    """Appends ``todo`` to Neo4j's chain as :func:`~.appender.write_entries` appends events
    (same statements, rows and hashes: the same ``at``, kind, actor and payload, a new seq and
    prev_hash), each payload hashed and stored as the text the local log holds — its canonical
    JSON — rather than serialised twice more from the parsed payload (~1.6 ms of the mirror's
    CPU for a 1,000-party check's entry)."""
    head = tx.run("audit/lock_head", name=HEAD_NAME, genesis=GENESIS)[0]
    seq, prev = int(head["seq"]), str(head["hash"])
    entries, rows = [], []
    for local in todo:
        seq += 1
        text, data = _payload_text(local)
        event = Event(local.entry.kind, local.entry.actor, local.entry.payload, local.entry.at)
        hash_ = sha256_hex(local_audit.hashed(seq, event, data, prev))
        entry = Entry(seq, event.at, event.kind, event.actor, event.payload, prev, hash_)
        # to_row's fields, its payload's canonical text and lookup copies made here instead
        rows.append({**to_row(replace(entry, payload={})), "payload": text,
                     **lookup_fields(entry.payload)})  # fmt: skip
        entries.append(entry)
        prev = hash_
    store_entries(tx, entries, rows, [local.attachment for local in todo])
    return entries


def _payload_text(local: LocalEntry) -> tuple[str, bytes]:
    """The canonical JSON of ``local``'s payload, as text and UTF-8: the local log's text when
    the local entry's own hash covers it (so it is the text its writer hashed), else made
    anew from the parsed payload (an older or damaged row: its copy is then what the payload
    says, as before)."""
    entry, data = local.entry, local.payload_text.encode("utf-8")
    event = Event(entry.kind, entry.actor, entry.payload, entry.at)
    if (
        data
        and sha256_hex(local_audit.hashed(entry.seq, event, data, entry.prev_hash)) == entry.hash
    ):
        return local.payload_text, data
    data = canonical_json(entry.payload)
    return data.decode("utf-8"), data


class AuditMirror:
    """The mirror thread of one process (active only while it holds the host's lock); given
    ``settings``, the thread only takes the lock and keeps a mirror process running with it."""

    def __init__(
        self, db: Database, folder: Path, batch_max: int = 500, settings: Settings | None = None
    ) -> None:
        self.db = db
        self.folder = folder
        self.batch_max = batch_max
        self._settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: IO[bytes] | None = None
        #: In a mirror process: the worker that started it (it stops when that one is gone).
        self._parent: int | None = None
        #: Set in a mirror process when its worker is gone: stop at once, copy nothing more.
        self._orphaned = threading.Event()
        #: Whether the last batch was cut short by a bound (more entries may wait).
        self._more = False

    def start(self) -> AuditMirror:
        """Starts the thread."""
        target = self._run if self._settings is None else self._keep_process
        self._thread = threading.Thread(target=target, name="audit-mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Copies what it can within ``timeout_s`` more, then stops."""
        self._stop_timeout_s = timeout_s
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s + 1)
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        while not self._orphaned.is_set():  # its worker gone: another worker takes over
            if self._lock_file is None and not self._try_lock():
                if self._stop.wait(RETRY_S):
                    return
                continue
            try:
                conn = conn or local_audit.connect(self.folder / local_audit.FILE_NAME)
                copied = self.step(conn)
            except (CreditGraphError, sqlite3.Error, OSError) as exc:
                log.warning("audit mirror waiting", extra={"error": str(exc)})
                copied = -1
            if self._parent is not None and os.getppid() != self._parent:
                return  # the worker that started this process is gone; another takes over
            if self._stop.is_set() and copied <= 0:
                return  # stopping: what could be copied is in Neo4j
            if copied < 0:
                self._stop.wait(RETRY_S)
            elif not self._more and conn is not None:  # caught up
                self._gather(conn)

    def step(self, conn: sqlite3.Connection) -> int:
        """Copies one batch; the number of entries copied (0 when there was none)."""
        chain_id = local_audit.meta_value(conn, "chain_id")
        known = local_audit.mirrored(self.folder)
        batch, self._more = local_audit.batch_after(conn, known, self.batch_max, BATCH_CHARS)
        if not batch:
            return 0
        done = self.db.write_tx(lambda tx: copy(tx, chain_id, batch))
        local_audit.set_mirrored(self.folder, done)
        return max(0, done - known)

    def _gather(self, conn: sqlite3.Connection) -> None:
        """Waits while entries keep arriving (:func:`keep_gathering`), so that they are copied
        in one transaction; returns at once when stopping."""
        try:
            started, seen = time.monotonic(), local_audit.head(conn)[0]
            since = time.time()  # a reader's nudge from now on: copy at once (it waits)
            copied = local_audit.mirrored(self.folder)
            while not self._stop.wait(IDLE_S):
                newest = local_audit.head(conn)[0]
                waited = time.monotonic() - started
                if local_audit.nudged_since(self.folder, since) or not keep_gathering(
                    newest - copied, newest > seen, waited, self.batch_max
                ):
                    return
                seen = newest
        except (sqlite3.Error, OSError):
            return  # the next copy meets the failure, and says so

    # --- the mirror in its own process ---------------------------------------------------------
    #: The mirror process's command (before the lock's descriptor and the worker's pid).
    command: tuple[str, ...] = (sys.executable, "-m", "graph_service.security.audit_mirror")

    def _keep_process(self) -> None:
        """Takes the host's lock when it is free, then keeps a mirror process running with it
        until stopped (the process inherits the lock: one mirror per host still). After
        :data:`SPAWN_TRIES` failed processes in a row it mirrors in this thread instead: the
        lock stays with a mirror that copies, never with one that only retries."""
        failures = 0
        while not self._stop.is_set():
            if self._lock_file is None and not self._try_lock():
                self._stop.wait(RETRY_S)
                continue
            if self._settings is None or self._lock_file is None:
                return
            started = time.monotonic()
            try:
                if self._keep_one(self._settings, self._lock_file):
                    return  # stopped
            except Exception:  # a thread that dies here would hold the lock with no mirror
                log.exception("audit mirror process could not be run")
            failures = 0 if time.monotonic() - started >= STARTED_S else failures + 1
            if failures >= SPAWN_TRIES:
                log.error("audit mirror process failed %d times in a row; mirroring in a"
                          " thread of this worker instead", failures)  # fmt: skip
                self._run()
                return
            self._stop.wait(RETRY_S * 2 ** max(0, failures - 1))

    def _keep_one(self, settings: Settings, lock: IO[bytes]) -> bool:
        """Runs one mirror process until it exits (False) or the mirror is stopped (True:
        the process stopped, and what it left copied here)."""
        child = self._spawn(settings, lock)
        try:
            while child.poll() is None:
                if self._stop.wait(0.2):
                    self._stop_process(child)
                    # What the process left (it may have been starting still) is copied
                    # here, with the lock this process holds: stopping flushes, as before.
                    self._run()
                    return True
        finally:
            if child.stdin is not None:
                child.stdin.close()  # the process's "worker gone" (it has exited by now)
        log.warning("audit mirror process exited; starting another",
                    extra={"code": child.returncode})  # fmt: skip
        return False

    _stop_timeout_s: float = 10.0

    def _stop_process(self, child: subprocess.Popen[bytes]) -> None:
        child.send_signal(signal.SIGTERM)  # it ends its batch, then exits
        try:
            child.wait(self._stop_timeout_s / 2)
        except subprocess.TimeoutExpired:
            child.kill()  # a batch killed half-way is rolled back and copied again
            child.wait()

    def _spawn(self, settings: Settings, lock: IO[bytes]) -> subprocess.Popen[bytes]:
        """Starts the mirror process (:attr:`command`) with the lock's file descriptor and
        this process's pid. It reads its settings (password included) from a pipe, not the
        environment or the command line; the pipe stays open while this process lives."""
        fd = lock.fileno()
        command = [*self.command, str(fd), str(os.getpid())]
        child = subprocess.Popen(command, stdin=subprocess.PIPE, pass_fds=(fd,))  # noqa: S603 - our own module
        try:
            if child.stdin is not None:
                child.stdin.write(settings_json(settings).encode("utf-8") + b"\n")
                child.stdin.flush()
        except OSError:  # it died before reading (BrokenPipeError): reaped, counted a failure
            child.kill()
            child.wait()
            if child.stdin is not None:
                child.stdin.close()
            raise
        return child

    def _try_lock(self) -> bool:
        try:
            self._lock_file = hostlock.take(self.folder / "mirror.lock")
        except OSError as exc:  # the folder cannot be made: appends fail (503) as well
            log.warning("audit mirror cannot take its lock", extra={"error": str(exc)})
            return False
        return self._lock_file is not None


def keep_gathering(waiting: int, arriving: bool, waited_s: float, batch_max: int) -> bool:
    """Whether the mirror waits one more look before copying the ``waiting`` entries: only
    while entries are ``arriving`` (more than at the last look), fewer than ``batch_max`` wait
    and they have gathered for less than :data:`GATHER_S`.

    >>> keep_gathering(80, True, 0.1, 500)  # a busy log: let them gather
    True
    >>> keep_gathering(1, False, 0.1, 500)  # quiet: copy the lone entry now
    False
    >>> keep_gathering(0, False, 5.0, 500)  # nothing waits: look again later
    False
    >>> keep_gathering(500, True, 0.3, 500), keep_gathering(300, True, GATHER_S, 500)
    (False, False)
    """
    return arriving and waiting < batch_max and waited_s < GATHER_S


def settings_json(settings: Settings) -> str:
    """``settings`` as the mirror process reads them (the password in clear: a pipe only)."""
    values = settings.model_dump(mode="json")
    if settings.neo4j_password is not None:
        values["neo4j_password"] = settings.neo4j_password.get_secret_value()
    return json.dumps(values)


def run_process(lock_fd: int, parent: int) -> None:
    """The mirror process: copies the host's local log to Neo4j with the lock its worker took
    (file descriptor ``lock_fd``), at a lower priority, until SIGTERM or its worker (pid
    ``parent``) is gone."""
    # Ctrl-C reaches the whole process group; the worker stops this process with SIGTERM
    # after its own shutdown, so a KeyboardInterrupt here would only cut a batch short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent:
        return  # the worker died while this process was starting: the lock is freed now
    line = sys.stdin.buffer.readline()
    if not line.endswith(b"\n"):
        return  # the worker died before it had sent the settings
    settings = Settings(**json.loads(line))
    logs.configure(settings.log_level)
    os.nice(NICE)
    fix_mmap_threshold()  # its batches of big entries, as in the workers (graph_service/malloc.py)
    with Database(settings) as db:
        mirror = AuditMirror(db, settings.effective_audit_local_dir, settings.audit_batch_max)
        mirror._lock_file = os.fdopen(lock_fd, "ab")  # held already: inherited
        mirror._parent = parent
        signal.signal(signal.SIGTERM, lambda *_: mirror._stop.set())
        threading.Thread(target=_watch_worker, args=(mirror,), daemon=True).start()
        mirror._run()


def _watch_worker(mirror: AuditMirror) -> None:
    """Stops ``mirror`` at once when its stdin reaches end of file: the worker holding the
    pipe's other end is gone (the kernel closes it, even after ``kill -9``).

    Reads the descriptor itself, unbuffered: a daemon thread blocked in ``sys.stdin.buffer``
    holds that reader's lock, and the interpreter's shutdown then aborts the process with a
    fatal error ("could not acquire lock for <stdin>") instead of exiting cleanly.
    """
    fd = sys.stdin.fileno()
    while os.read(fd, 4096):
        pass
    mirror._orphaned.set()
    mirror._stop.set()


# --- verification (`credit-graph audit verify`) ----------------------------------------------
@dataclass
class LocalReport:
    """What verifying a host's local log and its mirror found."""

    chain_id: str
    entries: int
    mirrored: int  # the last local seq Neo4j holds (its own record of the mirror's progress)
    problems: list[str] = field(default_factory=list)


def verify_local(db: Database, folder: Path) -> LocalReport | None:
    """Verifies the local chain in ``folder`` (None when this host keeps none) and that every
    entry the mirror copied is in Neo4j's log unchanged (same time, kind, actor, payload)."""
    path = folder / local_audit.FILE_NAME
    if not path.is_file():
        return None
    conn = local_audit.connect(path)
    try:
        chain_id = local_audit.meta_value(conn, "chain_id")
        verifier, entries = ChainVerifier(), _all_entries(conn)
    finally:
        conn.close()
    for entry in entries:
        verifier.feed(entry)
    verifier.finish(head=(verifier.last_seq, verifier.last_hash) if entries else None)
    report = LocalReport(chain_id, len(entries), mirrored_seq(db, chain_id))
    report.problems = [f"local log {chain_id}: {problem}" for problem in verifier.problems]
    report.problems += _mirror_problems(db, [e for e in entries if e.seq <= report.mirrored])
    return report


def _all_entries(conn: sqlite3.Connection) -> list[Entry]:
    entries: list[Entry] = []
    while batch := local_audit.entries_after(conn, entries[-1].seq if entries else 0, 10_000):
        entries.extend(e.entry for e in batch)
    return entries


def _mirror_problems(db: Database, entries: list[Entry]) -> list[str]:
    """Local entries the mirror copied that Neo4j's log does not hold as they are."""
    problems: list[str] = []
    for start in range(0, len(entries), 1_000):
        chunk = entries[start : start + 1_000]
        ids = [str(e.payload.get("check_id")) for e in chunk if e.kind == "check"]
        rows = db.read("audit/mirrored_checks", check_ids=ids) if ids else []
        # GraphQL operations' entries (no check id) are found by their time (indexed)
        ats = sorted({e.at for e in chunk if e.kind != "check"})
        rows += db.read("audit/mirrored_entries", ats=ats) if ats else []
        # counted, not a set: two entries of one content (one key's same query in the same
        # microsecond, from two workers) need two copies in Neo4j, not one
        found = Counter(_content(from_row(r["entry"])) for r in rows)
        for entry in chunk:
            content = _content(entry)
            if found[content] > 0:
                found[content] -= 1
                continue
            problems.append(
                f"local entry {entry.seq} ({_named(entry)}) is not in Neo4j's log as"
                " it was written (removed or changed after it was mirrored)"
            )
    return problems


def _named(entry: Entry) -> str:
    """How a problem names a local entry: its check, else its kind and time."""
    if entry.kind == "check":
        return f"check {entry.payload.get('check_id')}"
    return f"{entry.kind} at {entry.at}"


def _content(entry: Entry) -> str:
    """What the mirror keeps of an entry: everything but its place in a chain."""
    body = {"at": entry.at, "kind": entry.kind, "actor": entry.actor.as_json(),
            "payload": entry.payload}  # fmt: skip
    return canonical_json(body).decode("utf-8")


if __name__ == "__main__":
    run_process(int(sys.argv[1]), int(sys.argv[2]))
