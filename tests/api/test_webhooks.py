"""Event callbacks (SPEC §9): the durable outbox, signatures, retries, restarts, the admin API."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2 as httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.services.webhooks import claim_due, retry_delay
from flowdesk.storage.models import WebhookDelivery
from tests.api.desk_support import make_agent, make_group, transfer_flow
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server, assert_error, make_settings

SECRET = "whsec-test-0123456789"
HOOK_URL = "http://hooks.example.test/flowdesk"
ALL_TYPES = {
    "conversation.started",
    "conversation.transfer_requested",
    "conversation.queued",
    "conversation.assigned",
    "conversation.transfer_failed",
    "conversation.ended",
    "message.created",
    "rating.submitted",
}
SIMPLE_FLOW = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hi", "type": "message", "config": {"text": "Hello ${SystemClientUserID}"}},
        {"id": "bye", "type": "end", "config": {"text": "Bye"}},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hi"},
        {"source": "hi", "port": "next", "target": "bye"},
    ],
}


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does (the README's snippet)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


@dataclass
class Receiver:
    """A webhook receiver at the edge: down (connection refused) or up; dedupes by event id."""

    up: bool = True
    status: int = 200
    accepted: Counter[str] = field(default_factory=Counter)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        body = request.read()
        assert verify(SECRET, body, request.headers["x-flowdesk-signature"])
        if self.status < 300:
            event = json.loads(body)
            self.accepted[event["id"]] += 1
            self.events[event["id"]] = event
        return httpx.Response(self.status)

    def types(self) -> Counter[str]:
        return Counter(e["type"] for e in self.events.values())


@asynccontextmanager
async def serve(
    database_url: str,
    clock: ManualClock,
    receiver: Receiver | None = None,
    *,
    background: bool = False,
    **overrides: Any,
) -> AsyncIterator[Server]:
    """The app with a webhook URL; the receiver replaces the network at the edge."""
    values: dict[str, Any] = {"webhook_url": HOOK_URL, "webhook_secret": SecretStr(SECRET)}
    settings = make_settings(database_url, **{**values, **overrides})
    app = create_app(settings, clock=clock, run_scheduler=background)
    if receiver is not None:
        app.state.webhooks.transport = httpx.MockTransport(receiver.handle)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://flowdesk.test"
        ) as client:
            server = Server(client=client, clock=clock, rt=app.state.runtime, app=app)
            server.admin = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            yield server


async def deliver(server: Server) -> int:
    delivered: int = await server.app.state.webhooks.run_due()
    return delivered


async def rows(server: Server) -> list[WebhookDelivery]:
    async with server.rt.db.read() as session:
        return list(await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


async def realistic_conversations(server: Server) -> None:
    """Start → transfer → assigned / queued → messages → close → survey rating → end, and a
    transfer that finds nobody."""
    alice = await make_agent(server, "Alice", max_concurrent=1)
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    first = await server.start(key)
    second = await server.start(key)
    assert (await second.state())["state"] == "queued"
    await first.say("My order is late")
    await alice.say(first.id, "Let me check.")
    assert (await alice.post(first.id, "close")).status_code == 200
    assert (await second.state())["state"] == "agent"
    assert (await first.send(rating=5)).status_code == 200
    assert (await first.state())["state"] == "ended"
    nobody = await make_agent(server, "Nobody", status="offline")
    lonely = await server.deploy(transfer_flow(await make_group(server, [nobody], name="Night")))
    await server.start(lonely)


# --------------------------------------------------------------------------- tests


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def test_every_event_type_of_a_realistic_conversation(
    db_url: str, clock: ManualClock
) -> None:
    receiver = Receiver()
    async with serve(db_url, clock, receiver) as server:
        await realistic_conversations(server)
        assert await deliver(server) == len(await rows(server))
    assert set(receiver.types()) == ALL_TYPES
    events = list(receiver.events.values())
    assert all(set(e) == {"id", "type", "created_at", "data"} for e in events)
    message = next(e for e in events if e["type"] == "message.created")
    assert set(message["data"]) == {"conversation", "message"}
    assert {"id", "state", "variables", "agent_id"} <= set(message["data"]["conversation"])
    rating = next(e for e in events if e["type"] == "rating.submitted")
    assert rating["data"]["conversation"]["rating"] == 5
    failed = next(e for e in events if e["type"] == "conversation.transfer_failed")
    assert failed["data"]["reason"] == "no_agent"
    # Each conversation's story is in the order it happened.
    first_id = next(e for e in events if e["type"] == "rating.submitted")["data"]["conversation"]
    story = [
        e["type"]
        for e in sorted(events, key=lambda e: e["created_at"])
        if e["data"]["conversation"]["id"] == first_id["id"] and e["type"] != "message.created"
    ]
    assert story == [
        "conversation.started",
        "conversation.transfer_requested",
        "conversation.assigned",
        "rating.submitted",
        "conversation.ended",
    ]


async def test_the_signature_verifies_at_a_real_receiver_on_loopback(
    sqlite_url: str, clock: ManualClock
) -> None:
    with loopback_receiver() as (url, got):
        async with serve(sqlite_url, clock, webhook_url=url) as server:
            key = await server.deploy(SIMPLE_FLOW)
            await server.start(key, customer_id="c-1")
            assert await deliver(server) == 4
    assert [json.loads(body)["type"] for body, _ in got] == [
        "conversation.started",
        "message.created",
        "message.created",
        "conversation.ended",
    ]
    for body, headers in got:
        assert headers["content-type"] == "application/json"
        assert verify(SECRET, body, headers["x-flowdesk-signature"])
        assert not verify("another-secret", body, headers["x-flowdesk-signature"])
    hello = json.loads(got[1][0])
    assert hello["data"]["message"]["text"] == "Hello c-1"


async def test_a_receiver_down_for_a_while_gets_every_event_exactly_once(
    db_url: str, clock: ManualClock
) -> None:
    receiver = Receiver(up=False)
    async with serve(db_url, clock, receiver) as server:
        await realistic_conversations(server)
        written = await rows(server)
        for _ in range(4):  # a few rounds of failures, each retried later
            assert await deliver(server) == 0
            clock.advance(3600)
        receiver.up = True
        receiver.status = 503  # up but unwell: still not a delivery
        assert await deliver(server) == 0
        clock.advance(3600)
        receiver.status = 200
        assert await deliver(server) == len(written)
        clock.advance(86400)
        assert await deliver(server) == 0  # nothing is sent twice
        after = await rows(server)
    # While down, one refused connection per batch stands for the whole batch.
    assert receiver.attempts >= 2 * len(written) + 4
    assert set(receiver.accepted) == {r.event_id for r in written}
    assert set(receiver.accepted.values()) == {1}
    assert {(r.status, r.attempts) for r in after} == {("delivered", 6)}


async def test_events_left_undelivered_are_delivered_after_a_restart(
    sqlite_url: str, clock: ManualClock
) -> None:
    async with serve(sqlite_url, clock) as server:  # no dispatcher runs, as if killed
        key = await server.deploy(SIMPLE_FLOW)
        for n in range(3):
            await server.start(key, customer_id=f"c{n}")
        written = {r.event_id for r in await rows(server)}
    assert len(written) == 12
    receiver = Receiver()
    async with serve(sqlite_url, clock, receiver, background=True) as server:
        for _ in range(500):  # the background dispatcher picks them up at start
            if len(receiver.accepted) == len(written):
                break
            await asyncio.sleep(0.01)
        # …and a new event is sent at once after its commit, without waiting for a poll.
        await server.start(key, customer_id="after-restart")
        for _ in range(500):
            if len(receiver.accepted) == len(written) + 4:
                break
            await asyncio.sleep(0.01)
        statuses = {r.status for r in await rows(server)}
    assert written < set(receiver.accepted)
    assert len(receiver.accepted) == len(written) + 4
    assert set(receiver.accepted.values()) == {1}
    assert statuses == {"delivered"}


async def test_failed_after_the_last_attempt_is_kept_listed_and_can_be_retried(
    sqlite_url: str, clock: ManualClock
) -> None:
    receiver = Receiver(status=500)
    async with serve(sqlite_url, clock, receiver, webhook_max_attempts=3) as server:
        key = await server.deploy(SIMPLE_FLOW)
        await server.start(key)
        for _ in range(5):
            await deliver(server)
            clock.advance(3600)
        failed = await server.client.get(
            "/api/v1/webhooks/deliveries", params={"status": "failed"}, headers=server.admin
        )
        assert failed.status_code == 200, failed.text
        listed = failed.json()["deliveries"]
        assert len(listed) == 4 and failed.json()["webhook_url_configured"] is True
        assert {(d["attempts"], d["last_error"]) for d in listed} == {(3, "HTTP 500")}
        assert receiver.attempts == 12
        pending = await server.client.get(
            "/api/v1/webhooks/deliveries", params={"status": "pending"}, headers=server.admin
        )
        assert pending.json()["deliveries"] == []

        one = listed[-1]["id"]
        detail = await server.client.get(f"/api/v1/webhooks/deliveries/{one}", headers=server.admin)
        assert detail.json()["type"] == "conversation.started"
        assert "conversation" in detail.json()["data"]
        receiver.status = 200
        retried = await server.client.post(
            f"/api/v1/webhooks/deliveries/{one}/retry", headers=server.admin
        )
        assert retried.status_code == 200, retried.text
        assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
        assert await deliver(server) == 1
        assert list(receiver.accepted) == [one]
        assert_error(
            await server.client.post(
                f"/api/v1/webhooks/deliveries/{one}/retry", headers=server.admin
            ),
            409,
            "already_delivered",
        )
        assert_error(
            await server.client.post(
                "/api/v1/webhooks/deliveries/evt_nope/retry", headers=server.admin
            ),
            404,
            "not_found",
        )
        page = await server.client.get(
            "/api/v1/webhooks/deliveries", params={"limit": 3}, headers=server.admin
        )
        rest = await server.client.get(
            "/api/v1/webhooks/deliveries",
            params={"limit": 3, "before": page.json()["next_before"]},
            headers=server.admin,
        )
        ids = [d["id"] for d in page.json()["deliveries"] + rest.json()["deliveries"]]
        assert len(ids) == len(set(ids)) == 4


async def test_without_a_webhook_url_nothing_is_written(server: Server) -> None:
    key = await server.deploy(SIMPLE_FLOW)
    await server.start(key)
    async with server.rt.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
    listed = await server.client.get("/api/v1/webhooks/deliveries", headers=server.admin)
    assert listed.json() == {"webhook_url_configured": False, "deliveries": [], "next_before": None}


async def test_simulator_runs_send_no_events(sqlite_url: str, clock: ManualClock) -> None:
    async with serve(sqlite_url, clock) as server:
        flow_id = await server.create_flow(SIMPLE_FLOW)
        simulated = await server.client.post(
            f"/api/v1/flows/{flow_id}/simulate", json={}, headers=server.admin
        )
        assert simulated.status_code == 201, simulated.text
        assert await rows(server) == []


async def test_a_secret_is_required_with_a_url(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        make_settings(sqlite_url, webhook_url=HOOK_URL)


def test_backoff_doubles_with_jitter_and_is_capped(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, webhook_retry_base_seconds=5, webhook_retry_max_seconds=60)
    assert retry_delay(settings, 1, rand=lambda: 1.0).total_seconds() == 5
    assert retry_delay(settings, 3, rand=lambda: 1.0).total_seconds() == 20
    assert retry_delay(settings, 3, rand=lambda: 0.0).total_seconds() == 10
    assert retry_delay(settings, 30, rand=lambda: 1.0).total_seconds() == 60


async def test_concurrent_workers_never_claim_the_same_event(
    postgres_url: str, clock: ManualClock
) -> None:
    async with serve(postgres_url, clock) as server:
        key = await server.deploy(SIMPLE_FLOW)
        for n in range(10):
            await server.start(key, customer_id=f"c{n}")
        batches = await asyncio.gather(*(claim_due(server.rt, limit=15) for _ in range(4)))
    claimed = [c.event_id for batch in batches for c in batch]
    assert len(claimed) == len(set(claimed)) == 40


# --------------------------------------------------------------------------- a real receiver


@contextmanager
def loopback_receiver() -> Iterator[tuple[str, list[tuple[bytes, dict[str, str]]]]]:
    got: list[tuple[bytes, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            got.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(204)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hooks", got
    finally:
        httpd.shutdown()
        httpd.server_close()
