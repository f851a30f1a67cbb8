"""Waits bounded by one timer per event loop instead of one per wait.

The local audit log (:mod:`.local_audit`) answers a check only once the writer thread has
committed its entry, and a check whose entry is not confirmed within the log's timeout is
answered 503 instead (a disk that hangs must not hang the checks). An ``asyncio.timeout``
around every wait cost a single-party check about 3 % of its worker's CPU (profile of
``credit-graph serve`` under ``wrk``, docs/benchmarks.md, issue 14, session 12): a timer
armed and cancelled, the task looked up, the context entered and left, for a wait that
almost always ends within milliseconds.

:class:`Overdue` keeps a loop's waiting futures in arrival order with their deadlines (every
wait has the same bound, so that is deadline order too) and looks at the oldest ones a few
times per bound from one timer, which runs only while something waits. A future past its
deadline gets ``error()``; one resolved meanwhile (the usual case) is just dropped. So a wait
ends with its error between ``timeout_s`` and ``timeout_s`` plus a quarter of it (at most
:data:`LOOK_EVERY_S` more).

>>> async def demo() -> str:
...     loop = asyncio.get_running_loop()
...     overdue = Overdue(loop, 0.05, lambda: TimeoutError("late"))
...     answered, stuck = loop.create_future(), loop.create_future()
...     overdue.add(answered); overdue.add(stuck)
...     answered.set_result("ok")
...     try:
...         await stuck
...     except TimeoutError as exc:
...         return f"{answered.result()} / {exc} / still watched: {len(overdue)}"
...     return "never"
>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever this thread runs
...     pool.submit(asyncio.run, demo()).result()
'ok / late / still watched: 0'
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Final

#: The longest pause between two looks at the oldest waits (a bound of 10 s ends 10–10.5 s).
LOOK_EVERY_S: Final = 0.5


class Overdue:
    """The futures of one event loop waiting under the same bound (see the module)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout_s: float,
        error: Callable[[], BaseException],
    ) -> None:
        self.loop = loop
        self.timeout_s = timeout_s
        self.error = error
        self._every_s = min(LOOK_EVERY_S, timeout_s / 4)
        self._waiting: deque[tuple[float, asyncio.Future[Any]]] = deque()
        self._armed = False

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, waiter: asyncio.Future[Any]) -> None:
        """Watches ``waiter`` (a future of this loop; call on its thread) from now on."""
        self._waiting.append((time.monotonic() + self.timeout_s, waiter))
        if not self._armed:
            self._armed = True
            self.loop.call_later(self._every_s, self._look)

    def _look(self) -> None:
        """Drops the oldest waits that ended, fails those past their deadline, and looks
        again later while any wait remains."""
        now, waiting = time.monotonic(), self._waiting
        while waiting and (waiting[0][1].done() or waiting[0][0] <= now):
            _deadline, waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_exception(self.error())
        if waiting:
            self.loop.call_later(self._every_s, self._look)
        else:
            self._armed = False
