"""The composition root's product: the shared parts every request and background task uses."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flowdesk.clock import Clock
from flowdesk.engine.document import FlowDocument
from flowdesk.engine.module import Registry
from flowdesk.engine.runner import CompiledFlow, Engine
from flowdesk.events import EventBus, LocalEventBus
from flowdesk.ratelimit import FailureLimiter, failure_limiter
from flowdesk.retrieval import IndexCache
from flowdesk.settings import Settings
from flowdesk.storage.db import Database

if TYPE_CHECKING:
    import httpx2 as httpx

COMPILED_CACHE_SIZE = 256
STAMPED_CACHE_SIZE = 1024


class CompiledFlowCache:
    """Published versions are immutable, so a compiled version is cached for good (LRU-bounded)."""

    def __init__(self, engine: Engine, size: int = COMPILED_CACHE_SIZE) -> None:
        self._engine = engine
        self._size = size
        self._items: OrderedDict[tuple[str, int], CompiledFlow] = OrderedDict()

    def get(self, flow_id: str, version: int) -> CompiledFlow | None:
        compiled = self._items.get((flow_id, version))
        if compiled is not None:
            self._items.move_to_end((flow_id, version))
        return compiled

    def put(self, flow_id: str, version: int, document: FlowDocument) -> CompiledFlow:
        compiled = self._engine.compile(document)
        self._items[(flow_id, version)] = compiled
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return compiled


class StampedCache:
    """Values by key, each valid for one stamp of its source row (e.g. `updated_at`): the
    caller reads the stamp anyway (in a query it makes already) and gets the value built for
    it, or builds it again. LRU-bounded; never stale, so safe with several nodes."""

    def __init__(self, size: int = STAMPED_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, tuple[object, Any]] = OrderedDict()

    def get(self, key: str, stamp: object) -> Any:
        item = self._items.get(key)
        if item is None or item[0] != stamp:
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: str, stamp: object, value: Any) -> None:
        self._items[key] = (stamp, value)
        self._items.move_to_end(key)
        if len(self._items) > self._size:
            self._items.popitem(last=False)


@dataclass
class Runtime:
    """Settings, database, engine, event bus and clock, built once at start and passed down."""

    settings: Settings
    db: Database
    registry: Registry
    engine: Engine
    bus: EventBus
    clock: Clock
    compiled: CompiledFlowCache
    sign_in_failures: FailureLimiter
    #: Knowledge-base search indexes by (base, revision): built on change, never per message.
    indexes: IndexCache = field(default_factory=IndexCache)
    #: What running a flow reads of a channel (`services.channels.ChannelView`), by channel
    #: id and `updated_at`: parsed once per change of the channel, not per message.
    channel_views: StampedCache = field(default_factory=StampedCache)
    #: Call-outs made in the background (`services.calls.spawn`), cancelled at shutdown.
    calls_in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    #: Set when a timer is armed that falls due before the scheduler's next wake-up.
    timers_changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: When the scheduler wakes next on its own (None: unknown, so every arm wakes it).
    timers_sleep_until: datetime | None = None
    #: Set after a commit that wrote webhook deliveries, so the dispatcher sends them now.
    webhooks_written: asyncio.Event = field(default_factory=asyncio.Event)
    #: The SSRF-guarded client flows' `http_request` calls share (made on first use): its
    #: pool keeps connections to the APIs open between calls. Closed at shutdown.
    _outbound: httpx.AsyncClient | None = None

    def outbound(self) -> httpx.AsyncClient:
        if self._outbound is None:
            from flowdesk.outbound import guarded_client

            self._outbound = guarded_client(self.settings)
        return self._outbound

    async def close_outbound(self) -> None:
        if self._outbound is not None:
            client, self._outbound = self._outbound, None
            await client.aclose()

    def timer_armed(self, due: datetime) -> None:
        """Wake the scheduler only for a timer due before it wakes anyway: every customer
        turn re-arms the day-long idle timer, and waking for each cost two queries a turn."""
        if self.timers_sleep_until is None or due < self.timers_sleep_until:
            self.timers_changed.set()

    @classmethod
    def build(cls, settings: Settings, clock: Clock, registry: Registry) -> Runtime:
        engine = Engine(registry)
        return cls(
            settings=settings,
            db=Database(settings.database_url, pool_size=settings.database_pool_size),
            registry=registry,
            engine=engine,
            bus=_event_bus(settings),
            clock=clock,
            compiled=CompiledFlowCache(engine),
            sign_in_failures=failure_limiter(settings.redis_url, clock),
        )


def _event_bus(settings: Settings) -> EventBus:
    """In-process for one node; Redis pub/sub when several nodes share `FLOWDESK_REDIS_URL`."""
    if settings.redis_url:
        from flowdesk.redis_events import RedisEventBus

        return RedisEventBus(settings.redis_url)
    return LocalEventBus()
