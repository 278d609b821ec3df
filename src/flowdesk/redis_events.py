"""The event bus across several nodes: Redis pub/sub behind the `EventBus` interface.

Each node keeps a `LocalEventBus` for its own WebSocket streams and one Redis connection
subscribed to the topics those streams watch. A publish is delivered to this node's
subscribers at once and queued for Redis, where the other nodes pick it up (a node ignores
its own messages when they come back). Redis pub/sub keeps nothing: when the subscriber
connection breaks, every local subscription is dropped, so each stream closes and its client
resyncs from the database (by `seq` or last event id), which is the source of truth. The
listener then reconnects and subscribes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from flowdesk.events import LocalEventBus, Subscription

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "flowdesk:events:"
OUTGOING_LIMIT = 100_000
RECONNECT_MAX_SECONDS = 5.0
SUBSCRIBE_TIMEOUT_SECONDS = 5.0


class RedisEventBus:
    """`publish` is synchronous (called after a commit); a background task ships to Redis."""

    def __init__(self, url: str, *, prefix: str = CHANNEL_PREFIX) -> None:
        self._url = url
        self._prefix = prefix
        self.node_id = secrets.token_hex(6)
        self._local = LocalEventBus()
        self._outgoing: asyncio.Queue[tuple[str, str]] = asyncio.Queue(OUTGOING_LIMIT)
        self._redis: Redis | None = None
        self._pubsub: PubSub | None = None
        #: Topics with local subscribers, and their Redis subscription confirmations.
        self._confirmed: dict[str, asyncio.Event] = {}
        #: Subscriptions handed out while Redis was unreachable: dropped once it is back.
        self._unconfirmed: set[tuple[str, Subscription]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._connected = asyncio.Event()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._redis = Redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=10)
        self._tasks = [
            asyncio.create_task(self._ship(), name="flowdesk-bus-publisher"),
            asyncio.create_task(self._listen(), name="flowdesk-bus-listener"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        if self._redis is not None:
            await self._redis.aclose()

    # ------------------------------------------------------------------ the interface

    def publish(self, topic: str, event: dict[str, Any]) -> None:
        self._local.publish(topic, event)
        payload = json.dumps({"n": self.node_id, "e": event}, separators=(",", ":"))
        try:
            self._outgoing.put_nowait((topic, payload))
        except asyncio.QueueFull:
            # Redis has been away for long: other nodes' streams resync when it returns.
            log.warning("event_bus_outgoing_full", topic=topic)

    @asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        """Subscribe here and, for the first local subscriber of a topic, at Redis too.

        Returns only once Redis confirmed the subscription, so an event another node
        publishes after this returns is never missed (streams read history after this).
        """
        async with self._local.subscribe(topic) as subscription:
            confirmed = self._confirmed.get(topic)
            if confirmed is None:
                confirmed = self._confirmed[topic] = asyncio.Event()
                await self._redis_subscribe(topic)
            try:
                await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
            except TimeoutError:
                # Redis is away: serve this node's events now, resync once Redis is back.
                log.warning("event_bus_subscribe_timeout", topic=topic)
                self._unconfirmed.add((topic, subscription))
            try:
                yield subscription
            finally:
                self._unconfirmed.discard((topic, subscription))
                if self._local.subscriber_count(topic) <= 1 and topic in self._confirmed:
                    del self._confirmed[topic]
                    await self._redis_unsubscribe(topic)

    def subscriber_count(self, topic: str) -> int:
        return self._local.subscriber_count(topic)

    # ------------------------------------------------------------------ Redis side

    def _channel(self, topic: str) -> str:
        return self._prefix + topic

    async def _redis_subscribe(self, topic: str) -> None:
        if self._pubsub is None or not self._connected.is_set():
            return  # the listener subscribes to every wanted topic when it (re)connects
        try:
            await self._pubsub.subscribe(self._channel(topic))
        except (RedisError, OSError):
            log.warning("event_bus_subscribe_failed", topic=topic)

    async def _redis_unsubscribe(self, topic: str) -> None:
        if self._pubsub is None or not self._connected.is_set():
            return
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.unsubscribe(self._channel(topic))

    async def _ship(self) -> None:
        """Send queued events to Redis in order, batching what has piled up."""
        assert self._redis is not None
        pending: list[tuple[str, str]] = []
        delay = 0.1
        while True:
            if not pending:
                pending.append(await self._outgoing.get())
                while not self._outgoing.empty() and len(pending) < 500:
                    pending.append(self._outgoing.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for topic, payload in pending:
                        pipe.publish(self._channel(topic), payload)
                    await pipe.execute()
                pending = []
                delay = 0.1
            except (RedisError, OSError) as exc:
                log.warning("event_bus_publish_failed", error=str(exc), queued=len(pending))
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _listen(self) -> None:
        """Receive other nodes' events; on a broken connection drop local streams and retry."""
        assert self._redis is not None
        delay = 0.1
        while True:
            self._pubsub = self._redis.pubsub()
            try:
                await self._pubsub.subscribe(self._prefix + "_node:" + self.node_id)
                self._connected.set()
                for topic in list(self._confirmed):
                    await self._pubsub.subscribe(self._channel(topic))
                # Streams that subscribed while Redis was away may have missed events.
                for topic, subscription in list(self._unconfirmed):
                    self._local.drop(topic, subscription)
                self._unconfirmed.clear()
                delay = 0.1
                while True:
                    message = await self._pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._receive(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("event_bus_connection_lost", error=str(exc))
            finally:
                self._connected.clear()
                with contextlib.suppress(RedisError, OSError, RuntimeError):
                    await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            # Whatever was published meanwhile is gone: make every local stream resync.
            for topic in list(self._confirmed):
                self._confirmed[topic].clear()
                self._local.drop_all(topic)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _receive(self, message: dict[str, Any]) -> None:
        channel = message.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode()
        if not isinstance(channel, str) or not channel.startswith(self._prefix):
            return
        topic = channel.removeprefix(self._prefix)
        if message["type"] == "subscribe":
            confirmed = self._confirmed.get(topic)
            if confirmed is not None:
                confirmed.set()
            return
        if message["type"] != "message":
            return
        try:
            body = json.loads(message["data"])
        except (ValueError, TypeError):
            return
        if body.get("n") != self.node_id:
            self._local.publish(topic, body["e"])
