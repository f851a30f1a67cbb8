"""A 1,000-party check's pieces in-process, timed in CPU, and its bytes hashed (issue 14).

    PYTHONPATH=<tree> .venv/bin/python bench/checks_pieces.py [--snapshot-folder DIR]
                                       [--seed 1] [--rounds 5] [--profile N]

Run from a tree (``git archive`` copy) with ``PYTHONPATH`` that tree, once per version: the
same sample and the same fixed keys give the same bytes, so the hashes printed tell whether a
change altered an answer, a stored row, an audit payload or a local log row, and the times
what it saved (the best of ``--rounds`` passes over the 20 bodies, CPU seconds of this
thread; alternate the versions and run each at least twice).

1. copies the current generation of ``--snapshot-folder`` (default: the benchmark's,
   ``.credit-graph/bench/snapshot/<catalog version>``) into a scratch folder with SQLite's
   backup (the service's keeper may be writing the original) and makes the day's fragments
   of that copy with the tree's code (a tree whose fragment code differs remakes them all,
   as the service's keeper would);
2. samples the parties and the twenty 1,000-party bodies as ``bench/checks_floor.py
   --snapshot-dir`` does (same seed: same bodies);
3. times, per body: the body's validation (``CheckRequest.model_validate_json``), the
   snapshot's read (``read_stored``), the joined results (``answer_text``), the whole text
   path of the service (``CheckService._answered_text``: join, sign, the stored row and its
   digest, the audit payload) and what the local log's writer does with the entry
   (``chained_rows``: the payload's canonical JSON, its hash, the row's JSON);
4. prints JSON: the times (ms) and the SHA-256 of the concatenated answers, stored rows,
   payloads and log rows, for a checker (masked) and an investigator (unmasked). With
   ``--profile N``, also cProfile's N largest cumulative entries of the text path.

The check id, the clock (``created_at``, the entry's ``at``) and the receipt key are fixed for
the hashes; nothing here touches Neo4j or a running service.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pstats
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from checks_floor import _sample_snapshot
from checks_plan import scenarios
from common import HOME

CHECK_ID = "00000000-0000-4000-8000-000000000000"
AT = "2026-12-08T00:00:00.000000Z"


def main(argv: list[str] | None = None) -> int:
    """Runs the pieces (see the module docstring)."""
    args = _arguments(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / args.version
        remade = _copy(args.snapshot_folder / args.version, folder)
        args.snapshot_dir = Path(scratch)
        bodies = _bodies(args)
        report = {"tree": sys.modules["graph_service"].__file__, "fragments_remade_s": remade,
                  **_measure(folder, bodies, args)}  # fmt: skip
    print(json.dumps(report, indent=2))
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    from graph_service.policy.catalog import catalog_in_force
    from graph_service.settings import Settings

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--snapshot-folder", type=Path, default=HOME / "snapshot")
    p.add_argument("--seed", type=int, default=1, help="seed of the sample (as the benchmark)")
    p.add_argument("--rounds", type=int, default=5, help="passes over the bodies; the best")
    p.add_argument("--profile", type=int, default=0, help="cProfile's N largest entries")
    args = p.parse_args(argv)
    args.version = catalog_in_force(Settings()).version
    # What bench/checks_plan.py expects (as bench/checks_floor.py sets them).
    args.batch_size, args.asof_parties, args.asof_requests, args.batches = 1000, 20, 0, 1
    args.concurrency, args.context = 16, "government_procurement"
    args.seconds, args.warmup_seconds = 1, 0
    return args


def _copy(source: Path, folder: Path) -> float:
    """The current generation of ``source`` copied into ``folder``; its day's fragments made
    by this tree's code (the seconds that took)."""
    from graph_service.check import snapshot
    from graph_service.policy.catalog import catalog_in_force
    from graph_service.settings import Settings

    path = snapshot.current_path(source)
    if path is None:
        raise SystemExit(f"error: no snapshot generation in {source}")
    folder.mkdir(parents=True)
    original = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(folder / path.name)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()
    (folder / snapshot.CURRENT).write_text(path.name, encoding="utf-8")
    started, after = time.perf_counter(), ""
    conn = snapshot.open_for_update(folder / path.name)
    try:
        while after is not None:
            after = snapshot.refresh_fragments(
                conn, catalog_in_force(Settings()), date.today(), after, 5000
            )
    finally:
        conn.close()
    return round(time.perf_counter() - started, 1)


def _bodies(args: argparse.Namespace) -> list[bytes]:
    """The benchmark's twenty 1,000-party bodies (JSON, as wrk sends them)."""
    ids = _sample_snapshot(args)
    plans = scenarios(ids, args, date.today() - timedelta(365))
    return [json.dumps(b, ensure_ascii=False).encode() for b in plans["batch"]["operations"]]


def _measure(folder: Path, bodies: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """The pieces' times and the bytes' hashes (see the module docstring)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from graph_service.check import CheckRequest, service
    from graph_service.check.snapshot import SnapshotReader
    from graph_service.check.snapshot_eval import SnapshotEvaluator
    from graph_service.security.audit import Actor, Event
    from graph_service.security.local_audit import _Pending, chained_rows
    from graph_service.security.roles import Caller, Role
    from graph_service.security.signing import ReceiptSigner
    from graph_service.settings import Settings

    service.now_stamp = lambda: AT  # type: ignore[attr-defined] # fixed for the hashes
    reader = SnapshotReader(folder)
    reader.reopen()
    evaluator = SnapshotEvaluator(reader)
    db = SimpleNamespace(settings=Settings())
    signer = ReceiptSigner(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    checks = service.CheckService(db, SimpleNamespace(signer=signer), evaluator)  # type: ignore[arg-type]
    requests = [CheckRequest.model_validate_json(b) for b in bodies]
    today = date.today()
    callers = {"checker": Caller("bench", Role.CHECKER, "k1"),
               "investigator": Caller("bench-inv", Role.INVESTIGATOR, "k2")}  # fmt: skip

    def answered(request: Any, caller: Caller) -> Any:
        return checks._answered_text(request, today, caller, CHECK_ID, evaluator.answer_text)

    def written(made: Any, caller: Caller) -> list[tuple[Any, ...]]:
        _answer, payload, stored, _text = made
        event = Event("check", Actor.of(caller), payload, AT)
        pending = _Pending(event, service.Attachment("audit/create_checks", stored))
        return chained_rows(0, "0" * 64, [pending])[1]

    checker = callers["checker"]
    made = [answered(r, checker) for r in requests]
    pieces: dict[str, Callable[[], object]] = {
        "validate_body": lambda: [CheckRequest.model_validate_json(b) for b in bodies],
        "read_stored": lambda: [
            reader.read_stored(sorted(set(r.parties)), lambda read: len(read.fragments))
            for r in requests
        ],
        "answer_text": lambda: [
            evaluator.answer_text(db, r.context, r.parties, today, True)  # type: ignore[arg-type]
            for r in requests
        ],
        "answered_text": lambda: [answered(r, checker) for r in requests],
        "log_rows": lambda: [written(m, checker) for m in made],
    }
    times = {name: _best(args.rounds, work) / len(bodies) for name, work in pieces.items()}
    report: dict[str, Any] = {"ms_per_check": {k: round(v, 3) for k, v in times.items()}}
    for name, caller in callers.items():
        digests = {part: hashlib.sha256() for part in ("answers", "stored", "payloads", "log_rows")}
        for request in requests:
            one = answered(request, caller)
            digests["answers"].update(one[3])
            digests["stored"].update(json.dumps(one[2], sort_keys=True).encode())
            digests["payloads"].update(json.dumps(one[1], sort_keys=True).encode())
            digests["log_rows"].update(json.dumps(written(one, caller)).encode())
        report[f"sha256_{name}"] = {k: v.hexdigest()[:16] for k, v in digests.items()}
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [answered(r, checker) for r in requests * 3])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    return report


def _best(rounds: int, work: Callable[[], object]) -> float:
    """The least CPU time (ms, this thread) of ``rounds`` runs of ``work``."""
    work()  # warm: caches, the connection
    spent = []
    for _ in range(rounds):
        started = time.thread_time()
        work()
        spent.append(time.thread_time() - started)
    return 1e3 * min(spent)


if __name__ == "__main__":
    sys.exit(main())
