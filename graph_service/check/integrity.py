"""Whether a stored check is still what was answered: its rows against the audit entries that
vouch for them, checked before the check is served or feedback on it is judged.

Invariants (docs/security.md, "Stored checks are in the chain"):

* a ``check`` entry's payload carries the digest of the ``:Check`` row, a ``feedback`` entry's
  the digest of its ``:CheckFeedback`` row (:func:`graph_service.security.audit.stored_digest`);
* a stored check passes only when every entry of it is intact (its own hash), still linked
  into the chain (the next entry's ``prev_hash``, or the head for the newest entry), and its row
  is the one the entry recorded (digest and seq); and when there is no row without an entry.
  Otherwise :class:`~graph_service.errors.StoredCheckTampered` (500): nothing of it is served.
  This costs one indexed read, not a walk of the chain; rewriting the chain from an entry up to
  the head is left to ``credit-graph audit verify`` with anchors;
* a check logged before digests passes as :attr:`Integrity.UNPROTECTED`: its entry proves that
  it was answered, not what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph_service.security.audit import Entry, from_row, is_protected, stored_row_problem


class Integrity(StrEnum):
    """What the audit log vouches for in a stored check, as ``GET /v1/checks/{id}`` says."""

    #: Every row matches the digest its entry recorded.
    VERIFIED = "verified"
    #: Logged before digests: the entries prove the check exists, not its content.
    UNPROTECTED = "unprotected"


@dataclass(frozen=True)
class Voucher:
    """An audit entry of a stored check, with what follows it in the chain."""

    entry: Entry
    #: The ``prev_hash`` of the entry after it; None when it is the newest.
    next_prev_hash: str | None
    #: The head (seq, hash); None when there is none.
    head: tuple[int, str] | None

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Voucher:
        """From a row of the ``audit/check_entries`` statement."""
        head = (row["head_seq"], row["head_hash"]) if row["head_seq"] is not None else None
        return cls(from_row(row["entry"]), row["next_prev_hash"], head)

    def problem(self, check_id: str) -> str | None:
        """Why this entry cannot vouch for anything of check ``check_id``; None if it can."""
        entry = self.entry
        if entry.computed_hash() != entry.hash:
            return f"entry {entry.seq} was changed (hash mismatch)"
        if entry.payload.get("check_id") != check_id:
            return f"entry {entry.seq} is about another check (its lookup copy was changed)"
        if self.next_prev_hash is not None:
            linked = self.next_prev_hash == entry.hash
        else:
            linked = self.head == (entry.seq, entry.hash)
        return None if linked else f"entry {entry.seq} no longer links into the chain"


def integrity_of(
    check_id: str, stored: Mapping[str, Any], vouchers: Sequence[Voucher]
) -> tuple[Integrity | None, list[str]]:
    """The integrity of the stored check ``check_id`` (``stored``: its ``:Check`` row and
    feedback rows) and, when it does not pass, the problems found instead (entry seq first).

    >>> integrity_of("c1", {"check": {"check_id": "c1"}, "feedback": []}, [])
    (None, ['stored check c1 has no audit entry'])
    """
    problems = [p for v in vouchers if (p := v.problem(check_id)) is not None]
    checks = [v.entry for v in vouchers if v.entry.kind == "check"]
    feedbacks = [v.entry for v in vouchers if v.entry.kind == "feedback"]
    if not checks:
        problems.append(f"stored check {check_id} has no audit entry")
    elif len(checks) > 1:
        problems.append(f"stored check {check_id} has {len(checks)} check entries")
    for entry in checks[:1]:
        problems.extend(_row_problem(entry, [stored["check"]]))
    rows = list(stored["feedback"])
    for entry in feedbacks:
        problems.extend(_row_problem(entry, [r for r in rows if r.get("audit_seq") == entry.seq]))
    logged = {e.seq for e in feedbacks}
    problems.extend(
        f"feedback on check {check_id} naming entry {r.get('audit_seq')} has no audit entry"
        for r in rows
        if r.get("audit_seq") not in logged
    )
    if problems:
        return None, problems
    protected = all(is_protected(e) for e in [*checks, *feedbacks])
    return (Integrity.VERIFIED if protected else Integrity.UNPROTECTED), []


def _row_problem(entry: Entry, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    problem = stored_row_problem(entry, rows)
    return [] if problem is None else [problem]
