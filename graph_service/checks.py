"""The sanction check's evaluation: one decision per party in a context (policy §4–5).

The HTTP endpoint (``graph_service/api/checks.py``) owns everything around this function —
authentication, rate limits, masking, the audit entry, the receipt; this module only decides.

Contract of :func:`evaluate` for whoever implements it:

* one :class:`PartyResult` per requested id, **in request order** (duplicates included), with
  ``party_id`` as the caller sent it;
* an id that fails its check digit gets ``error="invalid_identifier"`` and no decision;
* each measure is a JSON-like mapping with at least ``"measure"`` (feedback names measures by
  it); dates may be :class:`~datetime.date` (the endpoint writes them as ISO text); avoid
  floats where you can (receipts are signatures over JSON text);
* every object describing a person must be recognisable for masking: ``kind == "person"`` or
  the person's id under ``party_id`` / ``id_number`` (see ``graph_service/security/masking.py``);
* raising :class:`~graph_service.errors.CreditGraphError` is fine; the endpoint answers with
  its status and hides internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from graph_service.db import Database
from graph_service.identifiers import normalise, party_kind
from graph_service.security.roles import Caller

#: The contexts a check may name (policy §4, in table order). The measure catalog will
#: provide these; until then they are fixed here.
CONTEXTS: Final = (
    "government_procurement",
    "bidding",
    "land_supply",
    "financing",
    "license_approval",
    "subsidy",
    "honours",
    "civil_service_hiring",
    "promotion",
    "high_consumption",
    "officer_appointment",
    "exit",
)

#: The catalog version the placeholder reports (the catalog will provide the real one).
PLACEHOLDER_CATALOG_VERSION: Final = "placeholder"


@dataclass(frozen=True)
class PartyResult:
    """The answer for one requested party."""

    party_id: str  # as the caller sent it
    found: bool  # the party is known to the graph
    name: str | None = None
    kind: str | None = None  # company | person
    decision: str | None = None  # deny | restrict | review | allow | fast_track; None on error
    measures: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    error: str | None = None  # invalid_identifier, …

    def as_json(self) -> dict[str, Any]:
        """The result in the answer's shape (measures still possibly holding dates)."""
        return {
            "party_id": self.party_id,
            "found": self.found,
            "name": self.name,
            "kind": self.kind,
            "decision": self.decision,
            "measures": [dict(m) for m in self.measures],
            "error": self.error,
        }


@dataclass(frozen=True)
class CheckResult:
    """The answer for a whole check: the catalog version used and the results in order."""

    catalog_version: str
    results: Sequence[PartyResult]


def evaluate(
    db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
) -> CheckResult:
    """Decides every party in ``context`` on ``as_of``.

    PLACEHOLDER (issue 5, to be replaced by the propagation engine's evaluation): it reads
    nothing and says every valid id is unknown with decision ``allow``; an id failing its
    check digit gets ``invalid_identifier``.

    >>> result = evaluate(None, "bidding", ["91130102RG8E64XKKR", "91130102RG8E64XKKX"],
    ...                   date(2026, 1, 1), None)  # type: ignore[arg-type]
    >>> [(r.kind, r.decision, r.error) for r in result.results]
    [('company', 'allow', None), (None, None, 'invalid_identifier')]
    """
    del db, context, as_of, caller  # the placeholder decides from the ids alone
    return CheckResult(
        catalog_version=PLACEHOLDER_CATALOG_VERSION,
        results=[_placeholder_result(party_id) for party_id in party_ids],
    )


def _placeholder_result(party_id: str) -> PartyResult:
    kind = party_kind(normalise(party_id))
    if kind is None:
        return PartyResult(party_id, found=False, error="invalid_identifier")
    return PartyResult(party_id, found=False, kind=kind, decision="allow")
