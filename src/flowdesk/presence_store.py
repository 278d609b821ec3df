"""Who has an agent stream open: counted in this process, or in Redis across several nodes.

With Redis each node counts its own connections per agent in a hash field named after the
node, and keeps a heartbeat key alive; a node that dies (SIGKILL, power loss) stops its
heartbeat, and its counts stop counting when the key expires, so its agents are not held
"connected" forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import Counter
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)

KEY_PREFIX = "flowdesk:"
HEARTBEAT_SECONDS = 5.0
HEARTBEAT_TTL_SECONDS = 15


class PresenceStore(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def connected(self, user_id: str) -> None: ...

    async def disconnected(self, user_id: str) -> None: ...

    async def is_connected(self, user_id: str) -> bool: ...


class LocalPresenceStore:
    """Connection counts of this process (the embedded single-node default)."""

    def __init__(self) -> None:
        self._connections: Counter[str] = Counter()

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def connected(self, user_id: str) -> None:
        self._connections[user_id] += 1

    async def disconnected(self, user_id: str) -> None:
        self._connections[user_id] -= 1
        if self._connections[user_id] <= 0:
            del self._connections[user_id]

    async def is_connected(self, user_id: str) -> bool:
        return self._connections[user_id] > 0


class RedisPresenceStore:
    """Counts per node in Redis; a node's counts expire with its heartbeat."""

    def __init__(self, url: str, *, prefix: str = KEY_PREFIX) -> None:
        self._redis = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self._prefix = prefix
        self.node_id = secrets.token_hex(6)
        self._heartbeat: asyncio.Task[None] | None = None

    def _user_key(self, user_id: str) -> str:
        return f"{self._prefix}presence:{user_id}"

    def _node_key(self, node_id: str) -> str:
        return f"{self._prefix}node:{node_id}"

    async def start(self) -> None:
        await self._beat()
        self._heartbeat = asyncio.create_task(self._beat_forever(), name="flowdesk-presence")

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        with contextlib.suppress(RedisError, OSError):
            await self._redis.delete(self._node_key(self.node_id))
        await self._redis.aclose()

    async def _beat(self) -> None:
        await self._redis.set(self._node_key(self.node_id), "1", ex=HEARTBEAT_TTL_SECONDS)

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await self._beat()
            except (RedisError, OSError) as exc:
                log.warning("presence_heartbeat_failed", error=str(exc))

    async def connected(self, user_id: str) -> None:
        try:
            await self._redis.hincrby(self._user_key(user_id), self.node_id, 1)
        except (RedisError, OSError) as exc:
            log.warning("presence_write_failed", error=str(exc))

    async def disconnected(self, user_id: str) -> None:
        key = self._user_key(user_id)
        try:
            left = await self._redis.hincrby(key, self.node_id, -1)
            if left <= 0:
                await self._redis.hdel(key, self.node_id)
        except (RedisError, OSError) as exc:
            log.warning("presence_write_failed", error=str(exc))

    async def is_connected(self, user_id: str) -> bool:
        """Connected on a live node. Unknown (Redis away) counts as connected: an agent is
        never set offline because of our outage."""
        try:
            counts = await self._redis.hgetall(self._user_key(user_id))
            nodes = [
                n.decode() if isinstance(n, bytes) else n for n, c in counts.items() if int(c) > 0
            ]
            if not nodes:
                return False
            alive = await self._redis.exists(*(self._node_key(n) for n in nodes))
            return bool(alive)
        except (RedisError, OSError) as exc:
            log.warning("presence_read_failed", error=str(exc))
            return True
