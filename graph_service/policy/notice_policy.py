"""The catalog's ``due_process.notices`` (policy due-process.md §4) as typed data, and the
retry schedule of webhook deliveries it defines (pure).

* ``window_days``: an API key that received a decision other than ``allow`` / ``fast_track``
  for a party within this many days before a loss gets a notice of it (365).
* ``retry``: a failed delivery is tried again after ``first_delay_s``, each next delay
  ``growth`` times the last, at most ``max_delay_s``, for ``horizon_s`` seconds from the
  moment the delivery was created (24 h); a delivery not acknowledged by then is
  *undelivered* and listed for operators.

>>> spec = parse_notices({"window_days": 365, "retry": {"first_delay_s": 60, "growth": 2,
...     "max_delay_s": 3600, "horizon_s": 86400}})
>>> spec.window_days, spec.retry.delay_s(1), spec.retry.delay_s(3), spec.retry.delay_s(20)
(365, 60.0, 240.0, 3600.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from graph_service.policy import parse as p

#: The keys of ``due_process.notices`` and of its ``retry``.
KEYS = ("window_days", "retry")
RETRY_KEYS = ("first_delay_s", "growth", "max_delay_s", "horizon_s")


@dataclass(frozen=True)
class RetrySchedule:
    """When a failed webhook delivery is tried again (seconds)."""

    first_delay_s: float
    growth: float  # each delay is this many times the one before (≥ 1: growing)
    max_delay_s: float
    horizon_s: float  # from the delivery's creation; then it is undelivered

    def delay_s(self, attempts: int) -> float:
        """The pause after the ``attempts``-th failed attempt (1 for the first).

        >>> RetrySchedule(1, 3, 20, 60).delay_s(1), RetrySchedule(1, 3, 20, 60).delay_s(4)
        (1.0, 20.0)
        """
        return float(min(self.first_delay_s * self.growth ** (attempts - 1), self.max_delay_s))

    def next_attempt(
        self, created_at: datetime, failed_at: datetime, attempts: int
    ) -> datetime | None:
        """When to try again after the ``attempts``-th attempt failed at ``failed_at``; None
        when that is past the horizon (the delivery is then undelivered).

        >>> from datetime import UTC
        >>> start = datetime(2026, 12, 1, tzinfo=UTC)
        >>> RetrySchedule(60, 2, 3600, 86400).next_attempt(start, start, 1).isoformat()
        '2026-12-01T00:01:00+00:00'
        >>> late = start + timedelta(hours=23, minutes=59)
        >>> RetrySchedule(60, 2, 3600, 86400).next_attempt(start, late, 30) is None
        True
        """
        at = failed_at + timedelta(seconds=self.delay_s(attempts))
        return at if at - created_at <= timedelta(seconds=self.horizon_s) else None


@dataclass(frozen=True)
class NoticePolicy:
    """Who gets a stop-sharing notice, and how long its webhook delivery is retried."""

    window_days: int
    retry: RetrySchedule


def parse_notices(value: Any) -> NoticePolicy:
    """The validated ``due_process.notices`` section; :class:`~.parse.Invalid` names the key.

    >>> parse_notices({"window_days": 0, "retry": {}})
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: due_process.notices.window_days: expected a whole number ≥ 1, got 0
    """  # noqa: E501 - a doctest's expected line cannot be wrapped
    where = "due_process.notices"
    if value is None:
        raise p.Invalid(f"{where}: missing", "add it (as in the packaged catalog)")
    spec = p.section(value, where, KEYS)
    days = p.integer(spec["window_days"], f"{where}.window_days", 1)
    return NoticePolicy(days, _retry(spec["retry"], f"{where}.retry"))


def _retry(value: Any, where: str) -> RetrySchedule:
    spec = p.section(value, where, RETRY_KEYS)
    first, most, horizon = (
        _seconds(spec[k], f"{where}.{k}") for k in ("first_delay_s", "max_delay_s", "horizon_s")
    )
    growth = _seconds(spec["growth"], f"{where}.growth")
    if growth < 1:
        raise p.Invalid(f"{where}.growth: {growth:g} < 1 would shrink the delays", "use ≥ 1")
    if most < first:
        raise p.Invalid(f"{where}: max_delay_s {most:g} < first_delay_s {first:g}", "fix one")
    return RetrySchedule(first, growth, most, horizon)


def _seconds(value: Any, where: str) -> float:
    """A positive number (seconds or a factor)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise p.Invalid(f"{where}: expected a positive number, got {value!r}")
    return float(value)
