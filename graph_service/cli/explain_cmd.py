"""``credit-graph explain``: why a party gets no stronger decision in a context (due process §5).

The same answer as ``GET /v1/parties/{party_id}/why-not`` and GraphQL ``Party.whyNot``
(:mod:`graph_service.explore.why_not_answer`), with the same validation, audited as
``why_not`` under the operator's name (an operator acts with the database's credentials).
"""

from __future__ import annotations

from typing import Annotated

import typer

from graph_service.analysis.ended_facts import as_json
from graph_service.cli.common import database, echo_json, settings
from graph_service.explore import why_not_answer as asked
from graph_service.policy.catalog import catalog_in_force
from graph_service.security.audit import Actor
from graph_service.security.state import Security


def explain(
    party_id: Annotated[str, typer.Argument(help="USCC or resident id number.")],
    context: Annotated[str, typer.Option(help="A context of the catalog, e.g. bidding.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD, not after today; default today.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON answer.")] = False,
) -> None:
    """Say why a party is not restricted more in a context: the nearest facts that would
    have restricted it and do not (records ended, stakes, roles, branch links, look-back)."""
    cfg = settings()
    catalog = catalog_in_force(cfg)
    party = asked.party_id_of(party_id)
    chosen = asked.context_of(context, catalog)
    day = asked.as_of_of(as_of)
    with database() as db:
        found = asked.answer(db, party, chosen, day, catalog)
        security = Security(cfg, db)
        try:
            security.audit.append_sync("why_not", Actor.operator(), asked.audit_payload(found))
        finally:
            security.close()
    if json_output:
        echo_json(as_json(found))
        return
    typer.echo(f"{found.party_id}\t{found.context}\t{found.as_of}\t{found.decision}")
    for fact in found.facts:
        typer.echo(f"- {fact.kind}: {fact.explanation}")
    if not found.facts:
        typer.echo("no fact within two hops would have restricted it more")
