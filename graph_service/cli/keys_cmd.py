"""``credit-graph keys create|list|revoke``: API keys of the service's callers.

Whoever runs these holds the database credentials, so acts as an administrator; every
creation and revocation is written to the audit log (actor: the operating-system user).
"""

from __future__ import annotations

from typing import Annotated

import typer

from graph_service.cli.common import database, echo_json
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key, list_keys, revoke_key
from graph_service.security.roles import Role

app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


@app.command()
def create(
    role: Annotated[Role, typer.Option("--role", help="checker | investigator | loader | admin")],
    name: Annotated[str, typer.Option("--name", help="Unique name of the caller, e.g. a system.")],
) -> None:
    """Create a key and print it once; only its SHA-256 is stored."""
    with database() as db, AuditLog(db) as audit:
        key, record = create_key(audit, Actor.operator(), name, role)
    typer.echo(key)
    typer.echo(
        f"created key {record.name!r} (role {record.role.value}, id {record.key_id}); "
        "it is shown only this once: store it now",
        err=True,
    )


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List every key: name, role, id, created, revoked (never the key)."""
    with database() as db:
        records = list_keys(db)
    rows = [
        {
            "name": r.name,
            "role": r.role.value,
            "key_id": r.key_id,
            "created_at": r.created_at,
            "revoked_at": r.revoked_at,
        }
        for r in records
    ]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        typer.echo(f"{row['name']}\t{row['role']}\t{row['key_id']}\t{row['created_at']}\t{state}")


@app.command()
def revoke(name: Annotated[str, typer.Argument(help="Name of the key to revoke.")]) -> None:
    """Revoke a key; every service process refuses it within CREDIT_GRAPH_API_KEY_CACHE_S."""
    with database() as db, AuditLog(db) as audit:
        record = revoke_key(audit, Actor.operator(), name)
    typer.echo(f"key {record.name!r} (id {record.key_id}) revoked at {record.revoked_at}")
