"""The customer WebSocket stream: replay after `after_seq`, then live events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.events import LocalEventBus, conversation_topic
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings
from tests.support import receive as _receive

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
def client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(sqlite_url), clock=ManualClock(), run_scheduler=False)
    with TestClient(app) as test_client:
        yield test_client


def _start(client: TestClient) -> tuple[str, str]:
    login = client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    admin = {"authorization": f"Bearer {login.json()['token']}"}
    flow = client.post("/api/v1/flows", json={"name": "s", "document": FLOW}, headers=admin).json()
    assert client.post(f"/api/v1/flows/{flow['id']}/publish", headers=admin).status_code == 201
    channel = client.post(
        "/api/v1/channels", json={"name": "c", "type": "api"}, headers=admin
    ).json()
    client.put(
        f"/api/v1/channels/{channel['id']}/flow", json={"flow_id": flow["id"]}, headers=admin
    )
    started = client.post(f"/api/v1/channels/{channel['key']}/conversations", json={}).json()
    return started["conversation"]["id"], started["customer_token"]


def test_replay_after_seq_then_live_messages_and_state(client: TestClient) -> None:
    conversation_id, token = _start(client)
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}&after_seq=1"
    with client.websocket_connect(url) as ws:
        replayed = ws.receive_json()
        assert replayed["type"] == "message"
        assert (replayed["message"]["seq"], replayed["message"]["text"]) == (2, "Your name?")
        snapshot = ws.receive_json()
        assert snapshot["type"] == "conversation.updated"
        assert snapshot["conversation"]["state"] == "bot"
        response = client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json={"text": "Ada"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        live = [ws.receive_json() for _ in range(3)]
        assert [(e["message"]["seq"], e["message"]["sender"]) for e in live[:2]] == [
            (3, "customer"),
            (4, "bot"),
        ]
        assert live[1]["message"]["text"] == "Bye Ada."
        assert live[2]["type"] == "conversation.updated"
        assert live[2]["conversation"]["state"] == "ended"


def test_reconnect_resyncs_without_gaps_or_duplicates(client: TestClient) -> None:
    conversation_id, token = _start(client)
    base = f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    with client.websocket_connect(base) as ws:
        seen = [ws.receive_json()["message"]["seq"] for _ in range(2)]
        ws.receive_json()  # state snapshot
    assert seen == [1, 2]
    # While disconnected the customer writes (e.g. from another tab).
    client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "Bea", "client_msg_id": "x1"},
        headers={"authorization": f"Bearer {token}"},
    )
    with client.websocket_connect(f"{base}&after_seq={seen[-1]}") as ws:
        resumed = [ws.receive_json()["message"]["seq"] for _ in range(2)]
        assert ws.receive_json()["type"] == "conversation.updated"
    assert resumed == [3, 4]


def test_stream_refuses_a_token_for_another_conversation(client: TestClient) -> None:
    first_id, _ = _start(client)
    _, other_token = _start(client)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"/api/v1/conversations/{first_id}/stream?token={other_token}"),
    ):
        pass
    assert refused.value.code == 4403
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(f"/api/v1/conversations/{first_id}/stream?token=garbage"),
    ):
        pass


def _bus(client: TestClient) -> LocalEventBus:
    bus = client.app.state.runtime.bus  # type: ignore[attr-defined]
    assert isinstance(bus, LocalEventBus)
    return bus


def _receive_replay(ws: WebSocketTestSession) -> None:
    """The replay of a new conversation's stream: its two messages and its state."""
    replayed = [_receive(ws)["type"] for _ in range(3)]
    assert replayed == ["message", "message", "conversation.updated"]


def test_a_dropped_subscription_closes_the_stream_so_the_client_resyncs(
    client: TestClient,
) -> None:
    """The bus drops a subscriber that falls behind (or every one, when Redis goes away):
    the stream must close at once, or the client would wait for events that never come."""
    conversation_id, token = _start(client)
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    bus, topic = _bus(client), conversation_topic(conversation_id)
    with client.websocket_connect(url) as ws:
        _receive_replay(ws)
        assert client.portal is not None
        client.portal.call(bus.drop_all, topic)
        with pytest.raises(WebSocketDisconnect):
            _receive(ws)
    assert bus.subscriber_count(topic) == 0
    # The client resyncs by reconnecting after the last seq it saw.
    with client.websocket_connect(f"{url}&after_seq=2") as ws:
        assert _receive(ws)["type"] == "conversation.updated"


def test_live_events_arriving_out_of_order_are_all_sent_and_replayed_ones_skipped(
    client: TestClient,
) -> None:
    """With several nodes, two messages committed one after the other on different nodes can
    reach a stream in the other order (one locally, one through Redis): neither may be
    dropped. Only what the replay already sent is skipped."""
    conversation_id, token = _start(client)
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    bus, topic = _bus(client), conversation_topic(conversation_id)
    with client.websocket_connect(url) as ws:
        _receive_replay(ws)
        assert client.portal is not None
        for seq in (4, 2, 3):  # 2 was replayed already; 4 overtook 3
            event = {"type": "message", "message": {"seq": seq, "text": f"m{seq}"}}
            client.portal.call(bus.publish, topic, event)
        client.portal.call(bus.publish, topic, {"type": "conversation.updated"})
        received = [_receive(ws) for _ in range(3)]
    assert [e.get("message", {}).get("seq") for e in received] == [4, 3, None]


def test_a_client_that_goes_away_releases_its_subscription(client: TestClient) -> None:
    conversation_id, token = _start(client)
    bus, topic = _bus(client), conversation_topic(conversation_id)
    with client.websocket_connect(
        f"/api/v1/conversations/{conversation_id}/stream?token={token}"
    ) as ws:
        for _ in range(3):
            _receive(ws)
        assert bus.subscriber_count(topic) == 1
    assert bus.subscriber_count(topic) == 0


@pytest.mark.parametrize("after_seq", ["-1", "x", "1.5", str(2**63)])
def test_stream_refuses_a_bad_after_seq(client: TestClient, after_seq: str) -> None:
    conversation_id, token = _start(client)
    url = f"/api/v1/conversations/{conversation_id}/stream?token={token}&after_seq={after_seq}"
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(url):
        pass
    assert refused.value.code == 4403
