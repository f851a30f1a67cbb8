"""``credit-graph import`` end to end on a generated world (issue 15, items 1 and 4).

Rows/s counts every row of the registry files from the command's start to its end: reading,
validation, the graph in memory, the CSV files, Neo4j's importer, the schema brought online,
the full propagation and the contradictions refresh, the stops and starts of Neo4j. The
import runs in a home and on a port of its own (an empty store each time). Peak RSS is the
CLI's own and, separately, the largest child's (the importer's JVM or the staged Neo4j,
each with its memory set explicitly: CREDIT_GRAPH_IMPORT_HEAP / _MAX_OFF_HEAP,
CREDIT_GRAPH_EMBEDDED_HEAP / _PAGECACHE).

    python bench/load_import.py --parties 100000      # ≈ 1M rows (about 10 rows a party)

:func:`import_figures` is what bench/load.py can call.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, ROOT, world

#: The target of issue 15 for `import`, end to end.
TARGET_ROWS_PER_S = 100_000


def import_figures(folder: Path, home: Path, port: int) -> dict[str, Any]:
    """Imports ``folder`` into a fresh embedded store at ``home``/``port``; the figures."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_GRAPH_")}
    env.update(CREDIT_GRAPH_HOME=str(home), CREDIT_GRAPH_EMBEDDED_PORT=str(port))
    cli = [sys.executable, "-m", "graph_service.cli"]
    subprocess.run([*cli, "neo4j", "stop"], env=env, cwd=ROOT, capture_output=True, check=False)
    shutil.rmtree(home, ignore_errors=True)  # an empty store: import refuses anything else
    rejects = OUT / "import-rejects"
    began = time.monotonic()
    done = subprocess.run(
        [*cli, "import", str(folder), "--json", "--reject-dir", str(rejects)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - began
    subprocess.run([*cli, "neo4j", "stop"], env=env, cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"error: import failed: {done.stderr.strip()[-2000:]}")
    report = json.loads(done.stdout)["import"]
    rows = int(report["rows"])
    return {
        "rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
        "target_rows_per_s": TARGET_ROWS_PER_S, "met": rows / seconds >= TARGET_ROWS_PER_S,
        "phases": report["phases"], "peak_rss_mib": report["peak_rss_mib"],
        "nodes": report["nodes"], "relationships": report["relationships"],
        "load_average": os.getloadavg(),
    }  # fmt: skip


def main() -> None:
    """Prints the figures of one import as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=7741)
    parser.add_argument("--home", type=Path, default=ROOT / ".credit-graph" / "bench-import")
    args = parser.parse_args()
    folder, _ = world(args.parties, args.seed)
    figures = import_figures(folder, args.home.resolve(), args.port)
    print(json.dumps({"parties": args.parties, **figures}, indent=2))


if __name__ == "__main__":
    main()
