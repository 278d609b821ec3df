"""Test support: the real app behind an ASGI client, and short-hands for common API calls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2 as httpx
from pydantic import SecretStr
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.runtime import Runtime
from flowdesk.settings import Settings

ADMIN_EMAIL = "admin@test.local"
ADMIN_PASSWORD = "admin-password-1"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "admin_email": ADMIN_EMAIL,
        "admin_password": SecretStr(ADMIN_PASSWORD),
        "secret_key": SecretStr("test-secret-key-" + "k" * 32),
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Server:
    """A running Flowdesk (lifespan entered) and an HTTP client to it."""

    client: httpx.AsyncClient
    clock: ManualClock
    rt: Runtime
    app: Any
    admin: dict[str, str] = field(default_factory=dict)

    async def login(self, email: str, password: str) -> dict[str, str]:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"authorization": f"Bearer {response.json()['token']}"}

    async def fire_timers(self) -> int:
        fired: int = await self.app.state.scheduler.run_due()
        return fired

    async def create_flow(self, document: dict[str, Any], name: str = "Test flow") -> str:
        response = await self.client.post(
            "/api/v1/flows", json={"name": name, "document": document}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        flow_id: str = response.json()["id"]
        return flow_id

    async def publish(self, flow_id: str, note: str = "") -> dict[str, Any]:
        response = await self.client.post(
            f"/api/v1/flows/{flow_id}/publish", json={"note": note}, headers=self.admin
        )
        assert response.status_code == 201, response.text
        version: dict[str, Any] = response.json()
        return version

    async def channel(
        self, flow_id: str | None, *, type: str = "api", settings: dict[str, Any] | None = None
    ) -> str:
        response = await self.client.post(
            "/api/v1/channels",
            json={"name": f"{type} channel", "type": type, "settings": settings or {}},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        channel = response.json()
        if flow_id is not None:
            bound = await self.client.put(
                f"/api/v1/channels/{channel['id']}/flow",
                json={"flow_id": flow_id},
                headers=self.admin,
            )
            assert bound.status_code == 200, bound.text
        key: str = channel["key"]
        return key

    async def deploy(
        self, document: dict[str, Any], *, settings: dict[str, Any] | None = None
    ) -> str:
        """Create, publish and bind a flow; returns the channel key."""
        flow_id = await self.create_flow(document)
        await self.publish(flow_id)
        return await self.channel(flow_id, settings=settings)

    async def start(self, key: str, **body: Any) -> Customer:
        response = await self.client.post(f"/api/v1/channels/{key}/conversations", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        return Customer(self, data["conversation"], data["customer_token"], data["messages"])


@dataclass
class Customer:
    """One customer's conversation, driven through the customer API."""

    server: Server
    conversation: dict[str, Any]
    token: str
    first_messages: list[dict[str, Any]]

    @property
    def id(self) -> str:
        conversation_id: str = self.conversation["id"]
        return conversation_id

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    async def send(self, **body: Any) -> httpx.Response:
        return await self.server.client.post(
            f"/api/v1/conversations/{self.id}/messages", json=body, headers=self.headers
        )

    async def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        response = await self.send(text=text, **extra)
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def history(self, after_seq: int = 0) -> list[dict[str, Any]]:
        response = await self.server.client.get(
            f"/api/v1/conversations/{self.id}/messages",
            params={"after_seq": after_seq},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    async def state(self) -> dict[str, Any]:
        response = await self.server.client.get(
            f"/api/v1/conversations/{self.id}", headers=self.server.admin
        )
        assert response.status_code == 200, response.text
        conversation: dict[str, Any] = response.json()
        return conversation


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The SPEC §7 error body with this status and code; returns the `error` object."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    return error


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


@asynccontextmanager
async def running(database_url: str, clock: ManualClock, **overrides: Any) -> AsyncIterator[Server]:
    app = create_app(make_settings(database_url, **overrides), clock=clock, run_scheduler=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://flowdesk.test"
        ) as client:
            server = Server(client=client, clock=clock, rt=app.state.runtime, app=app)
            server.admin = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            yield server


def receive(ws: WebSocketTestSession, timeout: float = 5.0) -> dict[str, Any]:
    """The next event on the stream; fails (instead of hanging) when none comes in time.

    `WebSocketTestSession.receive()` blocks forever, so this reads the session's
    channel through its portal under a deadline.
    """

    async def next_message() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(next_message)
    if message["type"] == "websocket.close":
        raise WebSocketDisconnect(code=message.get("code", 1000))
    event: dict[str, Any] = json.loads(message["text"])
    return event
