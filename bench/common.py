"""What the benchmarks share: the synthetic world, the benchmark's Neo4j, the served API.

``bench/load.py``, ``bench/graphql_api.py`` and ``bench/checks.py`` all use the same embedded
Neo4j (home ``.credit-graph/bench``, Bolt port 7695) and the same generated worlds
(``bench/out/world-<parties>-<seed>/``). The HTTP benchmarks serve the API from a child
process (``credit-graph serve`` on a free loopback port) and drive it from another child
process (the benchmark script itself with ``--drive``), so that neither the server nor the
load generator shares an interpreter with the other.

Process figures (CPU seconds, RSS) are read from ``/proc`` (Linux); elsewhere they are 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOME = ROOT / ".credit-graph" / "bench"
#: The benchmarks' own Cypher statements (not shipped in the wheel).
CYPHER = ROOT / "bench" / "cypher"
PORT = 7695
#: The header the API reads the key from (graph_service.security.auth).
API_KEY_HEADER = "X-API-Key"
#: Per-key rate limit of the served API during a benchmark: high enough never to answer 429.
BENCH_RATE_LIMIT = 1_000_000


# --- the synthetic world -------------------------------------------------------------------


def world(parties: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The world's folder and the generator's report; generated once per size and seed.

    Generation runs ``credit-graph demo-data`` in a child process, so that the caller's peak
    RSS is its own. A folder generated before the report was kept gives an empty report.
    """
    folder = OUT / f"world-{parties}-{seed}"
    report_file = OUT / f"world-{parties}-{seed}.json"
    if folder.is_dir():
        report = report_file.read_text(encoding="utf-8") if report_file.is_file() else "{}"
        return folder, json.loads(report)
    OUT.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "graph_service.cli", "demo-data", "--parties",
               str(parties), "--seed", str(seed), "--out", str(folder), "--json"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: demo-data failed: {done.stderr.strip()}")
    report_file.write_text(done.stdout, encoding="utf-8")
    return folder, json.loads(done.stdout)


def ensure_world(db: Any, parties: int, seed: int, tag: str) -> bool:
    """Loads the world unless the graph already holds at least ``parties`` parties.

    Returns whether it loaded; rejects (there should be none) go to ``bench/out``.
    """
    from graph_service import migrations
    from loaders.engine import LoadOptions, load_directory

    if db.read("meta/bench_graphql_parties")[0]["parties"] >= parties:
        return False
    folder, _ = world(parties, seed)
    migrations.reset(db)
    load_directory(db, folder, LoadOptions(reject_dir=OUT / f"rejects-{folder.name}-{tag}"))
    db.read("meta/await_indexes")
    return True


def seeded_sample(db: Any, query: str, size: int, rng: random.Random) -> list[dict[str, Any]]:
    """``size`` rows of ``query`` (which returns every candidate in a fixed order), drawn by
    ``rng``: runs with the same seed on the same world ask about the same parties, which
    ``ORDER BY rand()`` in Cypher cannot promise."""
    rows = [dict(row) for row in db.read(query)]
    return rng.sample(rows, min(size, len(rows)))


def bench_registry() -> Any:
    """The shipped queries plus the benchmarks' own (``bench/cypher/``), for ``Database``."""
    from graph_service.queries import QueryRegistry, cypher_root

    return QueryRegistry(cypher_root(), CYPHER)


# --- the benchmark's embedded Neo4j --------------------------------------------------------


def neo4j_settings(
    home: Path = HOME, port: int = PORT, heap: str = "2g", pagecache: str = "1g"
) -> Any:
    """Settings for the benchmark's own embedded Neo4j (long query timeout for bulk work)."""
    from graph_service.settings import Settings

    return Settings(
        home=home,
        embedded_port=port,
        neo4j_uri="",
        query_timeout_s=600.0,
        embedded_heap=heap,
        embedded_pagecache=pagecache,
    )


def add_neo4j_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the shared benchmark Neo4j: memory, keeping it running, home and port."""
    parser.add_argument("--heap", default="2g", help="Java heap of the benchmark's Neo4j")
    parser.add_argument("--pagecache", default="1g", help="page cache of the benchmark's Neo4j")
    parser.add_argument("--keep-running", action="store_true", help="leave Neo4j running")
    parser.add_argument("--home", type=Path, default=HOME, help="the benchmark Neo4j's home")
    parser.add_argument("--neo4j-port", type=int, default=PORT, help="its Bolt port")


@contextmanager
def running_neo4j(settings: Any, keep_running: bool = False) -> Iterator[int | None]:
    """Starts the embedded Neo4j if needed; stops it on exit if started here (and not kept).

    Yields the Neo4j process id (None if unknown).
    """
    from graph_service import embedded

    started = not embedded.status(settings).running
    embedded.start(settings)
    try:
        yield embedded.status(settings).pid
    finally:
        if started and not keep_running:
            embedded.stop(settings)


def create_key(db: Any, role_name: str, script: str) -> tuple[str, str]:
    """A fresh API key of ``role_name`` for this run, made as ``credit-graph keys create`` does.

    Returns ``(key, key name)``; the name is ``bench-<script>-<random>``.
    """
    from graph_service.security.appender import AuditLog
    from graph_service.security.audit import Actor
    from graph_service.security.keys import create_key as create
    from graph_service.security.roles import Role

    name = f"bench-{Path(script).stem}-{uuid.uuid4().hex[:8]}"
    with AuditLog(db) as audit:
        key, _ = create(
            audit, Actor(f"bench/{Path(script).name}", "operator"), name, Role(role_name)
        )
    return key, name


# --- the served API ------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``credit-graph serve``: its base URL and process id."""

    url: str
    pid: int
    settings: dict[str, str] = field(default_factory=dict)


@contextmanager
def serving(
    home: Path, neo4j_port: int, workers: int = 1, source: Path = ROOT, **extra: str
) -> Iterator[Server]:
    """Serves the API on a free loopback port in a child process, until the block ends.

    The per-key rate limit is raised to :data:`BENCH_RATE_LIMIT` (the benchmarks measure
    latency and throughput, not the limiter); ``extra`` adds ``CREDIT_GRAPH_*`` settings;
    ``source`` is the tree whose code is served (another version: bench/graphql_pairs.py).
    """
    port = free_port()
    chosen = {
        "CREDIT_GRAPH_HOME": str(home),
        "CREDIT_GRAPH_EMBEDDED_PORT": str(neo4j_port),
        "CREDIT_GRAPH_PORT": str(port),
        "CREDIT_GRAPH_LOG_LEVEL": "WARNING",
        "CREDIT_GRAPH_RATE_LIMIT_PER_S": str(BENCH_RATE_LIMIT),
        "CREDIT_GRAPH_RATE_LIMIT_BURST": str(BENCH_RATE_LIMIT),
        # The start's read of every party (11-13 s of Neo4j's CPU at 100,000 parties) would
        # fall in the first measured seconds, and only in copies that have it (the reviewer's
        # R5): these benchmarks measure serving. Copies without the setting ignore it.
        "CREDIT_GRAPH_WARM_PAGES_ON_START": "false",
        # Nor a full run of the whole store because its state is from an earlier day: a
        # benchmark that needs today's state makes it before it serves (propagation/newday.py).
        "CREDIT_GRAPH_PROPAGATE_NEW_DAY": "false",
        **extra,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_GRAPH_")} | chosen
    # The served tree before the venv's own install of this one (and anything asked for).
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "serve", "--workers", str(workers)],
        cwd=source,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url)
        yield Server(url, process.pid, {k: v for k, v in chosen.items() if "RATE" in k})
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_ready(url: str, timeout_s: float = 60.0) -> None:
    """Waits until ``GET /readyz`` answers 200."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"error: the service at {url} did not become ready")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_driver(
    script: str, plan: dict[str, Any], options: Sequence[str], timeout_s: float
) -> dict[str, Any]:
    """Runs ``script --drive --plan FILE *options`` as the load generator; its JSON report."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(plan, file, ensure_ascii=False)
    command = [sys.executable, script, "--drive", "--plan", file.name, *options]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=timeout_s
        )
    finally:
        Path(file.name).unlink(missing_ok=True)
    if done.returncode != 0:
        raise SystemExit(
            f"error: load generator {plan.get('scenario')} failed: {done.stderr[-2000:]}"
        )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# --- measuring -----------------------------------------------------------------------------


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds of a process so far (0 when unknown: not Linux, no pid)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int | None) -> float:
    """Resident set size of a process in MiB (0 when unknown)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak RSS in MiB (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


class RssSampler:
    """Samples processes' RSS in a background thread, labelled with the current phase.

    ``with RssSampler({"server": pid}) as s: s.phase = "single"; ...`` then ``s.summary()``.
    """

    def __init__(self, pids: dict[str, int | None], interval_s: float = 0.5) -> None:
        self.pids, self.interval_s, self.phase = pids, interval_s, "start"
        self.samples: list[tuple[float, str, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def _sample(self) -> None:
        rss = {name: rss_mb(pid) for name, pid in self.pids.items()}
        self.samples.append((time.monotonic(), self.phase, rss))

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per process: RSS at start and end, maximum, and the maximum per phase (MiB)."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.pids:
            values = [(phase, rss[name]) for _, phase, rss in self.samples]
            phases: dict[str, float] = {}
            for phase, value in values:
                phases[phase] = max(phases.get(phase, 0.0), value)
            out[name] = {
                "start_mb": values[0][1] if values else None,
                "end_mb": values[-1][1] if values else None,
                "max_mb": max(v for _, v in values) if values else None,
                "growth_mb": round(values[-1][1] - values[0][1], 1) if values else None,
                "samples": len(values),
                "max_by_phase_mb": phases,
            }
        return out


def query_seconds(url: str) -> dict[str, tuple[float, float]]:
    """Per named Cypher query of the served API: (count, seconds) so far, from ``/metrics``.

    The audit log's group-commit transaction is named ``tx``.
    """
    import httpx

    totals: dict[str, list[float]] = {}
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        if not line.startswith("credit_graph_query_seconds_"):
            continue
        series, value = line.rsplit(" ", 1)
        kind, _, labels = series.removeprefix("credit_graph_query_seconds_").partition("{")
        if kind in ("count", "sum"):
            name = labels.split('query="', 1)[1].split('"', 1)[0]
            totals.setdefault(name, [0.0, 0.0])[kind == "sum"] = float(value)
    return {name: (count, seconds) for name, (count, seconds) in totals.items()}


def percentiles(latencies_ms: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99 and max of a list of latencies (nearest rank), rounded to 0.01 ms."""
    ordered = sorted(latencies_ms)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

    return {
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(ordered[-1], 2) if ordered else None,
    }
