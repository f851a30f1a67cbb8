"""Making a credit report: read, assemble, mask, sign; then render it in a format.

The REST route (``GET /v1/reports/{party_id}``, graph_service/api/reports.py) and the CLI
(``credit-graph report``) both call :func:`make_report`, write the audit entry of
:func:`audit_payload`, and then :func:`render` — so the two edges make the same report.

Invariants: a report's data is complete (every record of the party); its verification block
signs the digest of exactly the data rendered; the report is made before it is audited and
rendered after, so that no report leaves without its audit entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from graph_service import __version__
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.identifiers import identifier_problem, normalise
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.report.assemble import made_header, report_data
from graph_service.report.reading import gather
from graph_service.report.render import render_html, render_pdf
from graph_service.report.verification import sign_report
from graph_service.security.canonical import canonical_json
from graph_service.security.signing import ReceiptSigner


class Format(StrEnum):
    """The formats a report is delivered in."""

    PDF = "pdf"  # the printable report, its data embedded (credit-report.json)
    HTML = "html"  # the same document as one HTML page, its data in a <script>
    JSON = "json"  # the data and the verification block: what the report is rendered from


MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.HTML: "text/html; charset=utf-8",
    Format.JSON: "application/json",
}


@dataclass(frozen=True)
class Report:
    """A made report: its data and the signed verification block of that data."""

    data: dict[str, Any]
    verification: dict[str, Any]

    @property
    def number(self) -> str:
        """The report number (also in its header, on every page, and in the audit log)."""
        return str(self.data["report"]["number"])

    @property
    def bundle(self) -> dict[str, Any]:
        """What ``?format=json`` answers and every report file embeds."""
        return {"verification": self.verification, "data": self.data}


def party_id_of(value: str) -> str:
    """A party id as given by a user, normalised; InvalidInput naming what is wrong.

    >>> party_id_of(" 91130102rg8e64xkkr ")
    '91130102RG8E64XKKR'
    >>> party_id_of("1301021972")
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: party_id: is 10 characters long; a USCC or resident \
ID number has 18
    """
    code = normalise(value)
    problem = identifier_problem(code, "party_id")
    if problem is not None:
        raise InvalidInput(f"party_id: {problem}")
    return code


def as_of_of(value: date | None, today: date | None = None) -> date:
    """The as-of day of a report: today by default, never after today (a report states what
    is known; measures of a future day would be a forecast).

    >>> as_of_of(date(2030, 1, 1), today=date(2026, 12, 6))
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: as_of: 2030-01-01 is after today (2026-12-06)
    """
    today = today or date.today()
    if value is not None and value > today:
        raise InvalidInput(f"as_of: {value} is after today ({today})")
    return value or today


def make_report(
    db: Database,
    signer: ReceiptSigner,
    party_id: str,
    as_of: date,
    masked: bool,
    catalog: Catalog | None = None,
) -> Report:
    """The report of ``party_id`` (normalised) on ``as_of``; NotFound for an unknown party."""
    catalog = catalog or catalog_in_force(db.settings)
    made_at = datetime.now(UTC)
    header = made_header(
        _number(made_at), as_of, made_at.isoformat(timespec="seconds"), catalog, __version__
    )
    data = report_data(gather(db, party_id, as_of, catalog), catalog, header, masked)
    return Report(data, sign_report(data, signer))


def _number(made_at: datetime) -> str:
    """A new report number: the day made and 10 random hex digits (unique, not guessable)."""
    return f"CGR{made_at:%Y%m%d}-{uuid.uuid4().hex[:10].upper()}"


def audit_payload(report: Report, party_id: str, fmt: Format) -> dict[str, Any]:
    """The audit entry of a report: who it is about (unmasked: the audit log keeps whole
    ids), which report, in which format, and the digest it was signed with."""
    return {
        "report_number": report.number,
        "parties": [party_id],
        "as_of": report.data["report"]["as_of"],
        "format": fmt.value,
        "masked": report.data["report"]["masked"],
        "data_sha256": report.verification["data_sha256"],
    }


def render(report: Report, fmt: Format) -> bytes:
    """The report in ``fmt`` as bytes (UTF-8 for HTML and JSON)."""
    if fmt is Format.JSON:
        return canonical_json(report.bundle)
    if fmt is Format.HTML:
        return render_html(report.bundle).encode("utf-8")
    return render_pdf(report.bundle)


def file_name(report: Report, fmt: Format) -> str:
    """The name a downloaded report is saved under, e.g. ``CGR20261206-3F2A9C1B0D.pdf``."""
    return f"{report.number}.{fmt.value}"
