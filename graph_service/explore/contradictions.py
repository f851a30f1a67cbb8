"""Contradictions between sources (due process §7): read from Neo4j, decided, stored.

:func:`refresh` runs after every load that changed something (``credit-graph load``,
``load-dir``) and on ``credit-graph contradictions --refresh``: one named query per kind
(``cypher/contradictions/*``) reads the candidate rows, the pure functions of
:mod:`graph_service.analysis.contradictions` decide, and the stored ``:Contradiction`` nodes
are made that set in one transaction (readers see one refresh or the other, never half),
writing only the differences: those gone or changed are removed, those new or changed
created, the others keep the refresh that first found them.

Invariant: nothing that decides a measure or a check reads ``:Contradiction`` nodes — the
propagation and the checks are untouched by them (tests/contradictions checks the measures
with and without contradictions).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from functools import partial
from typing import Any

from graph_service.analysis import contradictions as c
from graph_service.db import Database, Tx
from graph_service.policy.catalog import Catalog, catalog_in_force
from graph_service.policy.contradiction_policy import ContradictionPolicy

#: Seconds each whole-graph read, and the replacing transaction, may take.
REFRESH_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class NameField:
    """Which property of a record of ``kind`` holds its subject's name (from the loader
    mappings: the CLI passes them, graph_service does not read ``loaders``)."""

    kind: str
    field: str


@dataclass
class Refresh:
    """What one refresh found."""

    refresh_id: str
    count: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    removed: int = 0  # stored ones gone or changed
    created: int = 0  # new or changed ones
    find_s: float = 0.0  # reading and deciding
    seconds: float = 0.0  # in all, with the writing


def find_all(
    db: Database, name_fields: Sequence[NameField], policy: ContradictionPolicy, today: date
) -> list[c.Contradiction]:
    """Every contradiction the graph holds now, each kind in :data:`c.KINDS` order."""
    read = _reader(db)
    names = [{"kind": f.kind, "field": f.field} for f in name_fields]
    before = datetime.combine(c.cutoff(policy, today), clock.min, UTC)
    found = c.name_mismatches(_name_rows(read("contradictions/names", name_fields=names)))
    found += c.records_after_deregistration(read("contradictions/deregistered"))
    found += c.minor_roles(read("contradictions/roles", min_age=policy.min_role_age_years), policy)
    found += c.branches_holding_shares(read("contradictions/branch_holdings"))
    found += c.branch_cycles(read("contradictions/branch_links"))
    found += c.stakes_over(read("contradictions/stakes", limit_pct=policy.stake_limit_pct), policy)
    found += c.reference_only(read("contradictions/reference_only", before=before), policy, today)
    return _deduplicated(found)


def refresh(
    db: Database,
    name_fields: Sequence[NameField],
    catalog: Catalog | None = None,
    today: date | None = None,
) -> Refresh:
    """Finds every contradiction and replaces the stored ones with them."""
    started = time.perf_counter()
    catalog = catalog or catalog_in_force(db.settings)
    found = find_all(db, name_fields, catalog.contradictions, today or date.today())
    result = Refresh(uuid.uuid4().hex, count=len(found))
    for item in found:
        result.by_kind[item.kind] = result.by_kind.get(item.kind, 0) + 1
    result.find_s = round(time.perf_counter() - started, 3)
    rows = {row["contradiction_id"]: row for row in (_stored(x, result.refresh_id) for x in found)}
    work = partial(_replace, rows, db.settings.batch_size)
    result.removed, result.created = db.write_tx(work, timeout_s=REFRESH_TIMEOUT_S)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _replace(rows: Mapping[str, dict[str, Any]], batch: int, tx: Tx) -> tuple[int, int]:
    """Makes the stored set ``rows``, writing only the differences (a refresh that finds what
    is stored writes nothing): removes those gone or changed, creates those new or changed.
    Returns (removed, created)."""
    stored = {r["contradiction_id"]: r["content_hash"] for r in tx.run("contradictions/stored")}
    gone = sorted(k for k, h in stored.items() if k not in rows or rows[k]["content_hash"] != h)
    new = [row for k, row in sorted(rows.items()) if stored.get(k) != row["content_hash"]]
    for start in range(0, len(gone), batch):
        tx.run("contradictions/delete", ids=gone[start : start + batch])
    for start in range(0, len(new), batch):
        tx.run("contradictions/create", rows=new[start : start + batch])
    return len(gone), len(new)


def stored_count(db: Database, kind: str | None = None) -> int:
    """How many contradictions are stored (of ``kind``, or all)."""
    (row,) = db.read("contradictions/count", kind=kind)
    return int(row["total"])


def stored_page(db: Database, kind: str | None, offset: int, limit: int) -> list[dict[str, Any]]:
    """One page of the stored contradictions as plain data (details and provenance parsed)."""
    rows = db.read("contradictions/page", kind=kind, offset=offset, limit=limit)
    return [as_plain(row["props"]) for row in rows]


def as_plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """A stored ``:Contradiction``'s properties with its JSON fields parsed."""
    plain = {k: v for k, v in props.items() if not k.endswith("_json")}
    plain["details"] = json.loads(props.get("details_json") or "{}")
    plain["provenance"] = json.loads(props.get("provenance_json") or "[]")
    plain["refreshed_at"] = str(props.get("refreshed_at", ""))
    return plain


def _reader(db: Database) -> Any:
    def read(name: str, **params: Any) -> list[dict[str, Any]]:
        rows = db.read_plain(name, timeout_s=REFRESH_TIMEOUT_S, **params)
        return [{k: _native(v) for k, v in row.items()} for row in rows]

    return read


def _native(value: Any) -> Any:
    """Neo4j's dates as Python's (the pure functions compare them with ``date``)."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _name_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row of ``contradictions/names`` as two sightings: the company's name, the other."""
    seen = []
    for row in rows:
        party = row["party_id"]
        seen.append({"party_id": party, "name": row["name"], **c.provenance(row, "c_")})
        seen.append({"party_id": party, "name": row["other_name"], **c.provenance(row, "r_")})
    return seen


def _deduplicated(found: list[c.Contradiction]) -> list[c.Contradiction]:
    """One per key (the same facts reached twice, e.g. through two links), rows merged."""
    by_key: dict[str, c.Contradiction] = {}
    for item in found:
        known = by_key.get(item.key)
        if known is None:
            by_key[item.key] = item
            continue
        merged = known.provenance + tuple(p for p in item.provenance if p not in known.provenance)
        by_key[item.key] = c.Contradiction(
            known.kind, known.party_id, known.summary, known.details, merged
        )
    return list(by_key.values())


def _stored(item: c.Contradiction, refresh_id: str) -> dict[str, Any]:
    """The ``:Contradiction`` properties of one contradiction."""
    row: dict[str, Any] = {
        "contradiction_id": item.key,
        "kind": item.kind,
        "party_id": item.party_id,
        "summary": item.summary,
        "details_json": json.dumps(item.details, ensure_ascii=False, default=str),
        "provenance_json": json.dumps(item.provenance, ensure_ascii=False, default=str),
    }
    text = json.dumps(row, sort_keys=True, ensure_ascii=False)
    row["content_hash"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    row.update(refresh_id=refresh_id, refreshed_at=datetime.now(UTC))
    return row
