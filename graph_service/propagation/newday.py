"""The day's full run, made by the service itself once the date passes the stored state's.

Why: the stored measures hold for one day, the ``as_of`` of the latest run (docs/model.md).
Past midnight they still say which measures have *ended* (each has its ``until``), but not
which *start* on the new day: a record or a link loaded earlier with a later start date, a
party a rule reaches only from that day. Until a run for the new day, today's checks do not
take them (:mod:`graph_service.check.evaluate`, the snapshot's ``run_as_of``): they compute
from history, correct but slower. So the service does not wait for an operator's
scheduled ``credit-graph propagate``: every ``poll_s`` one small read asks for the latest
run's day, and when it is before today this process takes the propagation lease, asks
again (another process of the cluster may have made the run while this one waited) and
runs the full computation for today. The same happens at start, when the stored state is
older than today (a service started after a night down).

A full run reads the whole graph into this process (hundreds of MB at a million parties,
docs/scale.md); where that is not wanted, ``propagate_new_day`` turns this off and a
scheduled ``credit-graph propagate`` at midnight does the same. Failures are logged and
retried at the next poll.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from graph_service.db import Database
from graph_service.errors import CreditGraphError
from graph_service.propagation import lease, runner, store

log = logging.getLogger(__name__)


def behind(stored: date | None, today: date) -> bool:
    """Whether a run for ``today`` is due: there is a stored state and it is for an earlier
    day. A graph never propagated has nothing stored to be behind (its first load's run
    makes the state).

    >>> behind(date(2026, 12, 7), date(2026, 12, 8)), behind(date(2026, 12, 8), date(2026, 12, 8))
    (True, False)
    >>> behind(None, date(2026, 12, 8))
    False
    """
    return stored is not None and stored < today


def run_if_behind(db: Database) -> runner.RunResult | None:
    """Today's full run if the stored state is for an earlier day, else None. Asked again
    inside the lease, so that of several processes asking at once one runs it."""
    if not behind(store.stored_day(db), date.today()):
        return None
    with lease.held(db):
        today = date.today()
        if not behind(store.stored_day(db), today):
            return None
        return runner.run_full(db, as_of=today)


class NewDayRun:
    """A background thread that calls :func:`run_if_behind` at start and every ``poll_s``."""

    def __init__(self, db: Database, poll_s: float) -> None:
        self.db, self.poll_s = db, poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="propagation-new-day", daemon=True)

    def start(self) -> NewDayRun:
        """Starts the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, wait_s: float = 5.0) -> None:
        """Asks the thread to stop; waits at most ``wait_s`` for a run in progress (a run cut
        short by the service's stop is one more killed run: nothing is lost)."""
        self._stop.set()
        self._thread.join(wait_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.poll_s)

    def step(self) -> runner.RunResult | None:
        """One look, and the run if it is due; a failure is logged and left to the next."""
        try:
            result = run_if_behind(self.db)
        except CreditGraphError as exc:  # Neo4j down, a timeout: the next poll tries again
            log.warning("the new day's propagation run did not run; retrying at the next poll",
                        extra={"error": str(exc), "poll_s": self.poll_s})  # fmt: skip
            return None
        except Exception:
            log.exception("the new day's propagation run failed; retrying at the next poll")
            return None
        if result is not None:
            log.info("propagated for the new day", extra={"run_id": result.run_id,
                     "as_of": result.as_of.isoformat(), "gained": result.gained,
                     "lost": result.lost})  # fmt: skip
        return result
