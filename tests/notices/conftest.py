"""Fixtures of the notice tests: a tiny world with two blacklisted persons, keys, a catalog
whose webhook retries take fractions of a second, and real HTTP receivers on 127.0.0.1 that
check the signature of what they receive.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.dueprocess.notices import Notice, notice_id, write_notices
from graph_service.policy.catalog import Catalog, load_catalog
from graph_service.propagation import runner
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_file
from tests.conftest import (
    ROOT,
    make_settings,
    wait_for,  # noqa: F401 - the notice tests import it from here
)

HUANG = "130108200106111975"  # 黄涛, blacklisted (WL-1)
ZHANG = "130102197203158350"  # 张伟, blacklisted (WL-2, no end: its period ends it)
LISTED_ON = date(2024, 9, 1)
TODAY = date(2026, 11, 26)  # the world's first run
AFTER = date(2026, 11, 28)  # the run that sees the repairs of 2026-11-27
SECRET = "s3cret-0123456789-abcdef"
PACKAGED_RETRY = "retry: {first_delay_s: 60, growth: 2, max_delay_s: 3600, horizon_s: 86400}"

BLACKLISTS = f"""entry_no,list,party_id,party_name,reason,authority,listed_on,expires_on,case_no
WL-1,internet,{HUANG},黄涛,网络造谣传谣,石家庄市互联网信息办公室,{LISTED_ON},2027-09-01,
WL-2,internet,{ZHANG},张伟,网络造谣传谣,石家庄市互联网信息办公室,{LISTED_ON},,
"""


def quick_catalog_file(folder: Path, retry: str) -> Path:
    """A copy of the packaged catalog whose webhook retry schedule is ``retry`` (YAML flow)."""
    text = (ROOT / "graph_service" / "policy" / "catalog.yaml").read_text(encoding="utf-8")
    assert PACKAGED_RETRY in text
    path = folder / "catalog.yaml"
    path.write_text(text.replace(PACKAGED_RETRY, f"retry: {retry}"), encoding="utf-8")
    return path


QUICK_RETRY = "{first_delay_s: 0.2, growth: 2, max_delay_s: 0.8, horizon_s: 30}"


@pytest.fixture
def quick_catalog(tmp_path: Path) -> Catalog:
    """The packaged catalog with retries after 0.2, 0.4, 0.8, 0.8 … s for 30 s."""
    return load_catalog(quick_catalog_file(tmp_path, QUICK_RETRY))


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    """The test Neo4j, own receipt and notice keys, no delivery worker in the app (tests
    drive :class:`DeliveryWorker` themselves unless they turn it on). Checks are decided from
    the graph and logged straight into Neo4j (no decision snapshot, no local audit log), so
    that a check made right after a load sees it and a notice right after a check sees it
    (the mirror's lag is docs/due-process.md's, not these tests')."""
    return make_settings(
        check_snapshot=False,
        audit_local=False,
        receipt_key_file=tmp_path / "receipt.pem",
        notice_key_file=tmp_path / "notice.key",
        api_key_cache_s=0.3,
        notice_delivery=False,
        notice_timeout_s=1.0,
        notice_poll_s=0.1,
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    """The service on an emptied graph."""
    del db  # requested for the reset only
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client of the app, lifespan run."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_key(db: Database) -> Callable[[Role, str], tuple[str, str]]:
    """Creates a key; returns (key, key id)."""

    def make(role: Role, name: str) -> tuple[str, str]:
        with AuditLog(db) as audit:
            key, record = create_key(audit, Actor("tests", "operator"), name, role)
        return key, record.key_id

    return make


def auth(key: str) -> dict[str, str]:
    """The header that carries ``key``."""
    return {"X-API-Key": key}


def load_world(db: Database, tmp: Path) -> None:
    """Persons and two blacklistings, propagated as of :data:`TODAY`."""
    persons = ROOT / "tests" / "fixtures" / "registries" / "persons.csv"
    _load(db, "persons", persons, tmp)
    _load(db, "blacklists", _write(tmp / "blacklists.csv", BLACKLISTS), tmp)
    runner.run_full(db, as_of=TODAY)


def repair(db: Database, tmp: Path, *refs: str, status: str = "repaired") -> None:
    """Status updates of ``refs`` effective 2026-11-27, loaded and propagated as of AFTER."""
    lines = ["record_ref,status,effective_on,authority,reason"]
    lines += [f"{ref},{status},2026-11-27,石家庄市互联网信息办公室,信用修复" for ref in refs]
    _load(db, "record_updates", _write(tmp / "updates.csv", "\n".join(lines) + "\n"), tmp)
    runner.run_full(db, as_of=AFTER)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _load(db: Database, kind: str, path: Path, tmp: Path) -> None:
    summary = load_file(db, kind, path, LoadOptions(reject_file=tmp / f"{kind}.rejects.csv"))
    assert summary.rejected == 0, kind


def subscribe(client: TestClient, key: str, url: str, secret: str = SECRET) -> str:
    """Registers a webhook of ``key``; its id."""
    made = client.post("/v1/subscriptions", json={"url": url, "secret": secret},
                       headers=auth(key))  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json()["subscription_id"])


def notices_for(db: Database, key_id: str, count: int = 1, party: str = HUANG) -> list[str]:
    """``count`` notices to ``key_id`` stored as a run would (audited, with deliveries)."""
    found = [
        Notice(notice_id(key_id, f"change-{party}-{i}"), key_id, party, "blacklist", "WL-1",
               "repaired", date(2026, 11, 27), ("check-1",), f"change-{party}-{i}")
        for i in range(count)
    ]  # fmt: skip
    write_notices(db, found, datetime.now(UTC))
    return [n.notice_id for n in found]


def check(client: TestClient, key: str, party: str, context: str = "bidding") -> dict[str, Any]:
    """A check of one party; its answer."""
    body = {"context": context, "parties": [party], "purpose": "tender 2026-017"}
    answer = client.post("/v1/checks", json=body, headers=auth(key))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# --- receivers -------------------------------------------------------------------------------


@dataclass
class Received:
    """One request a receiver got."""

    notice_id: str | None
    body: dict[str, Any]
    signature_ok: bool
    at: float


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: answers ``statuses`` in turn (then 200), each after
    the next of ``delays`` (then at once); with ``gate``, holds each request until it is set."""

    secret: str = SECRET
    statuses: list[int] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    gate: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def handle(self, headers: Any, raw: bytes) -> int:
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, headers.get("X-Credit-Graph-Signature", ""))
        self.received.append(Received(headers.get("X-Credit-Graph-Notice-Id"),
                                      json.loads(raw), ok, time.monotonic()))  # fmt: skip
        self.arrived.set()
        if self.gate is not None:
            self.gate.wait(10)
        time.sleep(self.delays.pop(0) if self.delays else 0.0)
        return self.statuses.pop(0) if self.statuses else 200


def serve_receiver(receiver: Receiver, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serves ``receiver`` on a free port of ``host`` (a loopback address; in a thread); sets
    its ``url``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(self.headers, raw)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # quiet

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    receiver.url = f"http://{shown}:{server.server_address[1]}/hooks/credit"
    return server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that answers 200 (tests set statuses, delay or a gate)."""
    found = Receiver()
    server = serve_receiver(found)
    yield found
    if found.gate is not None:
        found.gate.set()
    server.shutdown()
    server.server_close()
