"""The chat widget on a customer's site (another origin): menu, questions, reload, lost network,
an agent, the survey; and the unavailable state on a site the channel does not allow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from flowdesk.console import default_console_dir
from flowdesk.demo import demo_document
from tests.e2e.conftest import Flowdesk, _free_port, _missing
from tests.e2e.shop import serve_shop

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1200, "height": 800}
ALWAYS_OPEN = {
    "timezone": "UTC",
    "weekly": [
        {"day": day, "start": "00:00", "end": "24:00"}
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    ],
}
AGENT_PASSWORD = "widget-agent-password"


@dataclass(frozen=True)
class Shop:
    """A customer's website on its own origin, embedding the widget with the snippet."""

    url: str
    #: The same page under another host name: a different origin, not in the allowed list.
    other_origin_url: str


@dataclass
class Desk:
    """The admin API, and what the test set up through it."""

    client: httpx.Client
    channel_id: str
    key: str
    channel_name: str
    agent_headers: dict[str, str]

    def conversations(self, **filters: str) -> list[dict[str, Any]]:
        response = self.client.get(
            "/conversations", params={"channel_id": self.channel_id, **filters}
        )
        assert response.status_code == 200, response.text
        conversations: list[dict[str, Any]] = response.json()["conversations"]
        return conversations

    def history(self, conversation_id: str) -> list[dict[str, Any]]:
        response = self.client.get(f"/conversations/{conversation_id}/messages")
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def as_agent(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        response = self.client.request(method, path, json=body or None, headers=self.agent_headers)
        assert response.status_code in (200, 202), response.text
        data: dict[str, Any] = response.json()
        return data


def _check(response: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture(scope="module")
def shop_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def desk(flowdesk: Flowdesk, shop_port: int) -> Iterator[Desk]:
    """The demo's flow, a skill group with one agent, and a web channel for the shop's origin."""
    if not (default_console_dir() / "widget.js").is_file():
        _missing("web/dist/widget.js is not built; run `npm run build` in web/")
    with httpx.Client(base_url=f"{flowdesk.url}/api/v1", timeout=10.0) as client:
        login = _check(
            client.post(
                "/auth/login",
                json={"email": flowdesk.admin_email, "password": flowdesk.admin_password},
            ),
            200,
        )
        client.headers["authorization"] = f"Bearer {login['token']}"
        suffix = uuid.uuid4().hex[:6]
        email = f"alice-{suffix}@widget.example.com"
        agent = _check(
            client.post(
                "/users",
                json={
                    "email": email,
                    "password": AGENT_PASSWORD,
                    "display_name": "Alice",
                    "staff_no": "1001",
                    "role": "agent",
                },
            )
        )
        group = _check(
            client.post(
                "/skill-groups",
                json={"name": f"Support {suffix}", "members": [{"user_id": agent["id"]}]},
            )
        )
        schedule = _check(
            client.post("/schedules", json={"name": f"Always {suffix}", **ALWAYS_OPEN})
        )
        flow = _check(
            client.post(
                "/flows",
                json={
                    "name": f"Widget reception {suffix}",
                    "document": demo_document(schedule["id"], group["id"]),
                },
            )
        )
        _check(client.post(f"/flows/{flow['id']}/publish", json={"note": "widget"}))
        name = f"Northwind chat {suffix}"
        channel = _check(
            client.post(
                "/channels",
                json={
                    "name": name,
                    "type": "web",
                    "settings": {
                        "title": "Northwind help",
                        "color": "#0f766e",
                        "offline_text": "Our chat is closed on this site.",
                        "allowed_origins": [f"http://127.0.0.1:{shop_port}"],
                    },
                },
            )
        )
        _check(client.put(f"/channels/{channel['id']}/flow", json={"flow_id": flow["id"]}), 200)
        agent_login = _check(
            client.post("/auth/login", json={"email": email, "password": AGENT_PASSWORD}), 200
        )
        yield Desk(
            client,
            channel["id"],
            channel["key"],
            name,
            {"authorization": f"Bearer {agent_login['token']}"},
        )


@pytest.fixture(scope="module")
def shop(flowdesk: Flowdesk, desk: Desk, shop_port: int) -> Iterator[Shop]:
    with serve_shop(shop_port, flowdesk.url, desk.key) as url:
        yield Shop(url, f"http://localhost:{shop_port}/")


@pytest.fixture
def customer(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile: no stored conversation."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def transcript(page: Page) -> Locator:
    """Every bubble and notice in the widget's transcript (inside its shadow root)."""
    return page.locator("[data-flowdesk-widget] .log > *")


def rendered(page: Page) -> list[str]:
    """The transcript as text: each bubble's text, with the agent's name before it."""
    return [text.strip() for text in transcript(page).all_inner_texts()]


def test_a_customer_chats_with_the_bot_and_an_agent_from_another_site(
    customer: Page, shop: Shop, desk: Desk, artifacts: Path
) -> None:
    page = customer
    page.goto(shop.url)
    launcher = page.get_by_role("button", name="Open chat")
    expect(launcher).to_be_visible()
    # Nothing starts before the customer opens the chat.
    page.wait_for_load_state("networkidle")
    assert desk.conversations() == []
    page.screenshot(path=artifacts / "widget-closed.png")

    # 1. Opening starts the conversation: the welcome and the menu as buttons.
    launcher.click()
    panel = page.get_by_role("dialog", name="Northwind help")
    expect(panel).to_be_visible()
    expect(panel.get_by_text(f"Hi! You are talking to {desk.channel_name}.")).to_be_visible()
    expect(panel.get_by_text("How can we help you today?", exact=False)).to_be_visible()
    expect(panel.get_by_role("button", name="Talk to a person")).to_be_enabled()
    page.screenshot(path=artifacts / "widget-menu.png")

    # 2. A menu button, then a typed answer to the question it leads to.
    panel.get_by_role("button", name="Sales").click()
    expect(panel.get_by_text("What is your e-mail address?")).to_be_visible()
    expect(panel.get_by_role("button", name="Sales")).to_be_disabled()
    [first] = desk.conversations()

    # 3. A reload keeps the conversation and its history (and the panel open).
    page.reload()
    expect(panel.get_by_text("What is your e-mail address?")).to_be_visible()
    expect(panel.get_by_role("button", name="Sales")).to_be_disabled()
    assert len(rendered(page)) == len(desk.history(first["id"])) == 4

    message = panel.get_by_label("Message")
    message.fill("ada@example.com")
    message.press("Enter")
    expect(panel.get_by_text("As a priority customer, our sales team", exact=False)).to_be_visible()
    expect(panel.get_by_text("Goodbye, and thanks for writing to us.")).to_be_visible()
    expect(panel.get_by_role("status")).to_contain_text("This conversation has ended")

    # 4. Writing again after the end starts a new conversation for the same customer.
    message.fill("Hello again")
    message.press("Enter")
    expect(panel.get_by_text("Sorry, I did not get that.", exact=False)).to_be_visible()
    conversations = desk.conversations()
    assert len(conversations) == 2
    second = next(c for c in conversations if c["id"] != first["id"])
    assert second["customer_id"] == first["customer_id"]
    assert second["state"] == "bot"

    # 5. A person: the agent comes online and is assigned at once (auto reception).
    desk.as_agent("PUT", "/agent/status", status="online")
    panel.get_by_role("button", name="Talk to a person").click()
    expect(panel.get_by_text("You are now talking to Alice (agent 1001).")).to_be_visible()
    expect(panel.get_by_role("status")).to_have_text("You are chatting with Alice.")
    hello = "Hi, I am Alice. How can I help?"
    desk.as_agent("POST", f"/conversations/{second['id']}/messages", text=hello)
    expect(panel.get_by_text(hello)).to_be_visible()
    message.fill("Where is my order 1234?")
    message.press("Enter")
    expect(panel.get_by_text("Where is my order 1234?")).to_be_visible()
    page.screenshot(path=artifacts / "widget-agent.png")

    # 6. The network drops: the agent writes meanwhile and the customer types; back online,
    # everything arrives, each message once.
    page.context.set_offline(True)
    expect(panel.get_by_role("status")).to_have_text("Reconnecting…")
    desk.as_agent("POST", f"/conversations/{second['id']}/messages", text="It ships tomorrow.")
    message.fill("Thanks, still here")
    message.press("Enter")
    page.wait_for_timeout(300)
    page.context.set_offline(False)
    expect(panel.get_by_text("It ships tomorrow.")).to_be_visible()
    expect(panel.get_by_role("status")).to_have_text("You are chatting with Alice.")
    # The customer's message went out again with the same client_msg_id, and came back stored.
    expect(page.locator("[data-flowdesk-widget] .pending")).to_have_count(0)
    history = desk.history(second["id"])
    expect(transcript(page)).to_have_count(len(history))
    for text in ("It ships tomorrow.", "Thanks, still here", "Where is my order 1234?"):
        expect(panel.get_by_text(text, exact=True)).to_have_count(1)
        assert [m["text"] for m in history].count(text) == 1

    # 7. The agent closes: the survey; a star; thanks.
    desk.as_agent("POST", f"/conversations/{second['id']}/close")
    expect(panel.get_by_text("How would you rate your chat with us?")).to_be_visible()
    star = panel.get_by_role("button", name="Rate 4 of 5")
    expect(star).to_be_enabled()
    star.hover()
    page.screenshot(path=artifacts / "widget-survey.png")
    star.click()
    expect(panel.get_by_text("Thank you for your feedback!")).to_be_visible()
    expect(panel.get_by_text("★★★★☆")).to_be_visible()
    expect(star).to_be_disabled()
    rated = desk.client.get(f"/conversations/{second['id']}").json()
    assert (rated["rating"], rated["state"]) == (4, "ended")


def test_a_site_the_channel_does_not_allow_gets_the_unavailable_state(
    customer: Page, shop: Shop, desk: Desk, artifacts: Path
) -> None:
    before = len(desk.conversations())
    customer.goto(shop.other_origin_url)
    customer.get_by_role("button", name="Open chat").click()
    panel = customer.get_by_role("dialog", name="Northwind help")
    expect(panel.get_by_text("Our chat is closed on this site.")).to_be_visible()
    expect(panel.get_by_label("Message")).to_be_disabled()
    customer.screenshot(path=artifacts / "widget-unavailable.png")
    assert len(desk.conversations()) == before


def test_the_demo_page_runs_the_widget_under_the_console_csp(
    browser: Browser, flowdesk: Flowdesk, desk: Desk, artifacts: Path
) -> None:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(f"{flowdesk.url}/demo/{desk.key}")
        expect(page.get_by_role("heading", name="Tea things, made to last.")).to_be_visible()
        page.get_by_role("button", name="Open chat").click()
        panel = page.get_by_role("dialog", name="Northwind help")
        expect(panel.get_by_role("button", name="Order status")).to_be_enabled()
        # Styles applied despite `style-src` (constructed stylesheets), no CSP complaints.
        launcher = page.get_by_role("button", name="Close chat")
        assert launcher.evaluate("b => getComputedStyle(b).borderRadius") == "50%"
        page.screenshot(path=artifacts / "widget-demo-page.png")
        assert problems == []
    finally:
        context.close()
