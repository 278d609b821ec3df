"""Call-outs: the HTTP and LLM calls flow nodes hand off, made outside any transaction.

A node returns `Handoff` with a `CallOut` (see `flowdesk.engine.types`). The turn's
transaction stores the hand-off and arms a durable `call` timer, then commits. After the
commit the call is made here, with no database connection or lock held, and its result
goes back in a new transaction (`conversations.deliver_call_result`) only if the
conversation still waits for that very call id: a late or duplicate result is dropped.

Who makes the call: the request that caused it, when a customer is waiting for the
answer (a message, a start, the simulator), so the reply includes what the flow said
after the call; otherwise (a timer, an agent closing) a background task. If the process
dies mid-call, the `call` timer fires after the restart and the node calls again.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import structlog

from flowdesk import llm
from flowdesk.engine.modules.http_request import RETRY_PAUSE_SECONDS
from flowdesk.engine.types import CallOut
from flowdesk.outbound import OutboundRefused, ResponseTooLarge, fetch
from flowdesk.runtime import Runtime
from flowdesk.services import conversations
from flowdesk.services.tx import transaction
from flowdesk.storage.models import Message

log = structlog.get_logger(__name__)

#: Calls one request settles in a row (a flow of several http_request nodes) before the
#: rest is left to a background task.
MAX_INLINE_CALLS = 10


@dataclass(frozen=True)
class PendingCall:
    conversation_id: str
    call: CallOut


# --------------------------------------------------------------------------- making calls


async def perform(rt: Runtime, call: CallOut) -> dict[str, Any]:
    """Make one call (all its attempts); never raises for the outside world's failures."""
    if call.kind == "http":
        return await http_call(rt, call.request)
    if call.kind == "llm":
        return await llm.ask(rt.settings, call.request["question"], call.request["entries"])
    log.error("unknown_call_kind", kind=call.kind)
    return {"ok": False, "error": "unknown"}


def _content(request: Mapping[str, Any], headers: dict[str, str]) -> bytes | None:
    body = request.get("body")
    if body is None:
        return None
    if request.get("json"):
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
        return json.dumps(body, ensure_ascii=False).encode()
    return str(body).encode()


async def http_call(rt: Runtime, request: Mapping[str, Any]) -> dict[str, Any]:
    """An `http_request` node's call through the SSRF guard, retried on timeouts,
    connection errors and 5xx. Logs the host and the outcome only: never headers."""
    headers = dict(request.get("headers") or {})
    content = _content(request, headers)
    seconds = int(request.get("timeout_ms", 5000)) / 1000
    attempts = int(request.get("max_attempts", 1))
    url = str(request["url"])
    host = httpx.URL(url).host if "://" in url else ""
    outcome: dict[str, Any] = {"status": None, "error": "connection"}
    client, timeout = rt.outbound(), httpx.Timeout(seconds)
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
        try:
            async with asyncio.timeout(seconds):
                got = await fetch(
                    client,
                    str(request["method"]),
                    url,
                    headers=headers,
                    content=content,
                    timeout=timeout,
                )
        except OutboundRefused:
            outcome = {"status": None, "error": "refused"}
            break
        except ResponseTooLarge:
            outcome = {"status": None, "error": "too_large"}
            break
        except (TimeoutError, httpx.TimeoutException):
            outcome = {"status": None, "error": "timeout"}
            continue
        except (httpx.HTTPError, httpx.InvalidURL, OSError):
            outcome = {"status": None, "error": "connection"}
            continue
        try:
            document, parsed = json.loads(got.body), True
        except ValueError:
            document, parsed = None, False
        outcome = {"status": got.status, "json": document, "json_ok": parsed, "error": None}
        if got.status < 500:
            break
    log.info(
        "http_request_call",
        host=host,
        status=outcome.get("status"),
        error=outcome.get("error"),
        attempts=attempt,
    )
    return outcome


# --------------------------------------------------------------------------- feeding back


async def settle(
    rt: Runtime, pending: list[PendingCall], *, reply_to: tuple[str, str] | None = None
) -> list[Message]:
    """Make the calls, feed each result back, and follow the calls the flow makes next.

    Returns the messages the flows sent meanwhile (the customer's answer). `reply_to`
    marks them as replies to the customer message that started it all.
    """
    sent: list[Message] = []
    queue = list(pending)
    made = 0
    while queue:
        if made >= MAX_INLINE_CALLS:
            spawn(rt, queue)
            break
        item = queue.pop(0)
        made += 1
        result = await perform(rt, item.call)
        async with transaction(rt) as tx:
            tx.reply_to = reply_to
            await conversations.deliver_call_result(
                tx, item.conversation_id, item.call.call_id, result
            )
            queue.extend(take(tx.calls))
        sent.extend(m for _, m in tx.outbox.messages)
    return sent


def take(calls: list[tuple[str, CallOut]]) -> list[PendingCall]:
    """Claim a transaction's calls (the caller makes them; `transaction` will not)."""
    claimed = [PendingCall(conversation_id, call) for conversation_id, call in calls]
    calls.clear()
    return claimed


def spawn(rt: Runtime, pending: list[PendingCall]) -> None:
    """Make the calls in a background task (nobody waits for their answer)."""
    task = asyncio.get_running_loop().create_task(_background(rt, pending), name="flowdesk-call")
    rt.calls_in_flight.add(task)
    task.add_done_callback(rt.calls_in_flight.discard)


async def _background(rt: Runtime, pending: list[PendingCall]) -> None:
    try:
        await settle(rt, pending)
    except Exception:
        # The `call` timer is still armed: the node calls again when it fires.
        log.exception("call_failed")


async def drain(rt: Runtime) -> None:
    """Wait for the background calls (tests; shutdown uses `stop`)."""
    while rt.calls_in_flight:
        await asyncio.gather(*list(rt.calls_in_flight), return_exceptions=True)


async def stop(rt: Runtime) -> None:
    """Cancel the background calls; their `call` timers retry them after the restart."""
    tasks = list(rt.calls_in_flight)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
