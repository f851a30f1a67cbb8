"""Real servers for tests: a free loopback port, a wait until a server answers, and the app
served over HTTP by uvicorn in a thread of this process (the stack clients meet, not a
TestClient)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout_s: float = 20.0) -> None:
    """Returns once ``url`` answers at all (any status); raises the last transport error after
    ``timeout_s`` seconds."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextmanager
def serving(app: FastAPI, **config: Any) -> Iterator[str]:
    """``app`` on a free loopback port until the block ends; its URL once ``/healthz``
    answers. ``config``: further ``uvicorn.Config`` options (e.g. ``access_log=False``)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/healthz")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
