"""What a credit report shows, read through the named queries GraphQL's resolvers use.

Nothing here is new Cypher: the party (``party/by_id``), its records with their updates,
case and named persons (``party/records``, read in pages of :data:`RECORD_PAGE`), its cases,
its ties (``party/legal_rep``, ``party/shareholders`` …), the control rows of the policy's
controllers (``explore/control_chains``), the stored measures (``party/measures``) or, for
another day, the measures computed from the graph's history
(:func:`graph_service.propagation.runner.measures_as_of`, as ``measuresAsOf`` does), and the
latest propagation run.

Every value comes back plain: the driver's dates become :class:`datetime.date` values here,
so that the rest of the package deals with Python values only.

Invariants: every record of the party is read (a report is complete); a list of related
parties keeps at most :data:`RELATED_CAP` rows and its ``total``, so that a truncated list
says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph_service.analysis.explain import Measure
from graph_service.db import Database
from graph_service.dueprocess.contested import mark_contested, open_objections, refs_of
from graph_service.errors import NotFound
from graph_service.policy.catalog import Catalog
from graph_service.propagation.runner import measures_as_of
from graph_service.propagation.store import measure_row

#: Records read per query (the query sorts all of a party's records, then slices a page).
RECORD_PAGE = 10_000
#: Rows of one list of related parties (holders, officers, branches …) shown in a report.
RELATED_CAP = 50
#: Cases of the party shown in a report (its judicial chapter).
CASE_CAP = 200

Row = dict[str, Any]

#: Lists of related parties by party kind: (key in the report, query, takes $on, $roles).
COMPANY_TIES = (
    ("legal_representative", "party/legal_rep", False, False),
    ("shareholders", "party/shareholders", True, False),
    ("officers", "party/officers", True, True),
    ("branches", "party/branches", False, False),
    ("parent", "party/parent", False, False),
)
PERSON_TIES = (
    ("represents", "party/legal_rep_of", False, False),
    ("positions", "party/positions", True, True),
    ("holdings", "party/holdings", True, False),
)


@dataclass(frozen=True)
class Listing:
    """Some rows of a list and the length of the whole list."""

    total: int
    rows: list[Row]


@dataclass(frozen=True)
class Measures:
    """The measures of the party on the report's day, in the stored form (``:Measure``
    properties), and where they come from."""

    source: str  # stored (the latest propagation run was for this day) | computed
    items: list[Row]
    run: Row | None  # the latest propagation run, if any


@dataclass(frozen=True)
class Gathered:
    """Everything read for one report."""

    party: Row  # {labels, props}
    as_of: date
    records: list[Row]  # {props, updates, case_no, named}, newest start first
    cases: Listing  # {rel, case}
    ties: dict[str, Listing]  # by the keys of COMPANY_TIES / PERSON_TIES
    control: Row | None  # the explore/control_chains row (companies)
    shared_contacts: Listing
    measures: Measures
    extra: dict[str, Any] = field(default_factory=dict)


def gather(db: Database, party_id: str, as_of: date, catalog: Catalog) -> Gathered:
    """Reads everything the report of ``party_id`` on ``as_of`` shows; NotFound if unknown."""
    party = _party(db, party_id)
    company = "Company" in party["labels"]
    ties = COMPANY_TIES if company else PERSON_TIES
    return Gathered(
        party=party,
        as_of=as_of,
        records=_records(db, party_id, as_of),
        cases=_listing(db, "party/cases", party_id, CASE_CAP, roles=None),
        ties={key: _tie(db, query, party_id, as_of, on, roles) for key, query, on, roles in ties},
        control=_control(db, party_id, as_of, catalog) if company else None,
        shared_contacts=_listing(db, "party/shared_contacts", party_id, RELATED_CAP),
        measures=_measures(db, party_id, as_of, catalog),
    )


def _party(db: Database, party_id: str) -> Row:
    rows = db.read_plain("party/by_id", ids=[party_id])
    if not rows:
        raise NotFound(f"no party {party_id!r} in the graph")
    return {"labels": list(rows[0]["labels"]), "props": plain(rows[0]["props"])}


def _records(db: Database, party_id: str, as_of: date) -> list[Row]:
    """Every record of the party, page by page (the query sorts, then slices)."""
    found: list[Row] = []
    while True:
        rows = db.read_plain(
            "party/records",
            ids=[party_id],
            on=as_of,
            state="ALL",
            kinds=None,
            periods=[],  # every record (state ALL): periods judge nothing here
            offset=len(found),
            limit=RECORD_PAGE,
        )
        items = plain(rows[0]["items"]) if rows else []
        found.extend(items)
        if not items or len(found) >= rows[0]["total"]:
            return found


def _listing(db: Database, query: str, party_id: str, cap: int, **params: Any) -> Listing:
    rows = db.read_plain(query, ids=[party_id], offset=0, limit=cap, **params)
    if not rows:
        return Listing(0, [])
    return Listing(int(rows[0]["total"]), plain(rows[0]["items"]))


def _tie(db: Database, query: str, party_id: str, as_of: date, on: bool, roles: bool) -> Listing:
    """One list of related parties; those that take ``$on`` keep the ties of the day."""
    params: dict[str, Any] = {}
    if on:
        params["on"] = as_of
    if roles:
        params["roles"] = None
    return _listing(db, query, party_id, RELATED_CAP, **params)


def _control(db: Database, party_id: str, as_of: date, catalog: Catalog) -> Row | None:
    """The rows the policy's control rule needs above the company (as GraphQL reads them)."""
    rule = catalog.control
    rows = db.read_plain(
        "explore/control_chains",
        ids=[party_id],
        on=as_of,
        majority_pct=rule.majority_pct,
        roles=list(rule.officer_roles),
    )
    return plain(rows[0]) if rows else None


def _measures(db: Database, party_id: str, as_of: date, catalog: Catalog) -> Measures:
    """The stored measures when the latest run was for ``as_of``, else computed for it."""
    runs = db.read_plain("propagation/last_runs", limit=1)
    run = plain(runs[0]["run"]) if runs else None
    if run is not None and str(run.get("as_of")) == as_of.isoformat():
        rows = db.read_plain("party/measures", ids=[party_id])
        return Measures("stored", _contested(db, plain(rows[0]["items"]) if rows else []), run)
    computed = measures_as_of(db, [party_id], as_of, catalog).measures.get(party_id, [])
    return Measures("computed", _contested(db, [_stored_form(m) for m in computed]), run)


def _contested(db: Database, items: list[Row]) -> list[Row]:
    """The measures marked contested while an objection to their record is open (异议)."""
    return mark_contested(items, open_objections(db, refs_of(items)))


def _stored_form(measure: Measure) -> Row:
    """A computed measure in the stored form, as ``measuresAsOf`` shows it (no run stored
    it: no ``run_id`` nor ``computed_at``)."""
    props = dict(measure_row(measure)["props"])
    props.update(measure_key=measure.key, catalog_version=measure.catalog_version)
    return props


def plain(value: Any) -> Any:
    """``value`` with the driver's temporal values made :mod:`datetime` values, recursively.

    >>> from datetime import date
    >>> plain({"a": [date(2024, 1, 2)], "b": {"c": 1}})
    {'a': [datetime.date(2024, 1, 2)], 'b': {'c': 1}}
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value
