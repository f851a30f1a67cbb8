"""Today's checks decided from the decision snapshot (:mod:`.snapshot`), without Neo4j.

The rows a snapshot holds are what ``cypher/check/parties.cypher`` reads, unfiltered by date;
this module applies the check's date the way that query does (a red-list record counts from
its start, a measure until its ``until``) and then decides exactly as
:func:`graph_service.check.evaluate.evaluate` does, through the same
:func:`~graph_service.check.evaluate.decide_parties`. Checks for another date are passed to
``evaluate``, which computes them from the graph's history.

>>> row = {"party_id": "P", "name": "n", "kind": "company",
...        "red_records": [{"kind": "red_list", "start": "2027-01-01"}],
...        "measures": [{"measure": "a", "until": "2026-01-01"}, {"measure": "b", "until": None}]}
>>> on_date(row, "2026-06-01")["measures"], on_date(row, "2026-06-01")["red_records"]
([{'measure': 'b', 'until': None}], [])
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from graph_service import metrics
from graph_service.analysis.activity import holds_red_list
from graph_service.check import fragments
from graph_service.check.evaluate import (
    CheckResult,
    Ranking,
    decide_parties,
    evaluate,
    normalise,
    party_kind,
)
from graph_service.check.fragments import Fragment, on_date
from graph_service.check.snapshot import Meta, SnapshotReader, StoredRead
from graph_service.db import Database
from graph_service.dueprocess.contested import mark_contested
from graph_service.errors import Neo4jUnavailable, SnapshotBehind, SnapshotUnavailable
from graph_service.policy.catalog import Catalog, catalog_in_force, decide
from graph_service.security.canonical import canonical_json
from graph_service.security.masking import mask_result
from graph_service.security.roles import Caller

log = logging.getLogger(__name__)


def behind(meta: Meta, iso: str) -> bool:
    """Whether the snapshot's measures are of another day's run than ``iso``'s (past
    midnight, before the new day's run reached it). A generation that does not say (written
    before the day was kept, or from an export without it) is taken as it is.

    >>> behind(Meta("r", None, "v", "now", 1, "2026-12-07"), "2026-12-08")
    True
    >>> behind(Meta("r", None, "v", "now", 1, "2026-12-08"), "2026-12-08")
    False
    >>> behind(Meta("r", None, "v", "now", 1), "2026-12-08")
    False
    """
    return meta.run_as_of is not None and meta.run_as_of != iso


def _require_answering(meta: Meta, catalog: Catalog, iso: str, stale_ok: bool = False) -> None:
    """Raises unless the snapshot of ``meta`` may answer for ``iso`` under ``catalog``: made
    under another catalog, SnapshotUnavailable (being rebuilt); of another day's run,
    SnapshotBehind (the check goes to the graph), unless ``stale_ok``."""
    if meta.catalog_version != catalog.version:
        raise SnapshotUnavailable("the decision snapshot is being rebuilt for the catalog")
    if not stale_ok and behind(meta, iso):
        raise SnapshotBehind("the decision snapshot is of an earlier day's run")


class SnapshotEvaluator:
    """An :data:`~graph_service.check.service.Evaluator` reading ``reader`` for today."""

    def __init__(self, reader: SnapshotReader) -> None:
        self.reader = reader

    def __call__(
        self, db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
    ) -> CheckResult:
        """Decides like :func:`~graph_service.check.evaluate.evaluate`; today from the
        snapshot (503 ``snapshot_unavailable`` while there is none), other dates from history.
        """
        if as_of != date.today():
            return evaluate(db, context, party_ids, as_of, caller)
        try:
            return self.from_snapshot(db, context, party_ids, as_of, caller)
        except SnapshotBehind:
            return self._while_behind(db, context, party_ids, as_of, caller)

    def _while_behind(
        self, db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
    ) -> CheckResult:
        """Today's decisions while the snapshot holds an earlier day's run (past midnight,
        until the new day's run reaches it: a measure that starts today is not in it): from
        the graph (:func:`evaluate`: its history, or its stored measures once they are
        today's); while Neo4j cannot answer, from the snapshot as it is, its ``run_id`` and
        ``snapshot_at`` saying which run and how old (docs/operations.md)."""
        try:
            return evaluate(db, context, party_ids, as_of, caller)
        except Neo4jUnavailable:
            log.warning("Neo4j is down and the decision snapshot is of an earlier day's run:"
                        " today's check answered from it")  # fmt: skip
            return self.from_snapshot(db, context, party_ids, as_of, caller, stale_ok=True)

    def from_snapshot(
        self,
        db: Database,
        context: str,
        party_ids: Sequence[str],
        as_of: date,
        caller: Caller,
        stale_ok: bool = False,
    ) -> CheckResult:
        """Decides from the snapshot for ``as_of``, which the caller has decided is today;
        never reads Neo4j, whatever the clock says by now (the service runs small checks on
        the event loop with it: :meth:`graph_service.check.service.CheckService._inline`)."""
        del caller  # masking by role happens at the edge
        catalog = catalog_in_force(db.settings)
        valid = sorted({p for p in (normalise(s) for s in party_ids) if party_kind(p)})
        read = self.reader.read(valid)
        iso = as_of.isoformat()
        _require_answering(read.meta, catalog, iso, stale_ok)
        found = {
            p: _decidable(on_date(row, iso), catalog, as_of, read.open_by_record)
            for p, row in read.rows.items()
        }
        results = decide_parties(party_ids, found, context, catalog)
        meta = read.meta
        return CheckResult(catalog.version, results, meta.run_id, meta.confirmed_at, plain=True)

    def answer_text(
        self, db: Database, context: str, party_ids: Sequence[str], as_of: date, masked: bool
    ) -> TextAnswer:
        """What :meth:`from_snapshot` decides, as the canonical JSON (UTF-8) of the answer's
        ``results`` (masked for a checker when ``masked``): each party's precomputed fragment
        joined (:mod:`.fragments`), or, where none may be joined, the party decided from its
        row as :meth:`from_snapshot` decides it. ``as_of`` is today, as the caller decided."""
        catalog = catalog_in_force(db.settings)
        wanted = [(sent, party, party_kind(party)) for sent, party in _normalised(party_ids)]
        valid = sorted({p for _, p, kind in wanted if kind})
        # Joined inside the read's transaction: a party decided from its whole row reads it
        # from the same state of the snapshot as every other party's fragment.
        return self.reader.read_stored(valid, lambda read: _joined_answer(
            read, _Joiner(catalog, context, as_of, read, masked), wanted))  # fmt: skip


def _joined_answer(
    read: StoredRead, joiner: _Joiner, wanted: Sequence[tuple[str, str, str | None]]
) -> TextAnswer:
    """The results of the parties ``wanted`` (as sent, normalised, kind) joined by ``joiner``
    from ``read``."""
    _require_answering(read.meta, joiner.catalog, joiner.iso)
    texts = b",".join([joiner.text(sent, party, kind) for sent, party, kind in wanted])
    for how, count in joiner.counts.items():  # once a check, not once a party
        metrics.CHECK_PARTIES.labels(how).inc(count)
    meta = read.meta
    return TextAnswer(
        joiner.catalog.version, b"[" + texts + b"]", meta.run_id, meta.confirmed_at,
        joiner.decisions,
    )  # fmt: skip


@dataclass(frozen=True)
class TextAnswer:
    """A check's results as text (:meth:`SnapshotEvaluator.answer_text`) and what decided
    them: the catalog, the propagation run and when the snapshot was last confirmed."""

    catalog_version: str
    results: bytes  # canonical JSON of the answer's ``results``, UTF-8
    run_id: str | None
    snapshot_at: str | None
    #: What the audit entry keeps of each result, in the same order (:func:`decided_of`):
    #: made beside the text, so that the answer need not be parsed back for it.
    decisions: list[dict[str, Any]]


class _Decided(NamedTuple):
    """A measure's name, its decision in a check's context (UTF-8) and that decision's
    strength (lower is stronger: the catalog's ``outcomes``)."""

    name: str
    decision: bytes
    rank: int


#: A fragment's measure item with its measure decided in the check's context.
_Joined = tuple[fragments.Item, _Decided]


class _Joiner:
    """One check's results, party by party, from one snapshot read."""

    def __init__(
        self, catalog: Catalog, context: str, as_of: date, read: StoredRead, masked: bool
    ) -> None:
        self.catalog, self.context, self.as_of, self.read = catalog, context, as_of, read
        self.iso, self.masked = as_of.isoformat(), masked
        # The fragments this code made for the day (as read: UTF-8).
        self.stamp = fragments.stamp(as_of).encode("utf-8")
        self.ranking = Ranking(catalog, context)
        self._decisions: dict[tuple[tuple[str, ...], bool], tuple[str, bytes]] = {}
        self._measures: dict[bytes, _Decided] = {}  # by an item's name (:meth:`_measure`)
        self._values: dict[bytes, Any] = {}  # names and references read (:meth:`_value`)
        #: What the audit entry keeps of each result made so far (:func:`decided_of`).
        self.decisions: list[dict[str, Any]] = []
        #: Parties joined from their fragment and decided from their row, so far.
        self.counts = {"joined": 0, "decided": 0}

    def text(self, sent: str, party: str, kind: str | None) -> bytes:
        """The canonical JSON (UTF-8) of the result for ``sent`` (normalised: ``party``, of ``kind``
        today, None when not valid); its summary goes to :attr:`decisions`."""
        if kind is None:
            self._note(sent, None, "invalid_identifier", [])
            return fragments.invalid_text(sent)
        if party not in self.read.fragments:  # unknown to every registry: nothing restricts it
            self._note(sent, "allow", None, [])
            return fragments.unknown_text(sent, kind)
        joinable = self._joinable(sent, party, self.read.fragments[party])
        self.counts["decided" if joinable is None else "joined"] += 1
        return self._decided(sent, party) if joinable is None else self._joined(sent, *joinable)

    def _joinable(
        self, sent: str, party: str, fragment: Fragment | None
    ) -> tuple[Fragment, list[_Joined]] | None:
        """``party``'s fragment and its measure items, each with its measure's decision here,
        when they may be joined; else None."""
        if fragment is None or not fragments.usable(fragment, sent, party, self.stamp):
            return None
        try:
            items = fragments.items_of(fragment)
            contested = self.read.open_by_record
            if contested and any(self._value(i[fragments.REF]) in contested for i in items):
                return None  # the answer marks the measure contested: decided from the row
            return fragment, [(item, self._measure(item[fragments.NAME])) for item in items]
        except fragments.FragmentUnusable as exc:
            log.warning(
                "a fragment of the decision snapshot is unusable; the party is decided from its"
                " row", extra={"party_id": party, "error": str(exc)},
            )  # fmt: skip
            return None

    def _joined(self, sent: str, fragment: Fragment, items: list[_Joined]) -> bytes:
        """The fragment joined: each measure's decision here, strongest first (a stable sort
        of items already in the answer's order for equal strength)."""
        items.sort(key=lambda pair: pair[1].rank)
        names = tuple(measure.name for _item, measure in items)
        decision, decision_text = self._party_decision(names, bool(fragment.red_listed))
        shown = fragments.MASKED_NAME if self.masked else fragments.NAME
        self._note(sent, decision, None, [self._value(item[shown]) for item, _ in items])
        ordered = [(item, measure.decision) for item, measure in items]
        return fragments.result_text(sent, fragment, decision_text, ordered, self.masked)

    def _measure(self, name_text: bytes) -> _Decided:
        """The measure named by ``name_text`` (an item's JSON text), its decision here and that
        decision's strength: worked out once per check for each name (a 1,000-party check
        joins hundreds of measures of a few names)."""
        known = self._measures.get(name_text)
        if known is None:
            name = self._value(name_text)
            if not isinstance(name, str):
                raise fragments.FragmentUnusable("a measure's name is not text")
            decision = self.ranking.decision(name)
            rank = self.ranking.rank.get(decision, len(self.ranking.rank))
            known = _Decided(name, decision.encode("utf-8"), rank)
            self._measures[name_text] = known
        return known

    def _value(self, text: bytes) -> Any:
        """An item's name or reference (JSON text) as its value, read once per check."""
        if text not in self._values:
            self._values[text] = fragments.text_of(text)
        return self._values[text]

    def _party_decision(self, names: tuple[str, ...], red_listed: bool) -> tuple[str, bytes]:
        """:func:`decide` of a party's measures (and as UTF-8), once per check for each set of
        them."""
        key = (names, red_listed)
        known = self._decisions.get(key)
        if known is None:
            value = decide(list(names), self.context, red_listed, self.catalog).value
            known = self._decisions[key] = (value, value.encode("utf-8"))
        return known

    def _decided(self, sent: str, party: str) -> bytes:
        """The party decided from its whole row, as :meth:`SnapshotEvaluator.from_snapshot`
        does."""
        row = self.read.whole(party).parsed()
        found = {party: _decidable(on_date(row, self.iso), self.catalog,
                                          self.as_of, self.read.open_by_record)}  # fmt: skip
        shown = decide_parties([sent], found, self.context, self.catalog)[0].as_json()
        result = mask_result(shown) if self.masked else shown
        self.decisions.append(decided_of(result))
        return canonical_json(result)

    def _note(
        self, sent: str, decision: str | None, error: str | None, measures: list[Any]
    ) -> None:
        self.decisions.append(
            {"party_id": sent, "decision": decision, "error": error, "measures": measures}
        )


def decided_of(result: Mapping[str, Any]) -> dict[str, Any]:
    """What a check's audit entry keeps of one party's result (as answered: masked for a
    checker): who, the decision, the error, the measures' names.

    >>> decided_of({"party_id": "P", "decision": "deny", "error": None, "found": True,
    ...             "measures": [{"measure": "blacklist", "rule": "direct"}]})
    {'party_id': 'P', 'decision': 'deny', 'error': None, 'measures': ['blacklist']}
    """
    return {
        "party_id": result["party_id"],
        "decision": result["decision"],
        "error": result["error"],
        "measures": [m.get("measure") for m in result["measures"]],
    }


def _normalised(party_ids: Sequence[str]) -> list[tuple[str, str]]:
    return [(sent, normalise(sent)) for sent in party_ids]


def _decidable(
    row: dict[str, Any], catalog: Catalog, as_of: date, open_by_record: Mapping[str, str]
) -> dict[str, Any]:
    """The row as :func:`decide_parties` takes it: red-list records decided into a flag, and
    measures resting on a record under an open objection (the snapshot's table, refreshed
    with the measures) marked contested, as :func:`evaluate` marks them."""
    red = row.pop("red_records")
    measures = mark_contested(row["measures"], open_by_record)
    return {**row, "measures": measures, "red_listed": holds_red_list(red, catalog, as_of)}
