"""What a registry file would change (due process §6): measures gained, lost or changed.

How, and why this way
---------------------
The caller (``credit-graph load … --what-if``, graph_service/cli/whatif_cmd.py) runs the
*real* load — staging, validation, rejects, the write path with its named queries — on
:meth:`graph_service.db.Database.rolled_back`'s view: every statement in one Neo4j
transaction that is rolled back at the end. Inside that transaction this module computes,
with the propagation's own functions (:mod:`graph_service.propagation.scope`,
:func:`runner.measures_as_of`), the measures of every party the loads can affect, and
compares them with the same parties' measures computed from the committed graph (outside the
transaction, which does not see its writes), for the same day and catalog. So:

* the answer is exact: the same code decides as in a real load and propagation, not a
  second model of what a load does (an in-memory overlay would have to copy every load
  query's semantics, and drift from them);
* nothing is committed: no row, no ``:Load``, no ``:Measure``, no ``:MeasureChange``;
* the difference is the files' own: both sides are computed now for the same day, so a
  measure that stored state still holds although its record expired overnight, or a load
  still pending, does not show up as a change the file makes.

The price: the transaction holds the write locks of the rows it writes until it ends, so a
real load of the same entities waits for the what-if (seconds for a file of 1,000 rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph_service.analysis.explain import Measure
from graph_service.db import Database
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.propagation import runner, scope, store

#: Seconds the what-if's one transaction may last: writing a file and computing its effect.
WHAT_IF_TIMEOUT_S = 1800.0


@dataclass
class WhatIf:
    """What some files would change: each entry a measure with its explanation."""

    as_of: date
    catalog_version: str
    parties: int = 0  # parties whose measures were compared
    gains: list[dict[str, Any]] = field(default_factory=list)
    losses: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # same measure, other path/end

    def as_json(self) -> dict[str, Any]:
        """``{"gains", "losses", "changed", "as_of", "catalog_version", "parties"}``."""
        return {
            "gains": self.gains,
            "losses": self.losses,
            "changed": self.changed,
            "as_of": self.as_of.isoformat(),
            "catalog_version": self.catalog_version,
            "parties": self.parties,
        }


def what_if(
    db: Database,
    view: Database,
    load_ids: Iterable[str],
    catalog: Catalog | None = None,
    as_of: date | None = None,
) -> WhatIf:
    """The measures the loads ``load_ids``, written on ``view`` (see the module docstring),
    change compared with the committed graph ``db``."""
    catalog = catalog or catalog_in_force(db.settings)
    as_of = as_of or date.today()
    ids = list(load_ids)
    touched = store.touched_by_loads(view, ids) if ids else set()
    targets = scope.affected(store.Neo4jHops(view), touched) if touched else set()
    after = runner.measures_as_of(view, targets, as_of, catalog).measures
    before = runner.measures_as_of(db, targets, as_of, catalog).measures
    result = WhatIf(as_of, catalog.version, parties=len(targets))
    gains, losses, changed = diff_measures(_by_key(before), _by_key(after))
    result.gains = [measure_entry(m) for m in gains]
    result.losses = [measure_entry(m) for m in losses]
    result.changed = [measure_entry(m) for m in changed]
    return result


def _by_key(measures: Mapping[str, list[Measure]]) -> dict[str, Measure]:
    return {m.key: m for ms in measures.values() for m in ms}


def diff_measures(
    before: Mapping[str, Measure], after: Mapping[str, Measure]
) -> tuple[list[Measure], list[Measure], list[Measure]]:
    """(gained, lost, changed) measures between two keyed sets, each sorted by party and key.

    A measure is keyed by party, measure, rule, record and path (:attr:`Measure.key`); the
    same key with another end date or basis is *changed* (shown as it would be after).

    >>> from datetime import date
    >>> from graph_service.analysis.explain import OriginRecord, PathHop
    >>> rec = OriginRecord("dishonest_debtor:1|C", "1|C", "dishonest_debtor", None,
    ...                    date(2024, 1, 1), None, "C")
    >>> def m(party, until=None):
    ...     return Measure(party, "travel_ban", "direct", None, rec, "b",
    ...                    (PathHop(party, None),), until, "v1")
    >>> a, b, b2 = m("A"), m("B"), m("B", date(2030, 1, 1))
    >>> gained, lost, changed = diff_measures({a.key: a, b.key: b}, {b2.key: b2})
    >>> [x.party_id for x in gained], [x.party_id for x in lost], [x.until for x in changed]
    ([], ['A'], [datetime.date(2030, 1, 1)])
    """
    gained = [after[k] for k in after.keys() - before.keys()]
    lost = [before[k] for k in before.keys() - after.keys()]
    changed = [after[k] for k in after.keys() & before.keys() if after[k] != before[k]]
    return _sorted(gained), _sorted(lost), _sorted(changed)


def _sorted(measures: list[Measure]) -> list[Measure]:
    return sorted(measures, key=lambda m: (m.party_id, m.key))


def measure_entry(measure: Measure) -> dict[str, Any]:
    """A measure as a what-if lists it: party, measure, rule, record and path (the stored
    explanation, :func:`graph_service.propagation.store.measure_row`), dates as ISO text."""
    props = store.measure_row(measure)["props"]
    record = {
        "record_key": props["record_key"],
        "ref": props["record_ref"],
        "kind": props["record_kind"],
        "party_id": props["record_party_id"],
        "authority": props["authority"],
        "start": _iso(props["record_start"]),
        "end": _iso(props["record_end"]),
    }
    return {
        "party_id": measure.party_id,
        "measure": measure.measure,
        "measure_key": measure.key,
        "origin": measure.origin,
        "rule": measure.rule,
        "record": record,
        "path": json.loads(props["path_json"]),
        "until": _iso(measure.until),
        "basis": measure.basis,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
