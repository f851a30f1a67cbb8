"""A real ``credit-graph serve`` killed (SIGKILL) in the middle of a webhook's retries: the
restarted service resumes the delivery from Neo4j, and the notice stays one notice."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.conftest import ROOT, cli_env
from tests.notices.conftest import Receiver, notices_for, quick_catalog_file, subscribe, wait_for
from tests.servers import free_port

MakeKey = Callable[[Role, str], tuple[str, str]]


@contextmanager
def _service(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """``credit-graph serve`` on a free port as a child process; killed at the end if alive."""
    command = [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(free_port())]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def test_a_killed_service_resumes_a_delivery_after_restart(
    db: Database, client: TestClient, settings: Settings, make_key: MakeKey,
    receiver: Receiver, tmp_path: Path,
) -> None:  # fmt: skip
    # Arrange: a webhook that fails three times, a notice pending for it, and a service whose
    # retries come every 0.5 s and whose delivery lease lapses 1 s after its holder dies.
    receiver.statuses = [500, 500, 500]
    key, key_id = make_key(Role.CHECKER, "agency-a")
    subscribe(client, key, receiver.url)
    (notice_id,) = notices_for(db, key_id)
    catalog = quick_catalog_file(
        tmp_path, "{first_delay_s: 0.5, growth: 1, max_delay_s: 0.5, horizon_s: 120}"
    )
    env = cli_env(
        CREDIT_GRAPH_CATALOG=str(catalog),
        CREDIT_GRAPH_NOTICE_KEY_FILE=str(settings.notice_key_file),
        CREDIT_GRAPH_RECEIPT_KEY_FILE=str(tmp_path / "receipt.pem"),
        CREDIT_GRAPH_NOTICE_POLL_S="0.1",
        CREDIT_GRAPH_NOTICE_LEASE_S="1",
        # Not what is tested, and each costs the starts time: checks' snapshot, local audit log.
        CREDIT_GRAPH_CHECK_SNAPSHOT="false",
        CREDIT_GRAPH_AUDIT_LOCAL="false",
    )

    # Act: the first service is killed right after the receiver's first 500 …
    with _service(env) as first:
        wait_for(lambda: len(receiver.received) >= 1, timeout_s=60)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=30) == -signal.SIGKILL
    killed_at = len(receiver.received)
    (pending,) = [r["delivery"] for r in db.read("notices/test_deliveries")]
    # … and a new one started.
    with _service(env):
        wait_for(lambda: _state(db) == "delivered", timeout_s=60)

    # Assert: the new service went on with the retries until the receiver said 200.
    assert pending["state"] == "pending" and killed_at < 4
    assert len(receiver.received) >= 4 and {r.notice_id for r in receiver.received} == {notice_id}
    assert all(r.signature_ok for r in receiver.received)
    assert len(db.read("notices/test_notices")) == 1


def _state(db: Database) -> str:
    (delivery,) = [r["delivery"] for r in db.read("notices/test_deliveries")]
    return str(delivery["state"])
