"""The whole journey, two people in two browsers: a customer on a shop's site (another origin)
chats through the widget, is transferred, and an agent in the workspace hears the offer,
accepts, replies and closes; the customer rates with a star. A reload and a dropped network
on the way lose and double nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from flowdesk.console import default_console_dir
from flowdesk.demo import demo_document
from tests.e2e.conftest import Flowdesk, _free_port, _missing
from tests.e2e.shop import serve_shop

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 800}
AGENT_PASSWORD = "journey-agent-password"
ALWAYS_OPEN = {
    "timezone": "UTC",
    "weekly": [
        {"day": day, "start": "00:00", "end": "24:00"}
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    ],
}
#: Records what the workspace does to get the agent's attention: desktop notifications
#: (granted here) and the tones it plays.
ALERT_SPY = """
window.__alerts = { notifications: [], tones: 0 };
class SpyNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) {
    window.__alerts.notifications.push({ title, body: options && options.body });
  }
  close() {}
}
window.Notification = SpyNotification;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__alerts.tones += 1;
  return createOscillator.call(this);
};
"""


@dataclass
class Setup:
    api: httpx.Client
    key: str
    channel_id: str
    agent_email: str
    agent_name: str

    def conversations(self) -> list[dict[str, Any]]:
        response = self.api.get("/conversations", params={"channel_id": self.channel_id})
        assert response.status_code == 200, response.text
        conversations: list[dict[str, Any]] = response.json()["conversations"]
        return conversations

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        response = self.api.get(f"/conversations/{conversation_id}/messages")
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages


def _ok(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture(scope="module")
def shop_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def setup(flowdesk: Flowdesk, shop_port: int) -> Iterator[Setup]:
    """The demo flow with a manual-reception group (offers must be accepted), on a web channel
    that allows only the shop's origin."""
    if not (default_console_dir() / "widget.js").is_file():
        _missing("web/dist/widget.js is not built; run `npm run build` in web/")
    suffix = uuid.uuid4().hex[:6]
    with httpx.Client(base_url=f"{flowdesk.url}/api/v1", timeout=10.0) as api:
        login = _ok(
            api.post(
                "/auth/login",
                json={"email": flowdesk.admin_email, "password": flowdesk.admin_password},
            ),
            200,
        )
        api.headers["authorization"] = f"Bearer {login['token']}"
        email = f"maya-{suffix}@journey.example.com"
        agent = _ok(
            api.post(
                "/users",
                json={
                    "email": email,
                    "password": AGENT_PASSWORD,
                    "display_name": "Maya",
                    "staff_no": "207",
                    "role": "agent",
                },
            )
        )
        group = _ok(
            api.post(
                "/skill-groups",
                json={
                    "name": f"Shop support {suffix}",
                    "members": [{"user_id": agent["id"]}],
                    "reception": "manual",
                    "offer_timeout_seconds": 120,
                },
            )
        )
        schedule = _ok(api.post("/schedules", json={"name": f"Always {suffix}", **ALWAYS_OPEN}))
        flow = _ok(
            api.post(
                "/flows",
                json={
                    "name": f"Journey {suffix}",
                    "document": demo_document(schedule["id"], group["id"]),
                },
            )
        )
        _ok(api.post(f"/flows/{flow['id']}/publish", json={"note": "journey"}))
        channel = _ok(
            api.post(
                "/channels",
                json={
                    "name": "Northwind",
                    "type": "web",
                    "settings": {
                        "title": "Northwind help",
                        "color": "#0f766e",
                        "allowed_origins": [f"http://127.0.0.1:{shop_port}"],
                    },
                },
            )
        )
        _ok(api.put(f"/channels/{channel['id']}/flow", json={"flow_id": flow["id"]}), 200)
        yield Setup(api, channel["key"], channel["id"], email, "Maya")


@pytest.fixture
def shop(flowdesk: Flowdesk, setup: Setup, shop_port: int) -> Iterator[str]:
    with serve_shop(shop_port, flowdesk.url, setup.key) as url:
        yield url


@pytest.fixture
def contexts(
    browser: Browser, flowdesk: Flowdesk
) -> Iterator[tuple[BrowserContext, BrowserContext]]:
    """(the customer's browser, the agent's browser): separate profiles, nothing shared."""
    customer = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    agent = browser.new_context(viewport=VIEWPORT, base_url=flowdesk.url)  # type: ignore[arg-type]
    agent.add_init_script(ALERT_SPY)
    for context in (customer, agent):
        context.set_default_timeout(10_000)
    yield customer, agent
    customer.close()
    agent.close()


def widget_log(page: Page) -> Locator:
    return page.locator("[data-flowdesk-widget] .log > *")


def test_a_customer_on_a_shop_site_is_served_by_an_agent_in_the_workspace(
    contexts: tuple[BrowserContext, BrowserContext], shop: str, setup: Setup, artifacts: Path
) -> None:
    customer_context, agent_context = contexts
    agent = agent_context.new_page()
    customer = customer_context.new_page()

    # The agent signs in and goes online (the gesture that also unlocks the offer tone).
    agent.goto("/login")
    agent.get_by_label("Email").fill(setup.agent_email)
    agent.get_by_label("Password").fill(AGENT_PASSWORD)
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_role("heading", name="Workspace")).to_be_visible()
    agent.get_by_role("radio", name="Online").check()
    expect(agent.get_by_role("radio", name="Online")).to_be_checked()

    # The customer opens the chat on the shop's site and walks the menu by clicking.
    customer.goto(shop)
    customer.get_by_role("button", name="Open chat").click()
    panel = customer.get_by_role("dialog", name="Northwind help")
    expect(panel.get_by_text("How can we help you today?", exact=False)).to_be_visible()
    panel.get_by_role("button", name="Talk to a person").click()
    expect(panel.get_by_text("Connecting you to one of our team…")).to_be_visible()
    [conversation] = setup.conversations()
    assert conversation["state"] == "offered"

    # The agent hears the offer (tone and notification), sees its countdown, and accepts.
    offer = agent.get_by_role("article", name=re.compile("^Offer from"))
    expect(offer).to_be_visible()
    expect(offer.get_by_role("timer")).to_have_text(re.compile(r"\d"))
    alerts = agent.evaluate("window.__alerts")
    assert alerts["tones"] >= 1, alerts
    assert len(alerts["notifications"]) == 1, alerts
    agent.screenshot(path=artifacts / "journey-workspace-offer.png")
    offer.get_by_role("button", name="Accept").click()
    chat = agent.get_by_role("log", name=re.compile("^Conversation with"))
    expect(chat.get_by_text("How can we help you today?", exact=False)).to_be_visible()
    expect(panel.get_by_text("You are now talking to Maya (agent 207).")).to_be_visible()

    # The agent replies; the customer sees it live, and answers; the agent sees that live.
    reply = agent.get_by_role("textbox", name="Reply")
    reply.fill("Hi, I am Maya. What can I do for you?")
    reply.press("Enter")
    expect(panel.get_by_text("Hi, I am Maya. What can I do for you?")).to_be_visible()
    message = panel.get_by_label("Message")
    message.fill("My tent pole arrived bent.")
    message.press("Enter")
    expect(chat.get_by_text("My tent pole arrived bent.")).to_be_visible()

    # A reload in the middle keeps the whole history.
    customer.reload()
    expect(panel.get_by_text("Hi, I am Maya. What can I do for you?")).to_be_visible()
    expect(widget_log(customer)).to_have_count(len(setup.history(conversation["id"])))

    # The customer's network drops; both write meanwhile; back online, each message once.
    customer_context.set_offline(True)
    reply.fill("I will send a new one today.")
    reply.press("Enter")
    message.fill("Thank you!")
    message.press("Enter")
    customer.wait_for_timeout(300)
    customer_context.set_offline(False)
    expect(panel.get_by_text("I will send a new one today.")).to_be_visible()
    expect(chat.get_by_text("Thank you!", exact=True)).to_be_visible()
    expect(customer.locator("[data-flowdesk-widget] .pending")).to_have_count(0)
    history = setup.history(conversation["id"])
    expect(widget_log(customer)).to_have_count(len(history))
    for text in ("I will send a new one today.", "Thank you!", "My tent pole arrived bent."):
        expect(panel.get_by_text(text, exact=True)).to_have_count(1)
        expect(chat.get_by_text(text, exact=True)).to_have_count(1)
        assert [m["text"] for m in history].count(text) == 1
    customer.screenshot(path=artifacts / "journey-widget-live.png")
    agent.screenshot(path=artifacts / "journey-workspace-chat.png")

    # The agent closes; the flow resumes with the survey; the customer clicks a star.
    agent.get_by_role("button", name="Close", exact=True).click()
    agent.get_by_role("dialog", name=re.compile("^Close the conversation")).get_by_role(
        "button", name="Close conversation"
    ).click()
    expect(chat).to_have_count(0)
    expect(panel.get_by_text("How would you rate your chat with us?")).to_be_visible()
    panel.get_by_role("button", name="Rate 5 of 5").click()
    expect(panel.get_by_text("Thank you for your feedback!")).to_be_visible()
    customer.screenshot(path=artifacts / "journey-widget-thanks.png")
    rated = setup.api.get(f"/conversations/{conversation['id']}").json()
    assert (rated["state"], rated["rating"]) == ("ended", 5)
    assert rated["rating_agent_id"] is not None
