"""`credit-graph serve --workers 2` as operators run it, killed with SIGKILL under a stream of
checks: no answered check loses its audit entry; a revoked key is refused by every worker
within 2 s; rate limits are per worker process (docs/security.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key, revoke_key
from graph_service.security.roles import Role
from tests.conftest import ROOT, cli_env, run_cli
from tests.servers import free_port, wait_until_up
from tests.snapshot.conftest import HUABEI

BODY = {"context": "bidding", "parties": [HUABEI], "purpose": "kill test"}


def _env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return cli_env(
        CREDIT_GRAPH_PORT=str(port),
        CREDIT_GRAPH_AUDIT_LOCAL="true",
        CREDIT_GRAPH_AUDIT_LOCAL_DIR=str(tmp_path / "audit"),
        CREDIT_GRAPH_SNAPSHOT_DIR=str(tmp_path / "snapshot"),
        CREDIT_GRAPH_RECEIPT_KEY_FILE=str(tmp_path / "receipt.pem"),
        CREDIT_GRAPH_NOTICE_DELIVERY="false",
        CREDIT_GRAPH_LOG_LEVEL="WARNING",
        **extra,
    )


@contextmanager
def _served(env: dict[str, str], url: str, workers: int = 2) -> Iterator[subprocess.Popen[bytes]]:
    """`credit-graph serve --workers N` in its own process group (so SIGKILL takes the
    supervisor and every worker at once), up once /healthz answers."""
    command = [sys.executable, "-m", "graph_service.cli", "serve", "--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(f"{url}/healthz", 60)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)


class Stream:
    """Checks sent by four threads (a new connection each, so both workers serve them); the
    check ids answered with 200."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.answered: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, daemon=True) for _ in range(4)]

    def __enter__(self) -> Stream:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(30)

    def _send(self) -> None:
        while not self._stop.is_set():
            try:
                response = httpx.post(f"{self.url}/v1/checks", json=BODY, headers=self.headers)
            except httpx.TransportError:  # killed: the answer never left
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                self.answered.append(response.json()["check_id"])


def test_sigkill_under_checks_loses_no_answered_entry(world: Database, tmp_path: Path) -> None:
    with AuditLog(world) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), "kill-checker", Role.CHECKER)
    port = free_port()
    url, env = f"http://127.0.0.1:{port}", _env(tmp_path, port)
    with Stream(url, {"X-API-Key": key}) as stream:
        # A real kill -9 while checks are being answered (one worker: starting processes is
        # what this test's time goes to on two shared cores).
        with _served(env, url, workers=1) as process:
            time.sleep(2.0)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)
        killed_with = len(stream.answered)
        with _served(env, url, workers=1):
            time.sleep(1.0)
            stream._stop.set()
            time.sleep(0.5)
            lag = _wait_for_the_mirror(url)
    assert killed_with > 5, "too few checks answered before the kill to say anything"
    assert lag == 0
    rows = world.read("audit/mirrored_checks", check_ids=stream.answered)
    assert sorted(r["entry"]["check_id"] for r in rows) == sorted(stream.answered)
    done = run_cli("audit", "verify", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 waiting for the mirror" in done.stdout


def _wait_for_the_mirror(url: str) -> int:
    """The mirror's lag once it is 0, or after 30 s."""
    deadline = time.monotonic() + 30
    while True:
        lag = int(httpx.get(f"{url}/readyz", timeout=10).json()["audit_mirror_lag_entries"])
        if lag == 0 or time.monotonic() > deadline:
            return lag
        time.sleep(0.2)


def test_every_worker_refuses_a_revoked_key_within_two_seconds_and_limits_per_worker(
    world: Database, tmp_path: Path
) -> None:
    with AuditLog(world) as audit:
        key, _ = create_key(audit, Actor("tests", "operator"), "revoked-soon", Role.CHECKER)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(tmp_path, port, CREDIT_GRAPH_RATE_LIMIT_PER_S="0.001",
               CREDIT_GRAPH_RATE_LIMIT_BURST="3")  # fmt: skip
    headers = {"X-API-Key": key}
    with _served(env, url):
        # Rate limits: a bucket of 3 per worker process, so 3 to 6 of 30 requests pass.
        statuses = [httpx.post(f"{url}/v1/checks", json=BODY, headers=headers).status_code
                    for _ in range(30)]  # fmt: skip
        assert 3 <= statuses.count(200) <= 6, statuses
        assert statuses.count(429) == 30 - statuses.count(200)
        with AuditLog(world) as audit:
            revoke_key(audit, Actor("tests", "operator"), "revoked-soon")
        time.sleep(2.0)  # the key cache's time (CREDIT_GRAPH_API_KEY_CACHE_S)
        after = [httpx.post(f"{url}/v1/checks", json=BODY, headers=headers).status_code
                 for _ in range(20)]  # fmt: skip
    assert after == [401] * 20
