"""A background task that does what is due, then sleeps until the next due time, a wake-up, or
at most `interval` seconds (so work written by another node is found too). The timer scheduler
and the webhook dispatcher are both one of these."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog

from flowdesk.clock import Clock

log = structlog.get_logger(__name__)

#: Does the due work; returns when the next work falls due (None: nothing known).
Work = Callable[[], Awaitable[datetime | None]]


class DueWorkLoop:
    def __init__(
        self, name: str, work: Work, *, wake: asyncio.Event, clock: Clock, interval: float
    ) -> None:
        self.name = name
        self._work = work
        self._wake = wake
        self._clock = clock
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                due = await self._work()
            except Exception:
                # One failure must not stop the loop; the next round tries again.
                log.exception("background_error", task=self.name)
                due = None
            wait = self._interval
            if due is not None:
                wait = max(0.0, min(wait, (due - self._clock.now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
