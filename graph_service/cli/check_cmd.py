"""``credit-graph check``: the joint-sanction check from the command line.

It runs the same :class:`~graph_service.check.CheckService` as ``POST /v1/checks`` and
``sanctionCheck``: the same validation, a receipt, the stored check and its audit entry, under
the operator's name (an operator acts with the database's credentials, hence as an admin).
A check for today is decided from the host's decision snapshot, as the service decides it
(the answer names its ``run_id``; the snapshot is brought up to date first when no service
keeps it); one for another date from the graph's history.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

import typer

from graph_service.check import CheckService, parse_request
from graph_service.check.evaluate import evaluate
from graph_service.check.request import CONTEXTS
from graph_service.check.snapshot_build import SnapshotKeeper, start_keeper
from graph_service.cli.common import database, echo_json, settings
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.security.audit import Actor
from graph_service.security.roles import Caller, Role
from graph_service.security.state import Security
from graph_service.settings import Settings


def check(
    parties: Annotated[list[str], typer.Argument(help="USCCs or resident id numbers.")],
    context: Annotated[str, typer.Option(help="e.g. government_procurement, bidding.")],
    purpose: Annotated[str, typer.Option(help="Why you check (goes to the audit log).")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD; default today.")] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the JSON answer, receipt included.")
    ] = False,
) -> None:
    """Decide whether these parties may take part in a context; print one line per party."""
    if context not in CONTEXTS:  # the operator's own terminal, unlike an API answer: say which
        raise InvalidInput(f"unknown context {context!r}; known: {', '.join(CONTEXTS)}")
    request = parse_request(
        {"context": context, "parties": parties, "as_of": as_of, "purpose": purpose}
    )
    operator = Actor.operator()
    caller = Caller(name=operator.name, role=Role.ADMIN, key_id="operator")
    cfg = settings()
    with database() as db:
        security = Security(cfg, db)
        keeper = _keeper(cfg, db, request.as_of)
        try:
            evaluator = keeper.evaluator if keeper is not None else evaluate
            service = CheckService(db, security, evaluator)
            answer = asyncio.run(service.run(request, caller))
        finally:
            if keeper is not None:
                keeper.stop()
            security.close()
    if json_output:
        echo_json(answer)
        return
    for result in answer["results"]:
        typer.echo(_line(result))
    typer.echo(f"check {answer['check_id']}", err=True)


def _keeper(cfg: Settings, db: Database, as_of: date | None) -> SnapshotKeeper | None:
    """The host's decision snapshot, up to date, for a check for today (None for another
    date, or when checks read Neo4j: ``check_snapshot`` off). When a service of this host
    keeps the snapshot this only follows it; else it updates (or builds) it first, like a
    starting service, waiting up to ``snapshot_start_wait_s``."""
    if as_of not in (None, date.today()):
        return None
    return start_keeper(cfg, db)


def _line(result: dict[str, Any]) -> str:
    names = ", ".join(sorted({str(m["measure"]) for m in result["measures"]})) or "-"
    decision = result["decision"] or result["error"]
    line = f"{result['party_id']}\t{decision}\t{result['name'] or ''}\t{names}"
    # 异议处理中: measures resting on a record under an open objection (they still restrict)
    contested = sorted({str(m["objection_id"]) for m in result["measures"] if m.get("contested")})
    return f"{line}\tcontested: objection {', '.join(contested)}" if contested else line
