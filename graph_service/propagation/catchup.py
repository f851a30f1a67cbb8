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
"""

from __future__ import annotations

import logging
import threading

from graph_service.db import Database
from graph_service.errors import Neo4jUnavailable, QueryTimeout
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
    ) -> None:
        self.db = db
        self.retry_s = retry_s
        self.complete, self.warm, self.pages = complete, warm, pages
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="propagation-catch-up", daemon=True)

    def start(self) -> CatchUp:
        """Starts the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, wait_s: float = 5.0) -> None:
        """Asks the thread to stop; waits at most ``wait_s`` for a run in progress."""
        self._stop.set()
        self._thread.join(wait_s)

    @property
    def running(self) -> bool:
        """Whether the catch-up, or the warm-up after it, has not finished (or given up) yet."""
        return self._thread.is_alive()

    def _run(self) -> None:
        if self.complete:
            self._complete()
        if self._stop.is_set() or not self.warm:
            return
        try:
            warmup.warm(self.db, pages=self.pages, stop=self._stop)
        except Exception:  # it only saves time: never more than a logged error
            log.exception("propagation plans not warmed")

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
