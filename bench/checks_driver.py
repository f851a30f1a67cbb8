"""The check benchmark's load generator: ``bench/checks.py --drive --plan FILE``.

Runs in its own process. Each of ``concurrency`` threads keeps one HTTP/1.1 keep-alive
connection (stdlib ``http.client``: a few tens of microseconds of client CPU per request,
several times less than httpx) and sends the plan's request bodies, pre-encoded, in turn:
first an unmeasured warm-up (``warmup_seconds`` and/or ``warmup_requests``), then the
measured phase, bounded by ``requests`` (0: no bound) and by ``seconds``.

Over the measured phase it reads the CPU seconds of itself, of the server and of Neo4j, so
the report says who was saturated (100% = one core; the machine has two). Every answer is
checked: status 200 and one result per party sent; answered checks are counted, warm-up
included, so the orchestrator can match them with the audit log.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from common import API_KEY_HEADER, cpu_seconds, percentiles

PATH = "/v1/checks"


@dataclass
class Tally:
    """What one thread saw in one phase."""

    latencies_ms: list[float] = field(default_factory=list)
    per_party_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    bad_answers: int = 0
    answered: int = 0
    answered_parties: int = 0
    errors: set[str] = field(default_factory=set)

    def merge(self, other: Tally) -> None:
        """Adds another thread's tally to this one."""
        self.latencies_ms += other.latencies_ms
        self.per_party_ms += other.per_party_ms
        self.statuses += other.statuses
        self.decisions += other.decisions
        self.bad_answers += other.bad_answers
        self.answered += other.answered
        self.answered_parties += other.answered_parties
        self.errors |= other.errors


class Client:
    """One keep-alive connection; reconnects after a transport error."""

    def __init__(self, url: str, key: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers = {API_KEY_HEADER: key, "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def post(self, body: bytes) -> tuple[int, bytes]:
        """Status and body of one POST /v1/checks (status 0: transport error, body says it)."""
        try:
            self.conn.request("POST", PATH, body, self.headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return 0, f"{type(exc).__name__}: {exc}".encode()


def drive(plan_path: Path) -> dict[str, Any]:
    """Runs the plan's warm-up and measured phase; the report as a JSON-able dict."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    ops = plan["operations"]
    bodies = [(json.dumps(op, ensure_ascii=False).encode(), len(op["parties"])) for op in ops]
    clients = [Client(plan["url"], plan["key"]) for _ in range(plan["concurrency"])]
    warm = Tally()
    if plan["warmup_seconds"] or plan["warmup_requests"]:
        warm = _phase(clients, bodies, plan["warmup_requests"], plan["warmup_seconds"], 0)
    pids = {"server": plan["pids"]["server"], "neo4j": plan["pids"]["neo4j"]}
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    client_before, started = time.process_time(), time.perf_counter()
    tally = _phase(clients, bodies, plan["requests"], plan["seconds"], len(warm.latencies_ms))
    elapsed = time.perf_counter() - started
    cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
    cpu["client"] = time.process_time() - client_before
    return _summary(plan, tally, warm, elapsed, cpu, bodies)


def _phase(
    clients: list[Client], bodies: list[tuple[bytes, int]], requests: int, seconds: float, at: int
) -> Tally:
    """Sends bodies from index ``at`` on, from every client at once, until either bound."""
    counter = itertools.count()
    limit = requests or float("inf")
    deadline = time.perf_counter() + seconds if seconds else float("inf")
    if not seconds and not requests:
        return Tally()
    tallies = [Tally() for _ in clients]

    def worker(client: Client, tally: Tally) -> None:
        for n in counter:
            if n >= limit or time.perf_counter() > deadline:
                return
            body, parties = bodies[(at + n) % len(bodies)]
            _one(client, body, parties, tally)

    threads = [
        threading.Thread(target=worker, args=pair) for pair in zip(clients, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def _one(client: Client, body: bytes, parties: int, tally: Tally) -> None:
    started = time.perf_counter()
    status, answer = client.post(body)
    took = (time.perf_counter() - started) * 1000
    tally.latencies_ms.append(took)
    tally.per_party_ms.append(took / parties)
    tally.statuses[status] += 1
    if status != 200:
        tally.errors.add(f"{status}: {answer[:200].decode(errors='replace')}")
        return
    results = json.loads(answer).get("results") or []
    tally.answered += 1
    tally.answered_parties += parties
    if len(results) != parties:
        tally.bad_answers += 1
    tally.decisions.update(str(r.get("decision") or r.get("error")) for r in results)


def _summary(
    plan: dict[str, Any],
    tally: Tally,
    warm: Tally,
    elapsed: float,
    cpu: dict[str, float],
    bodies: list[tuple[bytes, int]],
) -> dict[str, Any]:
    per_party = percentiles(tally.per_party_ms)
    sizes = sorted({parties for _, parties in bodies})
    return {
        "scenario": plan["scenario"],
        "parties_per_check": sizes[0] if len(sizes) == 1 else sizes,
        "concurrency": plan["concurrency"],
        "requests": len(tally.latencies_ms),
        "warmup_requests": len(warm.latencies_ms),
        "measured_s": round(elapsed, 2),
        "checks_per_s": round(len(tally.latencies_ms) / elapsed, 1) if elapsed else None,
        "parties_per_s": round(tally.answered_parties / elapsed) if elapsed else None,
        **percentiles(tally.latencies_ms),
        "p50_ms_per_party": per_party["p50_ms"],
        "p99_ms_per_party": per_party["p99_ms"],
        "non_200": sum(n for status, n in tally.statuses.items() if status != 200)
        + sum(n for status, n in warm.statuses.items() if status != 200),
        "statuses": {str(k): v for k, v in (tally.statuses + warm.statuses).items()},
        "bad_answers": tally.bad_answers + warm.bad_answers,
        "first_errors": sorted(tally.errors | warm.errors)[:5],
        "decisions": dict(tally.decisions.most_common()),
        "answered_total": tally.answered + warm.answered,
        "answered_parties_total": tally.answered_parties + warm.answered_parties,
        "cpu_percent": {k: round(v / elapsed * 100) if elapsed else None for k, v in cpu.items()},
    }
