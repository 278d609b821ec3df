"""Conversations through the customer API: once-only processing, order, pinning, timers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from flowdesk.clock import ManualClock
from tests.support import Server, running, texts


def linear_flow(*steps: dict[str, Any]) -> dict[str, Any]:
    """start → steps… → end, each step leaving by `next` (or the port given as `_port`)."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}]
    edges: list[dict[str, str]] = []
    previous, port = "start", "next"
    for index, step in enumerate(steps):
        node_id = step.get("id", f"n{index}")
        nodes.append({"id": node_id, "type": step["type"], "config": step["config"]})
        edges.append({"source": previous, "port": port, "target": node_id})
        for extra_port in step.get("_to_end", []):
            edges.append({"source": node_id, "port": extra_port, "target": "end"})
        previous, port = node_id, "next"
    nodes.append({"id": "end", "type": "end", "config": {"text": "Bye."}})
    edges.append({"source": previous, "port": port, "target": "end"})
    return {"schema_version": 1, "nodes": nodes, "edges": edges}


ASK_NAME = {
    "type": "collect",
    "config": {"text": "Your name?", "variable": "name", "input_type": "text"},
    "_to_end": ["invalid", "timeout"],
}
HELLO = {"type": "message", "config": {"text": "Hello ${name}, from ${ClientAppName}!"}}


async def test_replayed_client_msg_id_returns_the_same_answer_and_changes_nothing(
    any_server: Server,
) -> None:
    server = any_server
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    customer = await server.start(key)
    first = await customer.send(text="Ada", client_msg_id="c-1")
    assert texts(first.json()["messages"]) == ["Hello Ada, from api channel!", "Bye."]
    assert first.json()["duplicate"] is False
    replay = await customer.send(text="Ada", client_msg_id="c-1")
    assert replay.status_code == 200
    assert replay.json()["messages"] == first.json()["messages"]
    assert replay.json()["duplicate"] is True
    history = await customer.history()
    assert [m["seq"] for m in history] == [1, 2, 3, 4]
    assert [m["sender"] for m in history] == ["bot", "customer", "bot", "bot"]


async def test_conversation_stays_on_its_version_after_a_publish(server: Server) -> None:
    flow_id = await server.create_flow(linear_flow(ASK_NAME, HELLO))
    await server.publish(flow_id)
    key = await server.channel(flow_id)
    pinned = await server.start(key)
    flow = (await server.client.get(f"/api/v1/flows/{flow_id}", headers=server.admin)).json()
    document = flow["document"]
    for node in document["nodes"]:
        if node["id"] == "n1":
            node["config"]["text"] = "Version two says hi, ${name}."
    saved = await server.client.put(
        f"/api/v1/flows/{flow_id}",
        json={"document": document, "revision": flow["revision"]},
        headers=server.admin,
    )
    assert saved.status_code == 200
    await server.publish(flow_id)
    fresh = await server.start(key)
    assert fresh.conversation["flow_version"] == 2
    assert pinned.conversation["flow_version"] == 1
    assert texts(await pinned.say("Ada"))[0] == "Hello Ada, from api channel!"
    assert texts(await fresh.say("Bea"))[0] == "Version two says hi, Bea."


async def test_phone_is_stored_in_e164_with_the_channel_region(server: Server) -> None:
    ask_phone = {
        "type": "collect",
        "config": {"text": "Phone?", "variable": "phone", "input_type": "phone"},
        "_to_end": ["invalid", "timeout"],
    }
    echo = {"type": "message", "config": {"text": "We will call ${phone}."}}
    key = await server.deploy(linear_flow(ask_phone, echo), settings={"default_region": "GB"})
    customer = await server.start(key)
    assert texts(await customer.say("07911 123456"))[0] == "We will call +447911123456."
    assert (await customer.state())["variables"]["phone"] == "+447911123456"


async def test_open_conversation_needs_its_token_unless_the_channel_trusts_ids(
    server: Server,
) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    first = await server.start(key, customer_id="crm-42")
    again = await server.client.post(
        f"/api/v1/channels/{key}/conversations", json={"customer_id": "crm-42"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "customer_token_required"
    resumed = await server.client.post(
        f"/api/v1/channels/{key}/conversations", json={}, headers=first.headers
    )
    assert resumed.status_code == 200
    assert resumed.json()["conversation"]["id"] == first.id
    assert texts(resumed.json()["messages"]) == ["Your name?"]

    trusted = await server.deploy(
        linear_flow(ASK_NAME, HELLO), settings={"trust_customer_id": True}
    )
    one = await server.start(trusted, customer_id="crm-42")
    two = await server.client.post(
        f"/api/v1/channels/{trusted}/conversations", json={"customer_id": "crm-42"}
    )
    assert two.status_code == 200
    assert two.json()["conversation"]["id"] == one.id


async def test_a_customer_token_opens_only_its_own_conversation(server: Server) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    alice = await server.start(key)
    bob = await server.start(key)
    client = server.client
    url = f"/api/v1/conversations/{bob.id}"
    for response in (
        await client.get(f"{url}/messages", headers=alice.headers),
        await client.post(f"{url}/messages", json={"text": "hi"}, headers=alice.headers),
        await client.post(f"{url}/close", headers=alice.headers),
        await client.get(url, headers=alice.headers),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert texts(await bob.history()) == ["Your name?"]
    forged = alice.token[:-4] + ("AAAA" if not alice.token.endswith("AAAA") else "BBBB")
    response = await client.get(
        f"/api/v1/conversations/{alice.id}/messages", headers={"authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    missing = await client.get("/api/v1/conversations/cnv_nope/messages", headers=server.admin)
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"text": "x" * 4001}, "4000"),
        ({"text": "   "}, "empty"),
        ({"text": "a", "choice": "b"}, "exactly one"),
        ({}, "exactly one"),
        ({"text": "a", "unexpected": 1}, "unexpected"),
        ({"rating": 9}, "rating"),
    ],
)
async def test_bad_messages_are_refused_and_change_nothing(
    server: Server, body: dict[str, Any], fragment: str
) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    customer = await server.start(key)
    response = await customer.send(**body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert fragment in (error["message"] + str(error.get("details")))
    assert [m["seq"] for m in await customer.history()] == [1]


async def test_a_4000_character_message_is_accepted(server: Server) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    customer = await server.start(key)
    response = await customer.send(text="y" * 4000)
    assert response.status_code == 200


async def test_customer_close_ends_and_cancels_timers(server: Server, clock: ManualClock) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO))
    customer = await server.start(key)
    closed = await server.client.post(
        f"/api/v1/conversations/{customer.id}/close", headers=customer.headers
    )
    assert closed.status_code == 200
    assert closed.json()["conversation"]["end_reason"] == "customer_closed"
    again = await server.client.post(
        f"/api/v1/conversations/{customer.id}/close", headers=customer.headers
    )
    assert again.status_code == 409
    clock.advance(3 * 86400)
    assert await server.fire_timers() == 0


async def test_bot_idle_timeout_ends_the_conversation(server: Server, clock: ManualClock) -> None:
    key = await server.deploy(linear_flow(ASK_NAME, HELLO), settings={"bot_idle_seconds": 3600})
    customer = await server.start(key)
    retry_flow = linear_flow(
        {
            "type": "collect",
            "config": {"text": "Number?", "variable": "n", "input_type": "number"},
            "_to_end": ["invalid", "timeout"],
        },
    )
    clock.advance(1800)
    other = await server.start(await server.deploy(retry_flow, settings={"bot_idle_seconds": 3600}))
    clock.advance(1800)
    assert await server.fire_timers() == 1  # the first conversation's idle timer
    assert (await customer.state())["end_reason"] == "idle"
    # A turn that keeps the bot waiting (a retry) restarts the idle clock.
    assert texts(await other.say("not a number")) == ["Number?"]
    clock.advance(3000)
    assert await server.fire_timers() == 0  # re-armed by the turn above
    clock.advance(700)
    assert await server.fire_timers() == 1
    assert (await other.state())["end_reason"] == "idle"


async def test_concurrent_messages_are_each_kept_once_in_order(any_server: Server) -> None:
    server = any_server
    loop_flow = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {
                "id": "ask",
                "type": "collect",
                "config": {"text": "Say something", "variable": "said", "input_type": "text"},
            },
            {"id": "echo", "type": "message", "config": {"text": "You said ${said}"}},
            {"id": "end", "type": "end"},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "ask"},
            {"source": "ask", "port": "next", "target": "echo"},
            {"source": "ask", "port": "invalid", "target": "end"},
            {"source": "ask", "port": "timeout", "target": "end"},
            {"source": "echo", "port": "next", "target": "ask"},
        ],
    }
    key = await server.deploy(loop_flow)
    customer = await server.start(key)
    sends = [customer.send(text=f"m{i}", client_msg_id=f"id-{i}") for i in range(30)]
    sends += [customer.send(text=f"m{i}", client_msg_id=f"id-{i}") for i in range(0, 30, 3)]
    responses = await asyncio.gather(*sends)
    assert all(r.status_code == 200 for r in responses)
    history = await customer.history()
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    customer_texts = [m["text"] for m in history if m["sender"] == "customer"]
    assert sorted(customer_texts) == sorted(f"m{i}" for i in range(30))
    # Every customer message is answered right after it: turns never interleave.
    for index, message in enumerate(history):
        if message["sender"] == "customer":
            assert history[index + 1]["text"] == f"You said {message['text']}"
            assert history[index + 2]["text"] == "Say something"


async def test_a_timer_due_during_a_restart_fires_once_after_it(database_url: str) -> None:
    clock = ManualClock()
    menu_flow = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "menu",
                "config": {
                    "text": "Pick",
                    "options": [{"id": "a", "label": "A"}],
                    "timeout_seconds": 60,
                },
            },
            {"id": "late", "type": "end", "config": {"text": "Too late, bye."}},
            {"id": "ok", "type": "end", "config": {"text": "OK."}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "menu"},
            {"source": "menu", "port": "a", "target": "ok"},
            {"source": "menu", "port": "invalid", "target": "ok"},
            {"source": "menu", "port": "timeout", "target": "late"},
        ],
    }
    async with running(database_url, clock) as first:
        customer = await first.start(await first.deploy(menu_flow))
        conversation_id, token = customer.id, customer.token
    clock.advance(120)  # the server is down when the menu times out
    for expected_fired in (1, 0):  # two restarts: the second finds nothing left to fire
        async with running(database_url, clock) as server:
            assert await server.fire_timers() == expected_fired
            response = await server.client.get(
                f"/api/v1/conversations/{conversation_id}/messages",
                headers={"authorization": f"Bearer {token}"},
            )
            assert texts(response.json()["messages"]) == ["Pick", "Too late, bye."]


async def test_a_channel_with_open_conversations_cannot_be_deleted(server: Server) -> None:
    flow_id = await server.create_flow(linear_flow(ASK_NAME, HELLO))
    await server.publish(flow_id)
    key = await server.channel(flow_id)
    customer = await server.start(key)
    channel_id = customer.conversation["channel_id"]
    refused = await server.client.delete(f"/api/v1/channels/{channel_id}", headers=server.admin)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "channel_busy"
    assert texts(await customer.history()) == ["Your name?"]
    await server.client.post(f"/api/v1/conversations/{customer.id}/close", headers=customer.headers)
    deleted = await server.client.delete(f"/api/v1/channels/{channel_id}", headers=server.admin)
    assert deleted.status_code == 204
    gone = await server.client.get(f"/api/v1/conversations/{customer.id}", headers=server.admin)
    assert gone.status_code == 404


async def test_a_nul_character_in_a_message_is_refused_and_nothing_is_stored(
    any_server: Server,
) -> None:
    server = any_server
    customer = await server.start(await server.deploy(linear_flow(ASK_NAME, HELLO)))
    response = await customer.send(text="Ada\u0000", client_msg_id="n1")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert [m["seq"] for m in await customer.history()] == [1]
    assert texts(await customer.say("Ada", client_msg_id="n1")) == [
        "Hello Ada, from api channel!",
        "Bye.",
    ]


async def test_metrics_count_what_happened(server: Server) -> None:
    def sample(text: str, series: str) -> float:
        """The value of one exact series (name with labels) in the exposition, 0 if absent."""
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if name == series:
                return float(value)
        return 0.0

    before = (await server.client.get("/metrics")).text
    customer = await server.start(await server.deploy(linear_flow(ASK_NAME, HELLO)))
    await customer.say("Ada")
    after = (await server.client.get("/metrics")).text
    started = 'flowdesk_conversations_started_total{channel="api"}'
    ended = 'flowdesk_conversations_ended_total{reason="flow_end"}'
    customer_messages = 'flowdesk_messages_total{sender="customer"}'
    assert sample(after, started) == sample(before, started) + 1
    assert sample(after, ended) == sample(before, ended) + 1
    assert sample(after, customer_messages) == sample(before, customer_messages) + 1
    assert sample(after, "flowdesk_customer_turn_seconds_count") >= 1


async def test_a_customer_turn_costs_a_handful_of_statements(server: Server) -> None:
    """Lock, dedupe check, channel, one conversation update, the messages, the idle timer."""
    from sqlalchemy import event

    retry_flow = linear_flow(
        {
            "type": "collect",
            "config": {"text": "Number?", "variable": "n", "input_type": "number"},
            "_to_end": ["invalid", "timeout"],
        },
    )
    customer = await server.start(await server.deploy(retry_flow))
    statements: list[str] = []
    engine = server.rt.db.write_engine.sync_engine

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", record)
    try:
        await customer.say("not a number", client_msg_id="q1")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements.count("UPDATE") == 1, statements
    assert len(statements) <= 7, statements
