"""The agent event stream (`WS /api/v1/agent/stream`): snapshot, live events, replay after a
reconnect, offers, queue updates, authentication, and presence (offline after a grace period)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.runtime import Runtime
from flowdesk.services.tx import transaction
from tests.api.desk_support import transfer_flow
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, make_settings, receive

STREAM = "/api/v1/agent/stream"
GRACE = 0.3
SUCCESS = "You are talking to {name} (no. {staff_no})."


# --------------------------------------------------------------------------- helpers


def receive_n(ws: WebSocketTestSession, count: int) -> list[dict[str, Any]]:
    return [receive(ws) for _ in range(count)]


def ids(events: list[dict[str, Any]]) -> list[int]:
    return [e["id"] for e in events]


def strictly_increasing(values: list[int]) -> bool:
    return all(a < b for a, b in pairwise(values))


def about(event: dict[str, Any]) -> str | None:
    """The conversation an event is about, if any."""
    conversation_id: str | None = event.get("conversation_id") or event.get("conversation", {}).get(
        "id"
    )
    return conversation_id


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Agent:
    desk: Desk
    id: str
    token: str
    name: str
    staff_no: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def status(self, status: str) -> None:
        response = self.desk.client.put(
            "/api/v1/agent/status", json={"status": status}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    def post(self, conversation_id: str, action: str) -> Any:
        return self.desk.client.post(
            f"/api/v1/conversations/{conversation_id}/{action}", headers=self.headers
        )

    def mine(self) -> list[str]:
        response = self.desk.client.get("/api/v1/agent/conversations", headers=self.headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["conversations"]]


@dataclass
class Customer:
    desk: Desk
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def say(self, text: str) -> None:
        response = self.desk.client.post(
            f"/api/v1/conversations/{self.id}/messages", json={"text": text}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    def history(self) -> list[dict[str, Any]]:
        response = self.desk.client.get(
            f"/api/v1/conversations/{self.id}/messages", headers=self.headers
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def state(self) -> dict[str, Any]:
        response = self.desk.client.get(f"/api/v1/conversations/{self.id}", headers=self.desk.admin)
        assert response.status_code == 200, response.text
        conversation: dict[str, Any] = response.json()
        return conversation


class Desk:
    """Sync short-hands over a `TestClient` (mirroring tests/api/desk_support.py)."""

    def __init__(self, client: TestClient, clock: ManualClock, rt: Runtime) -> None:
        self.client = client
        self.clock = clock
        self.rt = rt
        self.admin = {"authorization": f"Bearer {self.login(ADMIN_EMAIL, ADMIN_PASSWORD)}"}

    def login(self, email: str, password: str) -> str:
        response = self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        # Every call here authenticates explicitly; a session cookie would also sign in the stream.
        self.client.cookies.clear()
        token: str = response.json()["token"]
        return token

    def agent(self, name: str, *, max_concurrent: int = 5, status: str | None = "online") -> Agent:
        email = f"{name.lower()}@desk.example.com"
        staff_no = f"S-{name}"
        response = self.client.post(
            "/api/v1/users",
            json={
                "email": email,
                "password": "agent-password-1",
                "display_name": name,
                "staff_no": staff_no,
                "role": "agent",
                "max_concurrent": max_concurrent,
            },
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        agent = Agent(
            self, response.json()["id"], self.login(email, "agent-password-1"), name, staff_no
        )
        if status is not None:
            agent.status(status)
        return agent

    def user_status(self, user_id: str) -> str:
        response = self.client.get(f"/api/v1/users/{user_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        status: str = response.json()["status"]
        return status

    def group(self, members: list[Agent], **fields: Any) -> str:
        body = {"name": "Support", "members": [{"user_id": m.id} for m in members], **fields}
        response = self.client.post("/api/v1/skill-groups", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        group_id: str = response.json()["id"]
        return group_id

    def deploy(self, document: dict[str, Any]) -> str:
        """Create, publish and bind a flow to a new `api` channel; returns the channel key."""
        flow = self.client.post(
            "/api/v1/flows", json={"name": "Desk", "document": document}, headers=self.admin
        )
        assert flow.status_code == 201, flow.text
        flow_id = flow.json()["id"]
        published = self.client.post(
            f"/api/v1/flows/{flow_id}/publish", json={}, headers=self.admin
        )
        assert published.status_code == 201, published.text
        channel = self.client.post(
            "/api/v1/channels", json={"name": "api", "type": "api"}, headers=self.admin
        )
        assert channel.status_code == 201, channel.text
        bound = self.client.put(
            f"/api/v1/channels/{channel.json()['id']}/flow",
            json={"flow_id": flow_id},
            headers=self.admin,
        )
        assert bound.status_code == 200, bound.text
        key: str = channel.json()["key"]
        return key

    def start(self, key: str) -> Customer:
        response = self.client.post(f"/api/v1/channels/{key}/conversations", json={})
        assert response.status_code == 201, response.text
        data = response.json()
        return Customer(self, data["conversation"]["id"], data["customer_token"])

    def stream(self, token: str, last_event_id: int | None = None) -> Any:
        url = f"{STREAM}?token={token}"
        if last_event_id is not None:
            url += f"&last_event_id={last_event_id}"
        return self.client.websocket_connect(url)


def desk_app(sqlite_url: str, **settings: Any) -> Iterator[Desk]:
    clock = ManualClock()
    app = create_app(make_settings(sqlite_url, **settings), clock=clock, run_scheduler=False)
    with TestClient(app) as client:
        yield Desk(client, clock, app.state.runtime)


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[Desk]:
    yield from desk_app(sqlite_url)


@pytest.fixture
def quick_desk(sqlite_url: str) -> Iterator[Desk]:
    """Agents without a stream go offline after GRACE seconds."""
    yield from desk_app(sqlite_url, agent_offline_grace_seconds=GRACE)


@pytest.fixture
def second_grace_desk(sqlite_url: str) -> Iterator[Desk]:
    """Agents without a stream go offline after one second."""
    yield from desk_app(sqlite_url, agent_offline_grace_seconds=1.0)


@pytest.fixture
def pg_desk(postgres_url: str) -> Iterator[Desk]:
    yield from desk_app(postgres_url)


def settle(ws: WebSocketTestSession, agent: Agent) -> list[dict[str, Any]]:
    """Everything the stream sends before a marker: the agent re-sets `online`, which always
    emits `agent.status`; its id is the newest in a fresh snapshot. What arrives before the
    marker is all that was pending (nothing more, nothing less).

    The marker comes live, so once it arrives the stream has finished any replay. Close a
    replaying stream only after that: the test client cancels the handler on close, and a
    cancel inside the replay's database read can hang the event loop's shutdown.
    """
    agent.status("online")
    with agent.desk.stream(agent.token) as probe:
        marker_id = receive(probe)["last_event_id"]
    events: list[dict[str, Any]] = []
    while True:
        event = receive(ws)
        if event["id"] == marker_id:
            assert (event["type"], event["status"]) == ("agent.status", "online"), event
            return events
        assert event["id"] < marker_id, (event, marker_id)
        events.append(event)


def assigned_events(
    events: list[dict[str, Any]], customer: Customer, agent: Agent
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check one assignment's events (any order between kinds); returns (assigned, messages)."""
    assert sorted(e["type"] for e in events) == ["conversation.assigned", "message", "message"], [
        e["type"] for e in events
    ]
    assigned = next(e for e in events if e["type"] == "conversation.assigned")
    conversation = assigned["conversation"]
    assert conversation["id"] == customer.id
    assert conversation["state"] == "agent"
    assert conversation["agent_id"] == agent.id
    assert conversation["agent"] == {"display_name": agent.name, "staff_no": agent.staff_no}
    messages = [e for e in events if e["type"] == "message"]
    assert [e["conversation_id"] for e in messages] == [customer.id, customer.id]
    assert [(e["message"]["sender"], e["message"]["text"]) for e in messages] == [
        ("bot", SUCCESS.format(name=agent.name, staff_no=agent.staff_no)),
        ("system", f"{agent.name} joined the conversation"),
    ]
    assert messages[1]["message"]["type"] == "notice"
    return assigned, messages


def eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# --------------------------------------------------------------------------- 1. snapshot, live


def test_snapshot_first_then_live_assignment_and_messages(desk: Desk) -> None:
    alice = desk.agent("Alice")
    key = desk.deploy(transfer_flow(desk.group([alice])))
    with desk.stream(alice.token) as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot"
        assert snapshot["conversations"] == []
        assert isinstance(snapshot["last_event_id"], int) and snapshot["last_event_id"] > 0
        assert "id" not in snapshot

        customer = desk.start(key)
        events = receive_n(ws, 3)
        assert all(e["id"] > snapshot["last_event_id"] for e in events)
        assert strictly_increasing(ids(events))
        _, messages = assigned_events(events, customer, alice)

        customer.say("My parcel is late")
        written = receive(ws)
        assert written["type"] == "message"
        assert written["conversation_id"] == customer.id
        assert (written["message"]["sender"], written["message"]["text"]) == (
            "customer",
            "My parcel is late",
        )
        assert written["id"] > max(ids(events))

        # What the stream said is what the conversation holds (same messages, same order).
        history = customer.history()
        streamed = [m["message"] for m in messages] + [written["message"]]
        assert streamed == history[-3:]
        assert [m["seq"] for m in streamed] == [2, 3, 4]
        assert settle(ws, alice) == []  # nothing else was sent (no duplicates)

    # A new connection (no last_event_id) starts with a snapshot holding the conversation.
    with desk.stream(alice.token) as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot"
        assert [c["id"] for c in snapshot["conversations"]] == [customer.id]
        assert snapshot["conversations"][0]["state"] == "agent"
        assert snapshot["conversations"][0]["agent_id"] == alice.id


# --------------------------------------------------------------------------- 2. reconnect


def test_reconnect_with_last_event_id_replays_exactly_the_missed_events(desk: Desk) -> None:
    alice = desk.agent("Alice")
    key = desk.deploy(transfer_flow(desk.group([alice])))
    first = desk.start(key)
    with desk.stream(alice.token) as ws:
        snapshot = receive(ws)
        assert [c["id"] for c in snapshot["conversations"]] == [first.id]
        first.say("hello")
        seen = receive(ws)
        assert (seen["type"], seen["message"]["text"]) == ("message", "hello")
        last_id = seen["id"]
        seen_seq = seen["message"]["seq"]

    # Disconnected: the customer writes twice, and a second customer is assigned.
    first.say("are you there?")
    first.say("hello??")
    second = desk.start(key)

    with desk.stream(alice.token, last_event_id=last_id) as ws:
        replayed = receive_n(ws, 5)
        assert replayed[0]["type"] != "snapshot"
        assert strictly_increasing(ids(replayed))
        assert min(ids(replayed)) > last_id
        # First the two customer messages, exactly as the conversation's history holds them.
        assert [e["type"] for e in replayed[:2]] == ["message", "message"]
        assert [e["conversation_id"] for e in replayed[:2]] == [first.id, first.id]
        missed = [m for m in first.history() if m["seq"] > seen_seq]
        assert [e["message"] for e in replayed[:2]] == missed
        assert [m["text"] for m in missed] == ["are you there?", "hello??"]
        # Then the second conversation's assignment.
        _, messages = assigned_events(replayed[2:], second, alice)
        assert [e["message"] for e in messages] == second.history()[-2:]

        # Live events continue after the replay, with no duplicate of a replayed event.
        first.say("still here")
        live = receive(ws)
        assert live["type"] == "message"
        assert (live["conversation_id"], live["message"]["text"]) == (first.id, "still here")
        assert live["id"] > max(ids(replayed))
        assert settle(ws, alice) == []
        newest = live["id"]

    # Nothing missed since `newest` except the marker status: the replay is just that.
    with desk.stream(alice.token, last_event_id=newest) as ws:
        marker = receive(ws)
        assert (marker["type"], marker["status"]) == ("agent.status", "online")
        assert marker["id"] > newest
        assert settle(ws, alice) == []

    # From 0, the replay is the agent's whole story: going online first, then every message
    # of both conversations since they were assigned (none missing, none twice).
    with desk.stream(alice.token, last_event_id=0) as ws:
        everything = settle(ws, alice)
    assert (everything[0]["type"], everything[0]["status"]) == ("agent.status", "online")
    assert everything[0]["id"] <= snapshot["last_event_id"]
    assert strictly_increasing(ids(everything))
    assert marker["id"] in ids(everything)
    for customer in (first, second):
        streamed = [
            e["message"]
            for e in everything
            if e["type"] == "message" and e["conversation_id"] == customer.id
        ]
        assert streamed == customer.history()[1:]  # all but the connecting text (bot state)


# --------------------------------------------------------------------------- 3. manual reception


def test_manual_reception_offer_with_deadline_then_assigned_after_accept(desk: Desk) -> None:
    alice = desk.agent("Alice")
    group = desk.group([alice], reception="manual", offer_timeout_seconds=45)
    key = desk.deploy(transfer_flow(group))
    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"
        customer = desk.start(key)
        offered = receive(ws)
        assert offered["type"] == "conversation.offered"
        assert offered["conversation"]["id"] == customer.id
        assert offered["conversation"]["state"] == "offered"
        assert offered["conversation"]["offered_to"] == alice.id
        deadline = parse_iso(offered["deadline"])
        assert deadline.utcoffset() == timedelta(0)
        assert offered["deadline"] == offered["conversation"]["offer_expires_at"]
        assert deadline - parse_iso(offered["conversation"]["started_at"]) == timedelta(seconds=45)
        assert settle(ws, alice) == []  # the offer alone; no message yet

        # A second connection's snapshot shows the pending offer.
        with desk.stream(alice.token) as other:
            pending = receive(other)
            assert pending["type"] == "snapshot"
            assert [(c["id"], c["state"]) for c in pending["conversations"]] == [
                (customer.id, "offered")
            ]

        accepted = alice.post(customer.id, "accept")
        assert accepted.status_code == 200, accepted.text
        events = receive_n(ws, 3)
        assert min(ids(events)) > offered["id"]
        assert strictly_increasing(ids(events))
        assigned_events(events, customer, alice)
        assert settle(ws, alice) == []
    assert customer.state()["state"] == "agent"


# --------------------------------------------------------------------------- 4. queue


def test_group_members_receive_queue_updates(desk: Desk) -> None:
    alice = desk.agent("Alice", max_concurrent=1)
    bob = desk.agent("Bob", status="offline")  # a member too, though not serving
    group = desk.group([alice, bob])
    key = desk.deploy(transfer_flow(group))
    served = desk.start(key)
    assert served.state()["agent_id"] == alice.id

    with desk.stream(alice.token) as ws, desk.stream(bob.token) as bob_ws:
        assert [c["id"] for c in receive(ws)["conversations"]] == [served.id]
        assert receive(bob_ws)["conversations"] == []

        waiting = desk.start(key)
        assert (waiting.state()["state"], waiting.state()["queue_position"]) == ("queued", 1)
        for stream in (ws, bob_ws):
            update = receive(stream)
            assert update["type"] == "queue.updated"
            assert update["skill_group_id"] == group
            assert [(q["conversation_id"], q["position"]) for q in update["queue"]] == [
                (waiting.id, 1)
            ]

        desk.clock.advance(1)  # the queue is FIFO by time of arrival
        later = desk.start(key)
        for stream in (ws, bob_ws):
            update = receive(stream)
            assert update["type"] == "queue.updated"
            assert [(q["conversation_id"], q["position"]) for q in update["queue"]] == [
                (waiting.id, 1),
                (later.id, 2),
            ]
            entry = update["queue"][1]
            assert entry["customer_id"] == later.state()["customer_id"]
            assert entry["priority"] == 3
            parse_iso(entry["queued_at"])
        assert settle(ws, alice) == []

        # Alice closes: she is told the first one ended, takes the next, and the queue moves up.
        closed = alice.post(served.id, "close")
        assert closed.status_code == 200, closed.text
        events = settle(ws, alice)
        assert strictly_increasing(ids(events))
        kinds = [(e["type"], about(e)) for e in events]
        assert sorted(kinds, key=str) == sorted(
            [
                ("message", served.id),  # "Alice left the conversation"
                ("conversation.ended", served.id),
                ("message", waiting.id),
                ("message", waiting.id),
                ("conversation.assigned", waiting.id),
                ("queue.updated", None),
            ],
            key=str,
        )
        assert kinds.index(("conversation.ended", served.id)) < kinds.index(
            ("conversation.assigned", waiting.id)
        )
        assigned_events([e for e in events if about(e) == waiting.id], waiting, alice)
        moved = next(e for e in events if e["type"] == "queue.updated")
        assert [(q["conversation_id"], q["position"]) for q in moved["queue"]] == [(later.id, 1)]
        bob_update = receive(bob_ws)
        assert bob_update["type"] == "queue.updated"
        assert bob_update["queue"] == moved["queue"]
    assert later.state()["queue_position"] == 1


# --------------------------------------------------------------------------- 5. auth


def test_stream_refuses_missing_bad_and_customer_tokens(desk: Desk) -> None:
    alice = desk.agent("Alice")
    key = desk.deploy(transfer_flow(desk.group([alice], reception="manual")))
    customer = desk.start(key)
    refused_urls = [
        STREAM,
        f"{STREAM}?token=",
        f"{STREAM}?token=not-a-real-token",
        f"{STREAM}?token={customer.token}",
        f"{STREAM}?token={alice.token}x",
        f"{STREAM}?token={alice.token}&last_event_id=-2",
    ]
    for url in refused_urls:
        with pytest.raises(WebSocketDisconnect) as refused, desk.client.websocket_connect(url):
            pass
        assert refused.value.code == 4403, url
    # The same agent with the right token is let in.
    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"


# --------------------------------------------------------------------------- 6. presence


def test_agent_goes_offline_after_the_grace_and_keeps_conversations(quick_desk: Desk) -> None:
    desk = quick_desk
    alice = desk.agent("Alice")
    key = desk.deploy(transfer_flow(desk.group([alice])))
    customer = desk.start(key)
    with desk.stream(alice.token) as ws:
        snapshot = receive(ws)
        assert [c["id"] for c in snapshot["conversations"]] == [customer.id]
    assert eventually(lambda: desk.user_status(alice.id) == "offline")
    state = customer.state()
    assert (state["state"], state["agent_id"]) == ("agent", alice.id)
    assert alice.mine() == [customer.id]
    # Reconnecting replays the status change the desk made while the agent was away.
    with desk.stream(alice.token, last_event_id=snapshot["last_event_id"]) as ws:
        went = settle(ws, alice)
        assert [(e["type"], e["status"]) for e in went] == [("agent.status", "offline")]


def test_reconnecting_within_the_grace_keeps_the_agent_online(quick_desk: Desk) -> None:
    desk = quick_desk
    alice = desk.agent("Alice")
    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"
    with desk.stream(alice.token) as ws:  # back at once
        assert receive(ws)["type"] == "snapshot"
        time.sleep(GRACE * 2)
        assert desk.user_status(alice.id) == "online"
    assert eventually(lambda: desk.user_status(alice.id) == "offline")


def test_closing_one_of_two_connections_keeps_the_agent_online(quick_desk: Desk) -> None:
    desk = quick_desk
    alice = desk.agent("Alice")
    with desk.stream(alice.token) as second:
        assert receive(second)["type"] == "snapshot"
        with desk.stream(alice.token) as first:
            assert receive(first)["type"] == "snapshot"
        time.sleep(GRACE * 2)
        assert desk.user_status(alice.id) == "online"
        # The remaining connection still works.
        alice.status("away")
        assert (receive(second)["type"], desk.user_status(alice.id)) == ("agent.status", "away")
    assert eventually(lambda: desk.user_status(alice.id) == "offline")


def test_the_grace_counts_from_the_last_disconnect(second_grace_desk: Desk) -> None:
    desk = second_grace_desk
    alice = desk.agent("Alice")
    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"
    # Gone: a one-second grace starts. Back at once, for half of it; gone again.
    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"
        time.sleep(0.5)
    left = time.monotonic()
    time.sleep(0.7)  # past the end of the first grace, inside the second
    status = desk.user_status(alice.id)
    if time.monotonic() - left < 1.0:  # (a very slow machine cannot tell them apart)
        assert status == "online"
    assert eventually(lambda: desk.user_status(alice.id) == "offline")


# --------------------------------------------------------------------------- 7. commit order


def test_postgres_event_committed_after_a_newer_one_still_reaches_the_stream(
    pg_desk: Desk,
) -> None:
    """On PostgreSQL event ids come from a sequence. A transaction that started first but
    commits last must not hold a smaller id than an event already delivered (a stream resumes
    "after id N"): ids follow commit order, and both events reach the agent, in that order."""
    desk = pg_desk
    alice = desk.agent("Alice")

    async def interleave() -> tuple[int, int]:
        async with transaction(desk.rt) as slow:
            slow.agent_event(alice.id, "conversation.updated", {"probe": "slow"})
            await slow.session.flush()  # (before the fix, this took the smaller id)
            async with transaction(desk.rt) as fast:
                fast.agent_event(alice.id, "conversation.updated", {"probe": "fast"})
            # `fast` has committed and been published; `slow` commits now.
        return slow.outbox.agent_events[0].id, fast.outbox.agent_events[0].id

    with desk.stream(alice.token) as ws:
        assert receive(ws)["type"] == "snapshot"
        portal = desk.client.portal
        assert portal is not None
        slow_id, fast_id = portal.call(interleave)
        assert fast_id < slow_id  # ids follow commit order
        events = settle(ws, alice)
    assert [e["probe"] for e in events] == ["fast", "slow"], events
    with desk.stream(alice.token, last_event_id=fast_id) as ws:
        assert receive(ws)["probe"] == "slow"  # a resume after `fast` still gets `slow`
        settle(ws, alice)


def test_resuming_from_an_event_housekeeping_deleted_starts_from_a_snapshot(desk: Desk) -> None:
    from flowdesk.services.housekeeping import prune

    alice = desk.agent("Alice")
    with desk.stream(alice.token) as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot"
        alice.status("online")
        old = receive(ws)
        assert old["type"] == "agent.status"
    desk.clock.advance(desk.rt.settings.event_retention_hours * 3600 + 60)
    portal = desk.client.portal
    assert portal is not None
    pruned = portal.call(prune, desk.rt)
    assert pruned.agent_events >= 1
    with desk.stream(alice.token, last_event_id=old["id"]) as ws:
        resync = receive(ws)
        assert resync["type"] == "snapshot"  # not a replay with a hole in it
        assert resync["conversations"] == []
        settle(ws, alice)
