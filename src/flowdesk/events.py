"""The event bus: how state changes reach open WebSocket streams.

Services publish *after* their transaction commits, through `EventBus.publish`.
The in-process bus serves the embedded single-node default; `redis_events.RedisEventBus`
has the same interface for several nodes. A slow subscriber
is dropped rather than allowed to grow memory: its stream closes and the client
resyncs from the database by `seq`, which is the source of truth.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

QUEUE_LIMIT = 1000


class Subscription:
    """One listener on one topic. `get()` raises `SubscriptionLost` once dropped."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)

    async def get(self) -> dict[str, Any]:
        item = await self.queue.get()
        if item is None:
            raise SubscriptionLost
        return item


class SubscriptionLost(Exception):
    """The subscriber fell too far behind; reconnect and resync."""


class EventBus(Protocol):
    """Publish after a commit; subscribe for one stream. In-process, or Redis for several nodes."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def publish(self, topic: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Subscription]: ...

    def subscriber_count(self, topic: str) -> int: ...


class LocalEventBus:
    """Fan-out to subscribers in this process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        """Nothing to connect to in one process."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self.drop(topic, subscription)

    def drop_all(self, topic: str) -> None:
        """End every subscription to `topic` (their streams close and clients resync)."""
        for subscription in list(self._subscribers.get(topic, ())):
            self.drop(topic, subscription)

    def drop(self, topic: str, subscription: Subscription) -> None:
        """End one subscription: its `get()` raises `SubscriptionLost`."""
        if subscription not in self._subscribers.get(topic, ()):
            return
        self._subscribers[topic].discard(subscription)
        while not subscription.queue.empty():
            subscription.queue.get_nowait()
        subscription.queue.put_nowait(None)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscribers[topic].add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._subscribers.get(topic)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[topic]

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"
