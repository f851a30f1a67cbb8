"""Writing the audit log: group commit from any number of concurrent requests.

Invariants:

* An entry is written in the same transaction that locks and advances the ``:AuditHead``, so
  appends are serialised across threads and processes and ``seq`` has no gaps (see
  :mod:`.audit`); a transaction retried on a transient error recomputes the chain from the head
  it reads then.
* A request is answered only after its entry is committed (durable): :meth:`AuditLog.append`
  resolves when the transaction holding the entry has committed, and raises
  :class:`~graph_service.errors.AuditUnavailable` (503) when it failed or took longer than
  ``Settings.audit_timeout_s``. An entry that commits after its request gave up stays logged:
  logging an unanswered action is acceptable, losing an answered one is not.
* Rows that belong with an entry (the stored check, a feedback) are *attachments*, written in
  the entry's transaction, so they exist exactly when the entry does.

Group commit: one writer thread takes every entry waiting in the queue (up to
``Settings.audit_batch_max``) and writes them in one transaction. While a transaction commits,
new entries queue up and go together in the next one, so under load a commit is shared by many
requests and when idle an entry is written at once — no timer, no added latency.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import Any, Final

from graph_service.db import Database, Tx
from graph_service.errors import AuditUnavailable
from graph_service.security.audit import GENESIS, Actor, Entry, Event, chain, to_row

log = logging.getLogger(__name__)

#: The name of the one ``:AuditHead`` node.
HEAD_NAME: Final = "audit"


@dataclass(frozen=True)
class Attachment:
    """A row written with an entry by ``query`` (an ``UNWIND $rows AS row …`` statement).

    The row gets the entry's ``audit_seq`` added, linking the two.
    """

    query: str
    row: dict[str, Any]


@dataclass(frozen=True)
class Stamp:
    """Where an entry landed in the log."""

    seq: int
    hash: str


@dataclass(frozen=True)
class _Pending:
    event: Event
    attachment: Attachment | None
    future: Future[Stamp]


_STOP: Final = None


def write_entries(
    tx: Tx, events: Sequence[Event], attachments: Sequence[Attachment | None]
) -> list[Entry]:
    """Appends ``events`` (with their attachments, same order) in transaction ``tx``."""
    head = tx.run("audit/lock_head", name=HEAD_NAME, genesis=GENESIS)[0]
    entries = chain(head["seq"], head["hash"], events)
    store_entries(tx, entries, [to_row(entry) for entry in entries], attachments)
    return entries


def store_entries(
    tx: Tx,
    entries: Sequence[Entry],
    rows: Sequence[Mapping[str, Any]],
    attachments: Sequence[Attachment | None],
) -> None:
    """Writes ``entries``, chained onto the head locked in ``tx`` (non-empty), as ``rows``
    (each entry's :func:`to_row`, or the same fields with its payload's text given), their
    attachments, and the head moved to the last one: the statements every append shares
    (:func:`write_entries`, and the mirror's copies of the local log)."""
    tx.run("audit/create_entries", rows=list(rows))
    tx.run("audit/set_head", name=HEAD_NAME, seq=entries[-1].seq, hash=entries[-1].hash)
    for query, attached in _by_query(entries, attachments).items():
        tx.run(query, rows=attached)


def _by_query(
    entries: Sequence[Entry], attachments: Sequence[Attachment | None]
) -> dict[str, list[dict[str, Any]]]:
    """Attachment rows grouped by query (one statement each), with their entry's seq."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry, attachment in zip(entries, attachments, strict=True):
        if attachment is not None:
            grouped[attachment.query].append({**attachment.row, "audit_seq": entry.seq})
    return grouped


class AuditLog:
    """The audit log of one process: :meth:`append` from requests, :meth:`append_sync` from
    commands. Close it at shutdown to flush the queue.
    """

    def __init__(self, db: Database, batch_max: int = 500, timeout_s: float = 10.0) -> None:
        self.db = db
        self._batch_max = batch_max
        self._timeout_s = timeout_s
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def append(
        self,
        kind: str,
        actor: Actor,
        payload: dict[str, Any],
        attachment: Attachment | None = None,
    ) -> Stamp:
        """Logs an event and waits until it is durable; AuditUnavailable if it cannot be."""
        future = self.submit(Event(kind, actor, payload), attachment)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout_s)
        except TimeoutError:
            raise AuditUnavailable(
                f"the audit log did not confirm the entry within {self._timeout_s:g} s"
            ) from None

    def append_sync(
        self,
        kind: str,
        actor: Actor,
        payload: dict[str, Any],
        attachment: Attachment | None = None,
    ) -> Stamp:
        """Logs an event from a thread (never the event loop) and waits until it is durable."""
        future = self.submit(Event(kind, actor, payload), attachment)
        try:
            return future.result(timeout=self._timeout_s)
        except TimeoutError:
            raise AuditUnavailable(
                f"the audit log did not confirm the entry within {self._timeout_s:g} s"
            ) from None

    def submit(self, event: Event, attachment: Attachment | None = None) -> Future[Stamp]:
        """Queues ``event`` for the writer; the future resolves once it is committed."""
        future: Future[Stamp] = Future()
        with self._lock:
            if self._closed:
                raise AuditUnavailable("the audit log is closed (the service is stopping)")
            self._start_writer()
            self._queue.put(_Pending(event, attachment, future))
        return future

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, timeout_s: float = 30.0) -> None:
        """Writes what is queued, then stops the writer."""
        with self._lock:
            self._closed = True
            writer = self._writer
        if writer is not None:
            self._queue.put(_STOP)
            writer.join(timeout_s)

    # --- the writer thread ---------------------------------------------------------------
    def _start_writer(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._writer.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch, stop = self._drain(first)
            if batch:
                self._commit(batch)
            if stop:
                return

    def _drain(self, first: _Pending | None) -> tuple[list[_Pending], bool]:
        """``first`` and whatever else is waiting, up to the batch size; True on the stop mark."""
        batch: list[_Pending] = []
        item = first
        while True:
            if item is None:  # the stop mark
                return batch, True
            batch.append(item)
            if len(batch) >= self._batch_max:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False

    def _commit(self, batch: list[_Pending]) -> None:
        events = [p.event for p in batch]
        attachments = [p.attachment for p in batch]
        try:
            entries = self.db.write_tx(lambda tx: write_entries(tx, events, attachments))
        except Exception as exc:  # any failure: every waiting request must learn of it
            log.error("audit append failed", extra={"entries": len(batch), "error": repr(exc)})
            for pending in batch:
                _settle(pending.future, error=AuditUnavailable("the audit log cannot be written"))
            return
        for pending, entry in zip(batch, entries, strict=True):
            _settle(pending.future, result=Stamp(entry.seq, entry.hash))


def _settle(
    future: Future[Stamp], result: Stamp | None = None, error: Exception | None = None
) -> None:
    """Resolves ``future`` unless its waiter gave up already (then there is no one to tell)."""
    try:
        if error is not None:
            future.set_exception(error)
        elif result is not None:
            future.set_result(result)
    except InvalidStateError:
        pass
