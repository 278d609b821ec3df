"""Agent presence: an agent whose every stream connection has been gone for a grace period
(60 s by default) is set `offline`; their conversations stay assigned.

Connections are counted by a `PresenceStore`: in this process, or in Redis when several
nodes serve agents (an agent reconnecting to another node is still connected). After a
restart every online agent gets the grace period to reconnect before being set offline.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy import select

from flowdesk.presence_store import PresenceStore
from flowdesk.runtime import Runtime
from flowdesk.services import serving
from flowdesk.storage.models import User

log = structlog.get_logger(__name__)


class Presence:
    def __init__(self, rt: Runtime, grace_seconds: float, store: PresenceStore) -> None:
        self.rt = rt
        self.grace_seconds = grace_seconds
        self.store = store
        self._pending: dict[str, asyncio.Task[None]] = {}

    async def connected(self, user_id: str) -> None:
        pending = self._pending.pop(user_id, None)
        if pending is not None:
            pending.cancel()
        await self.store.connected(user_id)

    async def disconnected(self, user_id: str) -> None:
        await self.store.disconnected(user_id)
        if not await self.store.is_connected(user_id):
            self._start_grace(user_id)

    async def is_connected(self, user_id: str) -> bool:
        return await self.store.is_connected(user_id)

    def _start_grace(self, user_id: str) -> None:
        if user_id not in self._pending:
            self._pending[user_id] = asyncio.create_task(self._expire(user_id))

    async def _expire(self, user_id: str) -> None:
        try:
            await asyncio.sleep(self.grace_seconds)
            if not await self.is_connected(user_id):
                async with self.rt.db.read() as session:
                    status = await session.scalar(select(User.status).where(User.id == user_id))
                if status is not None and status != "offline":
                    await serving.set_status(self.rt, user_id, "offline")
                    log.info("agent_offline_after_disconnect", user_id=user_id)
        except Exception:
            log.exception("presence_error", user_id=user_id)
        finally:
            # A reconnect and a new disconnect may have started a newer grace meanwhile.
            if self._pending.get(user_id) is asyncio.current_task():
                del self._pending[user_id]

    async def start(self) -> None:
        """After a (re)start nobody is connected: give every online agent the grace period."""
        await self.store.start()
        async with self.rt.db.read() as session:
            online = await session.scalars(select(User.id).where(User.status != "offline"))
            for user_id in online:
                self._start_grace(user_id)

    async def stop(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._pending.clear()
        await self.store.stop()


def presence_store(redis_url: str | None) -> PresenceStore:
    """In-process counts for one node; Redis when several nodes share `FLOWDESK_REDIS_URL`."""
    if redis_url:
        from flowdesk.presence_store import RedisPresenceStore

        return RedisPresenceStore(redis_url)
    from flowdesk.presence_store import LocalPresenceStore

    return LocalPresenceStore()
