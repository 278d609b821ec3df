"""Forwarding bus events to a WebSocket until the client goes away (shared by both streams).

An open stream's objects live as long as the stream, and a customer's stream is open for as
long as the widget is on the page, mostly idle: what is written here is what each idle
conversation costs the server in memory (see docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.types import Receive, Scope, Send

from flowdesk.events import Subscription


class StreamEndpoint:
    """A WebSocket handler served as a bare ASGI app: `router.add_websocket_route(path, ...)`.

    A FastAPI WebSocket route keeps, for the whole life of the connection, two exit stacks,
    the solved parameters and exception-handling wrappers around the handler: about 5 KiB
    more a stream, measured. The handler reads its path and query parameters from the
    `WebSocket` and refuses bad ones itself.
    """

    def __init__(self, handler: Callable[[WebSocket], Awaitable[None]]) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.handler(WebSocket(scope, receive=receive, send=send))


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

    `after` stays where the replay ended. Live events are each delivered once, but not
    always in order: with several nodes, two events committed one after the other on
    different nodes reach a stream one locally and one through Redis, so the later can come
    first. Skipping by the highest place sent so far would drop the earlier one for good;
    clients order by place and de-duplicate themselves.

    The stream's own task waits for the client to go away, which is all an idle stream does.
    Events start a short-lived task that sends what is queued, then ends; if sending fails or
    the subscription is lost, that task closes the WebSocket, which ends the wait, and the
    failure is raised here.
    """
    sender = _Sender(websocket, subscription, position, after)
    subscription.notify = sender.start
    try:
        sender.start()  # whatever arrived during the replay
        await _until_disconnect(websocket)
    finally:
        subscription.notify = None
        sender.stop()
    if sender.failure is not None:
        raise sender.failure


class _Sender:
    __slots__ = ("after", "failure", "position", "subscription", "task", "websocket")

    def __init__(
        self,
        websocket: WebSocket,
        subscription: Subscription,
        position: Callable[[dict[str, Any]], int | None],
        after: int,
    ) -> None:
        self.websocket = websocket
        self.subscription = subscription
        self.position = position
        self.after = after
        self.failure: Exception | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.task is None and self.failure is None:
            self.task = asyncio.create_task(self._send_queued())

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def _send_queued(self) -> None:
        try:
            while (event := self.subscription.get_nowait()) is not None:
                place = self.position(event)
                if place is not None and place <= self.after:
                    continue  # the replay sent it
                await self.websocket.send_json(event)
        except Exception as exc:
            self.failure = exc
            with contextlib.suppress(Exception):
                await self.websocket.close()
        # Nothing is queued, and no await comes before the task ends: the next event starts
        # a new one (an idle stream keeps no task, finished or not).
        self.task = None


async def _until_disconnect(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except WebSocketDisconnect:
        return
