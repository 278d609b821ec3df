"""Forwarding bus events to a WebSocket until the client goes away (shared by both streams)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect

from flowdesk.events import Subscription


async def forward(
    websocket: WebSocket,
    subscription: Subscription,
    position: Callable[[dict[str, Any]], int | None],
    after: int,
) -> None:
    """Send each event, skipping those at or before `after` by `position` (already replayed).

    `position(event)` gives an event's place in the client's order (a message's `seq`, an
    agent event's id), or None for events that always go through. Returns when the client
    disconnects; `SubscriptionLost` propagates (the client reconnects and resyncs).
    """
    receiver = asyncio.create_task(_until_disconnect(websocket))
    try:
        while True:
            getter = asyncio.create_task(subscription.get())
            done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
            if receiver in done:
                getter.cancel()
                return
            event = getter.result()
            place = position(event)
            if place is not None:
                if place <= after:
                    continue
                after = place
            await websocket.send_json(event)
    finally:
        receiver.cancel()


async def _until_disconnect(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
