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

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from graph_service.analysis.activity import holds_red_list
from graph_service.check.evaluate import (
    CheckResult,
    decide_parties,
    evaluate,
    normalise,
    party_kind,
)
from graph_service.check.snapshot import SnapshotReader
from graph_service.db import Database
from graph_service.dueprocess.contested import mark_contested
from graph_service.errors import SnapshotUnavailable
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.security.roles import Caller


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
        return self.from_snapshot(db, context, party_ids, as_of, caller)

    def from_snapshot(
        self, db: Database, context: str, party_ids: Sequence[str], as_of: date, caller: Caller
    ) -> CheckResult:
        """Decides from the snapshot for ``as_of``, which the caller has decided is today;
        never reads Neo4j, whatever the clock says by now (the service runs small checks on
        the event loop with it: :meth:`graph_service.check.service.CheckService._inline`)."""
        del caller  # masking by role happens at the edge
        catalog = catalog_in_force(db.settings)
        valid = sorted({p for p in (normalise(s) for s in party_ids) if party_kind(p)})
        read = self.reader.read(valid)
        if read.meta.catalog_version != catalog.version:
            raise SnapshotUnavailable("the decision snapshot is being rebuilt for the catalog")
        iso = as_of.isoformat()
        found = {
            p: _decidable(on_date(row, iso), catalog, as_of, read.open_by_record)
            for p, row in read.rows.items()
        }
        results = decide_parties(party_ids, found, context, catalog)
        meta = read.meta
        return CheckResult(catalog.version, results, meta.run_id, meta.confirmed_at, plain=True)


def on_date(row: Mapping[str, Any], iso: str) -> dict[str, Any]:
    """``row`` with only the red-list records begun and the measures still applying on the
    ISO date ``iso`` (ISO dates compare as text), as ``check/parties`` selects them."""
    red = [r for r in row["red_records"] if r.get("start") is not None and r["start"] <= iso]
    measures = [m for m in row["measures"] if m.get("until") is None or m["until"] >= iso]
    return {**row, "red_records": red, "measures": measures}


def _decidable(
    row: dict[str, Any], catalog: Catalog, as_of: date, open_by_record: Mapping[str, str]
) -> dict[str, Any]:
    """The row as :func:`decide_parties` takes it: red-list records decided into a flag, and
    measures resting on a record under an open objection (the snapshot's table, refreshed
    with the measures) marked contested, as :func:`evaluate` marks them."""
    red = row.pop("red_records")
    measures = mark_contested(row["measures"], open_by_record)
    return {**row, "measures": measures, "red_listed": holds_red_list(red, catalog, as_of)}
