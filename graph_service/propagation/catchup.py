"""At service start, completing the propagation of loads a killed process left pending.

Why in the background and not before serving: a catch-up after a big load can take a minute
(an incremental run over every party it touched), and a service that does not answer
``/healthz`` that long is killed by its orchestrator's liveness probe and restarted — into
the same catch-up. Serving at once is also no worse than waiting: every instance answers
from the same stored measures, so holding one back changes nothing for the others. While
loads are pending, ``/readyz`` says so (``propagation_pending``), and this thread ends it.

If Neo4j is not reachable yet (the service starts before it), the catch-up tries again every
``retry_s`` until it succeeds or the service stops. Any other failure is logged and the
loads stay pending: the next load, ``credit-graph propagate`` or start completes them. A
catch-up cut short by the service's stop is one more killed run: nothing is lost.

Then the same thread warms Neo4j's plans of the propagation's statements
(:mod:`graph_service.propagation.warmup`), so that the first run after a load does not plan
them (2-3 s at 100,000 parties right after Neo4j started); it changes nothing and only logs
a failure. The two steps have their own settings (``complete_pending_on_start``,
``warm_plans_on_start``); the thread runs when either is on and does only what is.

A Neo4j restarted under a running service starts with empty caches again, and so does one
that was not up when the service started (the warm-up then failed). So, after the warm-up,
the thread asks Neo4j every ``watch_s`` when its process started
(:func:`~graph_service.propagation.warmup.neo4j_started`, one cheap read) and warms again
when that changed (``warm_watch_s``; 0 turns the watch off).

Neo4j's plans and pages are Neo4j's, not a process's: of a host's service processes
(``serve --workers N``) only the one holding an exclusive ``flock`` on ``warm-pages.lock`` in
the service's home reads the pages (taken at its first warm-up, kept while it lives, released
by the OS when it dies); every process still warms the plans, which costs the later ones
well under a second once the first has made them.
"""

from __future__ import annotations

import logging
import threading
from typing import IO

from graph_service import hostlock
from graph_service.db import Database
from graph_service.errors import CreditGraphError, Neo4jUnavailable, QueryTimeout
from graph_service.propagation import runner, warmup

log = logging.getLogger(__name__)


class CatchUp:
    """One background completion of the pending loads, then the plans' warm-up and, with
    ``pages``, the page cache's (see the module)."""

    def __init__(
        self,
        db: Database,
        retry_s: float = 5.0,
        *,
        complete: bool = True,
        warm: bool = True,
        pages: bool = False,
        watch_s: float = 0.0,
    ) -> None:
        self.db = db
        self.retry_s = retry_s
        self.complete, self.warm, self.pages, self.watch_s = complete, warm, pages, watch_s
        self._stop, self._settled = threading.Event(), threading.Event()
        #: Neo4j's start time when the last warm-up began (None: not known, or never warmed).
        self.warmed_for: int | None = None
        #: How many warm-ups this thread has finished (the first and each after a restart).
        self.warm_ups = 0
        self._thread = threading.Thread(target=self._run, name="propagation-catch-up", daemon=True)
        self._pages_lock: IO[bytes] | None = None

    def start(self) -> CatchUp:
        """Starts the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, wait_s: float = 5.0) -> None:
        """Asks the thread to stop; waits at most ``wait_s`` for a run in progress."""
        self._stop.set()
        self._thread.join(wait_s)
        if self._pages_lock is not None and not self._thread.is_alive():
            self._pages_lock.close()  # closing the file releases the flock
            self._pages_lock = None

    @property
    def reads_pages(self) -> bool:
        """Whether this process is the host's one that reads Neo4j's pages (see the module)."""
        return self._pages_lock is not None

    @property
    def running(self) -> bool:
        """Whether the catch-up, or the first warm-up after it, has not finished (or given up)
        yet (the watch for restarts, if on, goes on after it)."""
        return self._thread.is_alive() and not self._settled.is_set()

    def _run(self) -> None:
        try:
            if self.complete:
                self._complete()
            if self._stop.is_set() or not self.warm:
                return
            self._warm(self._start_time())
        finally:
            self._settled.set()
        while self.watch_s > 0 and not self._stop.wait(self.watch_s):
            started = self._start_time()
            if started is not None and started != self.warmed_for:
                log.info("Neo4j restarted: warming its caches again", extra={"started": started})
                self._warm(started)

    def _start_time(self) -> int | None:
        """Neo4j's start time (None: it does not answer). A Neo4j that refuses to tell ends
        the watch, with one warning: asking every ``watch_s`` would only repeat it."""
        try:
            return warmup.neo4j_started(self.db)
        except CreditGraphError as exc:
            if self.watch_s > 0:
                log.warning("Neo4j's start time cannot be read (dbms.queryJmx): a restarted"
                            " Neo4j is not warmed again", extra={"error": str(exc)})  # fmt: skip
            self.watch_s = 0.0
            return None

    def _warm(self, started: int | None) -> None:
        # Once per Neo4j process, whatever the outcome: a warm-up cut short by Neo4j going
        # away is followed by a new process, hence a new start time, hence another.
        try:
            warmup.warm(self.db, pages=self.pages and self._lock_pages(), stop=self._stop)
        except Exception:  # it only saves time: never more than a logged error
            log.exception("propagation plans not warmed")
        self.warmed_for, self.warm_ups = started, self.warm_ups + 1

    def _complete(self) -> None:
        while not self._stop.is_set():
            try:
                result = runner.complete_pending(self.db)
            except (Neo4jUnavailable, QueryTimeout) as exc:
                if self._stop.is_set():
                    break
                log.warning("pending propagation: Neo4j not ready, retrying",
                            extra={"error": str(exc), "retry_s": self.retry_s})  # fmt: skip
                self._stop.wait(self.retry_s)
                continue
            except Exception:
                if not self._stop.is_set():
                    log.exception("pending propagation could not be completed; loads stay pending")
                return
            if result is not None:
                log.info("completed pending propagation",
                         extra={"loads": len(result.loads), "run_id": result.run_id})  # fmt: skip
            return

    def _lock_pages(self) -> bool:
        """Whether this process reads the pages: it holds, or now takes, the host's lock."""
        if self._pages_lock is None:
            try:
                self._pages_lock = hostlock.take(self.db.settings.home / "warm-pages.lock")
            except OSError as exc:  # an unwritable home: the plans are still warmed
                log.warning("the pages are not warmed: their lock cannot be taken",
                            extra={"error": str(exc)})  # fmt: skip
        return self._pages_lock is not None
