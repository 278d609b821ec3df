"""The timer scheduler: fires durable timers when they come due.

Timers are rows (`flowdesk.storage.models.Timer`); firing one deletes it in the
same transaction that acts on it, so a timer fires once even across crashes and
restarts: a timer that came due while the server was down fires at the next start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from flowdesk.background import DueWorkLoop
from flowdesk.runtime import Runtime
from flowdesk.services.conversations import due_timers, fire_timer, next_timer_due
from flowdesk.services.housekeeping import prune

log = structlog.get_logger(__name__)
PRUNE_EVERY = timedelta(hours=1)


class TimerScheduler:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._last_prune: datetime | None = None
        self._loop = DueWorkLoop(
            "flowdesk-timers",
            self._round,
            wake=rt.timers_changed,
            clock=rt.clock,
            interval=rt.settings.scheduler_interval_seconds,
        )

    async def run_due(self) -> int:
        """Fire every timer due now; returns how many fired."""
        fired = 0
        while True:
            batch = await due_timers(self.rt, self.rt.clock.now())
            if not batch:
                return fired
            progressed = False
            for timer_id in batch:
                try:
                    if await fire_timer(self.rt, timer_id):
                        fired += 1
                        progressed = True
                except Exception:
                    # One broken conversation must not stop every other timer.
                    log.exception("timer_failed", timer_id=timer_id)
            if not progressed:
                return fired

    async def _housekeeping(self) -> None:
        now = self.rt.clock.now()
        if self._last_prune is None or now - self._last_prune >= PRUNE_EVERY:
            self._last_prune = now
            pruned = await prune(self.rt)
            log.info("housekeeping", **vars(pruned))

    async def _round(self) -> datetime | None:
        # While a round runs, any arm wakes the loop again: it may not be in what this round
        # reads, and the hint from the last round is already in the past.
        self.rt.timers_sleep_until = None
        await self.run_due()
        await self._housekeeping()
        due = await next_timer_due(self.rt)
        # The loop sleeps until `due` or the interval, whichever is first; a timer armed for
        # later than that is found by the next round without waking it.
        wake = self.rt.clock.now() + timedelta(seconds=self.rt.settings.scheduler_interval_seconds)
        self.rt.timers_sleep_until = min(due, wake) if due is not None else wake
        return due

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
