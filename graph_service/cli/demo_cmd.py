"""``credit-graph demo-data``: write a synthetic world of registry files (demos, benchmarks)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import echo_json


def demo_data(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the registry files (created if missing).")
    ],
    parties: Annotated[
        int, typer.Option("--parties", help="Companies plus persons (about 10 rows each).")
    ] = 10_000,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same files.")
    ] = 1,
    json_output: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Write every registry kind (companies … record_updates) of a synthetic world into OUT."""
    # Imported here: the generator's tables are only worth building when the command runs.
    from graph_service.synthetic.world import file_name, generate_world

    started = time.perf_counter()
    counts = generate_world(parties, seed, out)
    seconds = round(time.perf_counter() - started, 2)
    if json_output:
        echo_json(
            {
                "parties": parties,
                "seed": seed,
                "out": str(out),
                "rows": counts,
                "total": sum(counts.values()),
                "seconds": seconds,
            }
        )
        return
    width = max(len(file_name(kind)) for kind in counts)
    for kind, rows in counts.items():
        typer.echo(f"{file_name(kind):<{width}}  {rows:>10,}")
    typer.echo(f"{'total':<{width}}  {sum(counts.values()):>10,}  rows in {out} ({seconds} s)")
