"""Repair applications (信用修复, due-process.md §2): filing, reading and deciding.

Invariants:

* A filing is refused unless :func:`~graph_service.dueprocess.rules.refuse_repair` lets it
  through (an active record, past its minimum period, not a court listing); an accepted one is
  stored ``pending`` together with its audit entry (kind ``repair_filed``, the stored row as an
  attachment), so it exists exactly when its entry does.
* A decision is audited (kind ``repair_decided``) before it is carried out: logging a decision
  that then fails is acceptable, carrying out one that is not logged is not. It closes the
  application only while it is pending (else :class:`~graph_service.errors.Closed`, 409), in
  the transaction that writes the ``repaired`` status update of an approval
  (:mod:`.status`); then the incremental propagation ends the measures resting on the record.
* Every function is synchronous: the CLI calls them directly, REST from a worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph_service.db import Database
from graph_service.dueprocess.requests import RepairDecision, RepairRequest
from graph_service.dueprocess.rules import refuse_repair, subject_of
from graph_service.dueprocess.status import (
    StatusUpdate,
    close_decided,
    propagate_update,
    records_named,
)
from graph_service.errors import Closed, NotFound, UnknownRecord
from graph_service.identifiers import normalise_record_ref
from graph_service.policy.catalog import Catalog
from graph_service.security.appender import Attachment, AuditLog
from graph_service.security.audit import Actor, now_stamp

#: The states of an application; only ``pending`` may be decided.
STATES = ("pending", "approved", "rejected")


@dataclass(frozen=True)
class Desk:
    """What filing and deciding need: the graph, the audit log and the catalog in force."""

    db: Database
    audit: AuditLog
    catalog: Catalog


def file_repair(
    desk: Desk, request: RepairRequest, actor: Actor, today: date | None = None
) -> dict[str, Any]:
    """Files ``request`` (see the module); the stored application as :func:`view` shows it."""
    today = today or date.today()
    ref = normalise_record_ref(request.record_ref)
    records = records_named(desk.db, ref)
    if not records:
        raise UnknownRecord("no record has this record_ref")
    refuse_repair(records, desk.catalog, today)
    row = {
        "repair_id": str(uuid.uuid4()),
        "record_ref": ref,
        "record_key": str(min(r["record_key"] for r in records)),
        "party_id": subject_of(records),
        "commitment": request.commitment,
        "evidence": list(request.evidence),
        "state": "pending",
        "filed_at": now_stamp(),
        "filed_by": actor.name,
    }
    attachment = Attachment("dueprocess/create_repairs", row)
    stamp = desk.audit.append_sync("repair_filed", actor, dict(row), attachment)
    return view({**row, "audit_seq": stamp.seq})


def repair(db: Database, repair_id: str) -> dict[str, Any]:
    """The application ``repair_id`` as stored (:class:`NotFound` when unknown)."""
    rows = db.read_plain("dueprocess/repair_by_id", repair_id=repair_id)
    if not rows:
        raise NotFound("no repair application with this id")
    return view(rows[0]["props"])


def repairs(db: Database, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Applications, newest first; only those in ``state`` when given."""
    rows = db.read_plain("dueprocess/repairs", state=state, limit=limit)
    return [view(r["props"]) for r in rows]


def decide_repair(
    desk: Desk, repair_id: str, decision: RepairDecision, actor: Actor, today: date | None = None
) -> dict[str, Any]:
    """Approves or rejects a pending application (see the module); the application as decided,
    with the propagation run that followed an approval."""
    today = today or date.today()
    filed = repair(desk.db, repair_id)
    if filed["state"] != "pending":
        raise Closed(f"the application is already {filed['state']}")
    update = None
    if decision.decision == "approved":
        update = StatusUpdate(
            filed["record_ref"], "repaired", today, "repair", repair_id, decision.reason,
            actor.name,
        )  # fmt: skip
    payload = {"repair_id": repair_id, "record_ref": filed["record_ref"],
               "decision": decision.decision, "reason": decision.reason,
               "update_key": update.update_key if update else None}  # fmt: skip
    desk.audit.append_sync("repair_decided", actor, payload)
    desk.db.write_tx(
        lambda tx: close_decided(
            tx,
            "dueprocess/close_repair",
            "the application",
            update,
            repair_id=repair_id,
            state=decision.decision,
            reason=decision.reason,
            decided_by=actor.name,
        )
    )
    answer = repair(desk.db, repair_id)
    if update is not None:
        answer["propagation"] = propagate_update(desk.db, desk.catalog, update, today)
    return answer


def view(props: Mapping[str, Any]) -> dict[str, Any]:
    """An application as the API and the CLI show it."""
    keys = ("repair_id", "state", "record_ref", "record_key", "party_id", "commitment",
            "evidence", "filed_at", "filed_by", "reason", "decided_at", "decided_by",
            "update_key", "audit_seq")  # fmt: skip
    shown = {k: props.get(k) for k in keys}
    shown["evidence"] = list(props.get("evidence") or [])
    return shown
