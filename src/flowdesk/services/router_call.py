"""The `webhook` routing strategy's call (SPEC §9): ask a skill group's routing URL who
should take a conversation.

The URL is an admin's setting, so it goes through the SSRF-guarded client like a
flow's `http_request`. The request is signed like a webhook event. Any failure —
timeout (`routing_timeout_seconds`), connection error, non-2xx, a body that is not
`{"agent_id": "…"}` or `{"skill_group_id": "…"}` — answers `None`, and the desk
routes by longest idle instead. This never raises and never touches the database.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2 as httpx
import structlog

from flowdesk.outbound import fetch, guarded_client
from flowdesk.services.webhooks import signed_headers
from flowdesk.settings import Settings
from flowdesk.storage.models import new_id
from flowdesk.views import iso

log = structlog.get_logger(__name__)

MAX_ANSWER_BYTES = 64 * 1024
MAX_ID = 64


@dataclass(frozen=True)
class Answer:
    """Exactly one of the two is set."""

    agent_id: str | None = None
    skill_group_id: str | None = None


def request_body(data: dict[str, Any], now: datetime) -> bytes:
    """`{"id", "type": "routing.requested", "created_at", "data"}`, like a webhook event."""
    event = {"id": new_id("rte"), "type": "routing.requested", "created_at": iso(now), "data": data}
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def parse_answer(body: bytes) -> Answer | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    for key in ("agent_id", "skill_group_id"):
        ref = value.get(key)
        if isinstance(ref, str) and 0 < len(ref) <= MAX_ID:
            return Answer(**{key: ref})
    return None


async def ask(
    settings: Settings,
    url: str,
    body: bytes,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Answer | None:
    """POST the request to `url`; the answer, or None on any failure (logged, not raised)."""
    timeout = settings.routing_timeout_seconds
    try:
        async with (
            asyncio.timeout(timeout),
            guarded_client(settings, transport=transport, timeout=timeout) as client,
        ):
            reply = await fetch(
                client,
                "POST",
                url,
                headers=signed_headers(settings, body),
                content=body,
                limit=MAX_ANSWER_BYTES,
            )
    except (httpx.HTTPError, TimeoutError, OSError) as exc:
        log.info("routing_call_failed", error=type(exc).__name__)
        return None
    if not 200 <= reply.status < 300:
        log.info("routing_call_failed", status=reply.status)
        return None
    answer = parse_answer(reply.body)
    if answer is None:
        log.info("routing_call_unusable_answer")
    return answer
