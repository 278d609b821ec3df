"""The background scheduler fires timers on the real clock, without anyone calling it."""

from __future__ import annotations

import asyncio

import httpx2 as httpx

from flowdesk.app import create_app
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings

FLOW = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {
            "id": "menu",
            "type": "menu",
            "config": {
                "text": "Pick",
                "options": [{"id": "a", "label": "A"}],
                "timeout_seconds": 1,
            },
        },
        {"id": "late", "type": "end", "config": {"text": "Too slow."}},
        {"id": "ok", "type": "end"},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "menu"},
        {"source": "menu", "port": "a", "target": "ok"},
        {"source": "menu", "port": "invalid", "target": "ok"},
        {"source": "menu", "port": "timeout", "target": "late"},
    ],
}


async def test_the_running_scheduler_fires_a_timer_when_it_comes_due(sqlite_url: str) -> None:
    # A long polling interval: the scheduler must wake because a timer was armed, not by polling.
    app = create_app(make_settings(sqlite_url, scheduler_interval_seconds=30))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            login = await client.post(
                "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
            admin = {"authorization": f"Bearer {login.json()['token']}"}
            flow = (
                await client.post(
                    "/api/v1/flows", json={"name": "t", "document": FLOW}, headers=admin
                )
            ).json()
            await client.post(f"/api/v1/flows/{flow['id']}/publish", headers=admin)
            channel = (
                await client.post(
                    "/api/v1/channels", json={"name": "c", "type": "api"}, headers=admin
                )
            ).json()
            await client.put(
                f"/api/v1/channels/{channel['id']}/flow",
                json={"flow_id": flow["id"]},
                headers=admin,
            )
            started = (
                await client.post(f"/api/v1/channels/{channel['key']}/conversations", json={})
            ).json()
            url = f"/api/v1/conversations/{started['conversation']['id']}/messages"
            headers = {"authorization": f"Bearer {started['customer_token']}"}
            texts: list[str] = []
            for _ in range(40):
                await asyncio.sleep(0.1)
                texts = [
                    m["text"] for m in (await client.get(url, headers=headers)).json()["messages"]
                ]
                if len(texts) > 1:
                    break
            assert texts == ["Pick", "Too slow."]
