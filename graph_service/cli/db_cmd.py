"""``credit-graph db migrate|reset|status``: the graph's schema and data."""

from __future__ import annotations

import typer

from graph_service import migrations
from graph_service.cli.common import database

app = typer.Typer(help="Schema migrations and data reset.", no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Apply pending schema migrations (idempotent) and record the version in the graph."""
    with database() as db:
        applied = migrations.migrate(db)
        version = migrations.current_version(db)
    if applied:
        typer.echo(f"applied migrations {applied}; schema at version {version}")
    else:
        typer.echo(f"schema already at version {version}; nothing to do")


@app.command()
def status() -> None:
    """Show the graph's schema version and the version this code expects."""
    with database() as db:
        current, expected = migrations.current_version(db), migrations.expected_version(db)
    typer.echo(f"schema version {current} (expected {expected})")
    if current != expected:
        raise typer.Exit(1)


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="Confirm: delete all data.")) -> None:
    """Delete every node and relationship; constraints, indexes and the schema version stay."""
    if not yes:
        typer.echo("error: this deletes all data in the graph; repeat with --yes", err=True)
        raise typer.Exit(2)
    with database() as db:
        migrations.reset(db)
    typer.echo("graph emptied (schema kept)")
