"""The simulator: `POST /flows/{id}/simulate` runs a draft on the hidden sandbox channel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.storage.models import Channel, FlowVersion
from tests.api.desk_support import make_agent, make_group, transfer_flow
from tests.support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Customer,
    Server,
    assert_error,
    make_settings,
    texts,
)

API = "/api/v1"

MENU_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hi", "type": "message", "config": {"text": "Welcome to ${ClientAppName}."}},
        {
            "id": "menu",
            "type": "menu",
            "config": {
                "text": "What do you need?",
                "options": [
                    {"id": "sales", "label": "Sales"},
                    {"id": "help", "label": "Help"},
                ],
            },
        },
        {"id": "sales_end", "type": "end", "config": {"text": "Sales will call you."}},
        {"id": "help_end", "type": "end", "config": {"text": "See the help centre."}},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hi"},
        {"source": "hi", "port": "next", "target": "menu"},
        {"source": "menu", "port": "sales", "target": "sales_end"},
        {"source": "menu", "port": "help", "target": "help_end"},
        {"source": "menu", "port": "invalid", "target": "help_end"},
        {"source": "menu", "port": "timeout", "target": "help_end"},
    ],
}

HELLO_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hi", "type": "message", "config": {"text": "Hello from the unsaved draft."}},
        {"id": "bye", "type": "end"},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hi"},
        {"source": "hi", "port": "next", "target": "bye"},
    ],
}

#: `hi.next` leads nowhere and `bye` cannot be reached: two errors.
BROKEN_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hi", "type": "message", "config": {"text": "Hi"}},
        {"id": "bye", "type": "end"},
    ],
    "edges": [{"source": "start", "port": "next", "target": "hi"}],
}


async def simulate(server: Server, flow_id: str, **body: Any) -> Customer:
    response = await server.client.post(
        f"{API}/flows/{flow_id}/simulate", json=body or None, headers=server.admin
    )
    assert response.status_code == 201, response.text
    data = response.json()
    assert set(data) == {"conversation", "customer_token", "messages"}, data
    return Customer(server, data["conversation"], data["customer_token"], data["messages"])


async def get_flow(server: Server, flow_id: str) -> dict[str, Any]:
    response = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    flow: dict[str, Any] = response.json()
    return flow


async def admin_list(server: Server, query: str = "") -> list[str]:
    response = await server.client.get(f"{API}/conversations{query}", headers=server.admin)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["conversations"]]


async def version_numbers(server: Server, flow_id: str) -> list[int]:
    async with server.rt.db.read() as session:
        rows = await session.scalars(
            select(FlowVersion.version)
            .where(FlowVersion.flow_id == flow_id)
            .order_by(FlowVersion.version)
        )
        return list(rows)


async def test_the_saved_draft_is_simulated_without_publishing(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    first = await simulate(server, flow_id)
    assert texts(first.first_messages) == ["Welcome to Simulator.", "What do you need?"]
    menu = first.first_messages[1]
    assert menu["type"] == "menu"
    assert [o["id"] for o in menu["options"]] == ["sales", "help"]
    assert first.conversation["state"] == "bot"
    assert first.conversation["flow_version"] == -1

    second = await simulate(server, flow_id)
    assert second.conversation["flow_version"] == -2
    assert second.id != first.id

    flow = await get_flow(server, flow_id)
    assert flow["latest_version"] is None
    assert flow["revision"] == 1
    assert await version_numbers(server, flow_id) == [-2, -1]


async def test_sandbox_snapshots_are_not_versions(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    await simulate(server, flow_id)
    published = await server.publish(flow_id, note="real")
    assert published["version"] == 1  # snapshots do not take published numbers
    await simulate(server, flow_id)

    listed = await server.client.get(f"{API}/flows/{flow_id}/versions", headers=server.admin)
    assert listed.status_code == 200, listed.text
    assert [v["version"] for v in listed.json()["versions"]] == [1]
    assert (await get_flow(server, flow_id))["latest_version"] == 1
    for number in (-1, -2):
        got = await server.client.get(
            f"{API}/flows/{flow_id}/versions/{number}", headers=server.admin
        )
        assert_error(got, 404, "not_found")
        restore = await server.client.post(
            f"{API}/flows/{flow_id}/versions/{number}/restore", headers=server.admin
        )
        assert_error(restore, 404, "not_found")
    assert (await get_flow(server, flow_id))["revision"] == 1  # the draft was not touched


async def test_an_invalid_draft_is_refused_exactly_like_publish(server: Server) -> None:
    flow_id = await server.create_flow(BROKEN_FLOW)
    refused = await server.client.post(f"{API}/flows/{flow_id}/simulate", headers=server.admin)
    error = assert_error(refused, 422, "flow_invalid")
    publish = await server.client.post(f"{API}/flows/{flow_id}/publish", headers=server.admin)
    assert error["details"] == assert_error(publish, 422, "flow_invalid")["details"]
    codes = {(p["code"], p.get("node_id")) for p in error["details"]["problems"]}
    assert ("unconnected_port", "hi") in codes, codes

    # An unsaved document is validated the same way, and a malformed one is refused as such.
    body = await server.client.post(
        f"{API}/flows/{flow_id}/simulate", json={"document": BROKEN_FLOW}, headers=server.admin
    )
    assert_error(body, 422, "flow_invalid")
    malformed = await server.client.post(
        f"{API}/flows/{flow_id}/simulate", json={"document": {"edges": 1}}, headers=server.admin
    )
    assert_error(malformed, 422, "invalid_document")

    assert await version_numbers(server, flow_id) == []
    assert await admin_list(server, "?include_sandbox=true") == []


async def test_an_unsaved_document_from_the_body_is_run(server: Server) -> None:
    flow_id = await server.create_flow(BROKEN_FLOW)
    customer = await simulate(server, flow_id, document=HELLO_FLOW)
    assert texts(customer.first_messages) == ["Hello from the unsaved draft."]
    assert customer.conversation["state"] == "ended"
    flow = await get_flow(server, flow_id)
    # The draft is as it was.
    assert [n["id"] for n in flow["document"]["nodes"]] == ["start", "hi", "bye"]
    assert len(flow["document"]["edges"]) == 1
    assert (flow["revision"], flow["latest_version"]) == (1, None)


async def test_simulate_needs_an_admin_and_an_existing_flow(server: Server) -> None:
    agent = await make_agent(server, "Ann")
    flow_id = await server.create_flow(MENU_FLOW)
    as_agent = await server.client.post(f"{API}/flows/{flow_id}/simulate", headers=agent.headers)
    assert_error(as_agent, 403, "forbidden")
    missing = await server.client.post(f"{API}/flows/flw_missing/simulate", headers=server.admin)
    assert_error(missing, 404, "not_found")
    extra = await server.client.post(
        f"{API}/flows/{flow_id}/simulate", json={"publish": True}, headers=server.admin
    )
    assert_error(extra, 422, "validation_error")


async def test_the_customer_api_walks_a_simulation_from_menu_to_end(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    customer = await simulate(server, flow_id)
    replies = await customer.send(choice="sales", client_msg_id="m1")
    assert texts(replies.json()["messages"]) == ["Sales will call you."]
    again = await customer.send(choice="sales", client_msg_id="m1")
    assert again.json()["duplicate"] is True

    history = await customer.history()
    assert texts(history) == [
        "Welcome to Simulator.",
        "What do you need?",
        "Sales",
        "Sales will call you.",
    ]
    state = await customer.state()
    assert state["state"] == "ended"
    assert state["path"][-2:] == ["menu", "sales_end"]
    ended = await customer.send(text="hello?")
    assert_error(ended, 409, "conversation_ended")


async def test_a_simulated_conversation_can_be_closed_by_its_customer(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    customer = await simulate(server, flow_id)
    closed = await server.client.post(
        f"{API}/conversations/{customer.id}/close", headers=customer.headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["conversation"]["state"] == "ended"


async def test_a_transfer_in_the_simulator_reaches_no_agent_and_goes_on(server: Server) -> None:
    online = await make_agent(server, "Olga")
    group_id = await make_group(server, [online], name="Customer support")
    flow_id = await server.create_flow(transfer_flow(group_id))

    customer = await simulate(server, flow_id)
    assert texts(customer.first_messages) == [
        "Connecting you to an agent…",
        "Simulator: here the conversation would be transferred to Customer support.",
        "How did we do?",
    ]
    notice = customer.first_messages[1]
    assert (notice["sender"], notice["type"]) == ("system", "notice")
    assert customer.first_messages[2]["type"] == "survey"
    state = await customer.state()
    assert state["state"] == "bot"
    assert (state["agent_id"], state["offered_to"], state["skill_group_id"]) == (None, None, None)
    assert await online.mine() == []

    replies = await customer.send(rating=5)
    assert replies.status_code == 200, replies.text
    assert texts(replies.json()["messages"]) == ["Thanks!", "Goodbye."]
    state = await customer.state()
    assert (state["state"], state["rating"], state["rating_agent_id"]) == ("ended", 5, None)
    assert await online.mine() == []

    # A real customer on a published copy of the same flow does reach the agent.
    await server.publish(flow_id)
    key = await server.channel(flow_id)
    real = await server.start(key)
    assert (await real.state())["agent_id"] == online.id


async def test_the_sandbox_channel_is_invisible_and_not_startable(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    customer = await simulate(server, flow_id)
    async with server.rt.db.read() as session:
        sandboxes = list(await session.scalars(select(Channel).where(Channel.type == "sandbox")))
    assert [(c.name, c.flow_id) for c in sandboxes] == [("Simulator", None)]
    sandbox = sandboxes[0]
    assert customer.conversation["channel_id"] == sandbox.id

    listed = await server.client.get(f"{API}/channels", headers=server.admin)
    assert listed.json()["channels"] == []
    for method, path, body in (
        ("GET", f"/channels/{sandbox.id}", None),
        ("PATCH", f"/channels/{sandbox.id}", {"name": "Mine now"}),
        ("DELETE", f"/channels/{sandbox.id}", None),
        ("PUT", f"/channels/{sandbox.id}/flow", {"flow_id": flow_id}),
        ("DELETE", f"/channels/{sandbox.id}/flow", None),
    ):
        response = await server.client.request(
            method, f"{API}{path}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")
    public = await server.client.post(f"{API}/channels/{sandbox.key}/conversations", json={})
    assert_error(public, 404, "not_found")
    # Its own token does not open a way in either.
    resumed = await server.client.post(
        f"{API}/channels/{sandbox.key}/conversations", json={}, headers=customer.headers
    )
    assert_error(resumed, 404, "not_found")

    # Admin lists leave test runs out unless asked; the conversation itself stays readable.
    assert await admin_list(server) == []
    assert await admin_list(server, "?include_sandbox=true") == [customer.id]
    assert await admin_list(server, f"?channel_id={sandbox.id}") == []
    got = await server.client.get(f"{API}/conversations/{customer.id}", headers=server.admin)
    assert got.status_code == 200, got.text

    # One sandbox channel, however many simulations.
    await simulate(server, flow_id)
    async with server.rt.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Channel).where(Channel.type == "sandbox")
        )
    assert count == 1


async def test_open_simulations_do_not_keep_a_flow_from_being_deleted(server: Server) -> None:
    flow_id = await server.create_flow(MENU_FLOW)
    customer = await simulate(server, flow_id)
    assert customer.conversation["state"] == "bot"
    deleted = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    gone = await server.client.get(f"{API}/conversations/{customer.id}", headers=server.admin)
    assert_error(gone, 404, "not_found")


async def test_simulations_on_every_backend(any_server: Server) -> None:
    server = any_server
    flow_id = await server.create_flow(MENU_FLOW)
    first = await simulate(server, flow_id)
    second = await simulate(server, flow_id)  # the sandbox channel exists now: no second one
    assert (first.conversation["flow_version"], second.conversation["flow_version"]) == (-1, -2)
    assert first.conversation["channel_id"] == second.conversation["channel_id"]
    replies = await first.send(choice="help")
    assert texts(replies.json()["messages"]) == ["See the help centre."]
    listed = await server.client.get(f"{API}/channels", headers=server.admin)
    assert listed.json()["channels"] == []
    deleted = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert await admin_list(server, "?include_sandbox=true") == []


# --------------------------------------------------------------------------- the stream


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(sqlite_url), clock=ManualClock(), run_scheduler=False)
    with TestClient(app) as test_client:
        yield test_client


def test_the_customer_stream_replays_a_simulation(client: TestClient) -> None:
    login = client.post(
        f"{API}/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    admin = {"authorization": f"Bearer {login.json()['token']}"}
    flow = client.post(f"{API}/flows", json={"name": "m", "document": MENU_FLOW}, headers=admin)
    started = client.post(f"{API}/flows/{flow.json()['id']}/simulate", headers=admin)
    assert started.status_code == 201, started.text
    conversation_id = started.json()["conversation"]["id"]
    token = started.json()["customer_token"]
    with client.websocket_connect(
        f"{API}/conversations/{conversation_id}/stream?token={token}"
    ) as socket:
        events = [socket.receive_json() for _ in range(3)]
    assert [e["type"] for e in events] == ["message", "message", "conversation.updated"]
    assert [e["message"]["text"] for e in events[:2]] == [
        "Welcome to Simulator.",
        "What do you need?",
    ]
