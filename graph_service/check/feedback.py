"""Feedback on a stored check: which of the returned measures the agency applied.

Invariants (docs/checks.md):

* feedback is given by the key that made the check (or an admin); to anyone else the check
  does not exist (404), so a checker cannot learn of another agency's checks;
* it may only name the party and measures the check answered (409 otherwise) and no measure
  both as applied and as not applied (422);
* these functions only decide and shape; the service loads the check and writes the audit
  entry with the ``:CheckFeedback`` row (:meth:`graph_service.check.service.CheckService
  .record_feedback`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from graph_service.check.request import FeedbackRequest
from graph_service.errors import Conflict, InvalidInput, NotFound
from graph_service.identifiers import normalise
from graph_service.security.audit import now_stamp
from graph_service.security.roles import Caller, Role
from graph_service.security.stored import response_text


def validate_feedback(check: Mapping[str, Any], feedback: FeedbackRequest, caller: Caller) -> None:
    """Raises unless ``caller`` may give ``feedback`` on the stored ``check`` (a ``:Check`` row).

    >>> check = {"check_id": "c1", "caller_name": "portal", "response": json.dumps(
    ...     {"results": [{"party_id": "P1", "measures": [{"measure": "officer_ban"}]}]})}
    >>> portal = Caller(name="portal", role=Role.CHECKER, key_id="k1")
    >>> validate_feedback(check, FeedbackRequest(party_id="p1", applied=["officer_ban"]), portal)
    >>> validate_feedback(check, FeedbackRequest(party_id="P1", applied=["exit_review"]), portal)
    Traceback (most recent call last):
    ...
    graph_service.errors.Conflict: the measures at applied[0] were not returned for this party

    Messages name fields, never the values sent (docs/security.md).
    """
    if caller.role is not Role.ADMIN and check["caller_name"] != caller.name:
        raise NotFound("no check with this id made with this API key")
    _require_returned(feedback, json.loads(response_text(check)))  # either stored form


def _require_returned(feedback: FeedbackRequest, response: Mapping[str, Any]) -> None:
    """409 unless the party and every measure named were in the check's answer."""
    wanted = normalise(feedback.party_id)
    results = [r for r in response["results"] if normalise(r["party_id"]) == wanted]
    if not results:
        raise Conflict("party_id: this party was not part of this check")
    returned = {m.get("measure") for r in results for m in r["measures"]}
    unknown = [field for field, measure in _named(feedback) if measure not in returned]
    if unknown:
        raise Conflict(f"the measures at {', '.join(unknown)} were not returned for this party")
    not_applied = {n.measure for n in feedback.not_applied}
    both = [f"applied[{i}]" for i, m in enumerate(feedback.applied) if m in not_applied]
    if both:
        raise InvalidInput(f"the measures at {', '.join(both)} are also named in not_applied")


def _named(feedback: FeedbackRequest) -> list[tuple[str, str]]:
    """Each measure the feedback names, with the field naming it (``not_applied[1].measure``)."""
    applied = [(f"applied[{i}]", m) for i, m in enumerate(feedback.applied)]
    not_applied = [
        (f"not_applied[{i}].measure", n.measure) for i, n in enumerate(feedback.not_applied)
    ]
    return applied + not_applied


def feedback_payload(check_id: str, feedback: FeedbackRequest) -> dict[str, Any]:
    """What the audit log keeps of a feedback."""
    return {"check_id": check_id, "parties": [feedback.party_id], **_feedback_json(feedback)}


def feedback_row(check_id: str, feedback: FeedbackRequest, caller: Caller) -> dict[str, Any]:
    """The ``:CheckFeedback`` node stored beside the check."""
    return {
        "check_id": check_id,
        "party_id": feedback.party_id,
        "applied": feedback.applied,
        "not_applied": json.dumps(_feedback_json(feedback)["not_applied"], ensure_ascii=False),
        "given_by_name": caller.name,
        "given_by_role": caller.role.value,
        "given_at": now_stamp(),
    }


def feedback_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored ``:CheckFeedback`` row as ``GET /v1/checks/{id}`` shows it."""
    return {
        "party_id": row["party_id"],
        "applied": row.get("applied") or [],
        "not_applied": json.loads(row.get("not_applied") or "[]"),
        "given_by": {"name": row["given_by_name"], "role": row["given_by_role"]},
        "given_at": row["given_at"],
        "audit_seq": row.get("audit_seq"),
    }


def _feedback_json(feedback: FeedbackRequest) -> dict[str, Any]:
    return {
        "applied": feedback.applied,
        "not_applied": [n.model_dump() for n in feedback.not_applied],
    }
