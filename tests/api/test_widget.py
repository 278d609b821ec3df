"""The web widget's server side: the script, its settings, origins, CORS, the demo page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from flowdesk.api import origins
from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.demo import seed_demo
from tests.api.desk_support import make_agent, make_group, transfer_flow
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server, assert_error, make_settings, running

SHOP = "https://shop.example.com"
EVIL = "https://evil.example.net"
SCRIPT = "console.log('flowdesk widget');\n"

FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hi", "type": "message", "config": {"text": "Hi!"}},
        {
            "id": "ask",
            "type": "collect",
            "config": {"text": "Your name?", "variable": "name", "input_type": "text"},
        },
        {"id": "bye", "type": "end", "config": {"text": "Bye ${name}."}},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hi"},
        {"source": "hi", "port": "next", "target": "ask"},
        {"source": "ask", "port": "next", "target": "bye"},
        {"source": "ask", "port": "invalid", "target": "bye"},
        {"source": "ask", "port": "timeout", "target": "bye"},
    ],
}


@pytest.fixture
def console_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "dist"
    directory.mkdir()
    (directory / "index.html").write_text("<!doctype html><title>console</title>")
    (directory / "widget.js").write_text(SCRIPT)
    return directory


@pytest.fixture
async def web(sqlite_url: str, clock: ManualClock, console_dir: Path) -> AsyncIterator[Server]:
    async with running(sqlite_url, clock, console_dir=console_dir) as srv:
        yield srv


async def web_channel(server: Server, **settings: Any) -> str:
    flow_id = await server.create_flow(FLOW)
    await server.publish(flow_id)
    return await server.channel(flow_id, type="web", settings=settings)


def cors_of(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower().startswith("access-control-")}


# --------------------------------------------------------------------------- the script


async def test_widget_js_is_served_as_javascript_with_a_short_cache(web: Server) -> None:
    response = await web.client.get("/widget.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    # Scripts are not pages: no CSP of the console on them.
    assert "content-security-policy" not in response.headers


async def test_an_unbuilt_widget_answers_503(web: Server, console_dir: Path) -> None:
    (console_dir / "widget.js").unlink()
    response = await web.client.get("/widget.js")
    assert_error(response, 503, "widget_not_built")


# --------------------------------------------------------------------------- settings


async def test_widget_settings_come_from_the_channel(web: Server) -> None:
    key = await web_channel(web, title="Acme help", color="#0f766e", offline_text="Back at 9.")
    response = await web.client.get(f"/api/v1/channels/{key}/widget")
    assert response.status_code == 200
    assert response.json() == {
        "title": "Acme help",
        "color": "#0f766e",
        "offline_text": "Back at 9.",
        "available": True,
    }


async def test_widget_settings_say_unavailable_without_flow_disabled_or_refused(
    web: Server,
) -> None:
    unbound = await web.channel(None, type="web", settings={"offline_text": "Closed."})
    body = (await web.client.get(f"/api/v1/channels/{unbound}/widget")).json()
    assert (body["available"], body["offline_text"]) == (False, "Closed.")
    assert body["title"] == "web channel"  # the channel name when no title is set

    key = await web_channel(web, allowed_origins=[SHOP])
    refused = await web.client.get(f"/api/v1/channels/{key}/widget", headers={"origin": EVIL})
    assert refused.json()["available"] is False
    # Readable from the refused page all the same, so it can show the offline state.
    assert refused.headers["access-control-allow-origin"] == "*"
    allowed = await web.client.get(f"/api/v1/channels/{key}/widget", headers={"origin": SHOP})
    assert allowed.json()["available"] is True

    channel_id = await _channel_id(web, key)
    await web.client.patch(
        f"/api/v1/channels/{channel_id}", json={"enabled": False}, headers=web.admin
    )
    disabled = await web.client.get(f"/api/v1/channels/{key}/widget", headers={"origin": SHOP})
    assert disabled.json()["available"] is False

    assert_error(await web.client.get("/api/v1/channels/nope/widget"), 404, "not_found")


async def _channel_id(server: Server, key: str) -> str:
    channels = (await server.client.get("/api/v1/channels", headers=server.admin)).json()
    channel_id: str = next(c["id"] for c in channels["channels"] if c["key"] == key)
    return channel_id


# --------------------------------------------------------------------------- origins


async def test_start_is_refused_from_an_origin_the_channel_does_not_list(web: Server) -> None:
    key = await web_channel(web, allowed_origins=[SHOP, "http://localhost:3000"])
    url = f"/api/v1/channels/{key}/conversations"

    allowed = await web.client.post(url, json={}, headers={"origin": SHOP})
    assert allowed.status_code == 201, allowed.text
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert allowed.headers["vary"] == "Origin"

    refused = await web.client.post(url, json={}, headers={"origin": EVIL})
    assert_error(refused, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in refused.headers

    # Servers calling the API send no Origin; our own pages (demo, simulator) are same-origin.
    assert (await web.client.post(url, json={})).status_code == 201
    own = await web.client.post(url, json={}, headers={"origin": "http://flowdesk.test"})
    assert own.status_code == 201
    assert "access-control-allow-origin" not in own.headers


async def test_a_channel_without_allowed_origins_takes_any(web: Server) -> None:
    key = await web_channel(web)
    response = await web.client.post(
        f"/api/v1/channels/{key}/conversations", json={}, headers={"origin": EVIL}
    )
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    assert "vary" not in response.headers


@pytest.fixture
def sync_client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(sqlite_url), clock=ManualClock(), run_scheduler=False)
    with TestClient(app) as client:
        yield client


def _sync_conversation(client: TestClient, settings: dict[str, Any]) -> tuple[str, str]:
    login = client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    admin = {"authorization": f"Bearer {login.json()['token']}"}
    flow = client.post("/api/v1/flows", json={"name": "w", "document": FLOW}, headers=admin).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", headers=admin).status_code == 201
    channel = client.post(
        "/api/v1/channels",
        json={"name": "web", "type": "web", "settings": settings},
        headers=admin,
    ).json()
    client.put(
        f"/api/v1/channels/{channel['id']}/flow", json={"flow_id": flow["id"]}, headers=admin
    )
    started = client.post(f"/api/v1/channels/{channel['key']}/conversations", json={}).json()
    return started["conversation"]["id"], started["customer_token"]


def test_the_stream_closes_for_an_origin_the_channel_does_not_list(
    sync_client: TestClient,
) -> None:
    conversation_id, token = _sync_conversation(sync_client, {"allowed_origins": [SHOP]})
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        sync_client.websocket_connect(url, headers={"origin": EVIL}),
    ):
        pass
    assert refused.value.code == 4403
    for headers in ({"origin": SHOP}, {}):
        with sync_client.websocket_connect(url, headers=headers) as ws:
            assert ws.receive_json()["message"]["text"] == "Hi!"


def test_the_stream_takes_any_origin_when_the_channel_lists_none(
    sync_client: TestClient,
) -> None:
    conversation_id, token = _sync_conversation(sync_client, {})
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    with sync_client.websocket_connect(url, headers={"origin": EVIL}) as ws:
        assert ws.receive_json()["message"]["seq"] == 1


# --------------------------------------------------------------------------- CORS


async def test_customer_endpoints_answer_preflights_without_credentials(web: Server) -> None:
    key = await web_channel(web, allowed_origins=[SHOP])
    customer = await web.start(key)
    paths = [
        f"/api/v1/channels/{key}/conversations",
        f"/api/v1/channels/{key}/widget",
        f"/api/v1/conversations/{customer.id}/messages",
        f"/api/v1/conversations/{customer.id}/close",
    ]
    for path in paths:
        response = await web.client.options(
            path,
            headers={
                "origin": SHOP,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )
        assert response.status_code == 204, (path, response.text)
        cors = cors_of(response.headers)
        assert cors["access-control-allow-origin"] in (SHOP, "*"), path
        assert cors["access-control-allow-headers"] == "authorization, content-type"
        assert "POST" in cors["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in cors

    # The real requests carry the header too, errors included (the widget reads the code).
    sent = await customer.send(text="Ada", client_msg_id="w1")
    assert sent.status_code == 200
    history = await web.client.get(
        f"/api/v1/conversations/{customer.id}/messages",
        headers={**customer.headers, "origin": SHOP},
    )
    assert history.headers["access-control-allow-origin"] == SHOP
    ended = await web.client.post(
        f"/api/v1/conversations/{customer.id}/messages",
        json={"text": "again"},
        headers={**customer.headers, "origin": SHOP},
    )
    assert_error(ended, 409, "conversation_ended")
    assert ended.headers["access-control-allow-origin"] == SHOP

    # A site the channel does not list gets no permission to read anything.
    refused = await web.client.options(
        f"/api/v1/conversations/{customer.id}/messages",
        headers={"origin": EVIL, "access-control-request-method": "POST"},
    )
    assert not cors_of(refused.headers)


async def test_message_cors_reads_the_channel_once_and_sees_origin_changes_after_a_while(
    web: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await web_channel(web, allowed_origins=[SHOP])
    customer = await web.start(key)
    path = f"/api/v1/conversations/{customer.id}/messages"
    listed = (await web.client.get("/api/v1/channels", headers=web.admin)).json()["channels"]
    channel_id = next(c["id"] for c in listed if c["key"] == key)
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "channels" in statement:
            reads.append(statement)

    engine = web.rt.db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            answer = await web.client.get(path, headers={**customer.headers, "origin": SHOP})
            assert answer.headers["access-control-allow-origin"] == SHOP
        assert len(reads) == 1  # the channel's origins were read for the first request only
        changed = await web.client.patch(
            f"/api/v1/channels/{channel_id}",
            json={"settings": {"allowed_origins": [EVIL]}},
            headers=web.admin,
        )
        assert changed.status_code == 200, changed.text
        monkeypatch.setattr(origins, "POLICY_CHECK_SECONDS", 0.0)  # the check lapsed
        answer = await web.client.get(path, headers={**customer.headers, "origin": SHOP})
        assert "access-control-allow-origin" not in answer.headers
        assert len(reads) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_staff_endpoints_get_no_cors_headers(web: Server) -> None:
    key = await web_channel(web)
    customer = await web.start(key)
    preflight = {"origin": EVIL, "access-control-request-method": "POST"}
    for path in (
        "/api/v1/auth/login",
        "/api/v1/flows",
        "/api/v1/channels",
        "/api/v1/agent/status",
        f"/api/v1/conversations/{customer.id}",
        f"/api/v1/conversations/{customer.id}/accept",
        "/api/v1/conversations",
    ):
        response = await web.client.options(path, headers=preflight)
        assert not cors_of(response.headers), path
    listed = await web.client.get("/api/v1/channels", headers={**web.admin, "origin": EVIL})
    assert listed.status_code == 200
    assert not cors_of(listed.headers)
    login = await web.client.post(
        "/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        headers={"origin": EVIL},
    )
    assert not cors_of(login.headers)


# --------------------------------------------------------------------------- demo page


async def test_the_demo_page_embeds_the_widget_without_inline_script(web: Server) -> None:
    key = await web_channel(web, title="Acme help")
    response = await web.client.get(f"/demo/{key}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Acme Shop" in response.text
    snippet = f'<script src="http://flowdesk.test/widget.js" data-channel="{key}" async></script>'
    assert snippet in response.text
    # The console's CSP forbids inline script: every script on the page must be a file.
    assert "script-src" not in response.headers["content-security-policy"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    for tag in re.findall(r"<script\b[^>]*>", response.text):
        assert "src=" in tag, tag
    assert re.findall(r"<script\b[^>]*>([^<]+)</script>", response.text) == []


async def test_the_demo_page_of_an_unknown_channel_is_a_404_page(web: Server) -> None:
    response = await web.client.get("/demo/no-such-key")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No such channel" in response.text


async def test_the_demo_page_escapes_the_channel_name(web: Server) -> None:
    response = await web.client.post(
        "/api/v1/channels",
        json={"name": "<img src=x onerror=alert(1)>", "type": "web"},
        headers=web.admin,
    )
    page = await web.client.get(f"/demo/{response.json()['key']}")
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


# --------------------------------------------------------------------------- conversations


async def test_after_the_conversation_ended_the_same_customer_starts_a_new_one(
    web: Server,
) -> None:
    key = await web_channel(web)
    first = await web.start(key)
    await first.say("Ada")  # the flow says goodbye and ends
    assert (await first.state())["state"] == "ended"

    again = await web.client.post(
        f"/api/v1/channels/{key}/conversations", json={}, headers=first.headers
    )
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["conversation"]["id"] != first.id
    assert body["conversation"]["customer_id"] == first.conversation["customer_id"]
    assert [m["text"] for m in body["messages"]] == ["Hi!", "Your name?"]
    assert body["customer_token"] != first.token

    # The new token resumes the new conversation; the old one still reads its own history.
    resumed = await web.client.post(
        f"/api/v1/channels/{key}/conversations",
        json={},
        headers={"authorization": f"Bearer {body['customer_token']}"},
    )
    assert (resumed.status_code, resumed.json()["conversation"]["id"]) == (
        200,
        body["conversation"]["id"],
    )
    assert [m["seq"] for m in await first.history()] == [1, 2, 3, 4]


async def test_agent_messages_carry_the_agent_name(web: Server) -> None:
    alice = await make_agent(web, "Alice", staff_no="1001")
    key = await web.deploy(transfer_flow(await make_group(web, [alice])))
    customer = await web.start(key)
    await alice.say(customer.id, "Hello, I am Alice.")
    last = (await customer.history())[-1]
    assert (last["sender"], last["agent"]) == (
        "agent",
        {"display_name": "Alice", "staff_no": "1001"},
    )


async def test_the_demo_web_channel_has_the_shop_look_and_a_demo_page(web: Server) -> None:
    info = await seed_demo(web.rt)
    config = (await web.client.get(f"/api/v1/channels/{info.web_key}/widget")).json()
    assert (config["title"], config["color"], config["available"]) == (
        "Acme Shop help",
        "#b45309",
        True,
    )
    page = await web.client.get(f"/demo/{info.web_key}")
    assert page.status_code == 200
    assert f'data-channel="{info.web_key}"' in page.text
