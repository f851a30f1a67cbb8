"""The sanction check's evaluation: one decision per party in a context (policy §4–5).

The check service (:mod:`graph_service.check.service`, behind REST, GraphQL and the CLI) and
the edges own everything around this function — authentication, rate limits, masking, the
audit entry, the receipt; this module only decides.

The contract :func:`evaluate` keeps (the snapshot's answers too, :mod:`.snapshot_eval`):

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

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from graph_service import identifiers
from graph_service.analysis.activity import holds_red_list, red_list_kinds
from graph_service.analysis.explain import Measure
from graph_service.db import Database
from graph_service.dueprocess.contested import mark_contested, open_objections, refs_of
from graph_service.policy.catalog import Catalog, Outcome, catalog_in_force, decide
from graph_service.propagation import runner
from graph_service.propagation.store import measure_row, stored_day
from graph_service.security.roles import Caller


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
    """The answer for a whole check: the catalog version used and the results in order, and
    the propagation run whose stored measures decided it (None for a date computed from
    history) with the time its snapshot was last confirmed current."""

    catalog_version: str
    results: Sequence[PartyResult]
    run_id: str | None = None
    snapshot_at: str | None = None
    #: The results hold JSON values only (read from the decision snapshot's JSON, no dates):
    #: the answer needs no conversion pass over them.
    plain: bool = False


def evaluate(
    db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
) -> CheckResult:
    """Decides every party in ``context`` on ``as_of`` (policy §4–5).

    Today's answers are lookups of the measures the propagation stored, when its latest run
    was for today (:func:`~graph_service.propagation.store.stored_day`); for another date the
    measures are computed from the graph's history for the parties asked
    (:func:`graph_service.propagation.runner.measures_as_of`), which is what the policy gives
    for that date.
    """
    del caller  # masking by role happens at the edge
    catalog = catalog_in_force(db.settings)  # CREDIT_GRAPH_CATALOG or the packaged one
    wanted = [normalise(p) for p in party_ids]
    valid = sorted({p for p in wanted if party_kind(p)})
    # The stored measures answer for their own day only: past midnight, until the new day's
    # run, a measure that starts today is not among them (propagation/newday.py), so the
    # check computes from history as for any other date (the reviewer's R1, session 15).
    # Measures no run has dated (none yet) are taken as they are.
    stored = as_of == date.today() and stored_day(db) in (None, as_of)
    # Plain rows: the query returns only maps, lists and text (no nodes to convert).
    red_kinds = red_list_kinds(catalog)
    rows = db.read_plain(
        "check/parties", ids=valid, as_of=as_of, stored=stored, red_list_kinds=red_kinds
    )
    found = {r["party_id"]: r for r in rows}
    for row in found.values():
        row["red_listed"] = holds_red_list(row.pop("red_records"), catalog, as_of)
    if not stored and found:
        computed = runner.measures_as_of(db, found, as_of, catalog).measures
        for party, row in found.items():
            row["measures"] = [_computed(m) for m in computed.get(party, [])]
    # Measures resting on a record under objection are marked contested (they still restrict).
    contested = open_objections(db, refs_of(m for r in found.values() for m in r["measures"]))
    for row in found.values():
        row["measures"] = mark_contested(row["measures"], contested)
    return CheckResult(catalog.version, decide_parties(party_ids, found, context, catalog))


#: The normal form of a party id (pure; checks repeat the same ids, and a 1,000-party check
#: asked each about three times: 13 % of its CPU in the profile), cached per process.
normalise = lru_cache(maxsize=1 << 15)(identifiers.normalise)
#: The kind of a party id, cached per process and day (its validity depends on the day).
party_kind = identifiers.cached_per_day(identifiers.party_kind)


def decide_parties(
    party_ids: Sequence[str],
    found: Mapping[str, Mapping[str, Any]],
    context: str,
    catalog: Catalog,
) -> list[PartyResult]:
    """The results, in request order, for rows ``found`` by normalised id (each with
    ``name``, ``kind``, ``measures`` applying on the check's date and ``red_listed``);
    shared by the graph's reads and the decision snapshot (:mod:`.snapshot_eval`)."""
    ranking = Ranking(catalog, context)
    return [_result(sent, party, found.get(party), context, catalog, ranking)
            for sent, party in ((sent, normalise(sent)) for sent in party_ids)]  # fmt: skip


class Ranking:
    """What every measure of one check needs from the catalog, worked out once per check
    (a 1,000-party check decides hundreds of measures, mostly of a few names): each
    measure name's decision in the context, and the outcomes' strength."""

    def __init__(self, catalog: Catalog, context: str) -> None:
        self.catalog = catalog
        self.context = context
        self.rank = {outcome.value: n for n, outcome in enumerate(catalog.outcomes)}
        self._decisions: dict[str, str] = {}

    def decision(self, measure: str) -> str:
        """The decision a measure alone leads to in the context (``decide`` of it)."""
        known = self._decisions.get(measure)
        if known is None:
            known = decide([measure], self.context, False, self.catalog).value
            self._decisions[measure] = known
        return known

    def order(self, measure: Mapping[str, Any]) -> tuple[int, str, str, str, str]:
        """Strongest first (the catalog's ``outcomes``), then by measure, record, rule and
        path. Rule and path break the last ties (one record reaching a party by two paths
        gives two measures alike in the rest), so that an answer's order never depends on
        where the measures were read from (Neo4j, a snapshot built from Neo4j or from
        Parquet)."""
        return (self.rank.get(str(measure["decision"]), len(self.rank)), *order_tail(measure))


def order_tail(measure: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The order of measures of equal strength in an answer (:meth:`Ranking.order` after the
    strength): by measure, record, rule and path (``measure`` in the answer's shape).

    >>> order_tail({"measure": "m", "record": {"ref": "R"}, "rule": None,
    ...             "path": [{"party_id": "A"}, {"party_id": "B"}]})
    ('m', 'R', 'None', 'A/B')
    """
    return (
        str(measure["measure"]),
        str(measure["record"]["ref"]),
        str(measure.get("rule")),
        "/".join(str(hop.get("party_id")) for hop in measure.get("path") or ()),
    )


def _result(
    sent: str,
    party: str,
    row: Mapping[str, Any] | None,
    context: str,
    catalog: Catalog,
    ranking: Ranking,
) -> PartyResult:
    kind = party_kind(party)
    if kind is None:
        return PartyResult(sent, found=False, error="invalid_identifier")
    if row is None:  # unknown to every registry: nothing restricts it
        return PartyResult(sent, found=False, kind=kind, decision=Outcome.ALLOW.value)
    measures = sorted((answer_measure(m, ranking) for m in row["measures"]), key=ranking.order)
    names = [str(m["measure"]) for m in measures]
    decision = decide(names, context, bool(row["red_listed"]), catalog)
    return PartyResult(
        sent, True, row["name"], row["kind"] or kind, decision.value, tuple(measures)
    )


class Decisions(Protocol):
    """What putting a measure in the answer's shape asks of the check: its decision."""

    def decision(self, measure: str) -> str:
        """The decision ``measure`` alone leads to in the check's context."""
        ...


def answer_measure(m: Mapping[str, Any], ranking: Decisions) -> dict[str, Any]:
    """A stored (or computed) measure in the answer's shape, with its decision here."""
    path = m["path"] if "path" in m else json.loads(m["path_json"])
    return {
        "measure": m["measure"],
        "origin": m["origin"],
        "rule": m.get("rule"),
        "record": {
            "ref": m.get("record_ref"),
            "kind": m.get("record_kind"),
            "authority": m.get("authority"),
            "start": _iso(m.get("record_start")),
            "end": _iso(m.get("record_end")),
        },
        "basis": m.get("basis"),
        # A step: these four keys, nothing else; written out rather than a comprehension
        # over the names (a 1,000-party answer holds tens of thousands of steps: ~2× faster).
        "path": [
            {
                "party_id": hop.get("party_id"),
                "name": hop.get("name"),
                "relation": hop.get("relation"),
                "stake_pct": hop.get("stake_pct"),
            }
            for hop in path
        ],
        "until": _iso(m.get("until")),
        "decision": ranking.decision(str(m["measure"])),
        "contested": bool(m.get("contested")),  # an objection to its record is open (异议)
        "objection_id": m.get("objection_id"),
    }


def _computed(measure: Measure) -> dict[str, Any]:
    """A measure computed on the fly, in the stored form's keys."""
    row = measure_row(measure)["props"]
    row["path"] = json.loads(row.pop("path_json"))
    return dict(row)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "iso_format"):  # a Neo4j date read back from the graph
        return str(value.iso_format())
    return str(value.isoformat()) if hasattr(value, "isoformat") else str(value)
