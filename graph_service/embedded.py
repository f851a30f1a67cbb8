"""The embedded Neo4j: build the Java launcher once, start, stop and inspect it.

The launcher jar and its ``lib/`` are built into ``Settings.launcher_dir`` once and rebuilt only
when the launcher's sources change. Layout under ``Settings.home`` (default ``.credit-graph/``):

* ``neo4j/`` — the database files, ``neo4j.conf`` and Neo4j's own logs
* ``neo4j.pid`` — the running launcher's process id; ``neo4j.log`` — its output
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graph_service.db import Database, ServerInfo
from graph_service.errors import CreditGraphError, EmbeddedNeo4jError, Neo4jUnavailable
from graph_service.settings import Settings

JAR_NAME = "neo4j-embedded.jar"


@dataclass(frozen=True)
class Status:
    """Where the embedded server runs (if it does) and what it is."""

    running: bool
    pid: int | None
    uri: str
    data_dir: Path
    server: ServerInfo | None = None


def launcher_source() -> Path:
    """The launcher's Maven project, found like all package data: ``graph_service/
    neo4j-embedded`` is a link to the repository's ``neo4j-embedded/`` in a checkout and a
    copy of it in the wheel."""
    return Path(str(resources.files("graph_service"))) / "neo4j-embedded"


def _paths(settings: Settings) -> tuple[Path, Path, Path, Path]:
    home = settings.home.resolve()
    return settings.launcher_dir.resolve(), home / "neo4j", home / "neo4j.pid", home / "neo4j.log"


def _source_digest(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([source / "pom.xml", *(source / "src").rglob("*.java")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_built(settings: Settings) -> Path:
    """Returns the launcher jar, building it with Maven when missing or out of date."""
    out, _, _, _ = _paths(settings)
    source = launcher_source()
    jar, stamp = out / JAR_NAME, out / "source.sha256"
    digest = _source_digest(source)
    if jar.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return jar
    maven = _require_tool(settings.maven, "Maven", "CREDIT_GRAPH_MAVEN")
    _require_java(settings)
    command = [maven, "-q", "-B", "-f", str(source / "pom.xml"), "package", f"-Dlauncher.out={out}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not jar.is_file():
        tail = _tail(done.stdout + done.stderr)
        raise EmbeddedNeo4jError(f"building the Neo4j launcher with Maven failed: {tail}")
    stamp.write_text(digest)
    return jar


def start(settings: Settings) -> Status:
    """Starts the embedded Neo4j unless it runs already; returns once Bolt answers."""
    current = status(settings)
    if current.running and current.server is not None:
        return current
    jar = ensure_built(settings)
    java = _require_java(settings)
    _require_port_free(settings.embedded_port)
    _, data_dir, pid_file, log_file = _paths(settings)
    data_dir.mkdir(parents=True, exist_ok=True)
    log_offset = log_file.stat().st_size if log_file.exists() else 0
    process = _spawn(settings, java, jar, data_dir, log_file)
    pid_file.write_text(str(process.pid))
    server = _wait_for_bolt(settings, process, log_file, log_offset)
    return Status(True, process.pid, settings.effective_uri, data_dir, server)


def stop(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Stops the embedded Neo4j cleanly (SIGTERM, then waits); False if it was not running."""
    _, _, pid_file, _ = _paths(settings)
    pid = _read_pid(pid_file)
    if pid is None or not _alive(pid):
        pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        raise EmbeddedNeo4jError(f"Neo4j (pid {pid}) did not stop within {timeout_s:.0f}s; killed")
    pid_file.unlink(missing_ok=True)
    return True


def close_store(settings: Settings, timeout_s: float = 60.0) -> bool:
    """Asks the embedded Neo4j to stop (SIGTERM) and returns once its databases are closed:
    their store files unlocked, consistent and checkpointed (about 0.5 s), while the JVM
    still spends ~10 s shutting Bolt down. Its data folder may then be renamed; call
    :func:`stop` later to wait for the exit. False if it was not running."""
    _, data_dir, pid_file, _ = _paths(settings)
    pid = _read_pid(pid_file)
    if pid is None or not _alive(pid):
        return stop(settings, timeout_s)
    os.kill(pid, signal.SIGTERM)
    locks = [data_dir / "data" / "databases" / "store_lock",
             *(data_dir / "data" / "databases").glob("*/database_lock")]  # fmt: skip
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and any(map(_locked, locks)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid) and any(map(_locked, locks)):
        return stop(settings, timeout_s)  # kills it and raises
    return True


def _locked(path: Path) -> bool:
    """Whether another process holds a lock on ``path`` (Neo4j locks its store files with
    POSIX record locks: trying one, and releasing it at once, tells)."""
    try:
        handle = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


def status(settings: Settings) -> Status:
    """Whether the embedded server runs, its pid, address, data folder and version."""
    _, data_dir, pid_file, _ = _paths(settings)
    pid = _read_pid(pid_file)
    running = pid is not None and _alive(pid)
    server = None
    if running:
        try:
            with Database(settings) as db:
                server = db.server_info()
        except CreditGraphError:
            server = None
    return Status(running, pid if running else None, settings.effective_uri, data_dir, server)


# --- helpers ------------------------------------------------------------------------------
def _spawn(
    settings: Settings, java: str, jar: Path, data_dir: Path, log_file: Path
) -> subprocess.Popen[bytes]:
    command = [
        java,
        f"-Xms{settings.embedded_heap}",
        f"-Xmx{settings.embedded_heap}",
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-jar",
        str(jar),
        f"--data-dir={data_dir}",
        "--host=127.0.0.1",
        f"--port={settings.embedded_port}",
        f"--pagecache={settings.embedded_pagecache}",
    ]
    # The password goes through stdin so that it never shows in `ps` or the environment.
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    assert process.stdin is not None  # noqa: S101 - stdin=PIPE above guarantees it
    process.stdin.write(settings.effective_password.encode("utf-8") + b"\n")
    process.stdin.close()
    return process


def _wait_for_bolt(
    settings: Settings, process: subprocess.Popen[bytes], log_file: Path, log_offset: int
) -> ServerInfo:
    """Waits for the launcher's READY line, then for Bolt to accept our credentials.

    Bolt opens a moment before the launcher has set the initial password; asking earlier
    would fail authentication and could trip Neo4j's lock-out after repeated failures.
    """
    deadline = time.monotonic() + settings.embedded_start_timeout_s
    with Database(settings) as db:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise EmbeddedNeo4jError(
                    f"Neo4j exited at start (code {process.returncode}): {_log_reason(log_file)}"
                )
            if not _ready_logged(log_file, log_offset):
                time.sleep(0.25)
                continue
            try:
                return db.server_info()
            except Neo4jUnavailable:
                time.sleep(0.25)
    process.terminate()
    raise EmbeddedNeo4jError(
        f"Neo4j did not answer on Bolt within {settings.embedded_start_timeout_s:.0f}s;"
        f" see {log_file}"
    )


def _ready_logged(log_file: Path, offset: int) -> bool:
    with log_file.open("rb") as log:
        log.seek(offset)
        return b"\nREADY " in b"\n" + log.read()


def _require_tool(name: str, what: str, variable: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise EmbeddedNeo4jError(
            f"{what} not found (looked for {name!r} on PATH): install it or set {variable}"
        )
    return path


def _require_java(settings: Settings) -> str:
    java = _require_tool(settings.java, "Java 17+", "CREDIT_GRAPH_JAVA")
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', done.stderr + done.stdout)
    if match is None or int(match.group(1)) < 17:
        found = match.group(1) if match else "unknown"
        raise EmbeddedNeo4jError(
            f"Neo4j 5.26 needs Java 17 or newer, {java} is version {found}: set CREDIT_GRAPH_JAVA"
        )
    return java


def _require_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Neo4j itself binds: connections in TIME_WAIT from a previous run do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise EmbeddedNeo4jError(
                f"port {port} on 127.0.0.1 is taken by another process:"
                " stop it or set CREDIT_GRAPH_EMBEDDED_PORT to a free port"
            ) from None


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat an exited process as dead.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == 0


def _log_reason(log_file: Path) -> str:
    """The most telling line of the launcher's log (an exception message), else its tail."""
    lines = log_file.read_text(errors="replace").splitlines()[-200:]
    for line in reversed(lines):
        if "Exception" in line or line.startswith("ERROR"):
            return line.strip()[:300]
    return _tail("\n".join(lines))


def _tail(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return " | ".join(lines[-3:])[:500] or "no output"
