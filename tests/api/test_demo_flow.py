"""A customer walks the demo flow through the customer API (SPEC §3, §5)."""

from __future__ import annotations

import pytest

from flowdesk.clock import ManualClock
from flowdesk.demo import seed_demo
from tests.support import Customer, Server, texts


@pytest.fixture
async def demo_key(server: Server) -> str:
    info = await seed_demo(server.rt)
    return info.api_key


async def _at_menu(server: Server, key: str) -> Customer:
    customer = await server.start(key)
    assert [m["type"] for m in customer.first_messages] == ["text", "menu"]
    assert customer.first_messages[0]["text"] == "Hi! You are talking to Demo API."
    assert [o["id"] for o in customer.first_messages[1]["options"]] == [
        "sales",
        "support",
        "order",
        "person",
    ]
    return customer


async def test_menu_by_button_then_email_and_priority_condition(
    server: Server, demo_key: str
) -> None:
    customer = await _at_menu(server, demo_key)
    response = await customer.send(choice="sales")
    assert response.status_code == 200
    assert texts(response.json()["messages"]) == ["What is your e-mail address?"]
    replies = await customer.say("  Bob@Example.com ")
    assert texts(replies) == [
        "Thanks! As a priority customer, our sales team will write to Bob@Example.com"
        " within the hour.",
        "Goodbye, and thanks for writing to us.",
    ]
    state = await customer.state()
    assert state["state"] == "ended"
    assert state["end_reason"] == "flow_end"
    assert state["variables"]["email"] == "Bob@Example.com"
    assert state["path"][-3:] == ["priority", "vip_reply", "bye"]
    history = await customer.history()
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    assert history[2] == {**history[2], "sender": "customer", "text": "Sales", "choice": "sales"}


@pytest.mark.parametrize(
    ("answer", "topic"),
    [
        ("2", "support"),
        ("technical   SUPPORT", "support"),
        ("where is my order?", "orders"),
        ("order", "orders"),
        ("1", "sales"),
    ],
)
async def test_menu_by_number_label_and_keyword(
    server: Server, demo_key: str, answer: str, topic: str
) -> None:
    customer = await _at_menu(server, demo_key)
    assert texts(await customer.say(answer)) == ["What is your e-mail address?"]
    replies = await customer.say("carol@shop.co.uk")
    assert replies[0]["text"] == (
        f"Thanks! Our {topic} team will write to carol@shop.co.uk within one business day."
    )


async def test_menu_retries_then_invalid(server: Server, demo_key: str) -> None:
    customer = await _at_menu(server, demo_key)
    retry = "Sorry, I did not get that. Please choose 1, 2, 3 or 4."
    assert texts(await customer.say("hmm")) == [retry]
    assert texts(await customer.say("what?")) == [retry]
    assert texts(await customer.say("nope")) == [
        "Sorry we could not help this time. Write again whenever you like."
    ]
    assert (await customer.state())["state"] == "ended"


async def test_email_retry_then_valid(server: Server, demo_key: str) -> None:
    customer = await _at_menu(server, demo_key)
    await customer.say("3")
    assert texts(await customer.say("not-an-email")) == [
        "That does not look like an e-mail address. Please try again."
    ]
    replies = await customer.say("dan@shop.co.uk")
    assert "dan@shop.co.uk" in replies[0]["text"]


async def test_menu_timeout_branch(server: Server, demo_key: str, clock: ManualClock) -> None:
    customer = await _at_menu(server, demo_key)
    clock.advance(599)
    assert await server.fire_timers() == 0
    clock.advance(2)
    assert await server.fire_timers() == 1
    history = await customer.history(after_seq=2)
    assert texts(history) == ["Sorry we could not help this time. Write again whenever you like."]
    assert (await customer.state())["end_reason"] == "flow_end"
    clock.advance(86400 * 2)
    assert await server.fire_timers() == 0  # the idle timer went with the end


async def test_after_hours_branch(server: Server, demo_key: str, clock: ManualClock) -> None:
    clock.advance(12 * 3600)  # Monday 21:00 in London
    customer = await server.start(demo_key)
    assert texts(customer.first_messages)[1].startswith("Our team is offline now")
    assert customer.first_messages[2]["type"] == "menu"


async def test_new_conversation_after_the_end(server: Server, demo_key: str) -> None:
    customer = await _at_menu(server, demo_key)
    await customer.say("1")
    await customer.say("eve@shop.co.uk")
    ended = await customer.send(text="hello again")
    assert ended.status_code == 409
    assert ended.json()["error"]["code"] == "conversation_ended"
    response = await server.client.post(
        f"/api/v1/channels/{demo_key}/conversations", json={}, headers=customer.headers
    )
    assert response.status_code == 201
    again = response.json()
    assert again["conversation"]["id"] != customer.id
    assert again["conversation"]["customer_id"] == customer.conversation["customer_id"]


async def test_talk_to_a_person_reaches_the_demo_agent_then_the_survey(
    server: Server, demo_key: str
) -> None:
    from flowdesk.demo import AGENT_EMAIL, AGENT_PASSWORD

    agent = await server.login(AGENT_EMAIL, AGENT_PASSWORD)
    await server.client.put("/api/v1/agent/status", json={"status": "online"}, headers=agent)
    customer = await _at_menu(server, demo_key)
    assert texts(await customer.say("I want a human")) == [
        "Connecting you to one of our team…",
        "You are now talking to Alice (agent 1001).",
        "Alice joined the conversation",
    ]
    await server.client.post(f"/api/v1/conversations/{customer.id}/close", headers=agent)
    assert (await customer.history())[-1]["type"] == "survey"
    assert texts((await customer.send(rating=5)).json()["messages"]) == [
        "Thank you for your feedback!",
        "Goodbye, and thanks for writing to us.",
    ]


async def test_talk_to_a_person_with_nobody_online(server: Server, demo_key: str) -> None:
    customer = await _at_menu(server, demo_key)
    assert texts(await customer.say("4"))[-2:] == [
        "Sorry, nobody from our team is available right now.",
        "Sorry we could not help this time. Write again whenever you like.",
    ]
