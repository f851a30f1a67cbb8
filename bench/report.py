"""Credit-report benchmark (issue #13): how long a report takes to make and to render.

    .venv/bin/python bench/report.py [--records 5000] [--repeat 3] [--home H --neo4j-port P]

1. empties the benchmark's Neo4j (home ``.credit-graph/bench-report``, port 7699, started here
   unless running) and loads the test fixture registries plus one company with ``--records``
   dishonest-debtor records (tests/report/big_party.py), then runs a full propagation, so that
   every measure is stored as a daily run leaves it;
2. for the fixture company (石家庄华北建设工程有限公司) and for the big company, ``--repeat``
   times: makes the report (reads, assembles, signs: :func:`service.make_report`), renders
   HTML, and renders the PDF (WeasyPrint layout and writing), each timed;
3. runs ``credit-graph report --pdf`` once per party as a user would (a new process: imports,
   connection, audit entry and all);
4. prints a markdown table and writes JSON to ``bench/out/report-<records>.json``.

The issue's targets: a PDF in ≤ 2 s on the 100,000-party world (not measured here: the world's
parties have a handful of records each, like the fixture company), and ≤ 10 s for a party with
5,000 records. The machine's load average is reported before and after: on a shared machine it
changes the figures more than anything in the code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import common

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the big party's registry files are the tests' own

from graph_service import migrations  # noqa: E402
from graph_service.db import Database  # noqa: E402
from graph_service.propagation.runner import run_full  # noqa: E402
from graph_service.report import service  # noqa: E402
from graph_service.report.service import Format  # noqa: E402
from graph_service.security.signing import load_or_create  # noqa: E402
from loaders.engine import LoadOptions, load_directory  # noqa: E402
from tests.report.big_party import BIG_DEBTOR, write_registries  # noqa: E402

HOME = ROOT / ".credit-graph" / "bench-report"
PORT = 7699
FIXTURES = ROOT / "tests" / "fixtures" / "registries"
HUABEI = "91130102RG8E64XKKR"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    settings = common.neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    load_before = os.getloadavg()
    with common.running_neo4j(settings, args.keep_running), Database(settings) as db:
        _load(db, args.records)
        signer = load_or_create(Path(tempfile.mkdtemp()) / "bench-receipt.pem")
        parties = {"fixture company": HUABEI, f"{args.records}-record company": BIG_DEBTOR}
        rows = [_time_party(db, signer, name, pid, args.repeat) for name, pid in parties.items()]
        for row, pid in zip(rows, parties.values(), strict=True):
            row["cli_s"] = _time_cli(args, pid)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "records": args.records,
        "repeat": args.repeat,
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "parties": rows,
    }
    out = common.OUT / f"report-{args.records}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(_table(result))
    return 0


def _load(db: Database, records: int) -> None:
    """The fixture registries and the big company, propagated (not timed)."""
    migrations.migrate(db)
    migrations.reset(db)
    rejects = common.OUT / "rejects-report"
    load_directory(db, FIXTURES, LoadOptions(reject_dir=rejects))
    folder = write_registries(Path(tempfile.mkdtemp()) / "big", records)
    load_directory(db, folder, LoadOptions(reject_dir=rejects))
    run_full(db)


def _time_party(db: Database, signer: Any, name: str, party: str, repeat: int) -> dict[str, Any]:
    """Median seconds of making, rendering HTML and rendering the PDF of ``party``'s report."""
    made: list[float] = []
    html: list[float] = []
    pdf: list[float] = []
    pdf_cpu: list[float] = []
    pages = size = 0
    for _ in range(repeat):
        report, seconds, _ = _timed(service.make_report, db, signer, party, date.today(), False)
        made.append(seconds)
        html.append(_timed(service.render, report, Format.HTML)[1])
        body, seconds, cpu = _timed(service.render, report, Format.PDF)
        pdf.append(seconds)
        pdf_cpu.append(cpu)
        pages, size = _pages(body), len(body)
    records = sum(len(c["active"]) + len(c["inactive"]) for c in report.data["chapters"])
    return {
        "party": name,
        "party_id": party,
        "records": records,
        "measures": len(report.data["annex"]["measures"]["items"]),
        "pdf_pages": pages,
        "pdf_bytes": size,
        "make_s": round(statistics.median(made), 2),
        "html_s": round(statistics.median(html), 2),
        "pdf_s": round(statistics.median(pdf), 2),
        "pdf_cpu_s": round(statistics.median(pdf_cpu), 2),
        "make_plus_pdf_s": round(
            statistics.median(m + p for m, p in zip(made, pdf, strict=True)), 2
        ),
    }


def _pages(pdf: bytes) -> int:
    """Pages of a PDF, as poppler's ``pdfinfo`` counts them (0 without poppler-utils)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        try:
            info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True)
        except FileNotFoundError:
            return 0
    found = [line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:")]
    return int(found[0]) if found else 0


def _timed(work: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """``work(*args)``, its wall seconds and this process's CPU seconds (the CPU figure
    is what a shared machine's other load changes least)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = work(*args)
    return value, time.perf_counter() - started, time.process_time() - cpu


def _time_cli(args: argparse.Namespace, party: str) -> float:
    """Wall seconds of ``credit-graph report PARTY --pdf FILE`` in a new process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_GRAPH_")}
    env.update(CREDIT_GRAPH_HOME=str(args.home), CREDIT_GRAPH_EMBEDDED_PORT=str(args.neo4j_port))
    target = Path(tempfile.mkdtemp()) / "report.pdf"
    command = [sys.executable, "-m", "graph_service.cli", "report", party, "--pdf", str(target)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: credit-graph report failed: {done.stderr.strip()}")
    return round(time.perf_counter() - started, 2)


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['date']}, load average {result['load_average_before']} → "
        f"{result['load_average_after']}, medians of {result['repeat']}",
        "",
        "| party | records | measures | pages | make s | HTML s | PDF s | PDF CPU s | make + PDF s"
        " | CLI s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["parties"]:
        lines.append(
            f"| {row['party']} | {row['records']:,} | {row['measures']:,} | {row['pdf_pages']} "
            f"| {row['make_s']} | {row['html_s']} | {row['pdf_s']} | {row['pdf_cpu_s']} "
            f"| {row['make_plus_pdf_s']} "
            f"| {row['cli_s']} |"
        )
    return "\n".join(lines)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="records of the big company")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per party (median)")
    common.add_neo4j_arguments(parser)
    parser.set_defaults(home=HOME, neo4j_port=PORT)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
