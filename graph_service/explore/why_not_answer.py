"""Why not, asked and answered: the request's rules, the party's neighbourhood read through
named Cypher, and :func:`graph_service.analysis.why_not.why_not` over it.

REST (``GET /v1/parties/{party_id}/why-not``, graph_service/api/explanations.py), GraphQL
(``Party.whyNot``, graph_service/gql/why_not_facts.py) and the CLI (``credit-graph explain``)
validate with :func:`party_id_of`, :func:`context_of` and :func:`as_of_of` — one set of rules
and messages, each naming the field and never repeating the value sent — and answer with
:func:`answer`.

The neighbourhood is every party the party's measures can depend on
(:func:`graph_service.propagation.scope.dependencies`, whatever the dates), so the decision is
the one the propagation gives on that day, and a fact put back in force is judged exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from graph_service.analysis.ended_facts import WhyNot
from graph_service.analysis.graph import graph_from_rows
from graph_service.analysis.why_not import why_not
from graph_service.db import Database, Row
from graph_service.errors import InvalidInput, NotFound
from graph_service.identifiers import identifier_problem, normalise
from graph_service.policy.catalog import Catalog
from graph_service.propagation import scope
from graph_service.propagation.store import Neo4jHops

#: The earliest day an answer may be asked for: before any record or relationship a registry
#: can hold (the earliest birth date an id number may carry, graph_service/identifiers.py).
EARLIEST = date(1900, 1, 1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def party_id_of(value: str, field: str = "party_id") -> str:
    """The normalised party id, or :class:`InvalidInput` naming ``field`` and the problem.

    >>> party_id_of(" 91130102rg8e64xkkr ")
    '91130102RG8E64XKKR'
    >>> party_id_of("91130102RG8E64XKKX")
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: party_id: fails the USCC check digit
    """
    code = normalise(value)
    problem = identifier_problem(code, "party_id")
    if problem is not None:
        raise InvalidInput(f"{field}: {problem}")
    return code


def context_of(value: str, catalog: Catalog, field: str = "context") -> str:
    """``value`` if the catalog has that context; else :class:`InvalidInput` listing them.

    >>> from graph_service.policy import default_catalog
    >>> context_of("lottery", default_catalog())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: context: not a known context; known: government_procu...
    """
    if value not in catalog.contexts:  # the value is not repeated: it may be anything
        raise InvalidInput(f"{field}: not a known context; known: {', '.join(catalog.contexts)}")
    return value


def as_of_of(value: str | date | None, today: date | None = None, field: str = "as_of") -> date:
    """The day asked about: today by default, a ``YYYY-MM-DD`` day from :data:`EARLIEST` to
    today (an answer states what is known; a later day would be a forecast).

    >>> as_of_of("2030-01-01", today=date(2026, 12, 6))
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: as_of: must be a day from 1900-01-01 to today (2026-12-06)
    >>> as_of_of("26/11/2026")
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: as_of: must be a date written YYYY-MM-DD
    """
    today = today or date.today()
    day = _day(value, field) if value is not None else today
    if not EARLIEST <= day <= today:
        raise InvalidInput(f"{field}: must be a day from {EARLIEST} to today ({today})")
    return day


def _day(value: str | date, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field}: must be a date written YYYY-MM-DD") from None


def answer(db: Database, party_id: str, context: str, as_of: date, catalog: Catalog) -> WhyNot:
    """Why ``party_id`` (valid, normalised) gets no stronger decision in ``context`` on
    ``as_of``; :class:`NotFound` for a party the graph does not know."""
    ids = scope.dependencies(Neo4jHops(db), {party_id})
    rows = neighbourhood(db, ids)
    if party_id not in {str(row["party_id"]) for row in rows}:
        raise NotFound("no party with this id in the graph")
    return why_not(graph_from_rows(rows), catalog, party_id, context, as_of)


def neighbourhood(db: Database, party_ids: Iterable[str]) -> list[Row]:
    """The parties with their records, updates, bribery-case roles and relationships among
    them, each with its source rows (``why_not/parties``)."""
    ids = set(party_ids)
    (row,) = db.read_plain("why_not/parties", ids=sorted(ids))
    rows: list[Row] = row["parties"]
    for party in rows:
        party["edges"] = [e for e in party["edges"] if e["target"] in ids]
    return rows


def audit_payload(found: WhyNot) -> dict[str, object]:
    """What the audit log keeps of an answer (kind ``why_not``): who it is about (the whole
    id: the log keeps whole ids), which context and day, the decision and the kinds of fact."""
    return {
        "parties": [found.party_id],
        "context": found.context,
        "as_of": found.as_of.isoformat(),
        "catalog_version": found.catalog_version,
        "decision": found.decision,
        "facts": [fact.kind for fact in found.facts],
    }
