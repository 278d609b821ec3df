"""The agent workspace against a real server: an agent signs in, goes online, is offered a
customer (driven through the customer API), accepts, reads the bot part and the variables,
answers, survives a dropped connection without losing or repeating a message, asks for a
rating, closes, and transfers the next customer to another group."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from tests.e2e.conftest import Flowdesk

pytestmark = pytest.mark.e2e

VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
AGENT_PASSWORD = "agent-password-1"

#: Stands in for the browser's Notification and counts the sound, so the test sees both
#: without a permission prompt or a speaker (installed before the page's own scripts run).
ALERT_PROBE = """
window.__probe = { asked: 0, notifications: [], tones: 0 };
class ProbeNotification {
  static permission = "default";
  static async requestPermission() {
    window.__probe.asked += 1;
    ProbeNotification.permission = "granted";
    return "granted";
  }
  constructor(title, options) { window.__probe.notifications.push({ title, ...options }); }
  close() {}
}
window.Notification = ProbeNotification;
const createOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__probe.tones += 1;
  return createOscillator.call(this);
};
"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


@dataclass
class Customer:
    """One customer's conversation through the customer HTTP API."""

    client: httpx.Client
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    def send(self, **body: Any) -> list[dict[str, Any]]:
        response = self.client.post(
            f"/api/v1/conversations/{self.id}/messages", json=body, headers=self.headers
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def history(self) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/v1/conversations/{self.id}/messages", headers=self.headers
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages


@dataclass
class Desk:
    """What the admin set up through the API for this test."""

    client: httpx.Client
    admin: dict[str, str]
    key: str
    tag: str
    channel_name: str
    alice_email: str
    bob_id: str
    bob: dict[str, str]
    billing: str

    def start(self, name: str, **variables: Any) -> Customer:
        response = self.client.post(
            f"/api/v1/channels/{self.key}/conversations",
            json={"name": name, "variables": variables},
        )
        assert response.status_code == 201, response.text
        data = response.json()
        return Customer(self.client, data["conversation"]["id"], data["customer_token"])

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/conversations/{conversation_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


def flow_document(group_id: str) -> dict[str, Any]:
    """Welcome → menu → (a person) order number → transfer → (done) survey → end."""

    def node(node_id: str, type_: str, x: int, **config: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": type_,
            "name": node_id.replace("_", " ").title(),
            "config": config,
            "position": {"x": x, "y": 0},
        }

    nodes = [
        node("start", "start", 0),
        node("welcome", "message", 200, text="Hi! Welcome to ${ClientAppName}."),
        node(
            "menu",
            "menu",
            400,
            text="How can we help?",
            options=[
                {"id": "hours", "label": "Opening hours"},
                {"id": "person", "label": "Talk to a person", "keywords": ["human"]},
            ],
        ),
        node("hours_text", "message", 600, text="We are open 9 to 5."),
        node(
            "ask_order",
            "collect",
            600,
            text="What is your order number?",
            variable="order_number",
            input_type="text",
        ),
        node(
            "transfer",
            "transfer",
            800,
            skill_group_id=group_id,
            connecting_text="Connecting you to a person…",
            queue_text="You are number ${WaitNo} in the queue.",
            success_text="You are talking to ${StaffNickName}.",
            failure_text="Sorry, nobody is available.",
        ),
        node(
            "survey", "survey", 1000, text="How did we do?", scale="stars5", thanks_text="Thanks!"
        ),
        node("bye", "end", 1200, text="Goodbye."),
    ]
    edges = [
        ("start", "next", "welcome"),
        ("welcome", "next", "menu"),
        ("menu", "hours", "hours_text"),
        ("menu", "person", "ask_order"),
        ("menu", "invalid", "bye"),
        ("menu", "timeout", "bye"),
        ("hours_text", "next", "bye"),
        ("ask_order", "next", "transfer"),
        ("ask_order", "invalid", "bye"),
        ("ask_order", "timeout", "bye"),
        ("transfer", "done", "survey"),
        ("transfer", "no_agent", "bye"),
        ("transfer", "timeout", "bye"),
        ("survey", "rated", "bye"),
        ("survey", "skipped", "bye"),
    ]
    return {
        "schema_version": 1,
        "nodes": nodes,
        "edges": [{"source": s, "port": p, "target": t} for s, p, t in edges],
    }


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def desk(flowdesk: Flowdesk) -> Iterator[Desk]:
    """Alice (one chat at a time) in a manual-reception group; Bob alone in an auto group;
    a published flow that transfers to Alice's group, bound to a new `api` channel."""
    with httpx.Client(base_url=flowdesk.url, timeout=10.0) as client:
        signed_in = _created(
            client.post(
                "/api/v1/auth/login",
                json={"email": flowdesk.admin_email, "password": flowdesk.admin_password},
            )
        )
        client.cookies.clear()  # every call says who it is explicitly
        admin = {"authorization": f"Bearer {signed_in['token']}"}
        tag = uuid.uuid4().hex[:6]

        def agent(name: str, max_concurrent: int) -> tuple[str, str]:
            email = f"{name.split()[0].lower()}-{tag}@desk.example.com"
            user = _created(
                client.post(
                    "/api/v1/users",
                    json={
                        "email": email,
                        "password": AGENT_PASSWORD,
                        "display_name": name,
                        "staff_no": f"S-{name[:1]}{tag[:3]}",
                        "role": "agent",
                        "max_concurrent": max_concurrent,
                    },
                    headers=admin,
                )
            )
            return user["id"], email

        alice_id, alice_email = agent(f"Alice {tag}", 1)
        bob_id, bob_email = agent(f"Bob {tag}", 5)
        support = _created(
            client.post(
                "/api/v1/skill-groups",
                json={
                    "name": f"Support {tag}",
                    "reception": "manual",
                    "offer_timeout_seconds": 120,
                    "members": [{"user_id": alice_id}],
                },
                headers=admin,
            )
        )["id"]
        billing = _created(
            client.post(
                "/api/v1/skill-groups",
                json={"name": f"Billing {tag}", "members": [{"user_id": bob_id}]},
                headers=admin,
            )
        )["id"]
        flow = _created(
            client.post(
                "/api/v1/flows",
                json={"name": f"Workspace {tag}", "document": flow_document(support)},
                headers=admin,
            )
        )
        _created(client.post(f"/api/v1/flows/{flow['id']}/publish", json={}, headers=admin))
        channel_name = f"Shop app {tag}"
        channel = _created(
            client.post(
                "/api/v1/channels", json={"name": channel_name, "type": "api"}, headers=admin
            )
        )
        _created(
            client.put(
                f"/api/v1/channels/{channel['id']}/flow",
                json={"flow_id": flow["id"]},
                headers=admin,
            )
        )
        bob_token = _created(
            client.post("/api/v1/auth/login", json={"email": bob_email, "password": AGENT_PASSWORD})
        )["token"]
        client.cookies.clear()
        yield Desk(
            client=client,
            admin=admin,
            key=channel["key"],
            tag=tag,
            channel_name=channel_name,
            alice_email=alice_email,
            bob_id=bob_id,
            bob={"authorization": f"Bearer {bob_token}"},
            billing=billing,
        )


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


def chat_message(chat: Locator, text: str) -> Locator:
    """A message in the open conversation's history, by its exact text."""
    return chat.locator(".msg-text").get_by_text(text, exact=True)


def test_an_agent_serves_customers_in_the_workspace(
    browser: Browser, flowdesk: Flowdesk, desk: Desk, artifacts: Path
) -> None:
    context = browser.new_context(base_url=flowdesk.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    context.add_init_script(ALERT_PROBE)
    page = context.new_page()
    try:
        _serve(page, context, desk, artifacts)
    finally:
        context.close()


def _serve(page: Page, context: BrowserContext, desk: Desk, artifacts: Path) -> None:
    # 1. Alice signs in through the login page and lands on the workspace, the only page an
    #    agent has; admin pages are not offered (and a typed URL leads back).
    page.goto("/login")
    page.get_by_label("Email").fill(desk.alice_email)
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workspace")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/workspace$"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Workspace"])
    page.goto("/flows")
    expect(page).to_have_url(re.compile(r"/workspace$"))
    connection = page.get_by_role("status").filter(
        has_text=re.compile("Live|Connecting|Reconnecting")
    )
    expect(connection).to_have_text("Live")
    queue = page.get_by_role("region", name="Queue")
    expect(queue.get_by_text("0 waiting")).to_be_visible()

    # 2. She goes online: the click asks once for notification permission.
    page.get_by_role("radio", name="Online").check()
    expect(page.get_by_role("radio", name="Online")).to_be_checked()
    page.wait_for_function("window.__probe.asked === 1")

    # 3. A customer starts, asks for a person and gives an order number: Alice is offered it.
    first = desk.start("Grace Hopper", plan="gold")
    assert texts(first.send(choice="person")) == ["What is your order number?"]
    assert texts(first.send(text="A-1234")) == ["Connecting you to a person…"]
    offer = page.get_by_role("article", name="Offer from Grace Hopper")
    expect(offer).to_be_visible()
    timer = offer.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^Expires in \d+ s$"))
    before = int(re.findall(r"\d+", timer.inner_text())[0])
    expect(timer).not_to_have_text(f"Expires in {before} s", timeout=3000)  # it counts down
    expect(offer.get_by_text("A-1234")).to_be_visible()  # what the customer last said
    expect(offer.get_by_text(desk.channel_name, exact=False)).to_be_visible()
    page.wait_for_function("window.__probe.notifications.length === 1")
    notification = page.evaluate("window.__probe.notifications[0]")
    assert notification["title"] == "New conversation offered"
    assert "Grace Hopper" in notification["body"]
    assert page.evaluate("window.__probe.tones") >= 1  # the beep
    page.screenshot(path=artifacts / "workspace-offer.png")

    # 4. Accept: the chat opens with the whole history, the bot part marked as such.
    offer.get_by_role("button", name="Accept").click()
    expect(offer).to_be_hidden()
    chat = page.get_by_role("log", name="Conversation with Grace Hopper")
    expect(chat_message(chat, f"Alice {desk.tag} joined the conversation")).to_be_visible()
    welcome = chat.locator(".msg").filter(has_text=f"Hi! Welcome to {desk.channel_name}.")
    expect(welcome.locator(".sender")).to_have_text("Bot")
    menu = chat.locator(".msg").filter(has_text="How can we help?")
    expect(menu.get_by_role("list", name="Menu options").get_by_role("listitem")).to_have_count(2)
    expect(menu.get_by_text("Talk to a person")).to_be_visible()
    answer = chat.locator(".msg").filter(has=page.get_by_text("A-1234", exact=True))
    expect(answer.locator(".sender")).to_have_text("Customer")

    # The customer panel: channel by name, who, and what the flow collected.
    customer_panel = page.get_by_role("complementary", name="Customer")
    expect(customer_panel.get_by_text(desk.channel_name, exact=True)).to_be_visible()
    expect(customer_panel.get_by_text(first.id, exact=True)).to_be_visible()
    variables = customer_panel.get_by_role("table")
    expect(variables.get_by_role("row").filter(has_text="order_number")).to_contain_text("A-1234")
    expect(variables.get_by_role("row").filter(has_text="plan")).to_contain_text("gold")

    # 5. Alice answers with the composer (Enter sends; Shift+Enter is a new line).
    reply = page.get_by_role("textbox", name="Reply")
    reply.fill("Hello Grace, let me check order A-1234.")
    reply.press("Shift+Enter")
    reply.press_sequentially("One moment please.")
    reply.press("Enter")
    expect(reply).to_have_value("")
    sent = "Hello Grace, let me check order A-1234.\nOne moment please."
    expect(chat.locator(".msg.from-agent .msg-text")).to_have_text([sent])
    assert texts(first.history())[-1] == sent
    assert first.history()[-1]["sender"] == "agent"

    # 6. The customer writes: it appears live, once.
    first.send(text="Thanks! It was due yesterday.")
    expect(chat_message(chat, "Thanks! It was due yesterday.")).to_have_count(1)

    # 7. A second customer arrives while Alice is full: the queue shows them, read-only.
    second = desk.start("Linus")
    second.send(choice="person")
    assert texts(second.send(text="B-77")) == [
        "Connecting you to a person…",
        "You are number 0 in the queue.",
    ]
    expect(queue.get_by_text("1 waiting")).to_be_visible()
    expect(queue.get_by_role("listitem").filter(has_text="Linus")).to_be_visible()
    third = desk.start("Ada")
    third.send(choice="person")
    third.send(text="C-3")
    waiting = queue.get_by_role("list", name=re.compile("^Queue of"))
    expect(waiting.get_by_role("listitem")).to_have_count(2)
    expect(waiting.get_by_role("listitem").first).to_contain_text("Linus")  # first come, first
    expect(waiting.get_by_role("listitem").last).to_contain_text("Ada")
    page.screenshot(path=artifacts / "workspace-chat.png")
    page.screenshot(
        path=artifacts / "workspace-queue.png", clip={"x": 0, "y": 0, "width": 720, "height": 420}
    )

    # 8. The connection drops; the customer writes meanwhile; back online, every message is
    #    there exactly once (the stream resumes after the last event id it saw).
    context.set_offline(True)
    expect(connection).to_have_text("Reconnecting…")
    missed = ["Are you still there?", "Hello??", "Order A-1234, remember?"]
    for text in missed:
        first.send(text=text)
    page.screenshot(path=artifacts / "workspace-reconnecting.png")
    context.set_offline(False)
    expect(connection).to_have_text("Live")
    for text in missed:
        expect(chat_message(chat, text)).to_have_count(1)
    first.send(text="Ah, there you are.")
    expect(chat_message(chat, "Ah, there you are.")).to_have_count(1)
    shown = chat.locator(".msg-text").all_inner_texts()
    assert len(shown) == len(set(shown)), shown  # no message twice
    history = first.history()
    assert chat.locator(".transcript > li").count() == len(history)

    # 9. Ask for a rating: the customer gets the survey and answers it.
    page.get_by_role("button", name="Ask for rating").click()
    expect(page.get_by_role("button", name="Rating asked")).to_be_disabled()
    expect(
        chat.locator(".msg").filter(has_text="How would you rate this conversation?")
    ).to_be_visible()
    assert first.history()[-1]["type"] == "survey"
    assert texts(first.send(rating=5)) == ["Thank you for your rating!"]
    expect(chat_message(chat, "Thank you for your rating!")).to_be_visible()

    # 10. Close, after confirming: the flow resumes (its survey), and the queued customer is
    #     offered to Alice at once.
    page.get_by_role("button", name="Close", exact=True).click()
    confirm = page.get_by_role("dialog", name="Close the conversation with Grace Hopper?")
    confirm.get_by_role("button", name="Close conversation").click()
    expect(confirm).to_be_hidden()
    expect(page.get_by_text("You closed the conversation with Grace Hopper.")).to_be_visible()
    assert texts(first.history())[-1] == "How did we do?"
    assert desk.conversation(first.id)["agent_id"] is None

    next_offer = page.get_by_role("article", name="Offer from Linus")
    expect(next_offer).to_be_visible()
    expect(queue.get_by_text("1 waiting")).to_be_visible()  # Ada moved up
    next_offer.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("log", name="Conversation with Linus")).to_be_visible()

    # 11. Transfer Linus to Bob's group (Bob comes online first): he leaves Alice's desk.
    online = desk.client.put("/api/v1/agent/status", json={"status": "online"}, headers=desk.bob)
    assert online.status_code == 200, online.text
    page.get_by_role("button", name="Transfer").click()
    dialog = page.get_by_role("dialog", name="Transfer conversation")
    dialog.get_by_role("combobox").select_option(label=f"Billing {desk.tag}")
    dialog.get_by_role("button", name="Transfer").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text(f"Linus was transferred to Billing {desk.tag}.")).to_be_visible()
    expect(page.get_by_role("log", name="Conversation with Linus")).to_have_count(0)
    transferred = desk.conversation(second.id)
    assert (transferred["state"], transferred["agent_id"]) == ("agent", desk.bob_id)
    # Alice's slot is free again: Ada, next in her queue, is offered to her at once.
    expect(page.get_by_role("article", name="Offer from Ada")).to_be_visible()
    expect(queue.get_by_text("0 waiting")).to_be_visible()
    page.screenshot(path=artifacts / "workspace-after-transfer.png")


def test_admins_reach_the_workspace_from_the_sidebar(
    browser: Browser, flowdesk: Flowdesk, desk: Desk
) -> None:
    context = browser.new_context(base_url=flowdesk.url, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(flowdesk.admin_email)
        page.get_by_label("Password").fill(flowdesk.admin_password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Flows")).to_be_visible()  # admins start here
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace").click()
        expect(page.get_by_role("heading", name="Workspace")).to_be_visible()
        # An admin watches every group's queue, members or not.
        queue = page.get_by_role("region", name="Queue")
        for group in (f"Support {desk.tag}", f"Billing {desk.tag}"):
            expect(queue.get_by_role("heading", name=f"{group} 0 waiting")).to_be_visible()
    finally:
        context.close()
