"""``credit-graph load … --what-if`` and ``load-dir … --what-if``: what files would change.

The loads run for real — same staging, validation, reject files and write path — inside one
Neo4j transaction that is rolled back (:meth:`graph_service.db.Database.rolled_back`), and
:mod:`graph_service.propagation.whatif` compares the measures inside it with those of the
committed graph. Nothing is written to the graph; reject files are written exactly where a
real load writes them (they are the operator's list of what to fix).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from graph_service import migrations
from graph_service.cli.common import database, echo_json
from graph_service.db import Database
from graph_service.propagation.whatif import WHAT_IF_TIMEOUT_S, WhatIf, what_if
from loaders.summary import Summary

#: What a what-if's summary says instead of ``done``: the rows were decided, not kept.
STATUS = "what_if"


def run(
    loads: Callable[[Database], list[Summary]],
    format_summary: Callable[[Summary], str],
    *,
    json_output: bool,
    single: bool,
) -> None:
    """Runs ``loads`` on a rolled-back view of the database and prints what they would change.

    Exits 1 when a file was refused or failed, as the real load does.
    """
    with database() as db:
        migrations.require_current(db)
        with db.rolled_back(WHAT_IF_TIMEOUT_S) as view:
            summaries = loads(view)
            load_ids = [s.load_id for s in summaries if s.load_id and (s.created or s.updated)]
            result = what_if(db, view, load_ids)
    for summary in summaries:
        _as_what_if(summary)
    if json_output:
        echo_json(_json(result, summaries, single=single))
    else:
        typer.echo("\n".join([*map(format_summary, summaries), *describe(result)]))
    if any(s.status in ("refused", "failed") for s in summaries):
        raise typer.Exit(1)


def _as_what_if(summary: Summary) -> None:
    """A summary of a rolled-back load: its load id names nothing that exists."""
    if summary.status == "done":
        summary.status = STATUS
    summary.load_id = None


def _json(result: WhatIf, summaries: list[Summary], *, single: bool) -> dict[str, Any]:
    data = result.as_json()
    if single:
        data["summary"] = summaries[0].as_json()
    else:
        data["summaries"] = [s.as_json() for s in summaries]
    data["written"] = False
    return data


def describe(result: WhatIf) -> list[str]:
    """The changes as lines an operator reads: ``+`` gained, ``-`` lost, ``~`` changed."""
    head = (
        f"what if (nothing written): measures as of {result.as_of.isoformat()},"
        f" {result.parties} parties compared: +{len(result.gains)} -{len(result.losses)}"
        f" ~{len(result.changed)}"
    )
    lines = [head]
    for sign, entries in (("+", result.gains), ("-", result.losses), ("~", result.changed)):
        lines += [f"  {sign} {_line(entry)}" for entry in entries]
    return lines


def _line(entry: dict[str, Any]) -> str:
    """One measure: party, measure, rule, record and the path that carries it."""
    record = entry["record"]
    rule = entry["rule"] or "direct"
    path = " → ".join(_hop(hop) for hop in entry["path"])
    until = f", until {entry['until']}" if entry["until"] else ""
    return (
        f"{entry['party_id']} {entry['measure']} ({rule}; record {record['record_key']};"
        f" path {path}{until})"
    )


def _hop(hop: dict[str, Any]) -> str:
    via = f"{hop['relation']} " if hop.get("relation") else ""
    return f"{via}{hop['party_id']}"
