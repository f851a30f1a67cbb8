"""Check benchmark against its floor (issue 14): the service and the same stack from a dict.

    .venv/bin/python bench/checks_floor.py [--parties 100000] [--seed 1] [--seconds 60]
                                           [--workers 2] [--connections 16] [--threads 2]
                                           [--snapshot-dir DIR]

With ``--snapshot-dir`` the service is a stateless replica (``CREDIT_GRAPH_SNAPSHOT_SOURCE=
file``) serving today's checks from the generation in DIR — the way to bench the 1,000,000-
party world, which is not loaded in Neo4j here (DIR from ``credit-graph snapshot build
--from-parquet`` of bench/propagate_spark.py's export); steps 1–2 below then only migrate.

1. starts the benchmark's embedded Neo4j (``.credit-graph/bench``, port 7695), loads the world
   if needed and runs a full propagation if none is recorded (as bench/checks.py does);
2. builds the decision snapshot from scratch into a scratch folder and reports its build time
   and size, then builds the one the service reads (``<home>/snapshot``) so it starts ready;
3. serves ``credit-graph serve --workers N`` (snapshot and local audit log on, the default)
   and the *floor*: FastAPI + uvicorn with the same worker count answering ``POST /v1/checks``
   from a dict (``create_floor``), both on loopback;
4. drives each with Debian's ``wrk`` (a separate, compiled load generator; ``--latency``),
   the same Lua script and bodies: single-party checks from ``--connections`` connections for
   ``--seconds`` after a 10 s warm-up, then 1,000-party checks from one connection;
5. samples the RSS of the service's processes (supervisor and workers) every 0.5 s, waits for
   the audit mirror to catch up, counts the ``check`` entries of the run's key against the
   checks answered and verifies the chain (Neo4j's and the local one);
6. prints JSON and a markdown table, and writes ``bench/out/checks-floor-<parties>-<seed>.json``.

Targets (issue 14): single-party throughput ≥ 50 % of the floor's, p99 ≤ 3 × the floor's;
1,000-party p99 ≤ 25 ms; 0 errors; RSS flat over the run; audit entries = answered checks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checks_plan import sample_ids, scenarios
from common import (
    OUT,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    free_port,
    neo4j_settings,
    running_neo4j,
    serving,
)
from fastapi import Request  # the floor handler's annotation, resolved in this module

BENCH = Path(__file__).resolve().parent


# --- the floor: the same stack answering from a dict ----------------------------------------
def create_floor() -> Any:
    """FastAPI answering ``POST /v1/checks`` from a dict of canned results (no auth, no
    evaluation, no audit, no signature): what the HTTP stack alone costs."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    known: dict[str, dict[str, Any]] = json.loads(Path(os.environ["FLOOR_ANSWERS"]).read_text())
    app = FastAPI()

    @app.post("/v1/checks")
    async def checks(request: Request) -> JSONResponse:  # Request at module level: FastAPI
        # resolves the annotation (a string here) in the module's globals.
        body = await request.json()
        results = [known.get(p) or {"party_id": p, "found": False} for p in body["parties"]]
        return JSONResponse({"check_id": str(uuid.uuid4()), "results": results})

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


@contextmanager
def floor_serving(parties: list[str], workers: int) -> Iterator[tuple[str, int]]:
    """The floor on a free port with ``workers`` processes; its URL and supervisor pid."""
    answers = {p: {"party_id": p, "found": True, "decision": "allow", "measures": []}
               for p in parties}  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(answers, file)
    port = free_port()
    code = (
        "import uvicorn; uvicorn.run('checks_floor:create_floor', factory=True,"
        f" host='127.0.0.1', port={port}, workers={workers}, log_level='warning',"
        f" access_log=False, app_dir={str(BENCH)!r})"
    )
    env = {**os.environ, "FLOOR_ANSWERS": file.name}
    process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=BENCH)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(f"{url}/healthz")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(30)
        Path(file.name).unlink(missing_ok=True)


def _wait_up(url: str, timeout_s: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit(f"error: {url} did not come up")


# --- wrk ------------------------------------------------------------------------------------
def lua_script(bodies: list[dict[str, Any]], key: str, folder: Path) -> Path:
    """A wrk script posting ``bodies`` in turn with the API key."""
    texts = ",\n".join(f"[==[{json.dumps(b, ensure_ascii=False)}]==]" for b in bodies)
    script = folder / f"checks-{uuid.uuid4().hex[:8]}.lua"
    script.write_text(
        f"local bodies = {{\n{texts}\n}}\nlocal i = 0\n"
        'wrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-API-Key"] = "{key}"\n'
        "request = function()\n  i = i + 1\n"
        '  return wrk.format("POST", "/v1/checks", nil, bodies[(i % #bodies) + 1])\nend\n',
        encoding="utf-8",
    )
    return script


def wrk(url: str, script: Path, threads: int, connections: int, seconds: float) -> dict[str, Any]:
    """One wrk run; its throughput, latency percentiles and errors."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
               "--timeout", "10s", "-s", str(script), url]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def parse_wrk(text: str) -> dict[str, Any]:
    """The figures of wrk's ``--latency`` report.

    >>> parse_wrk("  Latency Distribution\\n     50%    1.50ms\\n     99%   12.00ms\\n"
    ...           "  300 requests in 1.00s, 1.00MB read\\n  Non-2xx or 3xx responses: 2\\n"
    ...           "Requests/sec:    300.00\\n")["p99_ms"]
    12.0
    """
    figures: dict[str, Any] = {"requests": int(_find(r"(\d+) requests in", text) or 0)}
    for pct in ("50", "75", "90", "99"):
        figures[f"p{pct}_ms"] = _ms(_find(rf"^\s+{pct}%\s+(\S+)", text))
    figures["per_s"] = float(_find(r"Requests/sec:\s+(\S+)", text) or 0)
    figures["non_2xx"] = int(_find(r"Non-2xx or 3xx responses: (\d+)", text) or 0)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    figures["socket_errors"] = sum(int(n) for n in errors.groups()) if errors else 0
    return figures


def _find(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else None


def _ms(value: str | None) -> float | None:
    if value is None:
        return None
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return round(float(number) * units[unit], 3)


# --- memory and CPU of a process tree -------------------------------------------------------
def tree_pids(pid: int | None) -> list[int]:
    """``pid`` and its live descendants: the uvicorn supervisor, its workers and the audit
    mirror's process (or Neo4j alone).

    A process's children are listed per thread (``/proc/P/task/T/children``): the mirror's
    process is started by a thread of a worker, so reading the main thread's list alone (as
    sessions 4–6 did) left the mirror's CPU and memory out of the server's figures.
    """
    found, todo = [], [pid] if pid else []
    while todo:
        current = todo.pop()
        try:
            threads = list(Path(f"/proc/{current}/task").iterdir())
            children = [c for t in threads for c in (t / "children").read_text().split()]
        except OSError:
            continue
        found.append(current)
        todo += [int(c) for c in children]
    return found


def tree_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and its descendants in MiB (:func:`tree_pids`)."""
    total = 0
    for current in tree_pids(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
    return round(total / 1024, 1)


def tree_cpu_s(pid: int | None, only: str = "") -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants
    (:func:`tree_pids`); with ``only``, by those whose command line holds it."""
    total = 0.0
    for current in tree_pids(pid):
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{current}/cmdline").read_bytes() if only else b""
        except OSError:
            continue
        if only.encode() in command:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


#: What names the audit mirror's process on its command line.
MIRROR = "graph_service.security.audit_mirror"


class TreeRss:
    """Samples :func:`tree_rss_mb` every 0.5 s in the background."""

    def __init__(self, pid: int) -> None:
        self.pid, self.phase = pid, "start"
        self.samples: list[tuple[float, str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(0.5):
            at = round(time.monotonic() - started, 1)
            self.samples.append((at, self.phase, tree_rss_mb(self.pid)))

    def summary(self) -> dict[str, Any]:
        """First, last and highest sample (MiB) of each phase."""
        phases: dict[str, list[float]] = {}
        for _, phase, value in self.samples:
            phases.setdefault(phase, []).append(value)
        return {phase: {"first_mb": v[0], "last_mb": v[-1], "max_mb": max(v), "samples": len(v)}
                for phase, v in phases.items()}  # fmt: skip


# --- the run --------------------------------------------------------------------------------
def main() -> int:
    """Runs the benchmark (see the module docstring)."""
    args = _arguments()
    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    report: dict[str, Any] = {"parties": args.parties, "seed": args.seed,
                              "workers": args.workers, "date": date.today().isoformat(),
                              "load_before": os.getloadavg()}  # fmt: skip
    with running_neo4j(settings, args.keep_running) as neo4j_pid:
        ids, bodies, key, key_name = _prepare(settings, args, report)
        args.neo4j_pid = neo4j_pid
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            report["floor"], report["service"] = _measure(args, ids, bodies, key, folder)
        # Verifying both chains reads every entry (over a million on the bench store: minutes);
        # --skip-audit leaves it out of a quick before/after pair, and says so in the report.
        skipped = {"skipped": "--skip-audit"}
        report["audit"] = (
            skipped if args.skip_audit else _audit(settings, key_name, report["service"], args)
        )
    report["load_after"] = os.getloadavg()
    _write(report, args)
    return 0


def _arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    p.add_argument("--seed", type=int, default=1, help="seed of the world and of the sample")
    p.add_argument("--seconds", type=float, default=60.0, help="single: measured seconds")
    p.add_argument("--warmup-seconds", type=float, default=10.0, help="single: warm-up first")
    p.add_argument("--batch-seconds", type=float, default=20.0, help="1,000-party checks for")
    p.add_argument("--workers", type=int, default=2, help="worker processes of both servers")
    p.add_argument("--connections", type=int, default=16, help="single: wrk connections")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument(
        "--phases",
        default="warmup,single,batch",
        help="the phases to run, in this order (e.g. 'batch' alone: 1,000-party checks with no"
        " single-party backlog left in the audit mirror, whose catch-up would count as theirs)",
    )
    p.add_argument(
        "--snapshot-dir",
        type=Path,
        help="serve today's checks as a replica from this snapshot folder (its catalog"
        " version's generation, e.g. one `snapshot build --from-parquet` made of a 1,000,000-"
        "party Spark export), CREDIT_GRAPH_SNAPSHOT_SOURCE=file; parties are sampled from it"
        " and Neo4j keeps only keys and the mirrored audit log (--parties names the world)",
    )
    p.add_argument(
        "--skip-audit",
        action="store_true",
        help="do not count the run's entries or verify the chains afterwards (a quick pair)",
    )
    p.add_argument(
        "--skip-build",
        action="store_true",
        help="do not time a build of the snapshot from scratch (the service's own is still"
        " brought up to date first; a quick pair)",
    )
    add_neo4j_arguments(p)
    args = p.parse_args()
    # What bench/checks_plan.py expects of the issue-5 arguments.
    args.batch_size, args.asof_parties, args.asof_requests, args.batches = 1000, 20, 0, 1
    args.concurrency, args.context = args.connections, "government_procurement"
    return args


def _prepare(
    settings: Any, args: argparse.Namespace, report: dict[str, Any]
) -> tuple[dict[str, list[str]], dict[str, list[dict[str, Any]]], str, str]:
    """World, measures, sample, key; the snapshot's build time and size."""
    from checks import _ensure_measures

    from graph_service import migrations
    from graph_service.db import Database

    with Database(settings, bench_registry()) as db:
        migrations.migrate(db)
        if args.snapshot_dir is not None:  # a replica: the world is the snapshot's
            ids = _sample_snapshot(args)
            report["snapshot"] = {"source": "file", "folder": str(args.snapshot_dir)}
        else:
            report["loaded_world"] = ensure_world(db, args.parties, args.seed, "checks")
            report["propagation"] = _ensure_measures(db, False)
            ids = sample_ids(db, args)
        plans = scenarios(ids, args, date.today() - timedelta(365))
        key, key_name = create_key(db, "checker", __file__)
        if args.snapshot_dir is None:
            report["snapshot"] = _snapshot_build(db, settings, args.home, args.skip_build)
    bodies = {"single": plans["single"]["operations"], "batch": plans["batch"]["operations"]}
    return ids, bodies, key, key_name


def _sample_snapshot(args: argparse.Namespace) -> dict[str, list[str]]:
    """Party ids by category (as ``sample_ids`` draws them from Neo4j) from the generation
    in ``args.snapshot_dir``: 1,000 with measures, 1,000 companies and persons without,
    valid ids it does not hold, ids failing their check character."""
    import random
    import sqlite3

    from checks_plan import _broken, _sibling

    from graph_service.check.snapshot import current_path
    from graph_service.policy.catalog import catalog_in_force
    from graph_service.settings import Settings

    version = catalog_in_force(Settings()).version
    path = current_path(args.snapshot_dir / version)
    if path is None:
        raise SystemExit(f"error: no snapshot generation in {args.snapshot_dir / version}")
    rng = random.Random(args.seed)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT party_id, kind, measures != '[]' FROM parties").fetchall()
        measured = sorted(p for p, _, has in rows if has)
        plain = {k: sorted(p for p, kind, has in rows if kind == k and not has)
                 for k in ("company", "person")}  # fmt: skip
        ids = {"measured": rng.sample(measured, min(len(measured), 1000)),
               **{k: rng.sample(v, min(len(v), 1000)) for k, v in plain.items()}}  # fmt: skip
        known = ids["company"][:100] + ids["person"][:100]
        candidates = sorted({_sibling(p, rng) for p in known})
        marks = ",".join("?" * len(candidates))
        query = f"SELECT party_id FROM parties WHERE party_id IN ({marks})"  # noqa: S608
        held = {r[0] for r in conn.execute(query, candidates)}
    finally:
        conn.close()
    ids["unknown"] = [p for p in candidates if p not in held]
    ids["invalid"] = [_broken(p) for p in known]
    return ids


def _snapshot_build(db: Any, settings: Any, home: Path, skip: bool = False) -> dict[str, Any]:
    """Builds the snapshot from scratch (timed, measured; not when ``skip``), then the
    service's own."""
    from graph_service.check.snapshot import current_path
    from graph_service.check.snapshot_build import SnapshotKeeper, snapshot_folder
    from graph_service.policy.catalog import catalog_in_force

    catalog = catalog_in_force(settings)
    if skip:
        SnapshotKeeper(db, catalog, snapshot_folder(settings), 0.5).start(3600).stop()
        remade = _fragments_made(snapshot_folder(settings), catalog)
        return {"build_s": "skipped (--skip-build)", "fragments_remade_s": remade}
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        keeper = SnapshotKeeper(db, catalog, Path(scratch), 0.5).start(3600)
        seconds = time.perf_counter() - started
        keeper.stop()
        path = current_path(Path(scratch))
        size = path.stat().st_size if path else 0
    SnapshotKeeper(db, catalog, snapshot_folder(settings), 0.5).start(3600).stop()
    remade = _fragments_made(snapshot_folder(settings), catalog)
    return {"build_s": round(seconds, 1), "size_mb": round(size / 2**20, 1),
            "fragments_remade_s": remade}  # fmt: skip


def _fragments_made(folder: Path, catalog: Any) -> float:
    """Makes the day's fragments of the service's snapshot that are not made by this code yet;
    the seconds it took. The keeper returns once the snapshot is usable and remakes stale
    fragments 5,000 parties a poll in the background, so a run right after a change of the
    code that shapes them (its stamp, graph_service/check/fragments.py) measured that upkeep
    and the parties decided from their rows meanwhile, not the service's steady state."""
    from graph_service.check import snapshot

    started, path = time.perf_counter(), snapshot.current_path(folder)
    after: str | None = ""
    if path is None:
        return 0.0
    conn = snapshot.open_for_update(path)
    try:
        while after is not None:
            after = snapshot.refresh_fragments(conn, catalog, date.today(), after, 5000)
    finally:
        conn.close()
    return round(time.perf_counter() - started, 1)


def _measure(
    args: argparse.Namespace,
    ids: dict[str, list[str]],
    bodies: dict[str, list[dict[str, Any]]],
    key: str,
    folder: Path,
) -> tuple[dict[str, Any], dict[str, Any]]:
    single = lua_script(bodies["single"], key, folder)
    batch = lua_script(bodies["batch"], key, folder)
    parties = sorted({p for v in ids.values() for p in v})
    with floor_serving(parties, args.workers) as (url, pid):
        floor = _scenarios(args, url, single, batch, pid)
    extra = {"CREDIT_GRAPH_COMPLETE_PENDING_ON_START": "false",
             "CREDIT_GRAPH_NOTICE_DELIVERY": "false"}  # fmt: skip
    if args.snapshot_dir is not None:
        extra |= {"CREDIT_GRAPH_SNAPSHOT_SOURCE": "file",
                  "CREDIT_GRAPH_SNAPSHOT_DIR": str(args.snapshot_dir)}  # fmt: skip
    with serving(args.home, args.neo4j_port, workers=args.workers, **extra) as server:
        with TreeRss(server.pid) as rss:
            service = _scenarios(args, server.url, single, batch, server.pid, rss)
        service["rss"] = rss.summary()
        # The mirror copies with the CPU the workers leave: what catching up costs after the
        # load stops is part of what the checks cost.
        before = (tree_cpu_s(server.pid), tree_cpu_s(args.neo4j_pid), time.monotonic())
        service["readyz"] = _mirror_caught_up(server.url)
        service["catch_up"] = {
            "seconds": round(time.monotonic() - before[2], 1),
            "server_cpu_s": round(tree_cpu_s(server.pid) - before[0], 2),
            "neo4j_cpu_s": round(tree_cpu_s(args.neo4j_pid) - before[1], 2),
        }
    return floor, service


def _scenarios(
    args: argparse.Namespace,
    url: str,
    single: Path,
    batch: Path,
    pid: int,
    rss: TreeRss | None = None,
) -> dict[str, Any]:
    results = {}
    phases = [
        # The warm-up's checks are answered and audited too: counted, not reported as figures.
        ("warmup", single, args.threads, args.connections, args.warmup_seconds),
        ("single", single, args.threads, args.connections, args.seconds),
        ("batch", batch, 1, 1, args.batch_seconds),
    ]
    chosen = args.phases.split(",")
    for name, script, threads, connections, seconds in [p for p in phases if p[0] in chosen]:
        if rss is not None:
            rss.phase = name
        cpu = (tree_cpu_s(pid), tree_cpu_s(args.neo4j_pid), tree_cpu_s(pid, MIRROR))
        results[name] = figures = wrk(url, script, threads, connections, seconds)
        answered = max(1, figures["requests"])
        # CPU per answer: the server's process tree (workers and the mirror's process), the
        # mirror's process alone, and Neo4j (the mirror's writes).
        figures["server_cpu_ms"] = round(1e3 * (tree_cpu_s(pid) - cpu[0]) / answered, 3)
        figures["mirror_cpu_ms"] = round(1e3 * (tree_cpu_s(pid, MIRROR) - cpu[2]) / answered, 3)
        figures["neo4j_cpu_ms"] = round(1e3 * (tree_cpu_s(args.neo4j_pid) - cpu[1]) / answered, 3)
    return results


def _mirror_caught_up(url: str) -> dict[str, Any]:
    import httpx

    deadline = time.monotonic() + 300
    while True:
        body = httpx.get(f"{url}/readyz", timeout=10).json()
        if body.get("audit_mirror_lag_entries") == 0 or time.monotonic() > deadline:
            return dict(body)
        time.sleep(0.5)


def _audit(
    settings: Any, key_name: str, service: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """Entries of the run's key against checks answered; both chains verified."""
    from graph_service.db import Database
    from graph_service.security.audit_mirror import verify_local
    from graph_service.security.audit_read import stored_entries, verify

    with Database(settings) as db:
        entries = sum(1 for e, _ in stored_entries(db, since="")
                      if e.kind == "check" and e.actor.name == key_name)  # fmt: skip
        chain = verify(db)
        local = verify_local(db, args.home / "audit")
    answered = sum(s["requests"] - s["non_2xx"] for s in service.values() if "requests" in s)
    return {
        "entries": entries, "answered_counted_by_wrk": answered,
        "chain_ok": chain.ok, "chain_entries": chain.count,
        "local_ok": local is not None and not local.problems,
        "local_entries": local.entries if local else 0,
        "local_mirrored": local.mirrored if local else 0,
    }  # fmt: skip


def _write(report: dict[str, Any], args: argparse.Namespace) -> None:
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"checks-floor-{args.parties}-{args.seed}.json").write_text(text + "\n", "utf-8")
    print(_markdown(report))


def _markdown(report: dict[str, Any]) -> str:
    none = {"per_s": 0.0, "p99_ms": None}
    floor, service = report["floor"].get("single", none), report["service"].get("single", none)
    ratio = service["per_s"] / floor["per_s"] if floor["per_s"] else 0.0
    p99 = service["p99_ms"] / floor["p99_ms"] if floor["p99_ms"] else 0.0
    batch = report["service"].get("batch", none)
    lines = [
        "| server | checks | non-2xx | socket errors | p50 ms | p99 ms | per s"
        " | server CPU ms/check | of it the mirror's | Neo4j CPU ms/check |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("floor, single", floor), ("service, single", service),
                    ("floor, 1,000 parties", report["floor"].get("batch", none)),
                    ("service, 1,000 parties", batch)):  # fmt: skip
        if "requests" not in r:
            continue
        lines.append(f"| {name} | {r['requests']:,} | {r['non_2xx']} | {r['socket_errors']} |"
                     f" {r['p50_ms']} | {r['p99_ms']} | {r['per_s']:,.0f} |"
                     f" {r['server_cpu_ms']} | {r.get('mirror_cpu_ms', 0)} |"
                     f" {r['neo4j_cpu_ms']} |")  # fmt: skip
    lines += [
        "",
        f"throughput ratio {ratio:.1%} (target ≥ 50 %), p99 ratio {p99:.2f}× (target ≤ 3×),"
        f" 1,000-party p99 {batch['p99_ms']} ms (target ≤ 25 ms)",
        f"snapshot: {report['snapshot']}; RSS: {report['service']['rss']}",
        f"mirror catch-up after the load: {report['service']['catch_up']}",
        f"audit: {report['audit']}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
