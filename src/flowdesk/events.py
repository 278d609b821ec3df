"""The event bus: how state changes reach open WebSocket streams.

Services publish *after* their transaction commits, through `EventBus.publish`.
The in-process bus serves the embedded single-node default; a Redis-backed bus
with the same interface arrives with the several-nodes work. A slow subscriber
is dropped rather than allowed to grow memory: its stream closes and the client
resyncs from the database by `seq`, which is the source of truth.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
    def publish(self, topic: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, topic: str) -> Any: ...


class LocalEventBus:
    """Fan-out to subscribers in this process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                self._drop(topic, subscription)

    def _drop(self, topic: str, subscription: Subscription) -> None:
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
