"""``credit-graph audit verify|anchor|show|export``: the tamper-evident audit log.

Reading the log is itself logged (``audit_read``, ``audit_export``), so "who looked up this
person" has an answer too. Whoever runs these holds the database credentials: an admin.
``verify`` and ``anchor`` only read: they can run as often as wanted (anchor daily, say).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph_service.cli.common import database, echo_json, settings
from graph_service.errors import AuditBroken, ConfigError, InvalidInput
from graph_service.identifiers import normalise
from graph_service.security.anchor import anchor_document, load_anchor
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor, Anchor, ChainVerifier, Entry, now_stamp
from graph_service.security.audit_mirror import verify_local
from graph_service.security.audit_read import (
    by_check,
    by_party,
    parse_moment,
    stored_entries,
    verify,
    write_csv,
    write_jsonl,
)
from graph_service.security.signing import load_or_create

app = typer.Typer(
    help="The audit log: verify the chain, anchor its head, show, export.", no_args_is_help=True
)


class ExportFormat(StrEnum):
    """Formats of ``audit export``."""

    JSONL = "jsonl"
    CSV = "csv"


@app.command("verify")
def verify_command(
    anchor: Annotated[
        list[Path] | None,
        typer.Option(
            "--anchor",
            help="An anchor saved by `audit anchor` (repeatable): the chain must still hold"
            " its entry, so entries removed up to it are found.",
        ),
    ] = None,
) -> None:
    """Check the whole hash chain and the stored checks; name every entry or check changed,
    deleted, planted or reordered.
    """
    anchors = [load_anchor(path, _public_key()) for path in anchor or []]
    with database() as db:
        result = verify(db, anchors)
        local = verify_local(db, settings().effective_audit_local_dir)  # this host's, if any
    result.problems += local.problems if local else []
    _require_ok(result, err=False)
    typer.echo(
        f"audit log OK: {result.count} entries, newest {result.last_seq} hash {result.last_hash}"
    )
    if local is not None:
        waiting = local.entries - local.mirrored
        typer.echo(
            f"local audit log OK: {local.entries} entries (chain {local.chain_id}),"
            f" {local.mirrored} in Neo4j's log, {waiting} waiting for the mirror"
        )
    if anchors:
        newest = max(anchors, key=lambda a: a.seq)
        typer.echo(f"anchors OK: {len(anchors)}, newest entry {newest.seq} ({newest.anchored_at})")
    if result.unprotected_count:
        seqs = ", ".join(str(seq) for seq in result.unprotected)
        more = " …" if result.unprotected_count > len(result.unprotected) else ""
        typer.echo(
            f"note: {result.unprotected_count} stored check(s) or feedback logged before digests"
            f" are unprotected (entries {seqs}{more}): the chain proves they were logged, not"
            " what they say"
        )


@app.command("anchor")
def anchor_command(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File, not stdout.")] = None,
) -> None:
    """Verify the log, then print its head signed with the receipt key: keep it elsewhere
    (e.g. daily) and pass it to `audit verify --anchor` later.
    """
    with database() as db:
        result = verify(db)
    _require_ok(result, err=True)
    if result.last_seq == 0:
        raise InvalidInput("the audit log is empty: there is no entry to anchor")
    head = Anchor(result.last_seq, result.last_hash, result.last_at, now_stamp())
    signer = load_or_create(settings().effective_receipt_key_file)
    text = json.dumps(anchor_document(head, signer), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(f"cannot write the anchor to {output}: {exc}") from None
    typer.echo(f"anchored entry {head.seq} hash {head.hash}", err=True)


def _require_ok(result: ChainVerifier, err: bool) -> None:
    """Lists the problems (on stderr with ``err``) and raises AuditBroken if there are any."""
    if result.ok:
        return
    for problem in result.problems:
        typer.echo(problem, err=err)
    raise AuditBroken(
        f"the audit log does not verify ({len(result.problems)} problem(s));"
        f" first: {result.problems[0]}"
    )


def _public_key() -> Ed25519PublicKey:
    """This installation's receipt public key, which signs the anchors."""
    path = settings().effective_receipt_key_file
    if not path.exists():
        raise ConfigError(f"no signing key at {path}: anchors cannot be checked without it")
    return load_or_create(path).public_key


@app.command()
def show(
    party: Annotated[
        str, typer.Option("--party", help="Party id: who checked it, when, why.")
    ] = "",
    check: Annotated[
        str, typer.Option("--check", help="Check id: the check and what followed.")
    ] = "",
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="Newest N entries.")
    ] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """Show the entries naming a party (newest first) or a check."""
    if bool(party) == bool(check):
        raise InvalidInput("give exactly one of --party or --check")
    with database() as db, AuditLog(db) as audit:
        entries = by_party(db, party, limit) if party else by_check(db, check)[:limit]
        # Logged before anything is shown (and after the lookup, so it does not list itself).
        query = {"parties": [normalise(party)]} if party else {"check_id": check}
        audit.append_sync("audit_read", Actor.operator(), query)
    if as_json:
        echo_json([e.as_json() for e in entries])
        return
    for entry in entries:
        typer.echo(_line(entry, normalise(party) if party else None))
    typer.echo(f"{len(entries)} entries", err=True)


def _line(entry: Entry, party: str | None) -> str:
    """One entry on one line: seq, time, who, what, why, and the party's decision."""
    p = entry.payload
    decision = _decision_of(p, party)
    who = f"{entry.actor.name} ({entry.actor.role})"
    fields = [str(entry.seq), entry.at, who, entry.kind, p.get("purpose") or "-",
              p.get("context") or "-", p.get("check_id") or "-", decision]  # fmt: skip
    return "\t".join(str(f) for f in fields)


def _decision_of(payload: dict[str, Any], party: str | None) -> str:
    decisions = payload.get("decisions") or []
    for d in decisions:
        if party is None or normalise(str(d.get("party_id", ""))) == party:
            return str(d.get("decision") or d.get("error") or "-")
    return "-"


@app.command()
def export(
    since: Annotated[str, typer.Option("--since", help="From this date or ISO date-time (UTC).")],
    until: Annotated[str, typer.Option("--until", help="Up to (not including) this time.")] = "",
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl or csv.")
    ] = ExportFormat.JSONL,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File, not stdout.")] = None,
) -> None:
    """Export entries in chain order, as JSON lines (re-verifiable) or CSV."""
    start = parse_moment(since, "--since")
    end = parse_moment(until, "--until") if until else "9999"
    with database() as db, AuditLog(db) as audit:
        audit.append_sync(
            "audit_export", Actor.operator(), {"since": start, "until": until, "format": fmt.value}
        )
        entries = stored_entries(db, start, end)
        if output is None:
            count = _write(fmt, entries, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = _write(fmt, entries, out)
    typer.echo(f"exported {count} entries", err=True)


def _write(fmt: ExportFormat, entries: Any, out: TextIO) -> int:
    return write_jsonl(entries, out) if fmt is ExportFormat.JSONL else write_csv(entries, out)
