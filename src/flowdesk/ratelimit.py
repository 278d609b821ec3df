"""Failed sign-in throttling: too many failures for one e-mail or one client address → 429.

In-process; with several nodes each node counts its own failures (a shared
Redis counter arrives with the several-nodes work).
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

from flowdesk.clock import Clock


class FailureLimiter:
    """Counts failures per key in a sliding window."""

    def __init__(self, clock: Clock, *, max_failures: int = 10, window_seconds: int = 900) -> None:
        self._clock = clock
        self._max = max_failures
        self._window = timedelta(seconds=window_seconds)
        self._failures: defaultdict[str, deque[datetime]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[datetime]:
        failures = self._failures[key]
        horizon = self._clock.now() - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return deque()
        return failures

    def retry_after(self, *keys: str) -> int | None:
        """Seconds until a blocked key may try again, or None when none is blocked."""
        waits = []
        for key in keys:
            failures = self._recent(key)
            if len(failures) >= self._max:
                waits.append((failures[0] + self._window - self._clock.now()).total_seconds())
        return max(1, int(max(waits)) + 1) if waits else None

    def fail(self, *keys: str) -> None:
        now = self._clock.now()
        for key in keys:
            self._failures[key].append(now)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)
