"""Objections (异议, due-process.md §3): filing, listing and deciding.

Invariants:

* One open objection per party and record: the party is the record's subject, the key
  ``open_key`` (record_ref|party_id) is unique while the objection is open (a second filing is
  :class:`~graph_service.errors.Conflict`, 409). A filing is stored ``open`` with its audit
  entry (kind ``objection_filed``, the stored row as an attachment), due the catalog's
  ``due_process.objection_deadline_days`` later.
* While open, the record still restricts; every measure resting on it is marked contested
  (:mod:`.contested`).
* A decision is audited (kind ``objection_decided``) before it is carried out, and closes only
  an open objection (else :class:`~graph_service.errors.Closed`, 409). Upheld: a ``revoked`` or
  ``corrected`` status update of the record effective that day, with ``source: objection``
  (:mod:`.status`), then the incremental propagation; dismissed: the mark ends, nothing else.
  Nothing is deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from graph_service.db import Database
from graph_service.dueprocess.repairs import Desk
from graph_service.dueprocess.requests import ObjectionDismissed, ObjectionRequest, ObjectionUpheld
from graph_service.dueprocess.rules import objection_due_on, objection_overdue, subject_of
from graph_service.dueprocess.status import (
    StatusUpdate,
    close_decided,
    propagate_update,
    records_named,
)
from graph_service.errors import Closed, Conflict, InvalidInput, NotFound, UnknownRecord
from graph_service.identifiers import normalise_record_ref
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, now_stamp

#: What ``GET /v1/objections?state=`` may ask for.
LISTS = ("open", "overdue", "closed")


def file_objection(
    desk: Desk, request: ObjectionRequest, actor: Actor, today: date | None = None
) -> dict[str, Any]:
    """Files ``request`` (see the module); the stored objection as :func:`view` shows it."""
    today = today or date.today()
    ref = normalise_record_ref(request.record_ref)
    records = records_named(desk.db, ref)
    if not records:
        raise UnknownRecord("no record has this record_ref")
    party = subject_of(records)
    open_key = f"{ref}|{party}"
    if desk.db.read_plain("dueprocess/open_objection", open_key=open_key):
        raise Conflict("the party has an open objection to this record already")
    objection_id = str(uuid.uuid4())
    row = {
        "objection_id": objection_id,
        "open_key": open_key,
        "record_ref": ref,
        "party_id": party,
        "grounds": request.grounds,
        "contact": request.contact,
        "state": "open",
        "due_on": objection_due_on(today, desk.catalog).isoformat(),
        "filed_at": now_stamp(),
        "filed_by": actor.name,
    }
    attachment = Attachment("dueprocess/create_objections", row)
    stamp = desk.audit.append_sync("objection_filed", actor, dict(row), attachment)
    try:
        stored = objection(desk.db, objection_id, today)
    except NotFound:  # another filing won the race for open_key (MERGE created nothing)
        raise Conflict("the party has an open objection to this record already") from None
    return {**stored, "audit_seq": stamp.seq}


def objection(db: Database, objection_id: str, today: date | None = None) -> dict[str, Any]:
    """The objection ``objection_id`` (:class:`NotFound` when unknown)."""
    rows = db.read_plain("dueprocess/objection_by_id", objection_id=objection_id)
    if not rows:
        raise NotFound("no objection with this id")
    return view(rows[0]["props"], today or date.today())


def objections(
    db: Database, state: str | None = None, today: date | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Objections, the soonest due first; ``state``: open, overdue or closed (None: all)."""
    if state is not None and state not in LISTS:
        raise InvalidInput(f"state: must be one of {', '.join(LISTS)}")
    today = today or date.today()
    rows = db.read_plain("dueprocess/objections", state=state, today=today.isoformat(), limit=limit)
    return [view(r["props"], today) for r in rows]


def decide_objection(
    desk: Desk,
    objection_id: str,
    decision: ObjectionUpheld | ObjectionDismissed,
    actor: Actor,
    today: date | None = None,
) -> dict[str, Any]:
    """Upholds or dismisses an open objection (see the module); the objection as decided,
    with the propagation run that followed an upheld one."""
    today = today or date.today()
    found = objection(desk.db, objection_id, today)
    if found["state"] != "open":
        raise Closed(f"the objection is already {found['state']}")
    update = None
    if isinstance(decision, ObjectionUpheld):
        update = StatusUpdate(
            found["record_ref"], decision.action, today, "objection", objection_id,
            decision.reason, actor.name,
        )  # fmt: skip
    payload = {"objection_id": objection_id, "record_ref": found["record_ref"],
               "decision": decision.decision, "action": decision.action,
               "reason": decision.reason,
               "update_key": update.update_key if update else None}  # fmt: skip
    desk.audit.append_sync("objection_decided", actor, payload)
    desk.db.write_tx(
        lambda tx: close_decided(
            tx,
            "dueprocess/close_objection",
            "the objection",
            update,
            objection_id=objection_id,
            state=decision.decision,
            action=decision.action,
            reason=decision.reason,
            decided_by=actor.name,
        )
    )
    answer = objection(desk.db, objection_id, today)
    if update is not None:
        answer["propagation"] = propagate_update(desk.db, desk.catalog, update, today)
    return answer


def view(props: Mapping[str, Any], today: date) -> dict[str, Any]:
    """An objection as the API and the CLI show it, with ``overdue`` judged on ``today``."""
    keys = ("objection_id", "state", "record_ref", "party_id", "grounds", "contact", "due_on",
            "filed_at", "filed_by", "action", "reason", "decided_at", "decided_by",
            "update_key", "audit_seq")  # fmt: skip
    shown = {k: props.get(k) for k in keys}
    shown["overdue"] = objection_overdue(props, today)
    return shown
