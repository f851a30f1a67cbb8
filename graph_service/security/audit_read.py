"""Reading the audit log: verification, "who checked this party", and export.

Everything here only reads; entries are streamed in pages in chain order, so a log of any
length is verified and exported in constant memory. Verification covers the chain, the rows
stored with its entries (stored checks and their feedback, both ways: a row changed or
missing, a row no entry records) and, given anchors, the newest entries (:mod:`.anchor`).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.identifiers import normalise
from graph_service.model import FULLTEXT_AUDIT_PARTIES
from graph_service.security.appender import HEAD_NAME
from graph_service.security.audit import (
    MAX_PROBLEMS,
    Anchor,
    ChainVerifier,
    Entry,
    from_row,
    has_stored_row,
    utc_stamp,
)
from graph_service.spreadsheet import safe_cell

PAGE: Final = 5000
#: Larger than any seq: "no upper bound" for a log without a head.
_NO_HEAD: Final = 2**62
#: Sorts after every timestamp: "no upper bound".
_END: Final = "9999"
_PARTY_FORM = re.compile(r"^[0-9A-Z]{1,40}$")
CSV_COLUMNS: Final = (
    "seq", "at", "kind", "actor_name", "actor_role", "actor_key_id",
    "check_id", "parties", "payload", "prev_hash", "hash",
)  # fmt: skip


def stored_entries(
    db: Database, since: str = "", until: str = _END
) -> Iterator[tuple[Entry, dict[str, Any]]]:
    """Every entry with ``since <= at < until`` in seq order, with its stored lookup fields."""
    after = 0
    while True:
        rows = db.read("audit/entries_after", after_seq=after, since=since, until=until, limit=PAGE)
        for row in rows:
            stored = row["entry"]
            lookup = {k: stored.get(k) for k in ("parties", "parties_text", "check_id")}
            yield from_row(stored), lookup
        if len(rows) < PAGE:
            return
        after = rows[-1]["entry"]["seq"]


def verify(db: Database, anchors: Sequence[Anchor] = ()) -> ChainVerifier:
    """Walks the whole chain up to the head and the rows stored with its entries; the verifier
    lists every break found. ``anchors`` are heads saved earlier that the chain must still hold.

    The head is read first and the walk stops there, so entries a running service appends
    meanwhile are neither a false alarm nor unverified: the next run covers them.
    """
    verifier = ChainVerifier(anchors=anchors)
    head = _head(db)
    for entry, lookup, rows in _entries_with_rows(db, head[0] if head else _NO_HEAD):
        verifier.feed(entry, lookup)
        if has_stored_row(entry):
            verifier.feed_stored(entry, rows)
    verifier.finish(head)
    for row in db.read("audit/unlogged_rows", limit=MAX_PROBLEMS):
        verifier.unlogged(str(row["check_id"]), row["feedback_seq"])
    for seq, head_seq in _entries_beyond_head(db):
        verifier.beyond_head(seq, head_seq)
    return verifier


def _head(db: Database) -> tuple[int, str] | None:
    rows = db.read("audit/head", name=HEAD_NAME)
    return (rows[0]["seq"], rows[0]["hash"]) if rows else None


def _entries_with_rows(
    db: Database, until_seq: int
) -> Iterator[tuple[Entry, dict[str, Any], list[dict[str, Any]]]]:
    """Entries up to ``until_seq`` in seq order, with their lookup fields and stored rows."""
    after = 0
    while True:
        page = db.read("audit/verify_page", after_seq=after, until_seq=until_seq, limit=PAGE)
        for row in page:
            stored = row["entry"]
            lookup = {k: stored.get(k) for k in ("parties", "parties_text", "check_id")}
            yield from_row(stored), lookup, [*row["checks"], *row["feedback"]]
        if len(page) < PAGE:
            return
        after = page[-1]["entry"]["seq"]


def _entries_beyond_head(db: Database) -> list[tuple[int, int]]:
    """Entries past the head (seq, head seq). An append commits its entry and the head
    together, yet one read may fall between them: only what a second look confirms counts.
    """
    first = db.read("audit/entries_beyond_head", name=HEAD_NAME, limit=MAX_PROBLEMS)
    if not first:
        return []
    again = db.read("audit/entries_beyond_head", name=HEAD_NAME, limit=MAX_PROBLEMS)
    return [(row["seq"], row["head_seq"]) for row in again]


def by_party(db: Database, party: str, limit: int = 100) -> list[Entry]:
    """The newest entries naming ``party`` (any spelling of its id), newest first.

    The index is eventually consistent (it keeps full-text work out of the audit commit every
    check answer waits for), so it is first brought up to date: every entry committed before
    this call is found.
    """
    party_id = normalise(party)
    if not _PARTY_FORM.match(party_id):
        raise InvalidInput(f"party {party!r} is not a party id (letters and digits only)")
    db.read("audit/await_fulltext_refresh")
    rows = db.read(
        "audit/by_party",
        index=FULLTEXT_AUDIT_PARTIES,
        query=f'"{party_id}"',
        party=party_id,
        limit=limit,
    )
    return [from_row(row["entry"]) for row in rows]


def by_check(db: Database, check_id: str) -> list[Entry]:
    """The entries of one check: the check, feedback on it, views of it."""
    return [from_row(row["entry"]) for row in db.read("audit/by_check", check_id=check_id)]


def parse_moment(text: str, option: str = "--since") -> str:
    """A date or ISO date-time as the log's timestamp form; no zone given means UTC.

    >>> parse_moment("2026-03-01"), parse_moment("2026-03-01T08:00:00+08:00")
    ('2026-03-01T00:00:00.000000Z', '2026-03-01T00:00:00.000000Z')
    """
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{option} {text!r} is not a date (2026-03-01) or ISO date-time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return utc_stamp(moment)


def write_jsonl(entries: Iterator[tuple[Entry, dict[str, Any]]], out: TextIO) -> int:
    """Writes one JSON object per entry (as hashed, so a copy can be re-verified)."""
    count = 0
    for entry, _lookup in entries:
        out.write(json.dumps(entry.as_json(), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def write_csv(entries: Iterator[tuple[Entry, dict[str, Any]]], out: TextIO) -> int:
    """Writes a CSV with a header row; the payload is one JSON column."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry, lookup in entries:
        writer.writerow([_cell(value) for value in _csv_row(entry, lookup)])
        count += 1
    return count


def _csv_row(entry: Entry, lookup: dict[str, Any]) -> list[Any]:
    payload = json.dumps(entry.payload, ensure_ascii=False, sort_keys=True)
    actor = entry.actor
    return [
        entry.seq, entry.at, entry.kind, actor.name, actor.role, actor.key_id or "",
        lookup.get("check_id") or "", lookup.get("parties_text") or "", payload,
        entry.prev_hash, entry.hash,
    ]  # fmt: skip


def _cell(value: Any) -> Any:
    """Defuses text a spreadsheet would run as a formula (the purpose is caller-supplied).

    >>> _cell("=HYPERLINK(1)"), _cell("purchase"), _cell(3)
    ("'=HYPERLINK(1)", 'purchase', 3)
    """
    return safe_cell(value) if isinstance(value, str) else value
