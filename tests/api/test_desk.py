"""The human desk end to end through the API: routing, offers, queue, serving, closing."""

from __future__ import annotations

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


async def test_auto_reception_serve_close_survey_rating(server: Server) -> None:
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
