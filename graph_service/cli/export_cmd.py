"""``credit-graph export DIR``: the propagation's input as Parquet (graph_service/export/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import database, echo_json, settings
from graph_service.export.parquet import export as export_parquet
from graph_service.policy.catalog import catalog_in_force


def register(app: typer.Typer) -> None:
    """Adds ``export`` to the top-level CLI."""
    app.command("export")(export)


def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write (created; its tables replaced).")],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the manifest as JSON.")
    ] = False,
) -> None:
    """Write the propagation's input (parties, records and their status updates, ownership,
    roles, branches, shared contacts) as Parquet, with a manifest naming the catalog version
    in force: the input of `propagate --engine spark --input DIR` and of data platforms."""
    version = catalog_in_force(settings()).version
    with database() as db:
        manifest = export_parquet(db, folder, version)
    if json_output:
        echo_json(manifest.as_json())
        return
    counts = ", ".join(f"{n} {name}" for name, n in manifest.counts.items())
    typer.echo(f"exported {counts} to {folder} (catalog {manifest.catalog_version})")
