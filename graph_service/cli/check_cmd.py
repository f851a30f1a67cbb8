"""``credit-graph check``: the joint-sanction check from the command line, audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from graph_service import checks
from graph_service.cli.common import database, echo_json
from graph_service.errors import InvalidInput
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.roles import Caller, Role


def check(
    parties: Annotated[list[str], typer.Argument(help="USCCs or resident id numbers.")],
    context: Annotated[str, typer.Option(help="e.g. government_procurement, bidding.")],
    purpose: Annotated[str, typer.Option(help="Why you check (goes to the audit log).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON answer.")] = False,
) -> None:
    """Decide whether these parties may take part in a context; print one line per party."""
    if context not in checks.CONTEXTS:
        raise InvalidInput(f"unknown context {context!r}; known: {', '.join(checks.CONTEXTS)}")
    day = _date(as_of)
    operator = Actor.operator()
    caller = Caller(name=operator.name, role=Role.ADMIN, key_id="operator")
    with database() as db, AuditLog(db) as audit:
        result = checks.evaluate(db, context, parties, day, caller)
        answer = {
            "context": context,
            "as_of": day.isoformat(),
            "catalog_version": result.catalog_version,
            "results": [r.as_json() for r in result.results],
        }
        payload = {"purpose": purpose, "via": "cli", "parties": list(parties), **answer}
        payload["results"] = [
            {"party_id": r.party_id, "decision": r.decision} for r in result.results
        ]
        audit.append_sync("check", operator, payload)
    if json_output:
        echo_json(answer)
        return
    for r in result.results:
        names = ", ".join(sorted({str(m["measure"]) for m in r.measures})) or "-"
        typer.echo(f"{r.party_id}\t{r.decision or r.error}\t{r.name or ''}\t{names}")


def _date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None
