"""One contract for presence stores: in-process counts, and Redis counts shared by nodes."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from flowdesk.presence_store import LocalPresenceStore, PresenceStore, RedisPresenceStore
from tests.backends.support import two_nodes

Nodes = tuple[PresenceStore, PresenceStore]


@pytest.fixture(params=["local", "redis"])
async def nodes(request: pytest.FixtureRequest) -> AsyncIterator[Nodes]:
    """Two nodes' views; in one process both are the same store."""
    async with two_nodes(
        request.param,
        request,
        LocalPresenceStore,
        RedisPresenceStore,
    ) as pair:
        yield pair


async def test_an_agent_is_connected_while_any_stream_is_open(nodes: Nodes) -> None:
    here, there = nodes
    assert not await here.is_connected("u1")
    await here.connected("u1")
    await there.connected("u1")
    assert await here.is_connected("u1") and await there.is_connected("u1")
    await here.disconnected("u1")
    assert await here.is_connected("u1"), "the stream on the other node is still open"
    await there.disconnected("u1")
    assert not await here.is_connected("u1")
    assert not await there.is_connected("u1")


async def test_agents_are_counted_apart(nodes: Nodes) -> None:
    here, there = nodes
    await here.connected("u1")
    assert not await there.is_connected("u2")
    await here.disconnected("u1")


async def test_a_dead_nodes_connections_stop_counting(redis_url: str) -> None:
    """A node killed without closing its streams must not keep its agents online forever."""
    prefix = f"flowdesk-test-{secrets.token_hex(4)}:"
    dead, alive = (
        RedisPresenceStore(redis_url, prefix=prefix),
        RedisPresenceStore(redis_url, prefix=prefix),
    )
    await dead.start()
    await alive.start()
    try:
        await dead.connected("u1")
        assert await alive.is_connected("u1")
        # What its heartbeat expiring looks like, without waiting 15 seconds.
        await alive._redis.delete(f"{prefix}node:{dead.node_id}")
        assert not await alive.is_connected("u1")
    finally:
        await dead.stop()
        await alive.stop()
