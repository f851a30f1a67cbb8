"""A decided repair or objection becomes a status update of its record, exactly as if it had
come from the ``record_updates`` registry: the same ``:RecordUpdate`` written by the same named
queries (``load/record_updates``, ``load/link_pending_updates``, ``load/apply_record_updates``),
with the application or objection as its provenance (``src_kind`` repair | objection,
``src_file`` ``repair:<id>`` / ``objection:<id>``) and ``source`` / ``repair_id`` /
``objection_id`` on the update, so that notices and why-not answers can tell where it came
from. The incremental propagation then ends the derived measures in the same request.

>>> update = StatusUpdate("P1", "repaired", date(2026, 12, 6), "repair", "r-1", "理由")
>>> row = update_row(update)
>>> row["props"]["source"], row["props"]["repair_id"], update.update_key
('repair', 'r-1', 'P1|repaired|2026-12-06')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph_service.analysis.graph import DATE_FIELDS, as_date
from graph_service.db import Database, Tx, unsized
from graph_service.errors import Closed
from graph_service.policy.catalog import Catalog
from graph_service.propagation import runner
from graph_service.security.audit import now_stamp


@dataclass(frozen=True)
class StatusUpdate:
    """A status change of the records of ``record_ref``, from a decision."""

    record_ref: str
    status: str  # repaired | revoked | corrected
    effective_on: date
    source: str  # repair | objection
    source_id: str  # the repair_id or objection_id
    reason: str
    authority: str | None = None  # who decided (the API key or operator)

    @property
    def update_key(self) -> str:
        """The ``:RecordUpdate`` key, as the registry's: record_ref|status|effective_on."""
        return f"{self.record_ref}|{self.status}|{self.effective_on.isoformat()}"


def update_row(update: StatusUpdate) -> dict[str, Any]:
    """The row ``load/record_updates`` takes, shaped as the loader builds it (line,
    row_hash, key fields, the date as ISO text and the other properties in ``props``)."""
    props = {
        "record_ref": update.record_ref,
        "status": update.status,
        "authority": update.authority,
        "reason": update.reason,
        "source": update.source,
        f"{update.source}_id": update.source_id,
    }
    text = json.dumps({**props, "effective_on": update.effective_on.isoformat()}, sort_keys=True)
    return {
        "record_ref": update.record_ref,
        "status": update.status,
        "effective_on": update.effective_on.isoformat(),
        "line": 1,
        "row_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "props": props,
    }


def provenance(update: StatusUpdate, at: datetime | None = None) -> dict[str, Any]:
    """The ``$prov`` of the load queries: the decision is the update's source row."""
    origin = f"{update.source}:{update.source_id}"
    return {
        "src_kind": update.source,
        "src_file": origin,
        "load_id": origin,
        "loaded_at": at or datetime.now(UTC),
    }


def write_update(tx: Tx, update: StatusUpdate) -> None:
    """Writes ``update`` and recomputes its records' status and ``voided_on``, in ``tx``."""
    # The rows inside $batch, as the loader sends them: one plan for the loader's batches and this.
    rows, prov = unsized(rows=[update_row(update)]), provenance(update)
    tx.run("load/record_updates", **rows, prov=prov)
    tx.run("load/link_pending_updates", **rows, prov=prov)
    tx.run("load/apply_record_updates", **rows, prov=prov)


def close_decided(
    tx: Tx, statement: str, what: str, update: StatusUpdate | None, **params: Any
) -> None:
    """Closes a pending application or an open objection with the named ``statement`` (which
    returns ``closed``: how many it closed) and writes the decision's status update, in ``tx``.

    Closing only what is still open makes two deciders race safely: the second one's
    statement closes nothing and gets :class:`~graph_service.errors.Closed` (409).
    """
    key = update.update_key if update else None
    (row,) = tx.run(statement, decided_at=now_stamp(), update_key=key, **params)
    if row["closed"] == 0:  # decided by someone else since it was read
        raise Closed(f"{what} was decided meanwhile")
    if update is not None:
        write_update(tx, update)


def propagate_update(
    db: Database, catalog: Catalog, update: StatusUpdate, today: date
) -> dict[str, Any]:
    """Runs the incremental propagation from the parties ``update``'s records are about (it
    ends or corrects the measures resting on them) and summarises the run for the answer."""
    parties = subjects(records_named(db, update.record_ref))
    return propagation_summary(runner.run_incremental(db, parties, catalog, today))


def propagation_summary(run: Any) -> dict[str, Any]:
    """What an answer shows of the incremental run that followed a decision."""
    return {"run_id": run.run_id, "gained": run.gained, "lost": run.lost, "changed": run.changed}


def subjects(records: Iterable[dict[str, Any]]) -> set[str]:
    """The parties the records are about: where the incremental propagation starts."""
    return {str(r["subject_id"]) for r in records if r.get("subject_id")}


def records_named(db: Database, record_ref: str) -> list[dict[str, Any]]:
    """The records whose registry reference is ``record_ref``, dates as :class:`date` (the
    shape :mod:`graph_service.analysis.activity` judges), each with its ``subject_id``."""
    rows = db.read_plain("dueprocess/records_by_ref", ref=record_ref)
    return [
        {k: as_date(v) if k in DATE_FIELDS else v for k, v in row["record"].items()} for row in rows
    ]
