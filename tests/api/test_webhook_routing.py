"""The `webhook` routing strategy: a skill group asks its routing URL who takes a conversation,
and falls back to longest_idle on any failure. The router is a real HTTP server on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from flowdesk.clock import ManualClock
from flowdesk.services import router_call
from tests.api.desk_support import Agent, make_agent, make_group, transfer_flow
from tests.support import Server, running

SECRET = "routing-secret-0123456789"


@dataclass
class Router:
    url: str
    answer: Callable[[dict[str, Any]], tuple[int, bytes, float]]
    requests: list[tuple[dict[str, Any], dict[str, str], bytes]] = field(default_factory=list)


@contextmanager
def router(answer: Callable[[dict[str, Any]], tuple[int, bytes, float]]) -> Iterator[Router]:
    """A routing URL on 127.0.0.1; `answer(request) -> (status, body, delay seconds)`."""
    holder: list[Router] = []
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            request = json.loads(body)
            holder[0].requests.append(
                (request, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status, reply, delay = holder[0].answer(request)
            if delay:
                stop.wait(delay)
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:
                pass  # the caller gave up (timeout)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Router(f"http://127.0.0.1:{httpd.server_address[1]}/route", answer))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()


def reply(body: Any, status: int = 200, delay: float = 0.0) -> tuple[int, bytes, float]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return status, data, delay


def not_usual(request: dict[str, Any]) -> str:
    agent_id: str = max(a["id"] for a in request["data"]["agents"])
    return agent_id


@asynccontextmanager
async def desk_server(
    database_url: str, clock: ManualClock, **overrides: Any
) -> AsyncIterator[Server]:
    values: dict[str, Any] = {
        "http_allowed_hosts": ["127.0.0.1"],
        "routing_timeout_seconds": 0.5,
        "webhook_secret": SecretStr(SECRET),
    }
    async with running(database_url, clock, **{**values, **overrides}) as server:
        yield server


async def two_agents(server: Server) -> tuple[Agent, Agent]:
    """(the agent longest_idle picks, the other one): both idle, ties go to the smaller id."""
    one = await make_agent(server, "Alice")
    two = await make_agent(server, "Bob")
    first, second = sorted([one, two], key=lambda a: a.id)
    return first, second


async def webhook_group(
    server: Server, url: str, members: list[Agent], name: str = "Routed"
) -> str:
    return await make_group(server, members, name=name, strategy="webhook", routing_url=url)


async def served_by(server: Server, group_id: str) -> str | None:
    customer = await server.start(await server.deploy(transfer_flow(group_id)))
    state = await customer.state()
    assert state["state"] == "agent", state
    agent_id: str | None = state["agent_id"]
    return agent_id


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def test_the_agent_the_url_names_gets_the_conversation(
    db_url: str, clock: ManualClock
) -> None:
    async with desk_server(db_url, clock) as server:
        usual, named = await two_agents(server)
        with router(lambda request: reply({"agent_id": named.id})) as url:
            group = await webhook_group(server, url.url, [usual, named])
            assert await served_by(server, group) == named.id
        request, headers, raw = url.requests[0]
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        assert headers["x-flowdesk-signature"] == expected
        assert request["type"] == "routing.requested"
        data = request["data"]
        assert data["skill_group"] == {"id": group, "name": "Routed"}
        assert data["conversation"]["state"] == "queued"
        assert {a["id"]: a["available"] for a in data["agents"]} == {
            usual.id: True,
            named.id: True,
        }


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(lambda r: reply(b"<html>not json</html>"), id="garbage"),
        pytest.param(lambda r: reply({"agent": "someone"}), id="no-agent-id"),
        pytest.param(lambda r: reply({"agent_id": "usr_nobody"}), id="unknown-agent"),
        pytest.param(lambda r: reply({"error": "boom"}, status=500), id="http-500"),
        # Too late, naming the agent longest_idle would not pick: a timeout that did not
        # work would show as that agent getting the conversation.
        pytest.param(lambda r: reply({"agent_id": not_usual(r)}, delay=3.0), id="timeout"),
    ],
)
async def test_any_failure_falls_back_to_longest_idle(
    sqlite_url: str,
    clock: ManualClock,
    answer: Callable[[dict[str, Any]], tuple[int, bytes, float]],
) -> None:
    async with desk_server(sqlite_url, clock) as server:
        usual, other = await two_agents(server)
        with router(answer) as url:
            group = await webhook_group(server, url.url, [usual, other])
            assert await served_by(server, group) == usual.id
            assert len(url.requests) == 1


async def test_an_agent_not_eligible_falls_back(sqlite_url: str, clock: ManualClock) -> None:
    async with desk_server(sqlite_url, clock) as server:
        usual, away = await two_agents(server)
        await away.status("away")
        with router(lambda request: reply({"agent_id": away.id})) as url:
            group = await webhook_group(server, url.url, [usual, away])
            assert await served_by(server, group) == usual.id


async def test_the_url_may_name_another_skill_group(sqlite_url: str, clock: ManualClock) -> None:
    async with desk_server(sqlite_url, clock) as server:
        front = await make_agent(server, "Front")
        vip = await make_agent(server, "Vip")
        vip_group = await make_group(server, [vip], name="VIP")
        with router(lambda request: reply({"skill_group_id": vip_group})) as url:
            group = await webhook_group(server, url.url, [front])
            customer = await server.start(await server.deploy(transfer_flow(group)))
            state = await customer.state()
    assert (state["agent_id"], state["skill_group_id"]) == (vip.id, vip_group)


async def test_an_unreachable_or_refused_url_falls_back(
    sqlite_url: str, clock: ManualClock
) -> None:
    # Loopback without the allow-list: the SSRF guard refuses it, and routing goes on.
    async with desk_server(sqlite_url, clock, http_allowed_hosts=[]) as server:
        usual, named = await two_agents(server)
        with router(lambda request: reply({"agent_id": named.id})) as url:
            group = await webhook_group(server, url.url, [usual, named])
            assert await served_by(server, group) == usual.id
            assert url.requests == []


async def test_a_lost_routing_call_routes_when_its_timer_fires(
    sqlite_url: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died during the call")

    monkeypatch.setattr(router_call, "ask", crash)
    async with desk_server(sqlite_url, clock) as server:
        usual, other = await two_agents(server)
        group = await webhook_group(server, "http://127.0.0.1:9/route", [usual, other])
        customer = await server.start(await server.deploy(transfer_flow(group)))
        assert (await customer.state())["state"] == "queued"
        clock.advance(10)
        assert await server.fire_timers() == 1
        assert (await customer.state())["agent_id"] == usual.id


async def test_nobody_free_queues_without_asking(sqlite_url: str, clock: ManualClock) -> None:
    async with desk_server(sqlite_url, clock) as server:
        busy = await make_agent(server, "Busy", max_concurrent=1)
        with router(lambda request: reply({"agent_id": busy.id})) as url:
            group = await webhook_group(server, url.url, [busy])
            await server.start(await server.deploy(transfer_flow(group)))
            assert len(url.requests) == 1
            second = await server.start(await server.deploy(transfer_flow(group)))
            assert (await second.state())["state"] == "queued"
            assert len(url.requests) == 1
