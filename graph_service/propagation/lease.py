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
  from a thread every third of that.
* A run that finds its lease taken by another (it stalled past the lapse) stops before its
  next write (:func:`require_held`): its loads stay pending, never half-covered twice.
* A run waits at most ``Settings.propagation_lease_wait_s``, then fails with
  :class:`~graph_service.errors.PropagationBusy`, having written nothing.
* Nested runs of one thread (an incremental run that falls back to the full run) share the
  outer run's lease.
* Released, the node is deleted: between runs the graph holds nothing of it.
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


def require_held() -> None:
    """Raises :class:`PropagationLeaseLost` if this thread's lease was taken by another run
    (call before a run writes); does nothing outside a lease."""
    lease: _Lease | None = getattr(_this_thread, "lease", None)
    if lease is not None and lease.lost is not None:
        raise PropagationLeaseLost(
            f"the propagation lease lapsed during this run and was taken by {lease.lost}"
            " (this process stalled for longer than propagation_lease_s); the run stopped"
            " before writing more, and its loads stay pending for the next run"
        )


class _Lease:
    """One run's hold of the lease: its holder name, its renewal thread, whether it was lost."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.holder = uuid.uuid4().hex
        self.length = timedelta(seconds=db.settings.propagation_lease_s)
        self.lost: str | None = None  # the holder that took it from us, if one did
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

    def release(self) -> None:
        """Stops renewing and deletes the lease if it is still ours (else it lapses)."""
        self._stop.set()
        self._renewer.join()
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

    def _claim(self) -> bool:
        """Takes or renews the lease; False if another run has it."""
        now = datetime.now(UTC)
        try:
            rows = self.db.write("propagation/claim_lease", name=NAME, holder=self.holder,
                                 now=now, expires=now + self.length)  # fmt: skip
        except CreditGraphError as exc:  # two first claims at once: one MERGE loses, retries
            log.info("propagation lease not taken", extra={"error": str(exc)})
            return False
        return bool(rows) and rows[0]["holder"] == self.holder

    def _renew(self) -> None:
        every = self.length.total_seconds() / 3
        while not self._stop.wait(every):
            try:
                if self._claim():
                    continue
                rows = self.db.read("propagation/lease", name=NAME)
                self.lost = str(rows[0]["holder"]) if rows else "nobody (it was released)"
                log.error("propagation lease lost", extra={"taken_by": self.lost})
                return
            except CreditGraphError as exc:  # Neo4j briefly away: try again at the next turn
                log.warning("propagation lease not renewed", extra={"error": str(exc)})

    def _busy(self, other: tuple[str, datetime] | None) -> PropagationBusy:
        holder = f"run {other[0]}, lease until {other[1].isoformat()}" if other else "unknown"
        wait = self.db.settings.propagation_lease_wait_s
        return PropagationBusy(
            f"another propagation run holds the lease ({holder}); waited {wait:g} s"
            " (propagation_lease_wait_s). This run wrote nothing: its loads stay pending until"
            " the next run (`credit-graph propagate`, the next load, or the service's start)"
        )
