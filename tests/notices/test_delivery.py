"""Webhook delivery to real receivers on 127.0.0.1: signed once, retried with growing delays
after a 500 or a timeout, given up after the horizon and shown to operators, one deliverer at
a time, and never in the way of a check."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.dueprocess.delivery import DeliveryWorker
from graph_service.policy.catalog import Catalog, load_catalog
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.conftest import run_cli
from tests.notices.conftest import (
    HUANG,
    Receiver,
    auth,
    notices_for,
    quick_catalog_file,
    serve_receiver,
    subscribe,
    wait_for,
)

MakeKey = Callable[[Role, str], tuple[str, str]]


def _deliveries(db: Database) -> list[dict[str, object]]:
    return [dict(r["delivery"]) for r in db.read("notices/test_deliveries")]


def _attempts(db: Database) -> list[dict[str, object]]:
    rows = db.read("notices/test_audit_kind", kind="notice_delivery")
    return [json.loads(r["payload"]) for r in rows]


def _until_settled(worker: DeliveryWorker, db: Database) -> None:
    """Runs the worker's passes until no delivery is pending."""

    def settled() -> bool:
        worker.run_once()
        return all(d["state"] != "pending" for d in _deliveries(db))

    wait_for(settled)


def test_a_notice_is_delivered_once_signed_with_the_subscriptions_secret(
    db: Database, client: TestClient, settings: Settings, quick_catalog: Catalog,
    make_key: MakeKey, receiver: Receiver,
) -> None:  # fmt: skip
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    (notice_id,) = notices_for(db, key_id)
    worker = DeliveryWorker(db, quick_catalog, settings)

    sent, again = worker.run_once(), worker.run_once()

    assert (sent, again) == (1, 0)
    (got,) = receiver.received
    assert got.signature_ok and got.notice_id == notice_id
    assert got.body == {
        "notice_id": notice_id, "party_id": HUANG, "measure": "blacklist", "record_ref": "WL-1",
        "reason": "repaired", "effective_on": "2026-11-27", "supersedes_checks": ["check-1"],
        "made_at": got.body["made_at"],
    }  # fmt: skip
    (delivery,) = _deliveries(db)
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == (
        "delivered",
        1,
        200,
    )
    (attempt,) = _attempts(db)
    assert (attempt["notice_id"], attempt["status"], attempt["outcome"]) == (
        notice_id,
        200,
        "delivered",
    )


def test_a_receiver_at_an_ipv6_address_gets_its_notice(
    db: Database, client: TestClient, settings: Settings, quick_catalog: Catalog,
    make_key: MakeKey,
) -> None:  # fmt: skip
    found = Receiver()
    server = serve_receiver(found, host="::1")
    try:
        key, key_id = make_key(Role.CHECKER, "agency-a")
        subscribe(client, key, found.url)  # http://[::1]:PORT/hooks/credit
        (notice_id,) = notices_for(db, key_id)

        sent = DeliveryWorker(db, quick_catalog, settings).run_once()
    finally:
        server.shutdown()
        server.server_close()

    assert found.url.startswith("http://[::1]:") and sent == 1
    (got,) = found.received
    assert got.signature_ok and got.notice_id == notice_id
    (delivery,) = _deliveries(db)
    assert (delivery["state"], delivery["last_status"]) == ("delivered", 200)


def test_a_receiver_answering_500_is_retried_with_growing_delays(
    db: Database, client: TestClient, settings: Settings, quick_catalog: Catalog,
    make_key: MakeKey, receiver: Receiver,
) -> None:  # fmt: skip
    receiver.statuses = [500, 500]
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    notices_for(db, key_id)
    worker = DeliveryWorker(db, quick_catalog, settings)

    _until_settled(worker, db)

    first, second, third = (r.at for r in receiver.received)
    assert len(receiver.received) == 3 and len({r.notice_id for r in receiver.received}) == 1
    assert second - first >= 0.2 and third - second >= 0.4  # 0.2 s, then twice that
    assert [(a["status"], a["outcome"]) for a in _attempts(db)] == [
        (500, "pending"), (500, "pending"), (200, "delivered"),
    ]  # fmt: skip
    assert len(db.read("notices/test_notices")) == 1


def test_a_receiver_that_times_out_is_retried(
    db: Database, client: TestClient, settings: Settings, quick_catalog: Catalog,
    make_key: MakeKey, receiver: Receiver,
) -> None:  # fmt: skip
    receiver.delays = [1.5]  # longer than notice_timeout_s (1 s)
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    notices_for(db, key_id)
    worker = DeliveryWorker(db, quick_catalog, settings)

    _until_settled(worker, db)

    timed_out, delivered = _attempts(db)
    assert timed_out["status"] is None and "timed out" in str(timed_out["error"])
    assert delivered["outcome"] == "delivered"


def test_a_delivery_is_given_up_after_the_horizon_and_shown_to_operators(
    db: Database, client: TestClient, settings: Settings, make_key: MakeKey,
    receiver: Receiver, tmp_path: Path,
) -> None:  # fmt: skip
    receiver.statuses = [503] * 20
    retry = "{first_delay_s: 0.1, growth: 1, max_delay_s: 0.1, horizon_s: 0.35}"
    catalog = load_catalog(quick_catalog_file(tmp_path, retry))
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    (notice_id,) = notices_for(db, key_id)
    worker = DeliveryWorker(db, catalog, settings)

    _until_settled(worker, db)
    listed = run_cli("notices", "--undelivered", "--json")

    (delivery,) = _deliveries(db)
    assert delivery["state"] == "undelivered" and delivery["last_status"] == 503
    assert [a["outcome"] for a in _attempts(db)][-1] == "undelivered"
    assert listed.returncode == 0, listed.stderr
    (shown,) = json.loads(listed.stdout)
    assert (shown["notice_id"], shown["url"], shown["key_name"]) == (
        notice_id,
        receiver.url,
        "agency-a",
    )
    assert worker.counts() == {"pending": 0, "undelivered": 1}
    assert 'credit_graph_notice_deliveries{state="undelivered"} 1.0' in client.get("/metrics").text


def test_one_process_delivers_at_a_time(
    db: Database, client: TestClient, settings: Settings, quick_catalog: Catalog,
    make_key: MakeKey, receiver: Receiver,
) -> None:  # fmt: skip
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    notices_for(db, key_id, count=2)
    short = settings.model_copy(update={"notice_lease_s": 0.5})
    first, second = (
        DeliveryWorker(db, quick_catalog, short),
        DeliveryWorker(db, quick_catalog, short),
    )

    holder, waiting = first.run_once(), second.run_once()
    notices_for(db, key_id, count=1, party="130102197203158350")
    wait_for(lambda: second.run_once() == 1)  # once the first stops renewing its lease

    assert (holder, waiting) == (2, 0)
    assert len(receiver.received) == 3 == len({r.notice_id for r in receiver.received})


def test_a_check_is_answered_while_a_receiver_holds_a_delivery(
    db: Database, settings: Settings, make_key: MakeKey, receiver: Receiver
) -> None:
    receiver.gate = threading.Event()
    key, key_id = make_key(Role.CHECKER, "agency-a")
    # The send must outlast the check: with the suite's 1 s receiver timeout, a check slower
    # than that on a busy machine let the send time out and the retry come a minute later.
    serving = {"notice_delivery": True, "notice_timeout_s": 30.0}
    app = create_app(settings.model_copy(update=serving))
    with TestClient(app) as client:
        subscribe(client, key, receiver.url)
        notices_for(db, key_id)
        assert receiver.arrived.wait(10)  # the worker is inside the receiver now

        body = {"context": "bidding", "parties": [HUANG], "purpose": "tender 2026-017"}
        answer = client.post("/v1/checks", json=body, headers=auth(key))

        assert answer.status_code == 200
        assert not receiver.gate.is_set() and _deliveries(db)[0]["state"] == "pending"
        receiver.gate.set()
        wait_for(lambda: _deliveries(db)[0]["state"] == "delivered")


def test_deleting_a_subscription_cancels_its_pending_deliveries(
    db: Database, client: TestClient, make_key: MakeKey, receiver: Receiver
) -> None:
    key, key_id = make_key(Role.CHECKER, "agency-a")
    sub_id = subscribe(client, key, receiver.url)
    notices_for(db, key_id)

    client.delete(f"/v1/subscriptions/{sub_id}", headers=auth(key))

    assert [d["state"] for d in _deliveries(db)] == ["cancelled"]
