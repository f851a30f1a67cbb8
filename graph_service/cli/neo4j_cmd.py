"""``credit-graph neo4j start|stop|status``: manage the embedded Neo4j."""

from __future__ import annotations

import typer

from graph_service import embedded
from graph_service.cli.common import echo_json, settings
from graph_service.db import Database
from graph_service.propagation import warmup
from graph_service.settings import Settings

app = typer.Typer(
    help="Manage the embedded Neo4j (development, tests, `run`).", no_args_is_help=True
)


@app.command()
def build() -> None:
    """Build the Java launcher with Maven (done automatically by `start` when needed)."""
    jar = embedded.ensure_built(settings())
    typer.echo(f"launcher ready: {jar}")


@app.command()
def start(
    warm: bool | None = typer.Option(
        None,
        "--warm/--no-warm",
        help="Plan the statements of a propagation after a load once Neo4j answers "
        "(default: the setting warm_plans_on_start).",
    ),
) -> None:
    """Build the launcher if needed, start Neo4j and wait until Bolt answers; then warm the
    propagation's plans, so that the first `load` after the start does not plan them."""
    config = settings()
    status = embedded.start(config)
    version = status.server.version if status.server else "?"
    typer.echo(
        f"Neo4j {version} running at {status.uri} (pid {status.pid}, data {status.data_dir})"
    )
    if config.warm_plans_on_start if warm is None else warm:
        _warm(config)


def _warm(config: Settings) -> None:
    # A CLI `load` runs its propagation in its own process right after the load: with a
    # Neo4j just started, that first run planned every statement (seconds at 100,000
    # parties, issue 15). The service warms at its own start; a CLI user has only this one.
    with Database(config) as db:
        warmed = warmup.warm(db)
    if warmed.error is None:
        typer.echo(f"propagation plans warmed ({warmed.statements} statements, {warmed.seconds} s)")
    else:
        typer.echo(f"propagation plans not warmed: {warmed.error}", err=True)


@app.command()
def stop() -> None:
    """Stop the embedded Neo4j cleanly."""
    stopped = embedded.stop(settings())
    typer.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@app.command()
def status(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Say whether the embedded Neo4j runs, where, and which version. Exit 1 if it does not."""
    st = embedded.status(settings())
    info = {
        "running": st.running,
        "pid": st.pid,
        "uri": st.uri,
        "data_dir": str(st.data_dir),
        "version": st.server.version if st.server else None,
        "edition": st.server.edition if st.server else None,
    }
    if json_output:
        echo_json(info)
    elif st.running:
        typer.echo(
            f"running: Neo4j {info['version']} {info['edition']} at {st.uri}"
            f" (pid {st.pid}, data {st.data_dir})"
        )
    else:
        typer.echo(f"not running (would listen at {st.uri}, data {st.data_dir})")
    if not st.running:
        raise typer.Exit(1)
