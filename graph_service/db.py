"""The one module that talks to the Neo4j driver.

Invariants:

* Nothing else imports ``neo4j``; callers name a query from the registry and pass parameters.
* Every statement runs in a managed transaction (single statements with ``execute_query``,
  groups of statements with ``execute_read`` / ``execute_write``). Transient errors
  (deadlocks, leader switches, a server restarting) are retried here rather than by the
  driver, so that the retries know the request they serve: within an HTTP request they stop
  at its deadline (:mod:`graph_service.deadline`), elsewhere ``max_retry_time_s`` after the
  first failure. The work functions are idempotent.
* Every statement carries its name as transaction metadata and a server-side timeout: its
  own, or what is left of the request's deadline when that is less. A statement that would
  begin after the deadline is refused without reaching Neo4j.
* Values are always parameters, never formatted into the Cypher text.
* Driver exceptions are translated into :mod:`graph_service.errors` here and nowhere else.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import neo4j
from neo4j import exceptions as neo4j_exc

from graph_service import deadline, metrics
from graph_service.errors import (
    CreditGraphError,
    DatabaseClosed,
    DeadlineExceeded,
    Neo4jAuthError,
    Neo4jUnavailable,
    QueryError,
    QueryTimeout,
)
from graph_service.queries import QueryRegistry, get_registry
from graph_service.settings import Settings

log = logging.getLogger(__name__)

Row = dict[str, Any]
T = TypeVar("T")


def unsized(**lists: Sequence[Any]) -> dict[str, Any]:
    """A statement's list parameters inside one map, ``$batch`` (read as ``$batch.rows``,
    ``$batch.ids`` …): the loads, the record status updates, the propagation's reads and
    writes and the export's reads take their lists this way, since their sizes range over
    several orders of magnitude and a cold plan costs them up to seconds. (The audit
    mirror's and the API's statements still take top-level lists: their sizes stay within
    one or two magnitudes and each plan is made once after a Neo4j start, off a load's path.)

    Neo4j 5 caches a plan per order of magnitude of each top-level list parameter's size (up
    to 10, 100, 1,000, 10,000 items), so a statement sent 3 items, then 40, then 700 was
    planned three times: a 10-row file paid a fresh plan of ``load/records`` (0.4-1.3 s) that
    a 3,000-row file had made already, and an incremental propagation's levels each paid one
    of ``propagation/hops`` (0.5-1.1 s). Inside a map a list has no size for the planner, so
    one plan serves every size; these statements' plans are the same operator tree for 1 and
    for 5,000 items (EXPLAIN on 5.26: issue 15, session 10; ``read_parties_by_id`` and
    ``export/record_updates`` in session 11), so no call gets a worse one. Tests count the plans
    (tests/loaders/test_plans.py, tests/propagation/test_plans.py).

    >>> unsized(ids=("a", "b"))
    {'batch': {'ids': ['a', 'b']}}
    >>> rows = [{"line": 2}]
    >>> unsized(rows=rows)["batch"]["rows"] is rows  # a list is passed on, not copied
    True
    """
    return {
        "batch": {
            name: items if isinstance(items, list) else list(items) for name, items in lists.items()
        }
    }


#: Least time worth giving a statement before the request's deadline: with less it is refused
#: (a timeout rounding down to 0 ms would even mean "no timeout" to Neo4j).
MIN_STATEMENT_S = 0.01
#: Pauses between retries of a transient error: the first, how they grow, their random spread
#: (the driver's own defaults, so that many clients do not retry in step).
FIRST_PAUSE_S, PAUSE_GROWTH, PAUSE_JITTER = 1.0, 2.0, 0.2


@dataclass(frozen=True)
class ServerInfo:
    """What the connected Neo4j says about itself."""

    address: str
    version: str
    edition: str


class Tx:
    """A managed transaction that runs named queries; handed to :meth:`Database.write_tx`."""

    def __init__(self, tx: neo4j.ManagedTransaction | neo4j.Transaction, db: Database) -> None:
        self._tx = tx
        self._db = db

    def run(self, name: str, /, **params: Any) -> list[Row]:
        """Runs the named query inside this transaction and returns its rows as dicts."""
        query = self._db.registry[name]
        self._db.query_counts[name] += 1
        with metrics.QUERY_SECONDS.labels(name).time():
            return self._tx.run(query.text, params).data()


class Database:
    """A connection pool to Neo4j with named-query helpers.

    Open one per process (the app's lifespan or a CLI command) and :meth:`close` it.
    """

    #: Set by :meth:`close`; every use of the driver goes through :meth:`_live`.
    _closed: bool = False

    def __init__(self, settings: Settings, registry: QueryRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or get_registry()
        #: How many times each named query ran; tests use it to bound queries per request.
        self.query_counts: Counter[str] = Counter()
        self._driver = neo4j.GraphDatabase.driver(
            settings.effective_uri,
            auth=(settings.neo4j_user, settings.effective_password),
            connection_timeout=settings.connect_timeout_s,
            # No retries by the driver: _retried retries, within the request's deadline.
            max_transaction_retry_time=0,
            # Fail fast when Neo4j is down: a request should get a 503, not hang.
            connection_acquisition_timeout=settings.connect_timeout_s * 2,
            # Server notifications (unknown label on an empty graph …) are noise in logs and
            # CLI output; failures still raise.
            notifications_min_severity="OFF",
        )

    def close(self) -> None:
        """Closes every pooled connection. A statement asked afterwards raises
        :class:`DatabaseClosed` (a thread still retrying through an outage when the service
        stops tries no more), never reaching the closed driver."""
        self._closed = True
        self._driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- queries ----------------------------------------------------------------------------
    def read(self, name: str, /, timeout_s: float | None = None, **params: Any) -> list[Row]:
        """Runs a named read query in a managed read transaction; returns rows as dicts.

        ``params`` are the query's parameters; ``timeout_s`` overrides the default timeout.
        """
        return self._managed(name, params, timeout_s, write=False)

    def read_plain(self, name: str, /, timeout_s: float | None = None, **params: Any) -> list[Row]:
        """Like :meth:`read`, for queries that return only maps, lists and scalars.

        Rows are taken as the driver decoded them, without walking every nested value for
        nodes or relationships to convert: on bulk reads (the propagation reads every party
        with its records and relationships) that walk costs more than the query itself.
        """
        return self._managed(name, params, timeout_s, write=False, plain=True)

    def write(self, name: str, /, timeout_s: float | None = None, **params: Any) -> list[Row]:
        """Runs a named write query in a managed write transaction; returns rows as dicts."""
        return self._managed(name, params, timeout_s, write=True)

    def write_tx(self, work: Callable[[Tx], T], timeout_s: float | None = None) -> T:
        """Runs ``work`` in one managed write transaction, retried whole on transient errors."""
        return self._execute(lambda tx: work(Tx(tx, self)), "tx", timeout_s, write=True)

    def read_tx(self, work: Callable[[Tx], T], timeout_s: float | None = None) -> T:
        """Runs ``work`` in one managed read transaction."""
        return self._execute(lambda tx: work(Tx(tx, self)), "tx", timeout_s, write=False)

    def run_autocommit(
        self, name: str, /, timeout_s: float | None = None, **params: Any
    ) -> list[Row]:
        """Runs a named query in an auto-commit transaction.

        Only for statements that manage their own transactions (``CALL … IN TRANSACTIONS``)
        or schema commands; they are written to be safe to rerun, as nothing retries them here.
        """
        query = self.registry[name]
        self.query_counts[name] += 1
        budget, _ = self._budget(name, timeout_s)
        q = neo4j.Query(query.text, metadata={"query": name}, timeout=budget)
        with self._translated(name), metrics.QUERY_SECONDS.labels(name).time():
            with self._session(name) as session:
                return session.run(q, params).data()

    @contextmanager
    def rolled_back(self, timeout_s: float) -> Iterator[Database]:
        """A view of this database whose every statement runs in ONE explicit transaction,
        which is rolled back at the end, whatever happens (the what-if of a load).

        Code written for :class:`Database` runs on the view unchanged and reads its own
        writes; nothing it does is ever committed. No retries: a transient error fails the
        whole view. ``timeout_s`` bounds the transaction as a whole.
        """
        with self._translated("rolled_back"):
            session = self._session("rolled_back")
            try:
                tx = session.begin_transaction(metadata={"query": "rolled_back"}, timeout=timeout_s)
            except BaseException:
                session.close()  # Neo4j unreachable: no transaction, but the session is ours
                raise
        try:
            yield _InTransaction(self, tx)
        finally:
            with self._translated("rolled_back"):
                try:
                    tx.close()  # a rollback, also after a failed statement closed it
                finally:
                    session.close()

    # --- server -----------------------------------------------------------------------------
    def server_info(self) -> ServerInfo:
        """Checks connectivity and authentication and returns the server's version."""
        self._budget("server_info", None)  # nothing to ask once the request's time is up
        with self._translated("server_info"):
            info = self._live("server_info").get_server_info()
        rows = self.read("system/components")
        edition = str(rows[0]["edition"]) if rows else "unknown"
        version = info.agent.split("/", 1)[-1]
        return ServerInfo(address=str(info.address), version=version, edition=edition)

    # --- internals --------------------------------------------------------------------------
    def _managed(
        self,
        name: str,
        params: Mapping[str, Any],
        timeout: float | None,
        *,
        write: bool,
        plain: bool = False,
    ) -> list[Row]:
        query = self.registry[name]
        self.query_counts[name] += 1

        # execute_query is a managed transaction like execute_read/execute_write that sends
        # BEGIN with the RUN instead of waiting for BEGIN's reply: one network round trip fewer
        # per statement, which is a third of a single check's graph read. No bookmark manager:
        # like the sessions here, a statement does not wait for the bookmarks of earlier ones
        # (one Neo4j, no replicas).
        def attempt(timeout_s: float) -> list[Row]:
            q = neo4j.Query(query.text, metadata={"query": name}, timeout=timeout_s)
            return self._live(name).execute_query(
                q,
                dict(params),
                routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ,
                database_=self.settings.neo4j_database,
                bookmark_manager_=None,
                result_transformer_=_plain_rows if plain else _data_rows,
            )

        with self._translated(name), metrics.QUERY_SECONDS.labels(name).time():
            return self._retried(name, timeout, attempt)

    def _execute(
        self,
        work: Callable[[neo4j.ManagedTransaction | neo4j.Transaction], T],
        name: str,
        timeout: float | None,
        *,
        write: bool,
    ) -> T:
        def attempt(timeout_s: float) -> T:
            unit = neo4j.unit_of_work(metadata={"query": name}, timeout=timeout_s)(work)
            with self._session(name) as session:
                if write:
                    return session.execute_write(unit)
                return session.execute_read(unit)

        with self._translated(name), metrics.QUERY_SECONDS.labels(name).time():
            return self._retried(name, timeout, attempt)

    def _session(self, name: str) -> neo4j.Session:
        """A session for the statement (or transaction) ``name``."""
        return self._live(name).session(database=self.settings.neo4j_database)

    def _live(self, name: str) -> neo4j.Driver:
        """The driver, unless this database was closed: a thread still retrying through an
        outage when the service stops (a key's re-read pausing between attempts) then fails
        with :class:`DatabaseClosed` instead of using the closed driver."""
        if self._closed:
            raise DatabaseClosed(f"query {name} was asked after the database was closed")
        return self._driver

    def _retried(self, name: str, timeout: float | None, attempt: Callable[[float], T]) -> T:
        """``attempt(timeout_s)`` — one managed transaction, which the driver does not retry —
        run again after transient errors, as the driver would for ``max_retry_time_s`` after
        the first failure, and within a request only while the next attempt still begins
        before its deadline. Then the last transient error is raised.
        """
        pauses = _pauses()
        first_failure: float | None = None
        while True:
            budget, cut = self._budget(name, timeout)
            try:
                return attempt(budget)
            except (neo4j_exc.DriverError, neo4j_exc.Neo4jError) as exc:
                if cut and _timed_out(exc):
                    raise DeadlineExceeded(
                        f"query {name} was stopped at the request's deadline; retry later"
                    ) from exc
                if not exc.is_retryable():
                    raise
                if first_failure is None:
                    first_failure = time.monotonic()
                pause = next(pauses)
                if not self._time_for(pause, first_failure):
                    raise
                log.warning(
                    "transient Neo4j error, retrying",
                    extra={"query": name, "pause_s": round(pause, 2), "error": _short(exc)},
                )
                time.sleep(pause)

    def _budget(self, name: str, timeout: float | None) -> tuple[float, bool]:
        """The server-side timeout of ``name``'s next transaction — its own (``timeout``, else
        ``query_timeout_s``), cut to what is left of the request's deadline — and whether it
        was cut. DeadlineExceeded when too little is left to begin."""
        own = timeout if timeout is not None else self.settings.query_timeout_s
        left = deadline.remaining()
        if left is None or left >= own:
            return own, False
        if left < MIN_STATEMENT_S:
            raise DeadlineExceeded(
                f"the request's deadline passed before query {name} could run; retry later"
            )
        return left, True

    def _time_for(self, pause: float, first_failure: float) -> bool:
        """Whether to retry after ``pause``: while less than ``max_retry_time_s`` has passed
        since the first failure (the driver's rule), and within a request only if the retry
        still begins, with a moment to run, before the deadline."""
        retrying = time.monotonic() - first_failure < self.settings.max_retry_time_s
        left = deadline.remaining()
        return retrying and (left is None or pause + MIN_STATEMENT_S < left)

    @contextmanager
    def _translated(self, name: str) -> Iterator[None]:
        """Turns driver exceptions into the service's own, with a message that says what to do."""
        try:
            yield
        except CreditGraphError:
            raise
        except neo4j_exc.AuthError as exc:
            raise Neo4jAuthError(
                f"Neo4j at {self.settings.effective_uri} refused user {self.settings.neo4j_user!r}:"
                " check CREDIT_GRAPH_NEO4J_USER and CREDIT_GRAPH_NEO4J_PASSWORD"
            ) from exc
        except (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired, OSError) as exc:
            raise Neo4jUnavailable(
                f"Neo4j at {self.settings.effective_uri} is not reachable ({_short(exc)}):"
                " start it with `credit-graph neo4j start` or check CREDIT_GRAPH_NEO4J_URI"
            ) from exc
        except neo4j_exc.Neo4jError as exc:
            if _timed_out(exc):
                raise QueryTimeout(f"query {name} exceeded its timeout and was aborted") from exc
            if exc.is_retryable():  # still transient after the retries: Neo4j is going away
                raise Neo4jUnavailable(
                    f"Neo4j kept failing {name} with a transient error ({exc.code}); retry later"
                ) from exc
            log.error("query failed", extra={"query": name, "code": exc.code})
            raise QueryError(f"query {name} failed: {exc.code}: {exc.message}") from exc
        except neo4j_exc.DriverError as exc:
            raise Neo4jUnavailable(f"Neo4j driver error on {name}: {_short(exc)}") from exc


class _InTransaction(Database):
    """:meth:`Database.rolled_back`'s view: every statement in one open explicit transaction.

    Shares the parent's driver, registry and query counts (no pool of its own). Calls may come
    from several threads (the loader's writer thread); a lock keeps them one at a time, as a
    transaction needs.
    """

    def __init__(self, parent: Database, tx: neo4j.Transaction) -> None:
        # Not Database.__init__: the view must not open a driver of its own.
        self.settings, self.registry = parent.settings, parent.registry
        self.query_counts = parent.query_counts
        self._driver = parent._driver
        self._open_tx = tx
        self._lock = threading.Lock()

    def close(self) -> None:
        """Nothing to close: the parent's :meth:`Database.rolled_back` ends the transaction."""

    def run_autocommit(
        self, name: str, /, timeout_s: float | None = None, **params: Any
    ) -> list[Row]:
        """Refused: a statement that commits its own transactions cannot be rolled back."""
        raise QueryError(f"query {name} commits its own transactions: not possible in a what-if")

    def _managed(
        self,
        name: str,
        params: Mapping[str, Any],
        timeout: float | None,
        *,
        write: bool,
        plain: bool = False,
    ) -> list[Row]:
        query = self.registry[name]
        self.query_counts[name] += 1
        with self._lock, self._translated(name), metrics.QUERY_SECONDS.labels(name).time():
            result = self._open_tx.run(query.text, dict(params))
            return _plain_rows(result) if plain else _data_rows(result)

    def _execute(
        self,
        work: Callable[[neo4j.ManagedTransaction | neo4j.Transaction], T],
        name: str,
        timeout: float | None,
        *,
        write: bool,
    ) -> T:
        with self._lock, self._translated(name), metrics.QUERY_SECONDS.labels(name).time():
            return work(self._open_tx)


def _timed_out(exc: Exception) -> bool:
    """True when Neo4j aborted the transaction because it ran past its timeout."""
    return isinstance(exc, neo4j_exc.Neo4jError) and "TransactionTimedOut" in (exc.code or "")


def _pauses() -> Iterator[float]:
    """Seconds to wait before each retry: 1, 2, 4 … each within ±20 %.

    >>> pauses = _pauses()
    >>> 0.8 <= next(pauses) <= 1.2 and 1.6 <= next(pauses) <= 2.4
    True
    """
    pause = FIRST_PAUSE_S
    while True:
        spread = random.uniform(1 - PAUSE_JITTER, 1 + PAUSE_JITTER)  # noqa: S311 - no secret
        yield pause * spread
        pause *= PAUSE_GROWTH


def _data_rows(result: neo4j.Result) -> list[Row]:
    """Every row as a dict, nodes and relationships converted to their properties."""
    return result.data()


def _plain_rows(result: neo4j.Result) -> list[Row]:
    """Every row as a dict of the values as decoded (no walk for nodes to convert)."""
    keys = result.keys()
    return [dict(zip(keys, record, strict=True)) for record in result]


def _short(exc: BaseException) -> str:
    """The first line of an exception's message, without the driver's long tails."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
