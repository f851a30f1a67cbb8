"""``credit-graph snapshot build --from-parquet DIR``: a decision snapshot for a stateless check
replica from a Spark run's Parquet files (graph_service/check/snapshot_parquet.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graph_service.check.snapshot_build import snapshot_folder
from graph_service.check.snapshot_parquet import ParquetSource, build_from_parquet
from graph_service.cli.common import echo_json, settings
from graph_service.policy.catalog import catalog_in_force

app = typer.Typer(help="The decision snapshot today's checks read.", no_args_is_help=True)


@app.command("build")
def build(
    from_parquet: Annotated[
        Path,
        typer.Option(
            "--from-parquet",
            help="A Spark run's folder: export/ and measures/ in it (CREDIT_GRAPH_SPARK_DIR).",
        ),
    ],
    export_dir: Annotated[
        Path | None,
        typer.Option("--export", help="The export the run read, when not DIR/export (--input)."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Build the decision snapshot from Parquet, without Neo4j, into the snapshot folder
    (CREDIT_GRAPH_SNAPSHOT_DIR) where a replica with CREDIT_GRAPH_SNAPSHOT_SOURCE=file serves
    it. Refuses files made under another catalog version than the one in force."""
    config = settings()
    catalog = catalog_in_force(config)
    source = ParquetSource.of(from_parquet, export_dir)
    built = build_from_parquet(source, snapshot_folder(config), catalog)
    if json_output:
        echo_json(built.as_json())
        return
    typer.echo(
        f"built {built.path} from run {built.meta.run_id}: {built.meta.parties} parties,"
        f" {built.measures} measures, {built.bytes / 1e6:.1f} MB in {built.seconds:.1f} s"
    )
