"""A closed :class:`Database`: statements asked afterwards fail with ``DatabaseClosed`` and
never reach the closed driver — above all a statement retrying through an outage while the
service stops (a key's re-read in the background kept retrying into a closed driver, which
the driver warns about and serves anyway)."""

from __future__ import annotations

import gc
import socket
import threading
import time
import warnings

import pytest

from graph_service.db import Database
from graph_service.errors import DatabaseClosed, Unavailable
from tests.conftest import make_settings


def _nowhere_db(**overrides: object) -> Database:
    """A database whose Neo4j is a port where nothing listens (connections refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(
        neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="x" * 8, **overrides
    )
    return Database(settings)


def test_every_kind_of_statement_after_close_is_refused_by_name() -> None:
    db = _nowhere_db()
    db.close()
    calls = {
        "system/components": lambda: db.read("system/components"),
        "tx": lambda: db.read_tx(lambda tx: tx.run("system/components")),
        "meta/await_indexes": lambda: db.run_autocommit("meta/await_indexes"),
        "server_info": db.server_info,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the driver's "used after close" would fail the call
        for name, call in calls.items():
            with pytest.raises(DatabaseClosed, match=f"query {name} was asked after"):
                call()
    assert DatabaseClosed("x").http_status == 503 and issubclass(DatabaseClosed, Unavailable)


def test_a_statement_retrying_through_an_outage_stops_when_the_database_closes() -> None:
    db = _nowhere_db(max_retry_time_s=30.0)  # it would retry for 30 s without the close
    failed: list[BaseException] = []

    def read() -> None:
        try:
            db.read("system/components")
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        time.sleep(0.3)  # refused at once: the read now pauses ~1 s before its next attempt
        assert thread.is_alive()
        db.close()
        thread.join(5.0)  # the next attempt comes within the first pause (≤ 1.2 s)

    assert not thread.is_alive(), "the read kept retrying after the database was closed"
    assert [type(e) for e in failed] == [DatabaseClosed]
    assert [w for w in seen if issubclass(w.category, DeprecationWarning)] == []


def test_a_rolled_back_view_that_cannot_begin_closes_its_session() -> None:
    # A what-if or the plans' warm-up against a Neo4j that does not answer: the error is the
    # service's own, and the session it opened is closed, not left to the driver's destructor
    # (which warns that relying on it is deprecated).
    db = _nowhere_db(max_retry_time_s=0)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(Unavailable), db.rolled_back(5.0):
            pass
        gc.collect()  # a session left open warns when it is collected
    db.close()
    assert [str(w.message) for w in seen if "destructor" in str(w.message)] == []
