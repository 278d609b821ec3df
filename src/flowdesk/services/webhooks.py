"""Event callbacks (SPEC §9): delivering the durable webhook outbox.

Events are written as `WebhookDelivery` rows by the transaction that caused them
(`Tx.webhook` → `Tx.finish`), so an event exists exactly when its cause committed.
The dispatcher here sends them afterwards, never inside a write transaction:

1. *claim*: one short transaction takes due `pending` rows (`FOR UPDATE SKIP LOCKED` on
   PostgreSQL, so each row goes to one worker; SQLite has one writer anyway), counts the
   attempt and pushes `next_attempt_at` out by a lease;
2. *send*: POST each body, signed, with no transaction open;
3. *settle*: one transaction marks each row `delivered`, schedules its retry (exponential
   backoff with jitter, capped), or after the last attempt keeps it as `failed`.

A worker that dies between 1 and 3 leaves rows whose lease runs out: they are sent
again (at least once; receivers deduplicate by the event `id`). A restart delivers
whatever is still pending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx2 as httpx
import structlog
from sqlalchemy import func, select

from flowdesk.background import DueWorkLoop
from flowdesk.errors import Conflict, NotFound
from flowdesk.runtime import Runtime
from flowdesk.settings import Settings
from flowdesk.storage.models import WebhookDelivery
from flowdesk.views import iso

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Flowdesk-Signature"
Status = Literal["pending", "delivered", "failed"]
CLAIM_BATCH = 20
#: The longest the dispatcher sleeps: rows written by other nodes are seen within this.
POLL_SECONDS = 30.0
MAX_ERROR_TEXT = 500


def sign(secret: str, body: bytes) -> str:
    """The `X-Flowdesk-Signature` value: `sha256=` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(settings: Settings, body: bytes) -> dict[str, str]:
    headers = {"content-type": "application/json", "user-agent": "Flowdesk-Webhooks/1"}
    if settings.webhook_secret is not None:
        headers[SIGNATURE_HEADER] = sign(settings.webhook_secret.get_secret_value(), body)
    return headers


def event_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed): `{"id", "type", "created_at", "data"}`."""
    event = {
        "id": delivery.event_id,
        "type": delivery.type,
        "created_at": iso(delivery.created_at),
        "data": delivery.payload,
    }
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def retry_delay(
    settings: Settings, attempts: int, rand: Callable[[], float] = random.random
) -> timedelta:
    """The wait after failed attempt number `attempts`: base·2^(n-1), capped, 50-100 % of it.

    The jitter spreads the retries of many events that failed together (a receiver
    that was down) so they do not all arrive again in the same second.
    """
    exponent = min(attempts - 1, 32)
    delay = min(
        settings.webhook_retry_base_seconds * 2**exponent, settings.webhook_retry_max_seconds
    )
    return timedelta(seconds=delay * (0.5 + rand() / 2))


def lease(settings: Settings) -> timedelta:
    """How long a claimed row is left alone: long enough to send a whole batch, one by one."""
    return timedelta(seconds=CLAIM_BATCH * settings.webhook_timeout_seconds + 30)


@dataclass(frozen=True)
class Claimed:
    id: int
    event_id: str
    type: str
    attempts: int
    body: bytes


async def claim_due(rt: Runtime, limit: int = CLAIM_BATCH) -> list[Claimed]:
    """Take due pending deliveries for this worker and count the attempt (one transaction)."""
    async with rt.db.write() as session:
        now = rt.clock.now()
        rows = await session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed: list[Claimed] = []
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + lease(rt.settings)
            claimed.append(Claimed(row.id, row.event_id, row.type, row.attempts, event_body(row)))
        return claimed


async def settle(rt: Runtime, outcomes: Sequence[tuple[Claimed, str | None]]) -> None:
    """Record what each send did: `None` = delivered, else the error (retry or fail)."""
    if not outcomes:
        return
    async with rt.db.write() as session:
        now = rt.clock.now()
        rows = {
            row.id: row
            for row in await session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.id.in_([c.id for c, _ in outcomes]))
                .with_for_update()
            )
        }
        for claimed, error in outcomes:
            row = rows.get(claimed.id)
            if row is None or row.status != "pending" or row.attempts != claimed.attempts:
                continue  # an admin retried or the lease ran out and another worker took it
            if error is None:
                row.status = "delivered"
                row.delivered_at = now
                row.last_error = None
            elif row.attempts >= rt.settings.webhook_max_attempts:
                row.status = "failed"
                row.last_error = error
                log.warning(
                    "webhook_failed", event_id=row.event_id, type=row.type, attempts=row.attempts
                )
            else:
                row.next_attempt_at = now + retry_delay(rt.settings, row.attempts)
                row.last_error = error


async def next_due(rt: Runtime) -> datetime | None:
    async with rt.db.read() as session:
        due: datetime | None = await session.scalar(
            select(func.min(WebhookDelivery.next_attempt_at)).where(
                WebhookDelivery.status == "pending"
            )
        )
        return due


class WebhookDispatcher:
    """Sends the webhook outbox in the background; `transport` is the tests' seam."""

    def __init__(self, rt: Runtime, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.rt = rt
        self.transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop = DueWorkLoop(
            "flowdesk-webhooks",
            self._round,
            wake=rt.webhooks_written,
            clock=rt.clock,
            interval=POLL_SECONDS,
        )

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # The URL is the operator's own setting (not an admin's or a flow's), so this is a
            # plain client; redirects are not followed: a 3xx is not a delivery.
            self._client = httpx.AsyncClient(
                transport=self.transport,
                timeout=self.rt.settings.webhook_timeout_seconds,
                follow_redirects=False,
                trust_env=False,
            )
        return self._client

    async def _send(self, claimed: Claimed) -> tuple[str | None, bool]:
        """`(error or None, whether the receiver could be reached at all)`."""
        url = self.rt.settings.webhook_url
        if not url:
            return "no webhook URL is configured", False
        reached = True
        try:
            response = await self._http().post(
                url, content=claimed.body, headers=signed_headers(self.rt.settings, claimed.body)
            )
        except httpx.HTTPError as exc:
            reached = not isinstance(exc, httpx.ConnectError | httpx.TimeoutException)
            error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_TEXT]
        else:
            if response.is_success:
                return None, True
            error = f"HTTP {response.status_code}"
        log.info(
            "webhook_attempt_failed",
            event_id=claimed.event_id,
            type=claimed.type,
            attempt=claimed.attempts,
            error=error,
        )
        return error, reached

    async def run_due(self) -> int:
        """Send every delivery due now, batch by batch; returns how many were delivered.

        One at a time, in the order the events happened, so a healthy receiver sees them
        in order (retries can still reorder: receivers sort by `created_at` if it matters).
        When the receiver cannot be reached, the rest of the batch counts the same failed
        attempt instead of waiting for one timeout each.
        """
        delivered = 0
        while True:
            batch = await claim_due(self.rt)
            if not batch:
                return delivered
            outcomes: list[tuple[Claimed, str | None]] = []
            unreachable: str | None = None
            for claimed in batch:
                if unreachable is not None:
                    outcomes.append((claimed, f"not sent: {unreachable}"))
                    continue
                error, reached = await self._send(claimed)
                outcomes.append((claimed, error))
                if not reached:
                    unreachable = error
            await settle(self.rt, outcomes)
            delivered += sum(1 for _, error in outcomes if error is None)

    async def _round(self) -> datetime | None:
        await self.run_due()
        return await next_due(self.rt)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None


# --------------------------------------------------------------------------- admin


def delivery_view(delivery: WebhookDelivery, *, with_body: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": delivery.event_id,
        "type": delivery.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at) if delivery.status == "pending" else None,
        "last_error": delivery.last_error,
        "created_at": iso(delivery.created_at),
        "delivered_at": iso(delivery.delivered_at),
    }
    if with_body:
        view["data"] = delivery.payload
    return view


async def list_deliveries(
    rt: Runtime, *, status: Status | None, before: int | None, limit: int
) -> list[WebhookDelivery]:
    """Newest first; `before` is the `cursor` of the last page's last row."""
    async with rt.db.read() as session:
        query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
        if status is not None:
            query = query.where(WebhookDelivery.status == status)
        if before is not None:
            query = query.where(WebhookDelivery.id < before)
        return list(await session.scalars(query))


async def get_delivery(rt: Runtime, event_id: str) -> WebhookDelivery:
    async with rt.db.read() as session:
        row = await session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.event_id == event_id)
        )
    if row is None:
        raise NotFound(f"no webhook event {event_id}")
    return row


async def retry_delivery(rt: Runtime, event_id: str) -> WebhookDelivery:
    """Give a failed (or waiting) event a fresh set of attempts, starting now."""
    async with rt.db.write() as session:
        row = await session.scalar(
            select(WebhookDelivery).where(WebhookDelivery.event_id == event_id).with_for_update()
        )
        if row is None:
            raise NotFound(f"no webhook event {event_id}")
        if row.status == "delivered":
            raise Conflict("this event was delivered already", code="already_delivered")
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = rt.clock.now()
    rt.webhooks_written.set()
    return row
