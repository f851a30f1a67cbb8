"""``credit-graph notices``: stop-sharing notices and their webhook deliveries, for operators
(docs/due-process.md).

``credit-graph notices`` counts pending and undelivered deliveries; ``--undelivered`` lists the
deliveries given up after the retry horizon (each with its notice, key, URL, attempts and last
error), ``list --state …`` any state, and ``make`` turns the losses not yet noticed into
notices at once (the end of every propagation run does it too).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from graph_service.cli.common import database, echo_json
from graph_service.dueprocess.notices import make_notices

app = typer.Typer(
    help="Stop-sharing notices: delivery counts, undelivered and other deliveries, make now.",
    invoke_without_command=True,
)


class State(StrEnum):
    """A delivery's state."""

    PENDING = "pending"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    CANCELLED = "cancelled"


@app.callback()
def notices(
    ctx: typer.Context,
    undelivered: Annotated[
        bool, typer.Option("--undelivered", help="List the deliveries given up (undelivered).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count pending and undelivered webhook deliveries (or list the undelivered ones)."""
    if ctx.invoked_subcommand is not None:
        return
    if undelivered:
        _show(State.UNDELIVERED, 1000, as_json)
        return
    with database() as db:
        counts = {r["state"]: r["deliveries"] for r in db.read("notices/delivery_counts")}
    if as_json:
        echo_json(counts)
        return
    typer.echo(f"pending\t{counts.get('pending', 0)}\nundelivered\t{counts.get('undelivered', 0)}")


@app.command("list")
def list_command(
    state: Annotated[State | None, typer.Option("--state", help="Only this state.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List deliveries, newest first: state, attempts, last status or error, key, URL, notice."""
    _show(state, limit, as_json)


@app.command()
def make() -> None:
    """Make the notices of losses not yet noticed now (normally done after every run)."""
    with database() as db:
        made = make_notices(db)
    typer.echo(
        f"losses read {made.losses}, notices made {made.notices}, deliveries {made.deliveries}"
    )


def _show(state: State | None, limit: int, as_json: bool) -> None:
    with database() as db:
        rows = db.read("notices/deliveries", state=state.value if state else None, limit=limit)
    found = [_view(row) for row in rows]
    if as_json:
        echo_json(found)
        return
    for d in found:
        typer.echo(
            f"{d['state']}\t{d['attempts']}\t{d['last_status'] or d['last_error'] or '-'}\t"
            f"{d['key_name']}\t{d['url']}\t{d['notice_id']}\t{d['party_id']}\t{d['measure']}\t"
            f"{d['reason']}"
        )
    if not found:
        typer.echo("no deliveries" + (f" {state.value}" if state else ""), err=True)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    """One delivery as operators see it."""
    delivery, notice = row["delivery"], row["notice"]
    keep = ("delivery_id", "state", "attempts", "last_status", "last_error")
    return {
        **{k: delivery.get(k) for k in keep},
        "created_at": str(delivery.get("created_at")),
        "next_attempt_at": str(delivery.get("next_attempt_at") or "") or None,
        "key_name": row["key_name"],
        "url": row["url"],
        **{k: notice.get(k) for k in ("notice_id", "party_id", "measure", "reason")},
    }
