"""``credit-graph contradictions``: facts of different sources that contradict (§7).

Lists the stored contradictions (refreshed after every load that changed something), or
finds them anew with ``--refresh``. The loader mappings say which record property holds a
record subject's name (:func:`name_fields`): the command line is where ``graph_service``
may read ``loaders``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from graph_service import migrations
from graph_service.analysis.contradictions import KINDS
from graph_service.cli.common import database, echo_json
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.explore import contradictions
from graph_service.explore.contradictions import NameField
from loaders.mapping import all_mappings
from loaders.summary import Summary

#: At most this many are printed or returned at once (the GraphQL list pages through all).
LIMIT = 10_000


def register(app: typer.Typer) -> None:
    """Adds the command to the top-level CLI."""
    app.command("contradictions")(contradictions_command)


def contradictions_command(
    kind: Annotated[str | None, typer.Option(help=f"Only this kind: {', '.join(KINDS)}.")] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Find them anew first (loads do it themselves).")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print them as JSON.")] = False,
) -> None:
    """List contradictions between sources, each with the rows' file, row and load."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"--kind: unknown kind; one of {', '.join(KINDS)}")
    with database() as db:
        migrations.require_current(db)
        if refresh:
            contradictions.refresh(db, name_fields())
        total = contradictions.stored_count(db, kind)
        items = contradictions.stored_page(db, kind, 0, LIMIT)
    if json_output:
        echo_json({"total": total, "contradictions": items})
        return
    typer.echo(f"{total} contradictions" + (f" of kind {kind}" if kind else ""))
    for item in items:
        typer.echo(_line(item))


def _line(item: dict[str, Any]) -> str:
    rows = "; ".join(
        f"{p.get('file')}:{p.get('row')} (load {str(p.get('load_id'))[:8]})"
        for p in item["provenance"]
    )
    return f"  {item['kind']}: {item['summary']} [{rows}]"


def name_fields() -> list[NameField]:
    """For each record kind, the record property that holds its subject's name (mappings)."""
    found = []
    for mapping in all_mappings().values():
        record = mapping.record
        if record is None:
            continue
        for party in mapping.parties:
            if party.id == record.subject and party.name:
                found.append(NameField(record.kind, record.rename.get(party.name, party.name)))
    return found


def after_loads(db: Database, summaries: list[Summary]) -> None:
    """Refreshes the stored contradictions after loads that changed something, and puts
    their count into each summary (also read when nothing changed)."""
    if any(s.created or s.updated for s in summaries):
        count = contradictions.refresh(db, name_fields()).count
    else:
        count = contradictions.stored_count(db)
    for summary in summaries:
        if summary.status == "done":
            summary.contradictions = count
