"""Where the synthetic world goes: one file per registry kind, streamed row by row.

Each kind's columns are exactly those of the registry contract
(``/work/shared/registries/README.md``), in its order. Files are UTF-8 without BOM with LF line
endings, so that one seed always gives byte-identical files.
"""

from __future__ import annotations

import csv
import json
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

COLUMNS: dict[str, tuple[str, ...]] = {
    "companies": (
        "uscc",
        "name",
        "org_kind",
        "legal_rep_name",
        "legal_rep_id",
        "registered_capital_cny",
        "established_on",
        "status",
        "district_code",
        "address",
        "industry",
    ),
    "persons": ("id_number", "name", "gender", "birth_date", "district_code"),
    "shareholdings": (
        "company_uscc",
        "holder_id",
        "holder_name",
        "stake_pct",
        "subscribed_cny",
        "since",
        "until",
    ),
    "officers": ("company_uscc", "person_id", "person_name", "role", "since", "until"),
    "branches": ("branch_uscc", "parent_uscc"),
    "officials": ("id_number", "name", "agency_uscc", "position", "rank", "since", "until"),
    "official_records": (
        "record_no",
        "id_number",
        "kind",
        "outcome",
        "decided_on",
        "authority",
        "expires_on",
    ),
    "cases": ("case_no", "court_uscc", "court_name", "case_type", "cause", "filed_on", "closed_on"),
    "case_parties": ("case_no", "party_id", "party_name", "role"),
    "case_officials": ("case_no", "official_id", "role"),
    "interventions": (
        "record_no",
        "case_no",
        "official_id",
        "kind",
        "occurred_on",
        "recorded_by_id",
        "description",
    ),
    "dishonest_debtors": (
        "case_no",
        "court_name",
        "debtor_id",
        "debtor_name",
        "legal_rep_name",
        "obligation",
        "performance",
        "behaviour",
        "published_on",
        "removed_on",
    ),
    "tax_violations": (
        "case_ref",
        "taxpayer_id",
        "taxpayer_name",
        "nature",
        "amount_cny",
        "legal_rep_id",
        "legal_rep_name",
        "finance_officer_id",
        "finance_officer_name",
        "authority",
        "published_on",
        "expires_on",
    ),
    "admin_penalties": (
        "decision_no",
        "party_id",
        "party_name",
        "domain",
        "severity",
        "violation",
        "penalty",
        "authority",
        "decided_on",
        "publish_until",
    ),
    "blacklists": (
        "entry_no",
        "list",
        "party_id",
        "party_name",
        "reason",
        "authority",
        "listed_on",
        "expires_on",
        "case_no",
    ),
    "red_list": (
        "entry_no",
        "list",
        "party_id",
        "party_name",
        "authority",
        "valid_from",
        "valid_until",
    ),
    "contacts": ("party_id", "kind", "value", "reported_on"),
    "record_updates": ("record_ref", "status", "effective_on", "authority", "reason"),
}

#: Kinds written as JSON Lines instead of CSV (one of each format keeps the loader honest).
JSONL_KINDS = frozenset({"contacts"})


class _RowWriter(Protocol):
    def writerow(self, row: Any, /) -> Any: ...


class _JsonLines:
    """Writes rows as JSON objects, one per line, with the kind's field names."""

    def __init__(self, handle: Any, columns: tuple[str, ...]) -> None:
        self._handle = handle
        self._columns = columns

    def writerow(self, row: tuple[str, ...]) -> None:
        record = dict(zip(self._columns, row, strict=True))
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def file_name(kind: str) -> str:
    """The file a kind is written to.

    >>> file_name("contacts"), file_name("cases")
    ('contacts.jsonl', 'cases.csv')
    """
    return f"{kind}.jsonl" if kind in JSONL_KINDS else f"{kind}.csv"


class Sink:
    """All registry files of one world, open for the duration of a ``with`` block.

    ``write(kind, row)`` takes a tuple of strings in the kind's column order; ``counts`` says
    how many data rows each kind received.
    """

    def __init__(self, out: Path) -> None:
        self._out = out
        self._stack = ExitStack()
        self._writers: dict[str, _RowWriter] = {}
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    def __enter__(self) -> Sink:
        for kind, columns in COLUMNS.items():
            handle = self._stack.enter_context(
                (self._out / file_name(kind)).open("w", encoding="utf-8", newline="")
            )
            self._writers[kind] = self._open_writer(kind, handle, columns)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stack.close()

    @staticmethod
    def _open_writer(kind: str, handle: Any, columns: tuple[str, ...]) -> _RowWriter:
        if kind in JSONL_KINDS:
            return _JsonLines(handle, columns)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        return writer

    def write(self, kind: str, row: tuple[str, ...]) -> None:
        """Appends one row to ``kind``'s file."""
        self._writers[kind].writerow(row)
        self.counts[kind] += 1
