"""One sanction check from request to answer, shared by REST (``POST /v1/checks``) and GraphQL
(``sanctionCheck``), so that both edges answer, mask, sign and log a check identically.

Invariants (docs/checks.md, docs/security.md):

* a :class:`CheckRequest` is valid by construction: the REST edge gets one from FastAPI's body
  parsing (422 naming the field), the GraphQL edge from :func:`parse_request` (a typed error
  naming the argument) — the rules are the model's, written once;
* :meth:`CheckService.run` is, in this order: evaluated (:func:`graph_service.checks
  .evaluate`), masked for the ``checker`` role, signed (``receipt``), and written to the audit
  log (kind ``check``) together with the stored check — and only then returned. If the entry
  cannot be written it raises :class:`~graph_service.errors.AuditUnavailable` (503) and nothing
  is answered.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from graph_service import checks
from graph_service.checks import CONTEXTS, CheckResult
from graph_service.db import Database
from graph_service.errors import CheckFailed, CreditGraphError, InvalidInput
from graph_service.security.appender import Attachment
from graph_service.security.audit import Actor, now_stamp
from graph_service.security.canonical import jsonable
from graph_service.security.masking import mask_result
from graph_service.security.roles import Caller, Role
from graph_service.security.roles import sees_personal_data as unmasked
from graph_service.security.state import Security, security_of

log = logging.getLogger(__name__)

MAX_PARTIES = 1000
PartyId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Evaluator = Callable[[Database, str, Sequence[str], date, Caller], CheckResult]


class CheckRequest(BaseModel):
    """A sanction check: which parties, in which context, on which day, and why."""

    model_config = ConfigDict(extra="forbid")

    context: str = Field(description="one of: " + ", ".join(CONTEXTS))
    parties: list[PartyId] = Field(min_length=1, max_length=MAX_PARTIES)
    as_of: date | None = Field(default=None, description="YYYY-MM-DD; default today")
    purpose: Text = Field(description="why the check is made (kept in the audit log)")

    @field_validator("context")
    @classmethod
    def _known_context(cls, value: str) -> str:
        if value not in CONTEXTS:
            raise ValueError(f"unknown context {value[:40]!r}; known: {', '.join(CONTEXTS)}")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Only YYYY-MM-DD text: pydantic would otherwise read a number as a Unix time.
        if value is not None and not (isinstance(value, str) and len(value) == 10):
            raise ValueError("as_of must be a date written YYYY-MM-DD")
        return value


class InvalidCheckRequest(InvalidInput):
    """A check request breaks the model's rules; ``field`` names the (first) offending field
    as REST does (``parties[3]``), ``reason`` says what is wrong (never the value sent)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_request(data: Mapping[str, Any]) -> CheckRequest:
    """The :class:`CheckRequest` of ``data`` (the REST body's keys), or InvalidCheckRequest.

    >>> parse_request({"context": "bidding", "parties": [], "purpose": "t"})
    Traceback (most recent call last):
    ...
    graph_service.check_run.InvalidCheckRequest: parties: List should have at least 1 item \
after validation, not 0
    """
    try:
        return CheckRequest.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidCheckRequest(_field_name(first), str(first["msg"])) from None


def _field_name(error: ErrorDetails) -> str:
    """``("parties", 3)`` → ``parties[3]``, as the REST 422 names fields."""
    loc = error["loc"] or ("body",)
    return str(loc[0]) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])


def get_evaluator() -> Evaluator:
    """The evaluation in use (a dependency, so tests can plug in their own)."""
    return checks.evaluate


@dataclass(frozen=True)
class CheckService:
    """What running a check needs: the graph, the security machinery and the evaluation."""

    db: Database
    security: Security
    evaluator: Evaluator

    async def run(self, request: CheckRequest, caller: Caller) -> dict[str, Any]:
        """The answer to ``request`` for ``caller``, with its receipt, once it is audited."""
        check_id = str(uuid.uuid4())
        as_of = request.as_of or date.today()
        # Evaluating, masking, signing and serialising are all CPU work: one trip to a worker
        # thread keeps them off the event loop (a 1,000-party answer takes tens of ms to
        # convert, sign and dump, during which no other request would be served).
        answer, payload, stored = await run_in_threadpool(
            self._answered, request, as_of, caller, check_id
        )
        attachment = Attachment("audit/create_checks", stored)
        await self.security.audit.append("check", Actor.of(caller), payload, attachment)
        return answer

    def _answered(
        self, request: CheckRequest, as_of: date, caller: Caller, check_id: str
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The signed answer, its audit payload and the ``:Check`` row that stores it."""
        result = self._evaluate(request, as_of, caller, check_id)
        answer = _answer(check_id, request, as_of, result, caller.role)
        answer["receipt"] = self.security.signer.sign(answer)
        payload = _audit_payload(request, as_of, answer)
        return answer, payload, _stored_check(caller, request, answer)

    def _evaluate(
        self, request: CheckRequest, as_of: date, caller: Caller, check_id: str
    ) -> CheckResult:
        """Runs the evaluation; failures are answered without internals."""
        try:
            result = self.evaluator(self.db, request.context, request.parties, as_of, caller)
        except CreditGraphError as exc:
            if exc.http_status < 500:
                raise
            log.error("check failed", extra={"check_id": check_id, "code": exc.code})
            raise CheckFailed(
                f"the check could not be completed ({exc.code}); reference {check_id}",
                exc.http_status,
            ) from exc
        except Exception as exc:
            log.exception("check failed", extra={"check_id": check_id})
            raise CheckFailed(f"the check failed; reference {check_id}") from exc
        _require_request_order(result, request.parties, check_id)
        return result


def check_service(
    request: Request, evaluator: Annotated[Evaluator, Depends(get_evaluator)]
) -> CheckService:
    """The app's :class:`CheckService` (FastAPI dependency of REST routes and GraphQL)."""
    return CheckService(request.app.state.db, security_of(request), evaluator)


def _require_request_order(result: CheckResult, parties: list[str], check_id: str) -> None:
    """The evaluation must answer every party in request order; never pass on a mix-up."""
    answered = [r.party_id for r in result.results]
    if answered != parties:
        log.error("evaluation answered other parties", extra={"check_id": check_id})
        raise CheckFailed(f"the check failed; reference {check_id}")


def _answer(
    check_id: str, request: CheckRequest, as_of: date, result: CheckResult, role: Role
) -> dict[str, Any]:
    """The response body before its receipt: plain JSON, masked for checkers."""
    results = [jsonable(r.as_json()) for r in result.results]
    if not unmasked(role):
        results = [mask_result(r) for r in results]
    return {
        "check_id": check_id,
        "context": request.context,
        "as_of": as_of.isoformat(),
        "catalog_version": result.catalog_version,
        "results": results,
    }


def _audit_payload(request: CheckRequest, as_of: date, answer: dict[str, Any]) -> dict[str, Any]:
    """What the log keeps of a check: who was checked, why, and what was decided."""
    decisions = [
        {
            "party_id": r["party_id"],
            "decision": r["decision"],
            "error": r["error"],
            "measures": [m.get("measure") for m in r["measures"]],
        }
        for r in answer["results"]
    ]
    return {
        "check_id": answer["check_id"],
        "purpose": request.purpose,
        "context": request.context,
        "as_of": as_of.isoformat(),
        "catalog_version": answer["catalog_version"],
        "parties": request.parties,
        "decisions": decisions,
        "receipt": answer["receipt"],
    }


def _stored_check(caller: Caller, request: CheckRequest, answer: dict[str, Any]) -> dict[str, Any]:
    """The ``:Check`` node: the request and the answer exactly as sent."""
    return {
        "check_id": answer["check_id"],
        "created_at": now_stamp(),
        "caller_name": caller.name,
        "caller_role": caller.role.value,
        "caller_key_id": caller.key_id,
        "purpose": request.purpose,
        "request": json.dumps(request.model_dump(mode="json"), ensure_ascii=False),
        "response": json.dumps(answer, ensure_ascii=False),
    }
