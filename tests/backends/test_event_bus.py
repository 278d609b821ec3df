"""One contract for every event bus: in-process, and Redis pub/sub across two nodes.

For the in-process bus both "nodes" are the same object (one process); for Redis they are two
`RedisEventBus` instances sharing a server, so every contract test also proves cross-node delivery.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from flowdesk.events import EventBus, LocalEventBus, SubscriptionLost
from flowdesk.redis_events import RedisEventBus
from tests.backends.support import two_nodes

Nodes = tuple[EventBus, EventBus]


@pytest.fixture(params=["local", "redis"])
async def nodes(request: pytest.FixtureRequest) -> AsyncIterator[Nodes]:
    """(publisher node, subscriber node)."""
    async with two_nodes(request.param, request, LocalEventBus, RedisEventBus) as pair:
        yield pair


async def _take(subscription: Any, count: int) -> list[dict[str, Any]]:
    return [await asyncio.wait_for(subscription.get(), 5) for _ in range(count)]


async def test_events_arrive_in_publish_order(nodes: Nodes) -> None:
    publisher, subscriber = nodes
    async with subscriber.subscribe("conversation:a") as subscription:
        for n in range(200):
            publisher.publish("conversation:a", {"type": "message", "n": n})
        received = await _take(subscription, 200)
    assert [e["n"] for e in received] == list(range(200))


async def test_a_topic_hears_only_its_own_events(nodes: Nodes) -> None:
    publisher, subscriber = nodes
    async with (
        subscriber.subscribe("conversation:a") as a,
        subscriber.subscribe("conversation:b") as b,
    ):
        publisher.publish("conversation:b", {"n": 1})
        publisher.publish("conversation:a", {"n": 2})
        publisher.publish("conversation:b", {"n": 3})
        assert [e["n"] for e in await _take(a, 1)] == [2]
        assert [e["n"] for e in await _take(b, 2)] == [1, 3]
        assert a.empty()


async def test_every_subscriber_of_a_topic_hears_each_event_once(nodes: Nodes) -> None:
    publisher, subscriber = nodes
    async with (
        subscriber.subscribe("agent:u1") as one,
        subscriber.subscribe("agent:u1") as two,
        publisher.subscribe("agent:u1") as three,
    ):
        publisher.publish("agent:u1", {"n": 1})
        for subscription in (one, two, three):
            assert [e["n"] for e in await _take(subscription, 1)] == [1]
        await asyncio.sleep(0.1)
        assert one.empty() and two.empty() and three.empty()


async def test_a_subscriber_that_falls_behind_is_dropped_not_the_others(
    nodes: Nodes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flowdesk.events.QUEUE_LIMIT", 5)
    publisher, subscriber = nodes
    async with subscriber.subscribe("conversation:slow") as slow:
        monkeypatch.setattr("flowdesk.events.QUEUE_LIMIT", 1000)
        async with subscriber.subscribe("conversation:slow") as fast:
            for n in range(20):
                publisher.publish("conversation:slow", {"n": n})
            assert [e["n"] for e in await _take(fast, 20)] == list(range(20))
            with pytest.raises(SubscriptionLost):
                while True:
                    await asyncio.wait_for(slow.get(), 5)


async def test_subscriptions_are_released(nodes: Nodes) -> None:
    _publisher, subscriber = nodes
    async with subscriber.subscribe("conversation:gone"):
        assert subscriber.subscriber_count("conversation:gone") == 1
    assert subscriber.subscriber_count("conversation:gone") == 0


async def test_a_lost_redis_connection_drops_streams_then_delivery_resumes(redis_url: str) -> None:
    """Redis keeps nothing while a node is cut off, so its streams must resync: they are
    dropped (clients reconnect and read the database), and later events flow again."""
    prefix = f"flowdesk-test-{secrets.token_hex(4)}:"
    publisher, subscriber = (
        RedisEventBus(redis_url, prefix=prefix),
        RedisEventBus(redis_url, prefix=prefix),
    )
    await publisher.start()
    await subscriber.start()
    admin = aioredis.Redis.from_url(redis_url)
    try:
        async with subscriber.subscribe("conversation:x") as subscription:
            await admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
            with pytest.raises(SubscriptionLost):
                await asyncio.wait_for(subscription.get(), 10)
        async with subscriber.subscribe("conversation:x") as again:
            publisher.publish("conversation:x", {"n": 7})
            assert [e["n"] for e in await _take(again, 1)] == [7]
    finally:
        await admin.aclose()
        await publisher.stop()
        await subscriber.stop()
