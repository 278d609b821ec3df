"""One contract for sign-in throttles: in-process, and Redis shared by two nodes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from flowdesk.clock import ManualClock
from flowdesk.ratelimit import FailureLimiter, LocalFailureLimiter, RedisFailureLimiter

Nodes = tuple[FailureLimiter, FailureLimiter]


@pytest.fixture(params=["local", "redis"])
async def nodes(request: pytest.FixtureRequest, clock: ManualClock) -> AsyncIterator[Nodes]:
    """Two nodes' limiters; in one process both are the same object."""
    if request.param == "local":
        limiter = LocalFailureLimiter(clock, max_failures=3, window_seconds=60)
        yield limiter, limiter
        return
    url: str = request.getfixturevalue("redis_url")
    prefix = f"flowdesk-test-{secrets.token_hex(4)}:"
    first = RedisFailureLimiter(url, clock, prefix=prefix, max_failures=3, window_seconds=60)
    second = RedisFailureLimiter(url, clock, prefix=prefix, max_failures=3, window_seconds=60)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_failures_on_any_node_add_up_until_blocked(nodes: Nodes) -> None:
    here, there = nodes
    await here.fail("email:a")
    await there.fail("email:a")
    assert await here.retry_after("email:a") is None
    await here.fail("email:a")
    wait = await there.retry_after("email:a", "client:x")
    assert wait is not None and 0 < wait <= 61
    assert await there.retry_after("email:b", "client:x") is None


async def test_the_window_slides(nodes: Nodes, clock: ManualClock) -> None:
    here, there = nodes
    for second in (0, 20, 40):
        if second:
            clock.advance(20)
        await here.fail("email:a")
    wait = await there.retry_after("email:a")
    assert wait is not None and 20 <= wait <= 21  # until the first failure leaves the window
    clock.advance(20)  # the first failure is 60 s old: out, two left in the window
    assert await there.retry_after("email:a") is None


async def test_a_success_clears_the_key(nodes: Nodes) -> None:
    here, there = nodes
    for _ in range(3):
        await here.fail("email:a")
    await there.clear("email:a")
    assert await here.retry_after("email:a") is None


async def test_redis_away_blocks_nobody(clock: ManualClock) -> None:
    limiter = RedisFailureLimiter("redis://127.0.0.1:1/0", clock, max_failures=1)
    try:
        await limiter.fail("email:a")
        assert await limiter.retry_after("email:a") is None
    finally:
        await limiter.close()
