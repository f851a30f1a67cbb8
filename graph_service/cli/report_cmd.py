"""``credit-graph report``: a party's credit report (信用报告) written to a file.

It makes the same report as ``GET /v1/reports/{party_id}`` (graph_service/report/service.py),
signed with this installation's receipt key and audited under the operator's name (an
operator acts with the database's credentials, hence as an admin: personal data whole unless
``--masked``).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from graph_service.cli.common import database, settings
from graph_service.errors import InvalidInput
from graph_service.report import service
from graph_service.report.service import Format
from graph_service.security.audit import Actor
from graph_service.security.state import Security


def report(
    party_id: Annotated[str, typer.Argument(help="USCC or resident id number.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD, not after today; default today.")
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF report here.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the data and verification block here.")
    ] = None,
    masked: Annotated[
        bool, typer.Option("--masked", help="Mask persons as for the checker role.")
    ] = False,
) -> None:
    """Write a party's credit report as PDF, HTML and/or JSON (at least one of them)."""
    targets = {
        f: path
        for f, path in ((Format.PDF, pdf), (Format.HTML, html), (Format.JSON, json_file))
        if path
    }
    if not targets:
        raise InvalidInput("say where to write the report: --pdf FILE, --html FILE or --json FILE")
    party = service.party_id_of(party_id)
    day = service.as_of_of(_date(as_of))
    with database() as db:
        security = Security(settings(), db)
        try:
            made = service.make_report(db, security.signer, party, day, masked)
            for fmt in targets:
                payload = service.audit_payload(made, party, fmt)
                security.audit.append_sync("report", Actor.operator(), payload)
        finally:
            security.close()
    for fmt, path in targets.items():
        path.write_bytes(service.render(made, fmt))
        typer.echo(f"{path}: {fmt.value} report {made.number}")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"as_of: {text!r} is not a date written YYYY-MM-DD") from None
