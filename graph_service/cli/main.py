"""The ``credit-graph`` console script."""

from __future__ import annotations

import sys

import typer
import uvicorn

from graph_service import __version__, embedded, logs, migrations
from graph_service.cli import (
    audit_cmd,
    check_cmd,
    contradictions_cmd,
    db_cmd,
    demo_cmd,
    explain_cmd,
    export_cmd,
    import_cmd,
    keys_cmd,
    load_cmd,
    neo4j_cmd,
    notices_cmd,
    objections_cmd,
    propagate_cmd,
    receipt_cmd,
    repairs_cmd,
    report_cmd,
    snapshot_cmd,
)
from graph_service.cli.common import database, settings
from graph_service.cli.workbench_key import FILE_NAME as KEY_FILE
from graph_service.cli.workbench_key import demo_key, workbench_url
from graph_service.errors import CreditGraphError
from graph_service.policy.catalog import catalog_in_force

app = typer.Typer(
    help="credit-graph: credit relationships in Neo4j, joint punishment, sanction checks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(neo4j_cmd.app, name="neo4j")
app.add_typer(db_cmd.app, name="db")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(audit_cmd.app, name="audit")
app.add_typer(receipt_cmd.app, name="receipt")
app.add_typer(notices_cmd.app, name="notices")
app.add_typer(repairs_cmd.app, name="repairs")
app.add_typer(objections_cmd.app, name="objections")
app.add_typer(snapshot_cmd.app, name="snapshot")
load_cmd.register(app)
import_cmd.register(app)
contradictions_cmd.register(app)
propagate_cmd.register(app)
export_cmd.register(app)
app.command("check")(check_cmd.check)
app.command("report")(report_cmd.report)
app.command("explain")(explain_cmd.explain)
app.command("demo-data")(demo_cmd.demo_data)


@app.command()
def version() -> None:
    """Print the version of credit-graph."""
    typer.echo(__version__)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to bind [default: settings' host]."),
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port to listen on [default: settings' port]."
    ),
    workers: int = typer.Option(
        1, min=1, help="Worker processes; they share Neo4j and the audit chain's head lock."
    ),
) -> None:
    """Serve the HTTP API (REST, GraphQL, health, metrics) with uvicorn."""
    _serve(host=host, port=port, workers=workers)


@app.command()
def run() -> None:
    """Start the embedded Neo4j if needed, migrate, load the demo world if empty, then serve."""
    cfg = settings()
    catalog_in_force(cfg)  # a bad catalog is refused before Neo4j starts
    if cfg.uses_embedded:
        status = embedded.start(cfg)
        typer.echo(f"Neo4j running at {status.uri}")
    with database() as db:
        migrations.migrate(db)
        from graph_service.cli.demo_world import load_demo_if_empty

        loaded = load_demo_if_empty(db)
        key, created = demo_key(db, cfg.home)
    if loaded:
        typer.echo(f"demo world loaded: {loaded} rows")
    typer.echo(f"workbench: {workbench_url(cfg.host, cfg.port)}")
    saved = f"{'new, ' if created else ''}kept in {cfg.home / KEY_FILE}"
    typer.echo(f"investigator key ({saved}): {key}")
    _serve()


def _serve(host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """Runs uvicorn; options given on the command line win over the settings."""
    cfg = settings()
    catalog_in_force(cfg)  # one line on a bad catalog, before uvicorn's workers start
    logs.configure(cfg.log_level)
    uvicorn.run(
        "graph_service.cli.serve:create_worker_app",  # the app, then the gc tuned for serving
        factory=True,
        host=host or cfg.host,
        port=port or cfg.port,
        workers=workers,
        log_config=None,  # our JSON logging, not uvicorn's
    )


def main() -> None:
    """Entry point: runs the CLI; expected errors become one line on stderr and exit code 1."""
    logs.configure("WARNING")
    try:
        app()
    except CreditGraphError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
