"""`http_request` through whole conversations: the real API, a real stub server on loopback
(allow-listed in the test settings), the call made outside the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from structlog.testing import capture_logs

from flowdesk.clock import ManualClock
from flowdesk.services import calls
from flowdesk.services.conversations import CALL_GRACE_SECONDS
from tests.stub_http import Stub, StubReply, stub_server
from tests.support import Server, running, texts


@pytest.fixture
def stub() -> Iterator[Stub]:
    with stub_server() as server:
        yield server


@pytest.fixture
async def srv(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Server]:
    async with running(sqlite_url, clock, http_allowed_hosts=["127.0.0.1"]) as server:
        yield server


def flow(url: str, **config: Any) -> dict[str, Any]:
    """ask (collect) → http_request → success / failure messages → end."""
    http = {
        "method": "POST",
        "url": url,
        "headers": {"Authorization": "Bearer top-secret-token"},
        "body": {"order": "${OrderId}"},
        "response_mapping": [
            {"variable": "Status", "path": "data.items[0].status", "default": "unknown"}
        ],
        "status_variable": "Code",
        **config,
    }
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start", "config": {}},
            {
                "id": "ask",
                "type": "collect",
                "config": {"text": "Your order number?", "variable": "OrderId"},
            },
            {"id": "call", "type": "http_request", "config": http},
            {
                "id": "ok",
                "type": "message",
                "config": {"text": "Order ${OrderId}: ${Status} (${Code})"},
            },
            {
                "id": "ko",
                "type": "message",
                "config": {"text": "Lookup failed: ${Status} (${Code})"},
            },
            {
                "id": "menu",
                "type": "menu",
                "config": {"text": "More?", "options": [{"id": "x", "label": "X"}]},
            },
            {"id": "end", "type": "end", "config": {"text": "Bye"}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "ask"},
            {"source": "ask", "port": "next", "target": "call"},
            {"source": "ask", "port": "invalid", "target": "end"},
            {"source": "ask", "port": "timeout", "target": "end"},
            {"source": "call", "port": "success", "target": "ok"},
            {"source": "call", "port": "failure", "target": "ko"},
            {"source": "ok", "port": "next", "target": "menu"},
            {"source": "ko", "port": "next", "target": "menu"},
            {"source": "menu", "port": "x", "target": "end"},
            {"source": "menu", "port": "invalid", "target": "end"},
            {"source": "menu", "port": "timeout", "target": "end"},
        ],
    }


async def test_success_maps_the_reply_into_the_answer(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(
        200, {"data": {"items": [{"status": "shipped", "id": r.json()["order"]}]}}
    )
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"))))
    with capture_logs() as logs:
        replies = await customer.say("A-17")
    assert texts(replies)[:2] == ["Order A-17: shipped (200)", "More?"]
    (request,) = stub.requests
    assert request.json() == {"order": "A-17"}
    assert request.headers["Authorization"] == "Bearer top-secret-token"
    assert request.headers["Content-Type"] == "application/json"
    # The secret header is never logged.
    assert "top-secret-token" not in repr(logs)
    state = await customer.state()
    assert state["variables"]["Status"] == "shipped"
    assert state["variables"]["Code"] == 200
    # The replies answer the customer's message (a resent client_msg_id replays them).
    history = await customer.history()
    assert texts(history)[-2:] == ["Order A-17: shipped (200)", "More?"]


async def test_not_json_is_failure_with_defaults(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(200, "<html>hello</html>")
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"))))
    assert texts(await customer.say("A-1"))[0] == "Lookup failed: unknown (200)"


async def test_4xx_is_failure_and_not_retried(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(404, {"data": {"items": [{"status": "x"}]}})
    key = await srv.deploy(flow(stub.url("/orders"), max_attempts=3))
    customer = await srv.start(key)
    assert texts(await customer.say("A-1"))[0] == "Lookup failed: unknown (404)"
    assert stub.hits("/orders") == 1


async def test_5xx_is_retried_then_succeeds(srv: Server, stub: Stub) -> None:
    replies = iter([StubReply(503, "busy"), StubReply(502, "bad gateway")])

    def route(request: Any) -> StubReply:
        return next(replies, StubReply(200, {"data": {"items": [{"status": "packed"}]}}))

    stub.routes["/orders"] = route
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"), max_attempts=3)))
    assert texts(await customer.say("A-2"))[0] == "Order A-2: packed (200)"
    assert stub.hits("/orders") == 3


async def test_5xx_until_the_last_attempt_is_failure(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(500, {"error": "down"})
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"), max_attempts=2)))
    assert texts(await customer.say("A-3"))[0] == "Lookup failed: unknown (500)"
    assert stub.hits("/orders") == 2


async def test_timeout_is_failure(srv: Server, stub: Stub) -> None:
    stub.routes["/slow"] = lambda r: StubReply(200, {"data": {}}, delay=5)
    customer = await srv.start(await srv.deploy(flow(stub.url("/slow"), timeout_ms=200)))
    assert texts(await customer.say("A-4"))[0] == "Lookup failed: unknown (0)"


async def test_a_private_address_is_refused(
    sqlite_url: str, clock: ManualClock, stub: Stub
) -> None:
    # No allow-list: the loopback stub must never see a connection.
    async with running(sqlite_url, clock) as server:
        customer = await server.start(await server.deploy(flow(stub.url("/orders"))))
        assert texts(await customer.say("A-5"))[0] == "Lookup failed: unknown (0)"
    assert stub.connections == 0


async def test_a_message_during_the_call_is_kept_and_ignored(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(200, {"data": {"items": [{"status": "ok"}]}})
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"))))
    # Commit the hand-off without making the call, as if the call were still in flight.
    original = calls.settle

    async def hold(*args: Any, **kwargs: Any) -> list[Any]:
        return []

    calls.settle = hold  # type: ignore[assignment]
    try:
        assert await customer.say("A-6") == []
    finally:
        calls.settle = original  # type: ignore[assignment]
    assert await customer.say("hello? anyone?") == []
    state = await customer.state()
    assert state["state"] == "bot"
    assert texts(await customer.history())[-1] == "hello? anyone?"


async def test_restart_mid_call_calls_again_once(
    sqlite_url: str, clock: ManualClock, stub: Stub
) -> None:
    stub.routes["/orders"] = lambda r: StubReply(200, {"data": {"items": [{"status": "found"}]}})
    async with running(sqlite_url, clock, http_allowed_hosts=["127.0.0.1"]) as first:
        key = await first.deploy(flow(stub.url("/orders"), timeout_ms=1000))
        customer = await first.start(key)
        original = calls.perform

        async def die(*args: Any, **kwargs: Any) -> dict[str, Any]:
            raise SystemExit("the process died mid-call")

        calls.perform = die  # type: ignore[assignment]
        try:
            with pytest.raises(SystemExit):
                await customer.say("A-7")
        finally:
            calls.perform = original  # type: ignore[assignment]
        token = customer.token
    assert stub.hits("/orders") == 0

    async with running(sqlite_url, clock, http_allowed_hosts=["127.0.0.1"]) as second:
        customer.server = second
        customer.token = token
        assert await second.fire_timers() == 0  # not due yet
        clock.advance(2 * 1 + CALL_GRACE_SECONDS + 1)
        assert await second.fire_timers() == 1
        await calls.drain(second.rt)
        assert stub.hits("/orders") == 1
        history = texts(await customer.history())
        assert history[-2:] == ["Order A-7: found (200)", "More?"]
        # Fired once: nothing is left to fire, nothing is said twice.
        clock.advance(3600)
        await second.fire_timers()
        await calls.drain(second.rt)
        assert stub.hits("/orders") == 1
        assert texts(await customer.history()).count("Order A-7: found (200)") == 1


async def test_a_late_result_is_dropped(srv: Server, stub: Stub) -> None:
    from flowdesk.services.conversations import deliver_call_result
    from flowdesk.services.tx import transaction

    stub.routes["/orders"] = lambda r: StubReply(200, {"data": {"items": [{"status": "ok"}]}})
    customer = await srv.start(await srv.deploy(flow(stub.url("/orders"))))
    await customer.say("A-8")
    async with transaction(srv.rt) as tx:
        fed = await deliver_call_result(tx, customer.id, "an-old-call", {"status": 200})
    assert fed is False
    assert texts(await customer.history()).count("Order A-8: ok (200)") == 1


async def test_publish_refuses_a_non_http_url(srv: Server) -> None:
    flow_id = await srv.create_flow(flow("ftp://example.com/orders"))
    response = await srv.client.post(
        f"/api/v1/flows/{flow_id}/publish", json={"note": ""}, headers=srv.admin
    )
    assert response.status_code == 422
    codes = {p["code"] for p in response.json()["error"]["details"]["problems"]}
    assert "invalid_url" in codes


async def test_simulator_makes_the_call(srv: Server, stub: Stub) -> None:
    stub.routes["/orders"] = lambda r: StubReply(200, {"data": {"items": [{"status": "sim"}]}})
    flow_id = await srv.create_flow(flow(stub.url("/orders")))
    response = await srv.client.post(
        f"/api/v1/flows/{flow_id}/simulate", json={}, headers=srv.admin
    )
    assert response.status_code == 201, response.text
    data = response.json()
    headers = {"authorization": f"Bearer {data['customer_token']}"}
    sent = await srv.client.post(
        f"/api/v1/conversations/{data['conversation']['id']}/messages",
        json={"text": "S-1"},
        headers=headers,
    )
    assert texts(sent.json()["messages"])[0] == "Order S-1: sim (200)"


async def test_calls_share_a_kept_alive_connection(srv: Server, stub: Stub) -> None:
    """One pooled client per node: a second conversation's call reuses the first one's
    connection (each call used to open a client, a TLS context and a connection of its own)."""
    stub.routes["/orders"] = lambda r: StubReply(200, {"data": {"items": [{"status": "ok"}]}})
    key = await srv.deploy(flow(stub.url("/orders")))
    for order in ("A-1", "A-2", "A-3"):
        customer = await srv.start(key)
        assert texts(await customer.say(order))[0] == f"Order {order}: ok (200)"
    assert stub.hits("/orders") == 3
    assert stub.connections == 1
