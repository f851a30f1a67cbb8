"""The warm-up leaves the plans an incremental run uses, and changes nothing (issue 15 item 3).

Counted with ``db.clearQueryCaches()`` (its message says how many plans it dropped): a
warm-up whose statements were cached under other keys than the run's (``EXPLAIN``, another
parameter type, a transaction that had or had not written) would leave the run to plan them
again, and the caches would then hold more plans than the warm-up made. The run checked gains
measures: the loss path's statements (delete_measures, voiding_sources, the notices of losses)
are not checked here.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_service import embedded, migrations
from graph_service.db import Database
from graph_service.propagation import runner, warmup
from graph_service.propagation.catchup import CatchUp
from graph_service.queries import QueryRegistry, cypher_root
from tests.conftest import ROOT, TEST_CYPHER, make_settings, unwritable_folder, wait_for
from tests.loaders.conftest import cached_plans
from tests.propagation.sample import EARLY, TODAY, load
from tests.servers import free_port

#: The plans a warm-up makes: its transactions' statements and the sample's read.
PLANNED = sum(len(tx) for tx in warmup.transactions(datetime.now(UTC), "v")) + 1
#: The service's warm-up also plans its read of Neo4j's start time (meta/neo4j_started).
STARTED_READ = 1


def small_world(db: Database, tmp: Path) -> int:
    """Three of the sample registries loaded; how many parties the graph then holds."""
    for kind in EARLY[:3]:
        load(db, kind, tmp)
    (row,) = db.read_plain("propagation/party_count")
    return int(row["parties"])


def warm_ups_logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The warm-ups' log lines saying what each did."""
    return [r for r in caplog.records if r.getMessage() == "propagation plans warmed"]


def pages_read(caplog: pytest.LogCaptureFixture) -> list[int]:
    """The parties each logged warm-up read for their pages."""
    return [int(r.__dict__["parties"]) for r in warm_ups_logged(caplog)]


def everything(db: Database) -> list[str]:
    """Every node and relationship of the graph, comparable."""
    nodes = [
        json.dumps(r, sort_keys=True, default=str) for r in db.read("meta/test_dump_all_nodes")
    ]
    rels = [json.dumps(r, sort_keys=True, default=str) for r in db.read("meta/test_dump_rels")]
    return sorted(nodes + rels)


def test_the_run_after_a_load_finds_every_plan_it_needs_warmed(
    db: Database, tmp_path: Path
) -> None:
    # Arrange: a propagated graph, and a load of new records pending
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    load_id = load(db, "dishonest_debtors", tmp_path)
    cached_plans(db)  # empties the caches
    warmed = warmup.warm(db)
    plans_warmed = cached_plans(db)

    # Act: warm again, then the run
    warmup.warm(db)
    run = runner.after_loads(db, [load_id], as_of=TODAY)
    plans_after_the_run = cached_plans(db)

    # Assert: one plan a statement (and the sample's read: the reads on real parties reuse the
    # others'), and the run (which gained measures and made the notices' reads) planned nothing
    assert warmed.error is None and warmed.reads == 5
    assert warmed.statements + 1 == plans_warmed > 10
    assert run.mode == "incremental" and run.gained > 0
    assert plans_after_the_run == plans_warmed


def test_the_warm_up_changes_nothing(db: Database, tmp_path: Path) -> None:
    # Arrange
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    before = everything(db)

    # Act
    warmed = warmup.warm(db)

    # Assert: no lease, run, measure or change left, nothing else touched
    assert warmed.error is None
    assert everything(db) == before


def transaction_log_bytes(db: Database) -> int:
    """The size of the test Neo4j's transaction logs: a committed transaction adds to them,
    a rolled-back one does not."""
    logs = db.settings.home.resolve() / "neo4j" / "data" / "transactions" / "neo4j"
    return sum(path.stat().st_size for path in logs.glob("neostore.transaction.db.*"))


def test_the_warm_up_commits_a_write_and_leaves_nothing_of_it(db: Database, tmp_path: Path) -> None:
    # The first committed writes after a start cost several times later ones, and a
    # rolled-back transaction does not pay that: the warm-up commits a lease claim and its
    # release, so that the first run's last transaction does not (issue 15 item 3)
    small_world(db, tmp_path)
    before, logged = everything(db), transaction_log_bytes(db)

    # Act
    warmed = warmup.warm(db)

    # Assert: written to the transaction log, and nothing of it left in the graph
    assert warmed.error is None
    assert transaction_log_bytes(db) > logged
    assert everything(db) == before


def test_a_neo4j_that_does_not_answer_ends_the_warm_up_without_an_error() -> None:
    # Arrange: nothing listens on port 9
    settings = make_settings(neo4j_uri="bolt://127.0.0.1:9", neo4j_password="x",
                             connect_timeout_s=0.5)  # fmt: skip

    # Act
    with Database(settings) as db:
        warmed = warmup.warm(db)

    # Assert
    assert warmed.statements == 0 and warmed.error is not None


def test_the_service_start_warms_the_plans(db: Database) -> None:
    # Arrange: empty caches, no pending load to complete
    cached_plans(db)

    # Act
    catch_up = CatchUp(db).start()
    wait_for(lambda: not catch_up.running, what="the catch-up and warm-up did not end")

    # Assert: one plan each statement of the warm-up, the sample's read and the start time's
    assert cached_plans(db) == PLANNED + STARTED_READ


def test_the_warm_up_and_the_catch_up_are_turned_on_apart(db: Database) -> None:
    # Arrange: empty caches, no pending load to complete
    cached_plans(db)
    warm_plans = PLANNED + STARTED_READ

    # Act: the warm-up alone, then the catch-up alone
    warm_only = CatchUp(db, complete=False).start()
    wait_for(lambda: not warm_only.running, what="the warm-up did not end")
    planned_by_warm_up = cached_plans(db)
    catch_up_only = CatchUp(db, warm=False).start()
    wait_for(lambda: not catch_up_only.running, what="the catch-up did not end")
    planned_by_catch_up = cached_plans(db)

    # Assert: the warm-up plans its statements without the catch-up; the catch-up alone plans
    # only its own look-up of pending loads
    assert planned_by_warm_up == warm_plans
    assert 0 < planned_by_catch_up < warm_plans


def test_the_page_warm_up_reads_every_party_once_and_stops_when_asked(
    db: Database, tmp_path: Path
) -> None:
    # Arrange
    for kind in EARLY:
        load(db, kind, tmp_path)
    runner.run_full(db, as_of=TODAY)
    before = everything(db)
    (row,) = db.read_plain("propagation/party_count")
    parties = int(row["parties"])
    stop = threading.Event()

    # Act: every party in batches of 7; then a stop asked after the first batch
    batches = list(warmup.read_pages(db, batch=7))
    stopped = []
    for read in warmup.read_pages(db, stop, batch=7):
        stopped.append(read)
        stop.set()
    warmed = warmup.warm(db, pages=True)

    # Assert: each party counted once, in batches of at most 7; nothing changed
    assert sum(batches) == parties > 7 and max(batches) == 7
    assert stopped == batches[:1]
    assert warmed.error is None and warmed.parties == parties
    assert everything(db) == before


def test_the_service_start_warms_the_pages_when_asked(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange
    parties = small_world(db, tmp_path)
    caplog.set_level(logging.INFO, logger="graph_service.propagation.warmup")

    # Act: a start without, then one with the pages' warm-up
    for pages in (False, True):
        catch_up = CatchUp(db, complete=False, pages=pages).start()
        wait_for(lambda c=catch_up: not c.running, what="the warm-up did not end")
        catch_up.stop()  # releases the host's lock on the pages

    # Assert
    assert pages_read(caplog) == [0, parties]


def test_a_neo4j_restarted_under_the_service_is_warmed_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Arrange: a Neo4j of this test's own, and the service's warm-up watching it
    settings = make_settings(
        home=tmp_path_factory.mktemp("restarted-neo4j"), embedded_port=free_port(),
        launcher_dir=ROOT / ".credit-graph" / "launcher",  # the built launcher, not a rebuild
        embedded_heap="512m", embedded_pagecache="64m",
    )  # fmt: skip
    embedded.start(settings)
    try:
        with Database(settings, QueryRegistry(cypher_root(), TEST_CYPHER)) as db:
            migrations.migrate(db)
            catch_up = CatchUp(db, complete=False, watch_s=0.2).start()
            wait_for(lambda: not catch_up.running, 60, "the first warm-up did not end")
            first = catch_up.warmed_for

            # Act: Neo4j stops (the watch finds nobody, warms nothing), then starts again
            embedded.stop(settings)
            time.sleep(1.0)
            stopped_warm_ups = catch_up.warm_ups
            embedded.start(settings)
            wait_for(lambda: catch_up.warm_ups == 2, 60, "the restarted Neo4j was not warmed")
            catch_up.stop()
            plans = cached_plans(db)

        # Assert: one warm-up at the start, one after the restart, of the new process, whose
        # caches hold the plans
        assert first is not None and stopped_warm_ups == 1
        assert catch_up.warmed_for not in (None, first)
        assert plans >= PLANNED
    finally:
        embedded.stop(settings)


def test_one_process_of_a_host_reads_the_pages(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange: two of the host's processes' warm-ups (same home), pages asked of both
    parties = small_world(db, tmp_path)
    caplog.set_level(logging.INFO, logger="graph_service.propagation.warmup")

    # Act: the first holds the host's lock while it lives; once it stopped, a third takes it
    first = CatchUp(db, complete=False, pages=True).start()
    wait_for(lambda: not first.running, what="the first warm-up did not end")
    second = CatchUp(db, complete=False, pages=True).start()
    wait_for(lambda: not second.running, what="the second warm-up did not end")
    first.stop()
    third = CatchUp(db, complete=False, pages=True).start()
    wait_for(lambda: not third.running, what="the third warm-up did not end")
    holders = [second.reads_pages, third.reads_pages]
    second.stop()
    third.stop()

    # Assert
    assert pages_read(caplog) == [parties, 0, parties]
    assert holders == [False, True]


def test_a_neo4j_that_will_not_say_when_it_started_is_warmed_once_and_said_so(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange: the shipped statements, but the start time's asks a procedure Neo4j refuses
    shipped = Path(str(cypher_root()))
    refusing = tmp_path / "cypher"
    shutil.copytree(shipped, refusing)
    (refusing / "meta" / "neo4j_started.cypher").write_text(
        "CALL dbms.noSuchProcedure() YIELD value RETURN value AS started\n", encoding="utf-8"
    )
    caplog.set_level(logging.INFO, logger="graph_service.propagation")

    # Act
    with Database(db.settings, QueryRegistry(refusing)) as refused:
        catch_up = CatchUp(refused, complete=False, watch_s=0.05).start()
        wait_for(lambda: catch_up.warm_ups == 1 and catch_up.watch_s == 0, 30, "no warm-up")
        catch_up.stop()

    # Assert: warmed once, the watch ended with one warning naming why
    said = [r for r in caplog.records if "start time cannot be read" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert "query meta/neo4j_started failed" in said[0].__dict__["error"]


def test_a_home_that_cannot_be_written_skips_the_pages_not_the_plans(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Arrange: the service's home cannot be made (its parent is a file)
    settings = make_settings(home=unwritable_folder(tmp_path, "home"))
    caplog.set_level(logging.INFO, logger="graph_service.propagation")

    # Act
    with Database(settings) as unwritable:
        catch_up = CatchUp(unwritable, complete=False, pages=True).start()
        wait_for(lambda: not catch_up.running, 60, "the warm-up did not end")
        catch_up.stop()

    # Assert: said why, and the plans were warmed all the same
    skipped = [r for r in caplog.records if r.getMessage().startswith("the pages are not warmed")]
    warmed = warm_ups_logged(caplog)
    assert len(skipped) == 1 and skipped[0].levelno == logging.WARNING
    assert [(r.__dict__["statements"] > 0, r.__dict__["parties"]) for r in warmed] == [(True, 0)]
