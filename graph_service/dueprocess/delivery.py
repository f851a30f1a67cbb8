"""The webhook delivery worker: a background thread of the service that sends pending
deliveries of notices and retries failed ones on the catalog's schedule.

Invariants (docs/due-process.md, "Delivery"):

* Deliveries live in Neo4j (``:Delivery``, state ``pending`` with ``next_attempt_at``), so a
  restarted service resumes them where they were; nothing is kept only in memory.
* One process delivers at a time: each pass first takes or renews the ``delivery`` lease
  (``:NoticeMark``, ``Settings.notice_lease_s``); the other processes of ``serve --workers N``
  (or other instances) only count, and take over when the holder stops renewing.
* At least once: an attempt is recorded after the send, so a process killed in between sends
  again after restart; a result is recorded only if no one recorded that attempt already
  (``attempts`` as expected), so a second sender's duplicate changes nothing. Receivers
  de-duplicate by the notice id.
* Every attempt is audited (``notice_delivery``: status code or error, outcome, next attempt)
  in the transaction that records it.
* The worker never runs in a request: checks do not wait for receivers. Sends go through a
  small pool (``Settings.notice_concurrency``), each bounded by ``Settings.notice_timeout_s``.
* The lease holder also makes notices every :data:`MAKE_EVERY_S` (as each propagation run
  does at its end): a check that reached Neo4j through the local audit log's mirror after the
  run that lost its measure still gets its notice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from graph_service import metrics
from graph_service.db import Database, Tx
from graph_service.dueprocess import webhooks
from graph_service.dueprocess.notices import ACTOR, as_datetime, make_notices
from graph_service.errors import CreditGraphError
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.security.appender import write_entries
from graph_service.security.audit import Event, utc_stamp
from graph_service.security.canonical import canonical_json
from graph_service.settings import Settings

log = logging.getLogger(__name__)

#: The name of the lease's mark.
LEASE: Final = "delivery"
#: Deliveries taken per pass, per concurrent send.
PER_SEND: Final = 4
#: Seconds between the lease holder's looks for notices not made yet: for checks that the
#: local audit log's mirror copied into Neo4j after the run that lost their measure, and for
#: a run whose notices failed. Each look reads the losses of the hour before the mark again
#: (a day's full run can lose thousands of measures), so it is a safety net, not a poll.
MAKE_EVERY_S: Final = 300.0


@dataclass(frozen=True)
class Outcome:
    """What an attempt leaves the delivery as."""

    state: str  # delivered | pending | undelivered
    next_attempt_at: datetime | None


def outcome_of(
    attempt: webhooks.Attempt, delivery: Mapping[str, Any], now: datetime, catalog: Catalog
) -> Outcome:
    """The delivery's state after ``attempt``: delivered, retried on the catalog's schedule,
    or undelivered once the next try would be past the horizon.

    >>> from graph_service.policy import default_catalog
    >>> start = datetime(2026, 12, 1, tzinfo=UTC)
    >>> row = {"created_at": start, "attempts": 0}
    >>> outcome_of(webhooks.Attempt(204, None), row, start, default_catalog()).state
    'delivered'
    >>> outcome_of(webhooks.Attempt(500, "HTTP 500"), row, start, default_catalog())
    Outcome(state='pending', next_attempt_at=datetime.datetime(2026, 12, 1, 0, 1, tzinfo=datetime.timezone.utc))
    >>> outcome_of(webhooks.Attempt(None, "timed out"), {**row, "attempts": 40},
    ...            start + timedelta(hours=24), default_catalog()).state
    'undelivered'
    """  # noqa: E501 - a doctest's expected line cannot be wrapped
    if attempt.delivered:
        return Outcome("delivered", None)
    retry = catalog.notices.retry
    created = as_datetime(delivery["created_at"])
    later = retry.next_attempt(created, now, int(delivery["attempts"]) + 1)
    return Outcome("pending", later) if later is not None else Outcome("undelivered", None)


def notice_body(notice: Mapping[str, Any]) -> bytes:
    """The body a receiver gets: the notice's canonical JSON (the bytes that are signed).

    >>> notice_body({"notice_id": "n1", "key_id": "k", "change_id": "c", "audit_seq": 3})
    b'{"notice_id":"n1"}'
    """
    hidden = ("key_id", "change_id", "audit_seq")
    return canonical_json({k: v for k, v in notice.items() if k not in hidden})


class DeliveryWorker:
    """Delivers pending notices while the service runs (see the module)."""

    def __init__(
        self, db: Database, catalog: Catalog | None = None, settings: Settings | None = None
    ) -> None:
        self.db = db
        self.settings = settings or db.settings
        self.catalog = catalog or catalog_in_force(self.settings)
        self.holder = uuid.uuid4().hex  # this process's name in the lease
        self._box: webhooks.SecretBox | None = None  # read on the first delivery, not at start
        self._pool = ThreadPoolExecutor(self.settings.notice_concurrency, "notice-send")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notice-delivery", daemon=True)
        self.holding = False  # whether the last pass held the lease
        self._owns_db = False

    @classmethod
    def of_service(cls, settings: Settings) -> DeliveryWorker:
        """The worker of a service process, with a :class:`Database` of its own (closed by
        :meth:`stop`): its queries never take a connection a request is waiting for, nor show
        in the request pool's query counts."""
        worker = cls(Database(settings), settings=settings)
        worker._owns_db = True
        return worker

    def start(self) -> DeliveryWorker:
        """Starts the thread; returns self."""
        self._thread.start()
        return self

    def stop(self, wait_s: float = 5.0) -> None:
        """Stops after the sends in progress (each bounded by the receiver timeout)."""
        self._stop.set()
        self._thread.join(wait_s)
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._owns_db:
            self.db.close()

    def run_once(self, now: datetime | None = None) -> int:
        """One pass: takes the lease, sends what is due, records each attempt; the number of
        attempts made (0 without the lease)."""
        now = now or datetime.now(UTC)
        self.holding = self.claim(now)
        if not self.holding:
            return 0
        limit = self.settings.notice_concurrency * PER_SEND
        due = self.db.read("notices/due_deliveries", now=now, limit=limit)
        return sum(self._pool.map(self._deliver, due))

    def claim(self, now: datetime) -> bool:
        """Takes or renews the lease; False while another process holds it. Reads first, so
        that the processes waiting and a holder with more than half its lease left write
        nothing."""
        lease = timedelta(seconds=self.settings.notice_lease_s)
        found = self.db.read("notices/mark", name=LEASE)
        if found and found[0]["expires_at"] is not None:
            holder, until = found[0]["holder"], as_datetime(found[0]["expires_at"])
            if holder != self.holder and until > now:
                return False
            if holder == self.holder and until - now > lease / 2:
                return True
        expires = now + lease
        try:
            rows = self.db.write("notices/claim_lease", name=LEASE, holder=self.holder,
                                 now=now, expires=expires)  # fmt: skip
        except CreditGraphError as exc:  # two first claims at once: one MERGE loses
            log.info("delivery lease not taken", extra={"error": str(exc)})
            return False
        return bool(rows) and rows[0]["holder"] == self.holder

    def counts(self) -> dict[str, int]:
        """Pending and undelivered deliveries, also set on the metrics."""
        found = {r["state"]: int(r["deliveries"]) for r in self.db.read("notices/delivery_counts")}
        for state, count in found.items():
            metrics.NOTICE_DELIVERIES.labels(state).set(count)
        return found

    def _deliver(self, row: Mapping[str, Any]) -> int:
        delivery, notice = row["delivery"], row["notice"]
        try:
            secret = self._secrets().open(row["secret_box"], delivery["subscription_id"])
        except CreditGraphError as exc:
            attempt = webhooks.Attempt(None, str(exc))
        else:
            body = notice_body(notice)
            timeout = self.settings.notice_timeout_s
            attempt = webhooks.post(row["url"], notice["notice_id"], body, secret, timeout)
        now = datetime.now(UTC)
        outcome = outcome_of(attempt, delivery, now, self.catalog)
        self.db.write_tx(lambda tx: _record(tx, delivery, attempt, outcome, now))
        return 1

    def _secrets(self) -> webhooks.SecretBox:
        """The notice key's box, read (or created) on first use: a service whose key file
        cannot be read still starts, and each delivery attempt says why it failed."""
        if self._box is None:
            self._box = webhooks.secret_box(self.settings)
        return self._box

    def _run(self) -> None:
        made_at = float("-inf")
        while not self._stop.is_set():
            try:
                self.run_once()
                if self.holding and time.monotonic() - made_at >= MAKE_EVERY_S:
                    make_notices(self.db, self.catalog)
                    made_at = time.monotonic()
                self.counts()
            except Exception:  # Neo4j away, a bug: log, wait, try again; never die silently
                log.exception("notice delivery pass failed; retrying")
            self._stop.wait(self.settings.notice_poll_s)


def _record(
    tx: Tx,
    delivery: Mapping[str, Any],
    attempt: webhooks.Attempt,
    outcome: Outcome,
    now: datetime,
) -> bool:
    """Records the attempt with its audit entry, unless someone recorded it already."""
    attempts = int(delivery["attempts"])
    rows = tx.run("notices/record_attempt", delivery_id=delivery["delivery_id"],
                  attempts=attempts, state=outcome.state, next_attempt_at=outcome.next_attempt_at,
                  status=attempt.status, error=attempt.error, now=now)  # fmt: skip
    if not rows:
        return False
    payload = {
        "notice_id": delivery["notice_id"],
        "delivery_id": delivery["delivery_id"],
        "subscription_id": delivery["subscription_id"],
        "attempt": attempts + 1,
        "status": attempt.status,
        "error": attempt.error,
        "outcome": outcome.state,
        "next_attempt_at": utc_stamp(outcome.next_attempt_at) if outcome.next_attempt_at else None,
    }
    write_entries(tx, [Event("notice_delivery", ACTOR, payload)], [None])
    return True
