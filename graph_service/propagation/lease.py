"""One propagation run at a time, across every process and host: a lease in Neo4j.

Why: a run reads the graph, computes (minutes at a million parties), then writes the
difference from what is stored. A second run that covers a load committed meanwhile — the
load's own run, another ``load``, the catch-up of each of ``serve --workers N`` — would store
the load's measures and mark it propagated; the first run's difference, computed from the
graph before the load, would then delete them, and nothing would be left pending to bring
them back. So every run holds the lease (``:PropagationLease``) from before it reads the
pending loads until its last transaction, and a second run waits for it.

* The lease lapses unless renewed (``Settings.propagation_lease_s``): a holder killed with
  ``kill -9`` blocks the others that long, then the next run takes over. The holder renews it
  from a thread every third of that. Only the first claim creates the node
  (``propagation/claim_lease``); a renewal only extends this run's own node
  (``propagation/extend_lease``), so no renewal can write back a lease that another run took
  or that the run's last transaction deleted.
* A run whose lease was taken by another, or went a whole length unrenewed (the process
  stalled: another run may have come and gone), stops before its next write
  (:func:`require_held`, at each run's measure writes and its last transaction): its loads
  stay pending. A stall between that check and the write is not covered; the writes
  themselves do not check the holder.
* A run waits at most ``Settings.propagation_lease_wait_s``, then fails with
  :class:`~graph_service.errors.PropagationBusy`, having written nothing.
* Nested runs of one thread (an incremental run that falls back to the full run) share the
  outer run's lease.
* Released, the node is deleted: between runs the graph holds nothing of it. An incremental
  run releases it in its last transaction, with its scores, record and load marks
  (:func:`released_with`: one write fewer). While that transaction is in flight the renewer
  keeps renewing (a transaction waiting on locks must not let the lease lapse and another
  run start); a renewal that finds no node then means the commit deleted it, not a loss. The
  renewer is stopped after the transaction. The stop-sharing notices made after that run run
  outside the lease (idempotent with their own marks, as the delivery worker's). A full run's
  last transaction can take minutes, so its lease is released apart, after it, as on an error.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Concatenate, Final, ParamSpec, TypeVar

from graph_service.db import Database
from graph_service.dueprocess.notices import as_datetime
from graph_service.errors import CreditGraphError, PropagationBusy, PropagationLeaseLost

log = logging.getLogger(__name__)

#: The lease's name (its node's key): one lease for every kind of run.
NAME: Final = "runs"

#: Longest sleep between looks while another run holds the lease.
_MAX_POLL_S: Final = 2.0

_this_thread = threading.local()  # the lease this thread holds, for nested runs

P = ParamSpec("P")
R = TypeVar("R")


def exclusive(run: Callable[Concatenate[Database, P], R]) -> Callable[Concatenate[Database, P], R]:
    """Runs ``run(db, ...)`` holding the lease (:func:`held`): a run's entry points."""

    @functools.wraps(run)
    def in_lease(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with held(db):
            return run(db, *args, **kwargs)

    return in_lease


@contextmanager
def held(db: Database) -> Iterator[None]:
    """Holds the propagation lease for the block: waits for another run's, renews it while
    the block runs, releases it after (also on an error)."""
    if getattr(_this_thread, "lease", None) is not None:
        yield  # nested in a run of this thread: its lease covers this one
        return
    lease = _Lease(db)
    lease.acquire()
    _this_thread.lease = lease
    try:
        yield
    finally:
        _this_thread.lease = None
        lease.release()


@contextmanager
def released_with() -> Iterator[dict[str, str] | None]:
    """For a run's last transaction that releases the lease with its other writes: yields the
    lease's ``name`` and ``holder`` for the transaction to delete it by (None outside a
    lease). Meanwhile a renewal that finds no node means the commit deleted it (not a loss);
    after the block the renewer is stopped and joined. Once the block ends without an error
    the lease is released: :func:`held` releases nothing more and :func:`require_held` raises.
    On an error :func:`held` releases it as before.

    Only for a run's last write: every run of this thread that encloses it must return right
    after it (the runner's ``after_loads`` and ``complete_pending`` return the incremental run
    they start), since the lease no longer covers anything after the block."""
    lease: _Lease | None = getattr(_this_thread, "lease", None)
    if lease is None:
        yield None
        return
    with lease._renewing:  # a renewal in flight ends before the transaction starts
        lease.finishing = True
    try:
        yield {"name": NAME, "holder": lease.holder}
    finally:
        lease.stop_renewing()
    lease.released = True
    lease.lost = "it was released with the run's last transaction"


def require_held() -> None:
    """Raises :class:`PropagationLeaseLost` unless this thread's lease still holds (call
    before a run writes); does nothing outside a lease. Past half the lease's length without
    a renewal (its renewer stalled with the process) it renews here first."""
    lease: _Lease | None = getattr(_this_thread, "lease", None)
    if lease is None:
        return
    if lease.lost is None and lease.unrenewed_s() > lease.length.total_seconds() / 2:
        try:
            lease.renew()
        except CreditGraphError as exc:  # Neo4j away: the write that follows fails too
            log.warning("propagation lease not renewed", extra={"error": str(exc)})
    if lease.lost is not None:
        raise PropagationLeaseLost(
            f"the propagation lease was lost during this run: {lease.lost}; the run stopped"
            " before writing more, and its loads stay pending for the next run"
        )


class _Lease:
    """One run's hold of the lease: its holder name, its renewal thread, whether it was lost."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.holder = uuid.uuid4().hex
        self.length = timedelta(seconds=db.settings.propagation_lease_s)
        self.lost: str | None = None  # how it was lost (taken by another, or lapsed)
        self.released = False  # deleted by the run's last transaction (released_with)
        self.finishing = False  # that transaction is in flight: no node is no loss
        self._claimed_at = 0.0  # time.monotonic() when the last successful claim was asked
        self._renewing = threading.Lock()  # the renewer thread and require_held
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, name="propagation-lease", daemon=True)

    def acquire(self) -> None:
        """Takes the lease, waiting while another run holds it; raises PropagationBusy past
        the settings' wait."""
        looks, deadline = 0, time.monotonic() + self.db.settings.propagation_lease_wait_s
        while True:
            if self._claim():  # one write when nobody runs: the common case costs one round trip
                break
            other = self._other_holder()
            if other is not None and looks == 0:
                log.warning("waiting for the propagation run in progress",
                            extra={"holder": other[0], "until": other[1].isoformat()})  # fmt: skip
            pause = min(_MAX_POLL_S, 0.05 * 2**looks, deadline - time.monotonic())
            if pause <= 0:
                raise self._busy(other)
            time.sleep(pause)
            looks = min(looks + 1, 6)
        self._renewer.start()

    def stop_renewing(self) -> None:
        """Stops the renewer thread and waits for it (a renewal in flight finishes first)."""
        self._stop.set()
        self._renewer.join()

    def release(self) -> None:
        """Stops renewing and deletes the lease if it is still ours (else it lapses), unless
        the run's last transaction deleted it already (:func:`released_with`)."""
        self.stop_renewing()
        if self.released:
            return
        try:
            self.db.write("propagation/release_lease", name=NAME, holder=self.holder)
        except CreditGraphError as exc:  # Neo4j gone: the lease lapses by itself
            log.warning("propagation lease not released; it lapses by itself",
                        extra={"error": str(exc)})  # fmt: skip

    def _other_holder(self) -> tuple[str, datetime] | None:
        """Another run's holder and expiry while its lease runs; None when it is free."""
        rows = self.db.read("propagation/lease", name=NAME)
        if not rows or rows[0]["holder"] in (None, self.holder):
            return None
        until = as_datetime(rows[0]["expires_at"])
        return (str(rows[0]["holder"]), until) if until > datetime.now(UTC) else None

    def unrenewed_s(self) -> float:
        """Seconds since the last successful claim was asked."""
        return time.monotonic() - self._claimed_at

    def renew(self) -> None:
        """Renews the lease, or records it lost. A renewal only extends this run's node, never
        creates it (only the first claim does): a renewal that comes after another run took the
        lease, or after the run's last transaction deleted it, writes nothing back. Once a
        whole lease length passed without a renewal (the process stalled), another run may have
        taken it, run and released it, so the lease counts as lost even if the node is back."""
        with self._renewing:
            if self.lost is not None:
                return
            if self.unrenewed_s() >= self.length.total_seconds():
                self.lost = "it lapsed while this process went unrenewed (a stall)"
            elif not self._extend() and not self.finishing:
                # No node of ours. While the last transaction is in flight that is its commit
                # having deleted it; otherwise another run took it (after it lapsed) or its node
                # was removed (`db reset`).
                self.lost = f"another run took it ({self._taker()})"
            if self.lost is not None:
                log.error("propagation lease lost", extra={"how": self.lost})

    def _taker(self) -> str:
        """Who holds the lease now, for the message of a lost one."""
        rows = self.db.read("propagation/lease", name=NAME)
        return str(rows[0]["holder"]) if rows else "nobody: it was removed"

    def _claim(self) -> bool:
        """Takes or renews the lease; False if another run has it."""
        asked, now = time.monotonic(), datetime.now(UTC)
        try:
            rows = self.db.write("propagation/claim_lease", name=NAME, holder=self.holder,
                                 now=now, expires=now + self.length)  # fmt: skip
        except CreditGraphError as exc:  # two first claims at once: one MERGE loses, retries
            log.info("propagation lease not taken", extra={"error": str(exc)})
            return False
        taken = bool(rows) and rows[0]["holder"] == self.holder
        if taken:
            self._claimed_at = asked
        return taken

    def _extend(self) -> bool:
        """Extends the lease if its node is still this run's (never creates it); False if not.
        A transient error raises (the renewer tries again at its next turn)."""
        asked, now = time.monotonic(), datetime.now(UTC)
        rows = self.db.write("propagation/extend_lease", name=NAME, holder=self.holder,
                             now=now, expires=now + self.length)  # fmt: skip
        extended = bool(rows) and rows[0]["holder"] == self.holder
        if extended:
            self._claimed_at = asked
        return extended

    def _renew(self) -> None:
        every = self.length.total_seconds() / 3
        while not self._stop.wait(every):
            try:
                self.renew()
            except CreditGraphError as exc:  # Neo4j briefly away: try again at the next turn
                log.warning("propagation lease not renewed", extra={"error": str(exc)})
            if self.lost is not None:
                return

    def _busy(self, other: tuple[str, datetime] | None) -> PropagationBusy:
        holder = f"run {other[0]}, lease until {other[1].isoformat()}" if other else "unknown"
        wait = self.db.settings.propagation_lease_wait_s
        return PropagationBusy(
            f"another propagation run holds the lease ({holder}); waited {wait:g} s"
            " (propagation_lease_wait_s). This run wrote nothing: its loads stay pending until"
            " the next run (`credit-graph propagate`, the next load, or the service's start)"
        )
