"""The human desk end to end through the API: routing, offers, queue, serving, closing."""

from __future__ import annotations

import asyncio

from flowdesk.clock import ManualClock
from tests.api.desk_support import make_agent, make_group, transfer_flow
from tests.support import Server, texts


async def test_nobody_online_leaves_by_no_agent(server: Server) -> None:
    alice = await make_agent(server, "Alice", status="offline")
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    customer = await server.start(key)
    assert texts(customer.first_messages) == [
        "Connecting you to an agent…",
        "Sorry, nobody is available.",
        "Try again later.",
    ]
    assert (await customer.state())["end_reason"] == "flow_end"


async def test_auto_reception_serve_close_survey_rating(any_server: Server) -> None:
    server = any_server
    alice = await make_agent(server, "Alice", staff_no="1001")
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    customer = await server.start(key)
    assert texts(customer.first_messages) == [
        "Connecting you to an agent…",
        "You are talking to Alice (no. 1001).",
        "Alice joined the conversation",
    ]
    assert customer.first_messages[-1]["sender"] == "system"
    state = await customer.state()
    assert (state["state"], state["agent_id"]) == ("agent", alice.id)
    assert state["agent"] == {"display_name": "Alice", "staff_no": "1001"}
    assert [c["id"] for c in await alice.mine()] == [customer.id]

    assert await customer.say("My order is late") == []  # the bot is silent
    reply = await alice.say(customer.id, "Let me check that for you.")
    assert reply["sender"] == "agent"
    closed = await alice.post(customer.id, "close")
    assert closed.status_code == 200, closed.text
    history = await customer.history()
    assert texts(history)[-2:] == ["Alice left the conversation", "How did we do?"]
    assert history[-1]["type"] == "survey" and history[-1]["scale"] == "stars5"
    rated = await customer.send(rating=4)
    assert texts(rated.json()["messages"]) == ["Thanks!", "Goodbye."]
    state = await customer.state()
    assert (state["state"], state["rating"], state["rating_agent_id"]) == ("ended", 4, alice.id)
    assert await alice.mine() == []


async def test_manual_reception_accept_and_expiry_moves_to_the_next_agent(
    server: Server, clock: ManualClock
) -> None:
    alice = await make_agent(server, "Alice")
    bob = await make_agent(server, "Bob")
    group = await make_group(
        server,
        [(alice, 1), (bob, 2)],
        strategy="priority",
        reception="manual",
        offer_timeout_seconds=30,
    )
    key = await server.deploy(transfer_flow(group))
    customer = await server.start(key)
    assert texts(customer.first_messages) == ["Connecting you to an agent…"]
    state = await customer.state()
    assert (state["state"], state["offered_to"]) == ("offered", alice.id)
    assert (await bob.post(customer.id, "accept")).status_code == 409  # not offered to Bob

    clock.advance(31)
    assert await server.fire_timers() == 1
    state = await customer.state()
    assert (state["state"], state["offered_to"]) == ("offered", bob.id)
    alice_now = await server.client.get(f"/api/v1/users/{alice.id}", headers=server.admin)
    assert alice_now.json()["status"] == "away"
    late = await alice.post(customer.id, "accept")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "offer_unavailable"

    accepted = await bob.post(customer.id, "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["conversation"]["state"] == "agent"
    assert texts(await customer.history())[-2:] == [
        "You are talking to Bob (no. ).",  # Bob has no staff number
        "Bob joined the conversation",
    ]


async def test_an_offer_accepted_after_its_deadline_is_refused(
    server: Server, clock: ManualClock
) -> None:
    alice = await make_agent(server, "Alice")
    group = await make_group(server, [alice], reception="manual", offer_timeout_seconds=30)
    customer = await server.start(await server.deploy(transfer_flow(group)))
    clock.advance(30)  # due, but the scheduler has not run yet
    response = await alice.post(customer.id, "accept")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_unavailable"


async def test_full_agents_queue_customers_with_position_updates(
    any_server: Server, clock: ManualClock
) -> None:
    server = any_server
    alice = await make_agent(server, "Alice", staff_no="7", max_concurrent=1)
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    first = await server.start(key)
    clock.advance(1)
    second = await server.start(key)
    clock.advance(1)
    third = await server.start(key)
    assert texts(second.first_messages) == [
        "Connecting you to an agent…",
        "You are number 0 in the queue.",
    ]
    assert texts(third.first_messages)[-1] == "You are number 1 in the queue."
    assert (await third.state())["queue_position"] == 2
    assert (await alice.post(first.id, "close")).status_code == 200
    # The freed slot goes to the oldest queued customer at once, and the next one moves up.
    second_state = await second.state()
    assert (second_state["state"], second_state["agent_id"]) == ("agent", alice.id)
    assert texts(await second.history())[-2:] == [
        "You are talking to Alice (no. 7).",
        "Alice joined the conversation",
    ]
    assert texts(await third.history())[-1] == "You are number 0 in the queue."
    assert (await third.state())["queue_position"] == 1


async def test_higher_priority_is_served_before_earlier_arrivals(
    server: Server, clock: ManualClock
) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    group = await make_group(server, [alice])
    normal = await server.deploy(transfer_flow(group))
    urgent = await server.deploy(transfer_flow(group, priority=1))
    busy = await server.start(normal)
    clock.advance(1)
    early = await server.start(normal)
    clock.advance(1)
    vip = await server.start(urgent)
    assert texts(vip.first_messages)[-1] == "You are number 0 in the queue."
    assert texts(await early.history())[-1] == "You are number 0 in the queue."  # unchanged
    await alice.post(busy.id, "close")
    assert (await vip.state())["state"] == "agent"
    assert (await early.state())["state"] == "queued"


async def test_waiting_past_max_wait_leaves_by_timeout(server: Server, clock: ManualClock) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    key = await server.deploy(
        transfer_flow(await make_group(server, [alice]), max_wait_seconds=120)
    )
    await server.start(key)
    waiting = await server.start(key)
    clock.advance(119)
    assert await server.fire_timers() == 0
    clock.advance(2)
    assert await server.fire_timers() == 1
    assert texts(await waiting.history())[-1] == "Sorry for the wait."
    assert (await waiting.state())["state"] == "ended"


async def test_a_full_queue_leaves_by_no_agent(server: Server) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    key = await server.deploy(transfer_flow(await make_group(server, [alice], max_queue=1)))
    await server.start(key)
    queued = await server.start(key)
    refused = await server.start(key)
    assert (await queued.state())["state"] == "queued"
    assert texts(refused.first_messages)[-2:] == ["Sorry, nobody is available.", "Try again later."]


async def test_an_agent_coming_online_takes_the_queue_at_once(server: Server) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    bob = await make_agent(server, "Bob", status="away")
    key = await server.deploy(transfer_flow(await make_group(server, [alice, bob])))
    await server.start(key)
    waiting = await server.start(key)
    assert (await waiting.state())["state"] == "queued"
    await bob.status("online")
    state = await waiting.state()
    assert (state["state"], state["agent_id"]) == ("agent", bob.id)


async def test_the_preferred_agent_is_tried_first(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    bob = await make_agent(server, "Bob")
    group = await make_group(server, [alice, bob])
    customer = await server.start(await server.deploy(transfer_flow(group, agent_id=bob.id)))
    assert (await customer.state())["agent_id"] == bob.id


async def test_transfer_to_another_agent_and_to_a_group(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    bob = await make_agent(server, "Bob")
    carol = await make_agent(server, "Carol")
    support = await make_group(server, [alice])
    billing = await make_group(server, [carol], name="Billing")
    customer = await server.start(await server.deploy(transfer_flow(support)))
    moved = await alice.post(customer.id, "transfer", agent_id=bob.id)
    assert moved.status_code == 200, moved.text
    assert (await customer.state())["agent_id"] == bob.id
    assert texts(await customer.history())[-2:] == [
        "Alice left the conversation",
        "Bob joined the conversation",
    ]
    no_longer = await alice.post(customer.id, "messages", text="still here?")
    assert no_longer.status_code == 403
    to_group = await bob.post(customer.id, "transfer", skill_group_id=billing)
    assert to_group.status_code == 200, to_group.text
    state = await customer.state()
    assert (state["agent_id"], state["skill_group_id"]) == (carol.id, billing)
    assert texts(await customer.history())[-2:] == [
        "Bob left the conversation",
        "Carol joined the conversation",
    ]


async def test_transfer_errors(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    bob = await make_agent(server, "Bob", status="offline")
    support = await make_group(server, [alice])
    empty = await make_group(server, [], name="Empty")
    customer = await server.start(await server.deploy(transfer_flow(support)))
    unknown = await alice.post(customer.id, "transfer", skill_group_id="sgp_nope")
    assert unknown.status_code == 422
    assert "sgp_nope" in unknown.json()["error"]["message"]
    no_members = await alice.post(customer.id, "transfer", skill_group_id=empty)
    assert no_members.status_code == 422
    assert "no members" in no_members.json()["error"]["message"]
    offline = await alice.post(customer.id, "transfer", agent_id=bob.id)
    assert offline.status_code == 409
    assert offline.json()["error"]["code"] == "agent_unavailable"
    both = await alice.post(customer.id, "transfer", agent_id=bob.id, skill_group_id=support)
    assert both.status_code == 422
    assert (await customer.state())["agent_id"] == alice.id  # nothing changed


async def test_only_the_serving_agent_writes(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    bob = await make_agent(server, "Bob")
    customer = await server.start(
        await server.deploy(transfer_flow(await make_group(server, [alice])))
    )
    for action, body in (("messages", {"text": "hi"}), ("close", {}), ("request-rating", {})):
        response = await bob.post(customer.id, action, **body)
        assert response.status_code == 403, (action, response.text)
    read = await server.client.get(
        f"/api/v1/conversations/{customer.id}/messages", headers=bob.headers
    )
    assert read.status_code == 403
    admin_writes = await server.client.post(
        f"/api/v1/conversations/{customer.id}/messages",
        json={"text": "Admin here"},
        headers=server.admin,
    )
    assert admin_writes.status_code == 200


async def test_customer_close_frees_the_agent(server: Server) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    served = await server.start(key)
    waiting = await server.start(key)
    closed = await server.client.post(
        f"/api/v1/conversations/{served.id}/close", headers=served.headers
    )
    assert closed.status_code == 200
    assert closed.json()["conversation"]["end_reason"] == "customer_closed"
    assert (await waiting.state())["agent_id"] == alice.id
    assert [c["id"] for c in await alice.mine()] == [waiting.id]


async def test_idle_customer_gets_a_reminder_then_the_conversation_ends(
    server: Server, clock: ManualClock
) -> None:
    alice = await make_agent(server, "Alice")
    settings = {
        "customer_idle_seconds": 300,
        "customer_reminder_seconds": 120,
        "customer_reminder_text": "Still there?",
        "customer_timeout_text": "Closing this chat for now.",
    }
    key = await server.deploy(transfer_flow(await make_group(server, [alice])), settings=settings)
    customer = await server.start(key)
    await alice.say(customer.id, "Anything else?")
    clock.advance(100)
    await customer.say("Thinking…")  # the customer answered: the clocks stop
    clock.advance(400)
    assert await server.fire_timers() == 0
    await alice.say(customer.id, "OK?")
    clock.advance(121)
    assert await server.fire_timers() == 1
    assert texts(await customer.history())[-1] == "Still there?"
    clock.advance(180)
    assert await server.fire_timers() == 1
    state = await customer.state()
    assert (state["state"], state["end_reason"]) == ("ended", "customer_timeout")
    assert texts(await customer.history())[-1] == "Closing this chat for now."
    assert await alice.mine() == []


async def test_agent_asks_for_a_rating(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    customer = await server.start(
        await server.deploy(transfer_flow(await make_group(server, [alice])))
    )
    asked = await alice.post(customer.id, "request-rating")
    assert asked.status_code == 202
    survey = (await customer.history())[-1]
    assert (survey["type"], survey["scale"]) == ("survey", "stars5")
    bad = await customer.send(rating=6)
    assert bad.status_code == 422
    replies = await customer.send(rating=5, comment="Quick and kind")
    assert texts(replies.json()["messages"]) == ["Thank you for your rating!"]
    state = await customer.state()
    assert (state["rating"], state["rating_comment"], state["rating_agent_id"]) == (
        5,
        "Quick and kind",
        alice.id,
    )
    assert state["state"] == "agent"  # asking for a rating does not end the chat


async def test_a_survey_rating_out_of_its_scale_is_refused(server: Server) -> None:
    alice = await make_agent(server, "Alice")
    flow = transfer_flow(await make_group(server, [alice]))
    flow["nodes"][2]["config"]["scale"] = "levels3"
    customer = await server.start(await server.deploy(flow))
    await alice.post(customer.id, "close")
    refused = await customer.send(rating=4)
    assert refused.status_code == 422
    assert "between 1 and 3" in refused.json()["error"]["message"]
    assert (await customer.history())[-1]["type"] == "survey"  # nothing stored
    assert texts((await customer.send(rating=3)).json()["messages"]) == ["Thanks!", "Goodbye."]


async def test_concurrent_transfers_never_exceed_an_agents_capacity(any_server: Server) -> None:
    server = any_server
    alice = await make_agent(server, "Alice", max_concurrent=2)
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    responses = await asyncio.gather(
        *(server.client.post(f"/api/v1/channels/{key}/conversations", json={}) for _ in range(6))
    )
    assert all(r.status_code == 201 for r in responses)
    states = sorted(r.json()["conversation"]["state"] for r in responses)
    assert states == ["agent", "agent", "queued", "queued", "queued", "queued"]
    assert len(await alice.mine()) == 2


async def test_an_admin_raising_capacity_moves_the_queue_at_once(server: Server) -> None:
    alice = await make_agent(server, "Alice", max_concurrent=1)
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    await server.start(key)
    waiting = await server.start(key)
    assert (await waiting.state())["state"] == "queued"
    patched = await server.client.patch(
        f"/api/v1/users/{alice.id}", json={"max_concurrent": 2}, headers=server.admin
    )
    assert patched.status_code == 200
    assert (await waiting.state())["agent_id"] == alice.id


async def test_the_agent_filter_finds_conversations_the_agent_served(
    server: Server, clock: ManualClock
) -> None:
    alice = await make_agent(server, "Alice")
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    served = await server.start(key)
    await alice.post(served.id, "close")
    clock.advance(3600)
    current = await server.start(key)
    listed = await server.client.get(
        "/api/v1/conversations", params={"agent_id": alice.id}, headers=server.admin
    )
    assert [c["id"] for c in listed.json()["conversations"]] == [current.id, served.id]
    recent = await server.client.get(
        "/api/v1/conversations",
        params={"agent_id": alice.id, "started_from": "2026-01-05T09:30:00Z"},
        headers=server.admin,
    )
    assert [c["id"] for c in recent.json()["conversations"]] == [current.id]
