"""Failed sign-in throttling: too many failures for one e-mail or one client address → 429.

Counted in this process for one node, or in Redis when several nodes share
`FLOWDESK_REDIS_URL` (otherwise an attacker spreading guesses over N nodes would get N
times the budget). Both count failures per key in a sliding window.
"""

from __future__ import annotations

import secrets
from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from flowdesk.clock import Clock

log = structlog.get_logger(__name__)

MAX_FAILURES = 10
WINDOW_SECONDS = 900
KEY_PREFIX = "flowdesk:signin:"


class FailureLimiter(Protocol):
    async def retry_after(self, *keys: str) -> int | None:
        """Seconds until a blocked key may try again, or None when none is blocked."""
        ...

    async def fail(self, *keys: str) -> None: ...

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


def _wait(oldest: datetime, window: timedelta, now: datetime) -> int:
    return max(1, int((oldest + window - now).total_seconds()) + 1)


class LocalFailureLimiter:
    """Failures per key in this process."""

    def __init__(
        self,
        clock: Clock,
        *,
        max_failures: int = MAX_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
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

    async def retry_after(self, *keys: str) -> int | None:
        now = self._clock.now()
        waits = [
            _wait(failures[0], self._window, now)
            for failures in map(self._recent, keys)
            if len(failures) >= self._max
        ]
        return max(waits) if waits else None

    async def fail(self, *keys: str) -> None:
        now = self._clock.now()
        for key in keys:
            self._failures[key].append(now)

    async def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    async def close(self) -> None:
        """Nothing to close."""


class RedisFailureLimiter:
    """Failures per key in a Redis sorted set (score: the failure's time), shared by nodes.

    When Redis cannot be reached nobody is blocked: our outage must not lock staff out.
    """

    def __init__(
        self,
        url: str,
        clock: Clock,
        *,
        prefix: str = KEY_PREFIX,
        max_failures: int = MAX_FAILURES,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._clock = clock
        self._prefix = prefix
        self._max = max_failures
        self._window = timedelta(seconds=window_seconds)

    async def retry_after(self, *keys: str) -> int | None:
        now = self._clock.now()
        horizon = (now - self._window).timestamp()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zremrangebyscore(self._prefix + key, "-inf", horizon)
                    pipe.zcard(self._prefix + key)
                    pipe.zrange(self._prefix + key, 0, 0, withscores=True)
                results = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("sign_in_throttle_unavailable", error=str(exc))
            return None
        waits = []
        for index in range(len(keys)):
            count, oldest = results[3 * index + 1], results[3 * index + 2]
            if count >= self._max and oldest:
                first = datetime.fromtimestamp(oldest[0][1], tz=now.tzinfo)
                waits.append(_wait(first, self._window, now))
        return max(waits) if waits else None

    async def fail(self, *keys: str) -> None:
        now = self._clock.now().timestamp()
        ttl = int(self._window.total_seconds()) + 1
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zadd(self._prefix + key, {f"{now}:{secrets.token_hex(4)}": now})
                    pipe.expire(self._prefix + key, ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("sign_in_throttle_unavailable", error=str(exc))

    async def clear(self, key: str) -> None:
        try:
            await self._redis.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            log.warning("sign_in_throttle_unavailable", error=str(exc))

    async def close(self) -> None:
        await self._redis.aclose()


def failure_limiter(redis_url: str | None, clock: Clock) -> FailureLimiter:
    """In-process for one node; Redis when several nodes share `FLOWDESK_REDIS_URL`."""
    if redis_url:
        return RedisFailureLimiter(redis_url, clock)
    return LocalFailureLimiter(clock)
