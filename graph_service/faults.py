"""Fault injection for the crash tests: the process kills itself with SIGKILL at a named point.

A load and the propagation after it write in many transactions; the promise that a rerun
(or the next ``propagate`` / service start) ends with exactly the graph of an uninterrupted
run has to hold wherever the process dies. Killing a subprocess from outside hits the
phases that last milliseconds only by luck, so the code names its phase boundaries with
:func:`checkpoint`, and the setting ``fault_kill_at`` (``CREDIT_GRAPH_FAULT_KILL_AT``, for
tests only) names the one where the process sends itself a real ``SIGKILL``: no ``finally``,
no exception handler, no flush runs, exactly as with ``kill -9`` from outside at that moment.

Unset (the default), a checkpoint is one comparison with ``None``.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from typing import Protocol

#: The points a process can be killed at: phase boundaries of a load and a propagation run.
POINTS: dict[str, str] = {
    "load_batch": "a batch of rows (and its :Load counter) committed; the next not begun",
    "load_file": "a file's load recorded as ended; the next file not begun",
    "propagation_compute": "the run's measures computed, nothing of them written yet",
    "measures_batch": "a batch of measures and their change-log entries committed",
    "risk_update": "the run's risk scores computed; they, the run and its loads' marks not",
    "import_finish": "an import's staged store started on its own port, not yet migrated",
    "import_swap": "an import's new store complete, the old one moved aside, the new one not"
    " yet in its place",
}

#: How many times each point was passed in this process.
_passed: Counter[str] = Counter()


class HasFaultSetting(Protocol):
    """What :func:`checkpoint` needs of the settings (avoids importing them here)."""

    @property
    def fault_kill_at(self) -> str | None: ...


def parse(spec: str) -> tuple[str, int]:
    """``point`` or ``point:n`` → (point, n): die the n-th time the point is passed.

    >>> parse("measures_batch:2")
    ('measures_batch', 2)
    >>> parse("load_file")
    ('load_file', 1)
    >>> parse("lunch")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown fault point 'lunch'; known: load_batch, load_file, ...
    """
    point, _, count = spec.partition(":")
    if point not in POINTS:
        raise ValueError(f"unknown fault point {point!r}; known: {', '.join(POINTS)}")
    if count and not (count.isdigit() and int(count) >= 1):
        raise ValueError(f"fault point count {count!r} is not a whole number from 1")
    return point, int(count or 1)


def checkpoint(settings: HasFaultSetting, point: str) -> None:
    """Marks that ``point`` was reached; kills the process if the settings say so here."""
    spec = settings.fault_kill_at
    if spec is None:
        return
    _passed[point] += 1
    wanted, count = parse(spec)
    if wanted == point and _passed[point] == count:
        os.kill(os.getpid(), signal.SIGKILL)
