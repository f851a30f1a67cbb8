"""A sanction check from request to answer, and the stored check afterwards, shared by REST
(``/v1/checks``), GraphQL (``sanctionCheck``) and the CLI (``credit-graph check``), so that
every edge answers, masks, signs and logs a check identically.

Invariants (docs/checks.md, docs/security.md):

* a :class:`~graph_service.check.request.CheckRequest` is valid by construction (the edges
  build it; :mod:`graph_service.check.request`);
* :meth:`CheckService.run` is, in this order: evaluated (:func:`graph_service.check.evaluate
  .evaluate`; today's from the host's decision snapshot, :mod:`graph_service.check
  .snapshot_eval`), masked for the ``checker`` role, signed (``receipt``), and written to the
  audit log (kind ``check``) together with the stored check — the host's local log
  (:mod:`graph_service.security.local_audit`, mirrored to Neo4j) or Neo4j's — and only then
  returned. If the entry cannot be written it raises
  :class:`~graph_service.errors.AuditUnavailable` (503) and nothing is answered;
* reading a stored check (kind ``check_viewed``) and feedback on it (kind ``feedback``, with
  the ``:CheckFeedback`` row) are audited the same way, before they are answered;
* the ``check`` and ``feedback`` entries carry the digest of the row stored with them, so a
  stored check is in the chain: it is served, and feedback on it judged, only when its entries
  vouch for it (:mod:`graph_service.check.integrity`); otherwise
  :class:`~graph_service.errors.StoredCheckTampered` (500) and nothing of it is answered.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Any, Final, Protocol, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from graph_service.check.evaluate import CheckResult, evaluate
from graph_service.check.feedback import (
    feedback_payload,
    feedback_row,
    feedback_view,
    validate_feedback,
)
from graph_service.check.integrity import Integrity, Voucher, integrity_of
from graph_service.check.request import CheckRequest, FeedbackRequest
from graph_service.check.snapshot_eval import TextAnswer, decided_of
from graph_service.db import Database
from graph_service.errors import (
    CheckFailed,
    CreditGraphError,
    NotFound,
    SnapshotBehind,
    StoredCheckTampered,
    StoredCheckUnreadable,
    Unavailable,
)
from graph_service.security.appender import HEAD_NAME, Attachment
from graph_service.security.audit import STORED_DIGEST, Actor, now_stamp, stored_digest
from graph_service.security.canonical import jsonable
from graph_service.security.masking import mask_result
from graph_service.security.roles import Caller, Role
from graph_service.security.roles import sees_personal_data as unmasked
from graph_service.security.state import Security, security_of
from graph_service.security.stored import response_text, stored_response

log = logging.getLogger(__name__)

Evaluator = Callable[[Database, str, Sequence[str], date, Caller], CheckResult]
#: Today's results as joined text (:meth:`~.snapshot_eval.SnapshotEvaluator.answer_text`):
#: graph, context, parties, date, masked.
TextEvaluator = Callable[[Database, str, Sequence[str], date, bool], TextAnswer]
T = TypeVar("T")
#: A check's signed answer, its audit payload, the ``:Check`` row that stores it and the
#: answer's text as sent, UTF-8 (the row may hold it compressed: :mod:`.stored`).
Answered = tuple[dict[str, Any], dict[str, Any], dict[str, Any], bytes]
#: Checks of at most this many parties for today are answered on the event loop when the
#: evaluation reads the decision snapshot (no Neo4j round trip that could stall the loop).
INLINE_PARTIES: Final = 20


async def get_evaluator() -> Evaluator:
    """The evaluation in use (a dependency, so tests can plug in their own). Async, as
    :func:`check_service`: FastAPI runs a plain function dependency in a worker thread, a
    trip that cost more than the rest of a check's dependencies together."""
    return evaluate


@dataclass(frozen=True)
class CheckService:
    """What running a check needs: the graph, the security machinery and the evaluation."""

    db: Database
    security: Security
    evaluator: Evaluator

    async def run(
        self, request: CheckRequest, caller: Caller, today: date | None = None
    ) -> dict[str, Any]:
        """The answer to ``request`` for ``caller``, with its receipt, once it is audited;
        ``today``: the day of the request it is part of (a GraphQL request's, so that one
        answer never mixes two days), else the clock's."""
        answer, _body = await self._run(request, caller, today=today)
        return answer

    async def run_json(self, request: CheckRequest, caller: Caller) -> bytes:
        """:meth:`run`'s answer as the JSON text (UTF-8) stored with the check (REST sends it
        as is, so the answer is serialised once for both). For today, the parties' results are
        joined from the snapshot's precomputed fragments (:mod:`.fragments`): the same text
        (canonical JSON), made for a fraction of the CPU."""
        _answer, body = await self._run(request, caller, joined=True)
        return body

    async def _run(
        self,
        request: CheckRequest,
        caller: Caller,
        joined: bool = False,
        today: date | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        check_id = str(uuid.uuid4())
        today = today or date.today()  # once: the inline path must not see another day
        as_of = request.as_of or today
        answer_text: TextEvaluator | None = getattr(self.evaluator, "answer_text", None)
        inline = self._inline(request, as_of, today)
        work: Callable[[], Answered]
        if joined and answer_text is not None and as_of == today:
            work = partial(self._answered_text, request, as_of, caller, check_id, answer_text)
        else:
            work = partial(self._answered, request, as_of, caller, check_id, inline)
        try:
            if inline is not None:
                answered = work()
            else:
                # Reading Neo4j, or a big answer (a 1,000-party one takes tens of ms to convert,
                # sign and dump): one trip to a worker thread keeps it off the event loop.
                answered = await run_in_threadpool(work)
        except SnapshotBehind:
            # The snapshot is of an earlier day's run (past midnight, before the new day's run
            # reached it): the evaluator decides from the graph's history instead, reading
            # Neo4j, so in a worker thread (and from the snapshot if Neo4j is down).
            fallback = partial(self._answered, request, as_of, caller, check_id, None)
            answered = await run_in_threadpool(fallback)
        answer, payload, stored, text = answered
        attachment = Attachment("audit/create_checks", stored)
        # The host's local log when the service keeps one (durable on local disk, mirrored to
        # Neo4j in the background); else a Neo4j commit (docs/security.md).
        audit = self.security.local_audit or self.security.audit
        await audit.append("check", Actor.of(caller), payload, attachment)
        return answer, text

    def _inline(self, request: CheckRequest, as_of: date, today: date) -> Evaluator | None:
        """The evaluation to run on the event loop, None when the check goes to a worker
        thread: a few parties for ``today`` from the decision snapshot are a fraction of a
        millisecond of CPU, less than the trip to a worker thread and back (measured: the
        thread hop was the largest cost of a check). It is the snapshot-only evaluation
        (``from_snapshot``), which never reads Neo4j even if the clock passes midnight."""
        from_snapshot: Evaluator | None = getattr(self.evaluator, "from_snapshot", None)
        if from_snapshot is None or len(request.parties) > INLINE_PARTIES or as_of != today:
            return None
        return from_snapshot

    async def stored_check(self, check_id: str, caller: Caller) -> dict[str, Any]:
        """The stored check as answered, with its feedback, once the viewing is audited."""
        stored, integrity = await run_in_threadpool(self._load, check_id)
        view = _readable(check_id, lambda: _check_view(stored, integrity))
        payload = {"check_id": check_id, "parties": view["request"]["parties"]}
        await self.security.audit.append("check_viewed", Actor.of(caller), payload)
        return view

    async def record_feedback(
        self, check_id: str, feedback: FeedbackRequest, caller: Caller
    ) -> int:
        """Stores ``feedback`` on the check with its audit entry; the entry's sequence number."""
        stored, _integrity = await run_in_threadpool(self._load, check_id)
        _readable(check_id, lambda: validate_feedback(stored["check"], feedback, caller))
        row = feedback_row(check_id, feedback, caller)
        attachment = Attachment("audit/add_feedback", row)
        payload = {**feedback_payload(check_id, feedback), STORED_DIGEST: stored_digest(row)}
        stamp = await self.security.audit.append("feedback", Actor.of(caller), payload, attachment)
        return stamp.seq

    def _load(self, check_id: str) -> tuple[dict[str, Any], Integrity]:
        """The ``:Check`` row and its feedback rows, once the audit log vouches for them; 404
        for an unknown id, StoredCheckTampered when the log does not vouch for them.

        The rows and their entries are two reads; feedback (or any entry) committed between
        them could look unlogged, so a failure is looked at once more before it is believed.
        """
        for _attempt in (1, 2):
            rows = self._check_rows(check_id)
            if not rows:
                raise NotFound("no check with this id")
            entries = self.db.read("audit/check_entries", check_id=check_id, head=HEAD_NAME)
            integrity, problems = integrity_of(check_id, rows[0], [Voucher.of(e) for e in entries])
            if integrity is not None:
                return rows[0], integrity
        log.error(
            "stored check does not match the audit log",
            extra={"check_id": check_id, "problems": problems},
        )
        raise StoredCheckTampered(
            f"the stored check does not match the audit log ({len(problems)} problem(s)): it was"
            " changed in the database after it was logged, and is not served; the operator's"
            " `credit-graph audit verify` names what changed"
        )

    def _check_rows(self, check_id: str) -> list[dict[str, Any]]:
        """The ``:Check`` row of ``check_id``; a check answered moments ago may still be on its
        way from the local audit log to Neo4j, so a miss waits for the mirror once."""
        rows = self.db.read("audit/check_by_id", check_id=check_id)
        local = self.security.local_audit
        if not rows and local is not None and local.wait_mirrored(self.security.audit_timeout_s):
            rows = self.db.read("audit/check_by_id", check_id=check_id)
        return rows

    def _answered(
        self,
        request: CheckRequest,
        as_of: date,
        caller: Caller,
        check_id: str,
        evaluator: Evaluator | None,
    ) -> Answered:
        """The signed answer (by ``evaluator``, the service's own when None), its audit
        payload and the ``:Check`` row that stores it."""
        result = self._evaluate(request, as_of, caller, check_id, evaluator or self.evaluator)
        answer = _answer(check_id, request, as_of, result, caller.role)
        decisions = [decided_of(r) for r in answer["results"]]
        return self._signed(request, as_of, caller, answer, decisions)

    def _answered_text(
        self,
        request: CheckRequest,
        as_of: date,
        caller: Caller,
        check_id: str,
        answer_text: TextEvaluator,
    ) -> Answered:
        """As :meth:`_answered`, the results joined from the snapshot's fragments. Their text
        (canonical JSON, made so) is signed and sent as it is, never parsed back: the answer
        returned holds the envelope and receipt only (REST sends the stored text)."""
        masked = not unmasked(caller.role)
        joined = self._guarded(check_id, lambda: answer_text(
            self.db, request.context, request.parties, as_of, masked))  # fmt: skip
        _require_order(joined.decisions, request.parties, check_id)
        answer = _envelope(check_id, request, as_of, joined)
        return self._signed(request, as_of, caller, answer, joined.decisions, joined.results)

    def _signed(
        self,
        request: CheckRequest,
        as_of: date,
        caller: Caller,
        answer: dict[str, Any],
        decisions: list[dict[str, Any]],
        results_text: bytes | None = None,
    ) -> Answered:
        """``answer`` with its receipt, its audit payload (``decisions``: what it keeps of the
        results) and the ``:Check`` row. ``results_text``: the results as canonical JSON
        (UTF-8), when ``answer`` holds none."""
        # Signed and written out in one pass: the text is the HTTP body and the stored check.
        raw = None if results_text is None else {"results": results_text}
        answer["receipt"], text = self.security.signer.sign_json(answer, raw=raw)
        stored = _stored_check(caller, request, answer, text)
        # The entry carries the stored row's digest: an edit of the stored check breaks it.
        payload = _audit_payload(request, as_of, answer, decisions)
        return answer, {**payload, STORED_DIGEST: stored_digest(stored)}, stored, text

    def _evaluate(
        self,
        request: CheckRequest,
        as_of: date,
        caller: Caller,
        check_id: str,
        evaluator: Evaluator,
    ) -> CheckResult:
        """Runs ``evaluator``; failures are answered without internals."""
        result = self._guarded(check_id, lambda: evaluator(
            self.db, request.context, request.parties, as_of, caller))  # fmt: skip
        _require_request_order(result, request.parties, check_id)
        return result

    def _guarded(self, check_id: str, decide: Callable[[], T]) -> T:
        """``decide()``; its failures answered without internals (the caller's to fix, or
        503 to retry, said as they are; anything else logged and answered as CheckFailed)."""
        try:
            return decide()
        except CreditGraphError as exc:
            if exc.http_status < 500 or isinstance(exc, Unavailable):
                raise  # the caller's to fix, or to retry (503 + Retry-After): said as it is
            log.error("check failed", extra={"check_id": check_id, "code": exc.code})
            raise CheckFailed(
                f"the check could not be completed ({exc.code}); reference {check_id}",
                exc.http_status,
            ) from exc
        except Exception as exc:
            log.exception("check failed", extra={"check_id": check_id})
            raise CheckFailed(f"the check failed; reference {check_id}") from exc


async def check_service(
    request: Request, evaluator: Annotated[Evaluator, Depends(get_evaluator)]
) -> CheckService:
    """The app's :class:`CheckService` (FastAPI dependency of REST routes and GraphQL):
    today's checks from the host's decision snapshot when the app keeps one, unless a test
    plugged in its own evaluation."""
    keeper = getattr(request.app.state, "snapshot", None)
    if evaluator is evaluate and keeper is not None:
        evaluator = keeper.evaluator
    return CheckService(request.app.state.db, security_of(request), evaluator)


def _readable(check_id: str, use: Callable[[], T]) -> T:
    """``use()`` of a stored check that passed its integrity check; a compressed answer that
    cannot be read back is logged before it is answered (500, nothing of it served)."""
    try:
        return use()
    except StoredCheckUnreadable as exc:
        log.error("stored check unreadable", extra={"check_id": check_id, "error": str(exc)})
        raise


def _require_request_order(result: CheckResult, parties: list[str], check_id: str) -> None:
    """The evaluation must answer every party in request order; never pass on a mix-up."""
    _require_order([{"party_id": r.party_id} for r in result.results], parties, check_id)


def _require_order(results: list[dict[str, Any]], parties: list[str], check_id: str) -> None:
    answered = [r["party_id"] for r in results]
    if answered != parties:
        log.error("evaluation answered other parties", extra={"check_id": check_id})
        raise CheckFailed(f"the check failed; reference {check_id}")


def _answer(
    check_id: str, request: CheckRequest, as_of: date, result: CheckResult, role: Role
) -> dict[str, Any]:
    """The response body before its receipt: plain JSON, masked for checkers."""
    results = [r.as_json() for r in result.results]
    if not result.plain:  # dates (a history check's) become ISO text before signing
        results = [jsonable(r) for r in results]
    if not unmasked(role):
        results = [mask_result(r) for r in results]
    return {**_envelope(check_id, request, as_of, result), "results": results}


def _envelope(check_id: str, request: CheckRequest, as_of: date, made: _Made) -> dict[str, Any]:
    """The response body before its results and receipt: one place for what every answer
    says, whether decided (:func:`_answer`) or joined from fragments."""
    return {
        "check_id": check_id,
        "context": request.context,
        "as_of": as_of.isoformat(),
        "catalog_version": made.catalog_version,
        "run_id": made.run_id,
        "snapshot_at": made.snapshot_at,
    }


class _Made(Protocol):
    """What an answer's envelope reads of the evaluation that made its results."""

    @property
    def catalog_version(self) -> str: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def snapshot_at(self) -> str | None: ...


def _audit_payload(
    request: CheckRequest, as_of: date, answer: dict[str, Any], decisions: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the log keeps of a check: who was checked, why, and what was decided
    (``decisions``: :func:`~graph_service.check.snapshot_eval.decided_of` of each result)."""
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


def _stored_check(
    caller: Caller, request: CheckRequest, answer: dict[str, Any], text: bytes
) -> dict[str, Any]:
    """The ``:Check`` node: the request and the answer exactly as sent (``text``, the
    canonical JSON of ``answer`` the receipt was made from; compressed when it is big, so the
    digest, the local log and the mirror handle a fraction of it: :mod:`.stored`)."""
    return {
        "check_id": answer["check_id"],
        "created_at": now_stamp(),
        "caller_name": caller.name,
        "caller_role": caller.role.value,
        "caller_key_id": caller.key_id,
        "purpose": request.purpose,
        # pydantic's own JSON (compact, non-ASCII as is; it reads back as json.dumps' text
        # did): no dict made and encoded again by the stdlib at every check.
        "request": request.model_dump_json(),
        # As REST sends it: the same text is the HTTP body (one serialisation).
        **stored_response(text),
    }


def _check_view(stored: dict[str, Any], integrity: Integrity) -> dict[str, Any]:
    """A stored check as ``GET /v1/checks/{id}`` shows it: request and answer as sent, and
    what the audit log vouches for (``verified``, or ``unprotected`` if logged before digests).
    """
    check = stored["check"]
    return {
        "check_id": check["check_id"],
        "created_at": check["created_at"],
        "caller": {"name": check["caller_name"], "role": check["caller_role"]},
        "purpose": check["purpose"],
        "audit_seq": check.get("audit_seq"),
        "integrity": integrity.value,
        "request": json.loads(check["request"]),
        "response": json.loads(response_text(check)),
        "feedback": [feedback_view(f) for f in stored["feedback"]],
    }
