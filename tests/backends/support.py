"""Two nodes of a backend for a contract test: in one process both are the same object; with
Redis they are two instances sharing a server under a key prefix of their own."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol


class Startable(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@asynccontextmanager
async def two_nodes(
    backend: str, request: Any, local: Callable[[], Any], redis: Callable[..., Any]
) -> AsyncIterator[tuple[Any, Any]]:
    """`local()` once for both nodes, or `redis(url, prefix=…)` twice, started and stopped."""
    if backend == "local":
        node = local()
        yield node, node
        return
    url: str = request.getfixturevalue("redis_url")
    prefix = f"flowdesk-test-{secrets.token_hex(4)}:"
    first: Startable = redis(url, prefix=prefix)
    second: Startable = redis(url, prefix=prefix)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()
