"""``credit-graph objections list|decide``: objections (异议) for operators.

Whoever runs these holds the database credentials, so acts as an administrator; every
decision is written to the audit log (actor: the operating-system user) before it is carried
out, and an upheld objection runs the incremental propagation at once.
"""

from __future__ import annotations

from typing import Annotated

import typer

from graph_service.cli.common import database, echo_json
from graph_service.cli.repairs_cmd import AsJson, valid_id
from graph_service.dueprocess import objections
from graph_service.dueprocess.repairs import Desk
from graph_service.dueprocess.requests import parse_objection_decision
from graph_service.policy.catalog import catalog_in_force
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor

app = typer.Typer(help="Objections: list (open, overdue, closed), decide.", no_args_is_help=True)


@app.command("list")
def list_command(
    state: Annotated[
        str | None, typer.Option("--state", help="open | overdue | closed (default all)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List objections, the soonest due first."""
    with database() as db:
        found = objections.objections(db, state)
    if as_json:
        echo_json(found)
        return
    for o in found:
        due = f"due {o['due_on']}" + (" OVERDUE" if o["overdue"] else "")
        typer.echo(f"{o['objection_id']}\t{o['state']}\t{o['record_ref']}\t{due}")


@app.command()
def decide(
    objection_id: Annotated[str, typer.Argument(help="The objection's id.")],
    decision: Annotated[str, typer.Option("--decision", help="upheld | dismissed")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the decision).")],
    action: Annotated[
        str | None, typer.Option("--action", help="upheld: revoked | corrected")
    ] = None,
) -> None:
    """Uphold or dismiss an open objection; prints it as decided, as JSON."""
    fields = {"decision": decision, "action": action, "reason": reason}
    body = parse_objection_decision({k: v for k, v in fields.items() if v is not None})
    with database() as db, AuditLog(db) as audit:
        desk = Desk(db, audit, catalog_in_force(db.settings))
        found = objections.decide_objection(
            desk, valid_id(objection_id, "objection_id"), body, Actor.operator()
        )
        echo_json(found)
