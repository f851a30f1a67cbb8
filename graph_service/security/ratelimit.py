"""Per-key request limits: one token bucket per API key (pure, in-process).

Each key's bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second; a
request takes one token or is refused with the seconds until one is back (``Retry-After``).
The buckets live in each process: with N worker processes a key may make up to N times the
rate in total, so size ``rate_limit_per_s`` per worker (docs/security.md).

>>> now = [0.0]
>>> limiter = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
>>> limiter.take("k1"), limiter.take("k1"), limiter.take("k1")
(None, None, 0.5)
>>> now[0] = 0.5
>>> limiter.take("k1"), limiter.take("k2")
(None, None)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: Buckets kept at most; when full, buckets that are full again (idle keys) are dropped.
_MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by key: ``rate`` tokens per second, at most ``burst`` at once."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        # Requests of one key may be handled by several threads at once.
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Takes one token of ``key``'s bucket: None if granted, else seconds until one is."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(key, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self.rate

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Drops buckets that have refilled completely: forgetting them changes nothing."""
        full_after = self.burst / self.rate
        idle = [k for k, b in self._buckets.items() if now - b.updated >= full_after]
        for key in idle:
            del self._buckets[key]


def retry_after_header(seconds: float) -> int:
    """Whole seconds for ``Retry-After`` (HTTP allows no fractions), at least 1.

    >>> retry_after_header(0.01), retry_after_header(1.0), retry_after_header(1.2)
    (1, 1, 2)
    """
    return max(1, math.ceil(seconds))
