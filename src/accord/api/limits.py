"""Request rate per principal: a token bucket each, refilled continuously."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Buckets kept before the full ones (callers quiet for a minute or more) are dropped, so
# many distinct callers (client addresses, say) cannot grow the table without bound.
_MAX_BUCKETS = 10_000


class RateLimiter:
    """At most `per_minute` requests per caller per minute, in bursts up to that many."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic):
        # The clock is a parameter so tests can hold time still: a test that fires
        # requests under load must not see tokens refill between them.
        self._clock = clock
        self._capacity = float(per_minute)
        self._refill_per_second = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, caller: str) -> float:
        """Take one request from the caller's bucket: 0 if allowed, else the seconds until
        the next request is."""
        return self._seconds_to_wait(caller, take=True)

    def waiting(self, caller: str) -> float:
        """The seconds until the caller may make a request, taking nothing."""
        return self._seconds_to_wait(caller, take=False)

    def _seconds_to_wait(self, caller: str, *, take: bool) -> float:
        now = self._clock()
        with self._lock:
            if len(self._buckets) > _MAX_BUCKETS:
                self._forget_quiet_callers(now)
            tokens, last = self._buckets.get(caller, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - last) * self._refill_per_second)
            if tokens >= 1.0:
                self._buckets[caller] = (tokens - 1.0 if take else tokens, now)
                return 0.0
            self._buckets[caller] = (tokens, now)
            return (1.0 - tokens) / self._refill_per_second

    def _forget_quiet_callers(self, now: float) -> None:
        # A bucket refilled to capacity is the same as no bucket.
        full_after = self._capacity / self._refill_per_second
        self._buckets = {
            caller: (tokens, last)
            for caller, (tokens, last) in self._buckets.items()
            if now - last < full_after
        }
