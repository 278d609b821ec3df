"""The event bus: how state changes reach open WebSocket streams.

Services publish *after* their transaction commits, through `EventBus.publish`.
The in-process bus serves the embedded single-node default; `redis_events.RedisEventBus`
has the same interface for several nodes. A slow subscriber
is dropped rather than allowed to grow memory: its stream closes and the client
resyncs from the database by `seq`, which is the source of truth.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Protocol

QUEUE_LIMIT = 1000


class Subscription:
    """One listener on one topic, read by one consumer: `get()`, or `get_nowait()` with
    `notify`. Reading raises `SubscriptionLost` once the bus dropped it.

    Every open stream holds one, and nearly all of them sit idle: events wait in a deque made
    on the first one and let go once read, and a reader is told of new ones by a callback. An
    `asyncio.Queue` would keep four deques and an event per stream (about 3 KiB) for nothing.
    """

    __slots__ = ("_events", "_limit", "_lost", "notify")

    def __init__(self) -> None:
        self._events: deque[dict[str, Any]] | None = None
        self._limit = QUEUE_LIMIT
        self._lost = False
        #: Called after an event is queued or the subscription is lost.
        self.notify: Callable[[], None] | None = None

    def put(self, event: dict[str, Any]) -> bool:
        """Queue an event; False when `QUEUE_LIMIT` events already wait (the bus drops it)."""
        if self._events is None:
            self._events = deque()
        elif len(self._events) >= self._limit:
            return False
        self._events.append(event)
        if self.notify is not None:
            self.notify()
        return True

    def lose(self) -> None:
        """Forget what is queued: the next read raises `SubscriptionLost`."""
        self._events = None
        self._lost = True
        if self.notify is not None:
            self.notify()

    def empty(self) -> bool:
        """Whether nothing is queued (a lost subscription still raises when read)."""
        return not self._events

    def get_nowait(self) -> dict[str, Any] | None:
        """The next queued event, or None; raises `SubscriptionLost` once dropped."""
        if self._lost:
            raise SubscriptionLost
        if not self._events:
            return None
        event = self._events.popleft()
        if not self._events:
            self._events = None
        return event

    async def get(self) -> dict[str, Any]:
        """The next event, waiting for one."""
        event = self.get_nowait()
        if event is not None:
            return event
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.notify = lambda: None if ready.done() else ready.set_result(None)
        try:
            await ready
        finally:
            self.notify = None
        event = self.get_nowait()
        assert event is not None  # notified: an event was queued (or reading raised)
        return event


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
        #: Mostly one subscriber a topic (a customer's stream): a list is the smallest holder.
        self._subscribers: dict[str, list[Subscription]] = {}

    async def start(self) -> None:
        """Nothing to connect to in one process."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        for subscription in list(self._subscribers.get(topic, ())):
            if not subscription.put(event):
                self.drop(topic, subscription)

    def drop_all(self, topic: str) -> None:
        """End every subscription to `topic` (their streams close and clients resync)."""
        for subscription in list(self._subscribers.get(topic, ())):
            self.drop(topic, subscription)

    def drop(self, topic: str, subscription: Subscription) -> None:
        """End one subscription: reading it raises `SubscriptionLost`."""
        if self._remove(topic, subscription):
            subscription.lose()

    def subscribe(self, topic: str) -> AbstractAsyncContextManager[Subscription]:
        return _Subscribed(self, topic)

    def subscriber_count(self, topic: str) -> int:
        return len(self._subscribers.get(topic, ()))

    def _add(self, topic: str, subscription: Subscription) -> None:
        self._subscribers.setdefault(topic, []).append(subscription)

    def _remove(self, topic: str, subscription: Subscription) -> bool:
        subscribers = self._subscribers.get(topic)
        if subscribers is None or subscription not in subscribers:
            return False
        subscribers.remove(subscription)
        if not subscribers:
            del self._subscribers[topic]
        return True


class _Subscribed:
    """`LocalEventBus.subscribe`: a plain class, lighter than a generator-based context
    manager for something every open stream holds."""

    __slots__ = ("_bus", "_subscription", "_topic")

    def __init__(self, bus: LocalEventBus, topic: str) -> None:
        self._bus = bus
        self._topic = topic
        self._subscription = Subscription()

    async def __aenter__(self) -> Subscription:
        self._bus._add(self._topic, self._subscription)
        return self._subscription

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bus._remove(self._topic, self._subscription)


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"
