"""``credit-graph propagate`` and ``credit-graph changes``: measures and their change log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import database, echo_json
from graph_service.errors import InvalidInput
from graph_service.propagation import runner, store

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    """Adds the propagation commands to the top-level CLI."""
    app.command("propagate")(propagate)
    app.command("changes")(changes)


def propagate(
    party: Annotated[
        list[str] | None,
        typer.Option("--party", help="Only what a change at this party affects (repeatable)."),
    ] = None,
    json_output: Json = False,
    engine: Annotated[
        str, typer.Option(help="networkx (in this process) or spark (graph_service/spark/).")
    ] = "networkx",
    master: Annotated[
        str | None, typer.Option(help="Spark master URL (default CREDIT_GRAPH_SPARK_MASTER).")
    ] = None,
    input_dir: Annotated[
        Path | None, typer.Option("--input", help="Spark: use this export, do not export.")
    ] = None,
) -> None:
    """Compute every party's active measures as of today and store the differences.

    Run it daily (records expire, stakes end). With --party, an incremental run recomputes
    only the parties a change there can affect. Either completes every load whose
    propagation is pending (killed, or loaded with --no-propagate). --engine spark runs the
    full run on Apache Spark (docs/scale.md) with the same answers.
    """
    if engine not in ("networkx", "spark") or (engine == "spark" and party):
        raise InvalidInput("--engine is networkx or spark; spark runs full runs only (no --party)")
    with database() as db:
        if engine == "spark":
            from graph_service.spark.run import run_spark

            result = run_spark(db, master, input_dir).result
        elif party:
            result = runner.run_incremental(db, party, loads=runner.pending_loads(db))
        else:
            result = runner.run_full(db)
    if json_output:
        echo_json(result.as_json())
        return
    typer.echo(
        f"{result.mode} run {result.run_id}: {result.parties} parties as of {result.as_of},"
        f" catalog {result.catalog_version}: +{result.gained} -{result.lost}"
        f" ~{result.changed} measures, {result.risk_changed} risk scores, {result.seconds:.2f}s"
    )
    if result.engine != "networkx":
        typer.echo(f"computed by {result.engine}")
    if result.loads:
        typer.echo(f"completed the propagation of {len(result.loads)} loads that were pending")


def changes(
    since: Annotated[
        str, typer.Option(help="ISO date or time (UTC), or a duration like 24h / 7d.")
    ] = "24h",
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    json_output: Json = False,
) -> None:
    """List measures gained, lost or changed since a time (oldest first), for alerting."""
    moment = parse_since(since)
    with database() as db:
        found = store.changes_since(db, moment, limit)
    if json_output:
        echo_json(found)
        return
    for c in found:
        typer.echo(
            f"{c['at']}  {c['change']:<7}  {c['party_id']}  {c['measure']}"
            f"  {c.get('rule') or 'direct'}  {c.get('record_key') or ''}"
            + (f"  ended_by={c['ended_by']}" if c.get("ended_by") else "")
        )
    typer.echo(f"{len(found)} changes since {moment.isoformat()}")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A UTC time from ``2026-11-26``, ``2026-11-26T08:00:00`` or ``24h`` / ``7d`` / ``30m``.

    >>> parse_since("2026-11-26").isoformat()
    '2026-11-26T00:00:00+00:00'
    >>> parse_since("2h", now=datetime(2026, 11, 26, 12, tzinfo=UTC)).isoformat()
    '2026-11-26T10:00:00+00:00'
    """
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[-1:] in units and text[:-1].isdigit():
        delta = timedelta(**{units[text[-1]]: int(text[:-1])})
        return (now or datetime.now(UTC)) - delta
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--since {text!r} is neither an ISO date/time nor like 24h") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
