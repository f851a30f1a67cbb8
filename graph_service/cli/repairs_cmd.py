"""``credit-graph repairs list|show|decide``: repair applications (信用修复) for operators.

Whoever runs these holds the database credentials, so acts as an administrator; every
decision is written to the audit log (actor: the operating-system user) before it is carried
out, and an approval runs the incremental propagation at once.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from graph_service.cli.common import database, echo_json
from graph_service.dueprocess import repairs
from graph_service.dueprocess.requests import ID_PATTERN, RepairDecision, parse
from graph_service.errors import InvalidInput
from graph_service.policy.catalog import catalog_in_force
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor

app = typer.Typer(help="Repair applications: list, show, decide.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")]


def valid_id(value: str, field: str) -> str:
    """``value`` if it is an id the service hands out, else InvalidInput naming ``field``."""
    if not re.fullmatch(ID_PATTERN, value):
        raise InvalidInput(f"{field}: not an id the service hands out (a UUID)")
    return value


@app.command("list")
def list_command(
    state: Annotated[
        str | None, typer.Option("--state", help="pending | approved | rejected (default all)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List applications, newest first."""
    if state is not None and state not in repairs.STATES:
        raise InvalidInput(f"--state: must be one of {', '.join(repairs.STATES)}")
    with database() as db:
        found = repairs.repairs(db, state)
    if as_json:
        echo_json(found)
        return
    for a in found:
        typer.echo(f"{a['repair_id']}\t{a['state']}\t{a['record_ref']}\t{a['filed_at']}")


@app.command()
def show(repair_id: Annotated[str, typer.Argument(help="The application's id.")]) -> None:
    """Print one application as JSON."""
    with database() as db:
        echo_json(repairs.repair(db, valid_id(repair_id, "repair_id")))


@app.command()
def decide(
    repair_id: Annotated[str, typer.Argument(help="The application's id.")],
    decision: Annotated[str, typer.Option("--decision", help="approved | rejected")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")],
) -> None:
    """Approve or reject a pending application; prints it as decided, as JSON."""
    body = parse(RepairDecision, {"decision": decision, "reason": reason})
    with database() as db, AuditLog(db) as audit:
        desk = repairs.Desk(db, audit, catalog_in_force(db.settings))
        echo_json(repairs.decide_repair(desk, valid_id(repair_id, "repair_id"), body,
                                        Actor.operator()))  # fmt: skip
