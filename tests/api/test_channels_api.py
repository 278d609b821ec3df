"""Channels through the admin API: keys, settings, binding a published flow (SPEC §1, §6, §7)."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.support import Server, assert_error, texts

API = "/api/v1"

HELLO_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hello", "type": "message", "config": {"text": "Hello from ${ClientAppName}"}},
        {"id": "bye", "type": "end"},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hello"},
        {"source": "hello", "port": "next", "target": "bye"},
    ],
}


async def create_channel(server: Server, **body: Any) -> dict[str, Any]:
    response = await server.client.post(f"{API}/channels", json=body, headers=server.admin)
    assert response.status_code == 201, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def get_channel(server: Server, channel_id: str) -> dict[str, Any]:
    response = await server.client.get(f"{API}/channels/{channel_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def list_channels(server: Server) -> list[dict[str, Any]]:
    response = await server.client.get(f"{API}/channels", headers=server.admin)
    assert response.status_code == 200, response.text
    channels: list[dict[str, Any]] = response.json()["channels"]
    return channels


async def start(server: Server, key: str) -> httpx.Response:
    return await server.client.post(f"{API}/channels/{key}/conversations", json={})


async def test_web_and_api_channels_get_unguessable_keys_and_a_snippet(server: Server) -> None:
    web = await create_channel(
        server,
        name="Shop chat",
        type="web",
        settings={
            "title": "Talk to us",
            "color": "#FF8800",
            "allowed_origins": ["https://Shop.Example.com", "http://localhost:3000"],
        },
    )
    api = await create_channel(server, name="Mobile app", type="api")

    for channel in (web, api):
        assert len(channel["key"]) >= 24
        assert channel["flow_id"] is None
        assert channel["enabled"] is True
        assert channel["id"] != channel["key"]
    assert web["key"] != api["key"]
    assert (web["name"], web["type"], api["name"], api["type"]) == (
        "Shop chat",
        "web",
        "Mobile app",
        "api",
    )
    assert web["settings"]["title"] == "Talk to us"
    assert web["settings"]["color"] == "#FF8800"
    assert web["settings"]["allowed_origins"] == [
        "https://shop.example.com",
        "http://localhost:3000",
    ]

    snippet = web["snippet"]
    assert "/widget.js" in snippet
    assert f'data-channel="{web["key"]}"' in snippet
    assert snippet.startswith("<script") and snippet.endswith("</script>")
    assert "snippet" not in api

    assert await get_channel(server, web["id"]) == web
    assert await get_channel(server, api["id"]) == api
    assert {c["id"] for c in await list_channels(server)} == {web["id"], api["id"]}

    keys = {(await create_channel(server, name=f"c{i}", type="api"))["key"] for i in range(5)}
    assert len(keys) == 5 and not keys & {web["key"], api["key"]}


async def test_invalid_channel_input_is_refused_and_nothing_is_created(server: Server) -> None:
    bad_settings: list[tuple[str, dict[str, Any]]] = [
        ("unknown key", {"colour": "#ffffff"}),
        ("colour name", {"color": "red"}),
        ("short colour", {"color": "#fff"}),
        ("origin without scheme", {"allowed_origins": ["shop.example.com"]}),
        ("origin with a path", {"allowed_origins": ["https://shop.example.com/chat"]}),
        ("origin of another scheme", {"allowed_origins": ["ftp://shop.example.com"]}),
        ("lower-case region", {"default_region": "gb"}),
        ("idle timeout too short", {"bot_idle_seconds": 5}),
    ]
    for case, settings in bad_settings:
        response = await server.client.post(
            f"{API}/channels",
            json={"name": "Bad", "type": "web", "settings": settings},
            headers=server.admin,
        )
        error = assert_error(response, 422, "validation_error")
        assert error.get("details"), case
        assert any(d["loc"][0] == "settings" for d in error["details"]), (case, error)

    for body in (
        {"name": "Bad", "type": "telegram"},
        {"name": "", "type": "api"},
        {"type": "api"},
        {"name": "Bad", "type": "api", "key": "my-own-key"},
    ):
        response = await server.client.post(f"{API}/channels", json=body, headers=server.admin)
        assert_error(response, 422, "validation_error")
    assert await list_channels(server) == []


async def test_patch_merges_settings_and_refuses_bad_ones_without_saving(server: Server) -> None:
    channel = await create_channel(
        server, name="Web", type="web", settings={"title": "Help", "color": "#112233"}
    )
    response = await server.client.patch(
        f"{API}/channels/{channel['id']}",
        json={"settings": {"offline_text": "Back at 9"}},
        headers=server.admin,
    )
    assert response.status_code == 200, response.text
    settings = response.json()["settings"]
    assert (settings["title"], settings["color"], settings["offline_text"]) == (
        "Help",
        "#112233",
        "Back at 9",
    )

    renamed = await server.client.patch(
        f"{API}/channels/{channel['id']}", json={"name": "Web chat"}, headers=server.admin
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Web chat"
    assert renamed.json()["settings"] == settings
    assert renamed.json()["key"] == channel["key"]

    before = await get_channel(server, channel["id"])
    for bad in ({"color": "blue"}, {"nope": 1}, {"allowed_origins": ["example.com"]}):
        refused = await server.client.patch(
            f"{API}/channels/{channel['id']}",
            json={"settings": bad, "name": "Should not stick"},
            headers=server.admin,
        )
        assert_error(refused, 422, "validation_error")
        assert await get_channel(server, channel["id"]) == before, bad


async def test_only_a_published_flow_can_be_bound(server: Server) -> None:
    channel = await create_channel(server, name="App", type="api")
    flow_id = await server.create_flow(HELLO_FLOW)

    refused = await server.client.put(
        f"{API}/channels/{channel['id']}/flow", json={"flow_id": flow_id}, headers=server.admin
    )
    assert_error(refused, 409, "flow_not_published")
    assert (await get_channel(server, channel["id"]))["flow_id"] is None

    await server.publish(flow_id)
    bound = await server.client.put(
        f"{API}/channels/{channel['id']}/flow", json={"flow_id": flow_id}, headers=server.admin
    )
    assert bound.status_code == 200, bound.text
    assert bound.json()["flow_id"] == flow_id
    assert (await get_channel(server, channel["id"]))["flow_id"] == flow_id
    flow = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert flow.json()["channels"] == [{"id": channel["id"], "name": "App"}]

    conversation = await start(server, channel["key"])
    assert conversation.status_code == 201, conversation.text
    assert [m["text"] for m in conversation.json()["messages"]] == ["Hello from App"]

    unbound = await server.client.delete(
        f"{API}/channels/{channel['id']}/flow", headers=server.admin
    )
    assert unbound.status_code == 200, unbound.text
    assert unbound.json()["flow_id"] is None
    assert (await get_channel(server, channel["id"]))["flow_id"] is None
    flow = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert flow.json()["channels"] == []
    assert_error(await start(server, channel["key"]), 409, "channel_has_no_flow")


async def test_a_channel_without_a_flow_answers_409(server: Server) -> None:
    channel = await create_channel(server, name="Fresh", type="api")
    assert_error(await start(server, channel["key"]), 409, "channel_has_no_flow")
    assert_error(
        await server.client.post(
            f"{API}/channels/{channel['key']}/conversations",
            json={"customer_id": "c-1", "variables": {"order": "42"}},
        ),
        409,
        "channel_has_no_flow",
    )
    conversations = await server.client.get(f"{API}/conversations", headers=server.admin)
    assert conversations.json()["conversations"] == []


async def test_a_disabled_channel_answers_409_until_enabled(server: Server) -> None:
    key = await server.deploy(HELLO_FLOW)
    [channel] = await list_channels(server)
    disabled = await server.client.patch(
        f"{API}/channels/{channel['id']}", json={"enabled": False}, headers=server.admin
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["enabled"] is False
    assert_error(await start(server, key), 409, "channel_disabled")

    enabled = await server.client.patch(
        f"{API}/channels/{channel['id']}", json={"enabled": True}, headers=server.admin
    )
    assert enabled.json()["enabled"] is True
    assert (await start(server, key)).status_code == 201

    # Created disabled, then bound: still closed to customers.
    later = await create_channel(server, name="Later", type="web", enabled=False)
    assert later["enabled"] is False
    bound = await server.client.put(
        f"{API}/channels/{later['id']}/flow",
        json={"flow_id": channel["flow_id"]},
        headers=server.admin,
    )
    assert bound.status_code == 200, bound.text
    assert_error(await start(server, later["key"]), 409, "channel_disabled")


async def test_an_unknown_channel_id_or_key_is_404(server: Server) -> None:
    await server.deploy(HELLO_FLOW)
    [channel] = await list_channels(server)
    flow_id = channel["flow_id"]
    for key in ("no-such-key-" + "x" * 20, channel["id"]):  # an id is not a key
        assert_error(await start(server, key), 404, "not_found")
    missing = "chn_does_not_exist"
    for method, path, body in (
        ("GET", f"/channels/{missing}", None),
        ("PATCH", f"/channels/{missing}", {"name": "x"}),
        ("DELETE", f"/channels/{missing}", None),
        ("PUT", f"/channels/{missing}/flow", {"flow_id": flow_id}),
        ("DELETE", f"/channels/{missing}/flow", None),
    ):
        response = await server.client.request(
            method, f"{API}{path}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")


async def test_a_channel_with_customers_talking_cannot_be_deleted(server: Server) -> None:
    waiting_flow = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "menu",
                "config": {"text": "Pick", "options": [{"id": "a", "label": "A"}]},
            },
            {"id": "bye", "type": "end"},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "menu"},
            {"source": "menu", "port": "a", "target": "bye"},
            {"source": "menu", "port": "invalid", "target": "bye"},
            {"source": "menu", "port": "timeout", "target": "bye"},
        ],
    }
    key = await server.deploy(waiting_flow)
    [channel] = await list_channels(server)
    customer = await server.start(key)
    refused = await server.client.delete(f"{API}/channels/{channel['id']}", headers=server.admin)
    error = assert_error(refused, 409, "channel_busy")
    assert error["details"] == {"open_conversations": 1}
    assert (await get_channel(server, channel["id"]))["key"] == key

    closed = await server.client.post(
        f"{API}/conversations/{customer.id}/close", headers=customer.headers
    )
    assert closed.status_code == 200, closed.text
    deleted = await server.client.delete(f"{API}/channels/{channel['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text


async def test_deleting_a_channel_frees_its_flow(server: Server) -> None:
    key = await server.deploy(HELLO_FLOW)
    [channel] = await list_channels(server)
    flow_id = channel["flow_id"]
    assert (await start(server, key)).status_code == 201

    deleted = await server.client.delete(f"{API}/channels/{channel['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert_error(
        await server.client.get(f"{API}/channels/{channel['id']}", headers=server.admin),
        404,
        "not_found",
    )
    assert_error(await start(server, key), 404, "not_found")
    assert await list_channels(server) == []
    flow = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    assert flow.status_code == 204, flow.text


async def test_a_channel_change_reaches_conversations_already_running(server: Server) -> None:
    """Each node keeps a channel's parsed settings per `updated_at`: a rename must reach the
    next message of a conversation that started before it, not only new conversations."""
    flow = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {
                "id": "ask",
                "type": "collect",
                "config": {"text": "Name?", "variable": "name", "input_type": "text"},
            },
            {"id": "bye", "type": "end", "config": {"text": "Thanks from ${ClientAppName}"}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "ask"},
            {"source": "ask", "port": "next", "target": "bye"},
            {"source": "ask", "port": "invalid", "target": "bye"},
            {"source": "ask", "port": "timeout", "target": "bye"},
        ],
    }
    key = await server.deploy(flow)
    first, second = await server.start(key), await server.start(key)
    assert texts(await first.say("Ada")) == ["Thanks from api channel"]  # cached from here on
    channel = next(c for c in await list_channels(server) if c["key"] == key)
    renamed = await server.client.patch(
        f"{API}/channels/{channel['id']}", json={"name": "Acme Store"}, headers=server.admin
    )
    assert renamed.status_code == 200, renamed.text
    assert texts(await second.say("Bea")) == ["Thanks from Acme Store"]
