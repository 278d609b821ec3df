"""The console, done: build, publish, bind and test a flow by hand; every page; no injection."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from flowdesk.demo import demo_document
from tests.e2e.conftest import Flowdesk

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1440, "height": 900}


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def sign_in(page: Page, flowdesk: Flowdesk) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto("/login")
    page.get_by_label("Email").fill(flowdesk.admin_email)
    page.get_by_label("Password").fill(flowdesk.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()


def canvas_node(page: Page, name: str) -> Locator:
    """A node card on the canvas (React Flow gives each the role group), by its visible name."""
    return page.get_by_role("group").filter(
        has=page.locator(".editor-node-name").get_by_text(name, exact=True)
    )


def port_handle(node: Locator, port: str) -> Locator:
    """The dot of an output port: the card lists ports by label (and id when they differ)."""
    row = node.get_by_role("listitem").filter(has=node.page.get_by_text(port, exact=True))
    return row.locator(".react-flow__handle")  # a bare dot: no role or name to find it by


def drag_pointer(page: Page, source: Locator, target: Locator) -> None:
    """Press on `source`, move in steps (React Flow follows the pointer), release on `target`."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 20, start["y"] + start["height"] / 2, steps=2)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def connect(page: Page, source: Locator, port: str, target: Locator) -> None:
    drag_pointer(page, port_handle(source, port), target)


def test_build_publish_bind_and_test_a_flow(
    page: Page, flowdesk: Flowdesk, artifacts: Path
) -> None:
    flow_name = unique("Journey")
    channel_name = unique("Journey API")
    sign_in(page, flowdesk)

    # 1. A new flow, named, opens on the canvas.
    page.get_by_role("button", name="New flow").click()
    dialog = page.get_by_role("dialog", name="New flow")
    dialog.get_by_label("Name", exact=True).fill(flow_name)
    page.screenshot(path=artifacts / "01-flows.png")
    dialog.get_by_role("button", name="Create and open").click()
    expect(page.get_by_label("Flow name")).to_have_value(flow_name)
    canvas = page.get_by_label("Flow canvas")
    start = canvas_node(page, "Start")
    expect(start).to_be_visible()

    # 2. Move the start aside, then drag a Menu, a Message and an End from the palette,
    # clear of the minimap's corner (the canvas shrinks as the problems list grows).
    box = canvas.bounding_box()
    assert box is not None
    head = start.get_by_text("Start", exact=True).first
    head_box = head.bounding_box()
    assert head_box is not None
    page.mouse.move(head_box["x"] + 5, head_box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 100, box["y"] + 360, steps=10)
    page.mouse.up()
    palette = page.get_by_role("complementary", name="Modules")
    palette.get_by_role("button", name="Add Menu").drag_to(
        canvas, target_position={"x": 420, "y": 300}
    )
    menu = canvas_node(page, "Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_text("id: menu_1")).to_be_visible()  # dropped, selected, in the panel
    palette.get_by_role("button", name="Add Message").drag_to(
        canvas, target_position={"x": 700, "y": 110}
    )
    message = canvas_node(page, "Message")
    expect(message).to_be_visible()
    palette.get_by_role("button", name="Add End").drag_to(
        canvas, target_position={"x": 700, "y": 340}
    )
    end = canvas_node(page, "End")
    expect(end).to_be_visible()
    problems = page.get_by_role("region", name="Problems")  # checked as the flow changes
    expect(problems.get_by_text("Node 'end_1' cannot be reached from the start")).to_be_visible()
    expect(problems.get_by_text("The flow has no end node")).to_have_count(0)
    page.screenshot(path=artifacts / "02-dropped.png")

    # 3. A two-option menu, set up in the config panel.
    menu.get_by_text("Menu", exact=True).last.click()
    panel = page.get_by_role("region", name="Node settings")
    expect(panel.get_by_text("id: menu_1")).to_be_visible()
    panel.get_by_label("Text", exact=True).fill("What would you like to do?")
    panel.get_by_role("button", name="+ Add option").click()
    panel.get_by_role("button", name="+ Add option").click()
    first = panel.get_by_role("group", name=re.compile(r"^Option 1"))
    first.get_by_label("Id", exact=True).fill("hello")
    first.get_by_label("Label", exact=True).fill("Say hello")
    second = panel.get_by_role("group", name=re.compile(r"^Option 2"))
    second.get_by_label("Id", exact=True).fill("leave")
    second.get_by_label("Label", exact=True).fill("Leave")
    expect(port_handle(menu, "hello")).to_be_visible()
    expect(port_handle(menu, "leave")).to_be_visible()
    message.get_by_text("Message", exact=True).last.click()
    panel.get_by_label("Text", exact=True).fill("Hello from the journey!")
    end.get_by_text("End", exact=True).last.click()
    panel.get_by_label("Text", exact=True).fill("Goodbye from the journey.")
    expect(problems.get_by_text("Port 'hello' of node 'menu_1' is not connected")).to_be_visible()
    page.screenshot(path=artifacts / "03-configured.png")

    # 4. Wire it by dragging from each port's dot to a card, all but the menu's timeout.
    connect(page, start, "next", menu)
    connect(page, menu, "hello", message)
    connect(page, menu, "leave", end)
    connect(page, menu, "invalid", end)
    connect(page, message, "next", end)
    expect(page.get_by_label("Edge from start to menu_1")).to_have_count(1)
    expect(page.get_by_label("Edge from menu_1 to end_1")).to_have_count(2)

    # 5. The dangling port is listed in the problems and marks its node.
    dangling = "Port 'timeout' of node 'menu_1' is not connected"
    expect(problems.get_by_text(dangling)).to_be_visible()
    expect(problems.get_by_role("listitem")).to_have_count(1)
    expect(problems.get_by_text("1 error", exact=True)).to_be_visible()
    expect(menu.get_by_title("1 error")).to_be_visible()
    page.screenshot(path=artifacts / "04-dangling-port.png")

    # 6. Connect it, and the flow is clean.
    connect(page, menu, "timeout", end)
    expect(page.get_by_label("Edge from menu_1 to end_1")).to_have_count(3)
    expect(problems.get_by_text("No problems")).to_be_visible()
    expect(menu.get_by_title("1 error")).to_have_count(0)
    page.screenshot(path=artifacts / "05-connected.png")

    # 7. Save, then publish with a note.
    status = page.get_by_role("banner").get_by_role("status")
    expect(status).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Save").click()
    expect(status).to_have_text(re.compile(r"^(Saved|All changes saved)$"))
    page.get_by_role("button", name="Publish").click()
    publish = page.get_by_role("dialog", name="Publish this flow")
    publish.get_by_label("Note").fill("First version, built in the browser")
    publish.get_by_role("button", name="Publish").click()
    expect(publish).to_be_hidden()
    expect(page.get_by_text("Published: v1")).to_be_visible()
    page.get_by_role("button", name="Versions").click()
    versions = page.get_by_role("region", name="Versions")
    expect(versions.get_by_text("First version, built in the browser")).to_be_visible()
    page.screenshot(path=artifacts / "06-published.png")

    # 8. An API channel, bound to the published flow from its dialog.
    page.get_by_role("link", name="← Back to flows").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Channels").click()
    page.get_by_role("button", name="New channel").click()
    new_channel = page.get_by_role("dialog", name="New channel")
    new_channel.get_by_label("Name", exact=True).fill(channel_name)
    new_channel.get_by_label("Type").select_option(label="HTTP API")
    new_channel.get_by_role("button", name="Create").click()
    channel = page.get_by_role("dialog", name=f"Channel {channel_name}")
    expect(channel).to_be_visible()  # a new channel opens straight away; close and reopen it
    channel.get_by_role("button", name="Close", exact=True).first.click()
    expect(channel).to_be_hidden()
    row = page.get_by_role("row").filter(has_text=channel_name)
    expect(row.get_by_text("No flow")).to_be_visible()
    row.get_by_role("button", name=f"View or edit {channel_name}").click()
    expect(channel.get_by_text("HTTP API")).to_be_visible()
    channel.get_by_label("Associate flow").select_option(label=f"{flow_name} (v1)")
    channel.get_by_role("button", name="Apply").click()
    expect(channel.get_by_text(f"Customers are served by {flow_name}")).to_be_visible()
    page.screenshot(path=artifacts / "07-channel-bound.png")
    channel.get_by_role("button", name="Close", exact=True).first.click()
    expect(channel).to_be_hidden()
    expect(row.get_by_role("link", name=flow_name)).to_be_visible()

    # 9. Back to the flow: the Test panel runs it to the end.
    row.get_by_role("link", name=flow_name).click()
    expect(page.get_by_label("Flow name")).to_have_value(flow_name)
    page.get_by_role("button", name="Test").click()
    test = page.get_by_role("region", name="Test conversation")
    test.get_by_role("button", name="Start").click()
    expect(test.get_by_text("What would you like to do?")).to_be_visible()
    test.get_by_role("button", name="Say hello").click()
    expect(test.get_by_text("Hello from the journey!")).to_be_visible()
    expect(test.get_by_text("Goodbye from the journey.")).to_be_visible()
    expect(test.get_by_text(re.compile(r"^Conversation ended"))).to_be_visible()
    page.screenshot(path=artifacts / "08-simulated.png")

    # 10. After a reload the flow is as saved, published, and its channel still bound.
    page.reload()
    expect(page.get_by_label("Flow name")).to_have_value(flow_name)
    expect(page.get_by_text("Published: v1")).to_be_visible()
    for name in ("Start", "Menu", "Message", "End"):
        expect(canvas_node(page, name)).to_be_visible()
    for port in ("hello", "leave", "invalid", "timeout"):
        expect(port_handle(menu, port)).to_be_visible()
    expect(page.get_by_role("group", name=re.compile(r"^Edge from"))).to_have_count(6)
    expect(problems.get_by_text("No problems")).to_be_visible()
    page.screenshot(path=artifacts / "09-reloaded.png")
    page.goto("/channels")
    row = page.get_by_role("row").filter(has_text=channel_name)
    expect(row.get_by_role("link", name=flow_name)).to_be_visible()
    expect(row.get_by_role("cell", name="API", exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "10-channels.png")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Flows").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=flow_name, exact=True))
    expect(row.get_by_text("v1", exact=True)).to_be_visible()
    expect(row.get_by_text(channel_name)).to_be_visible()


def test_every_page(page: Page, flowdesk: Flowdesk, artifacts: Path) -> None:
    group_name = unique("Pages support")
    schedule_name = unique("Pages hours")
    flow_name = unique("Pages reception")
    channel_name = unique("Pages API")
    customer = unique("Pages customer")
    sign_in(page, flowdesk)
    nav = page.get_by_role("navigation", name="Main")

    # Skill groups: one created here.
    nav.get_by_role("link", name="Skill groups").click()
    expect(page.get_by_role("heading", name="Skill groups")).to_be_visible()
    page.get_by_role("button", name="New skill group").click()
    dialog = page.get_by_role("dialog", name="New skill group")
    dialog.get_by_label("Name", exact=True).fill(group_name)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text=group_name)).to_be_visible()
    page.screenshot(path=artifacts / "page-skill-groups.png", full_page=True)

    # Schedules: one created here, then open in its editor.
    nav.get_by_role("link", name="Schedules").click()
    expect(page.get_by_role("heading", name="Schedules")).to_be_visible()
    page.get_by_role("button", name="New schedule").click()
    dialog = page.get_by_role("dialog", name="New schedule")
    dialog.get_by_label("Name", exact=True).fill(schedule_name)
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text=schedule_name)).to_be_visible()
    page.get_by_role("button", name=f"Edit {schedule_name}").click()
    dialog = page.get_by_role("dialog", name=f"Edit {schedule_name}")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value(schedule_name)
    page.screenshot(path=artifacts / "page-schedules.png")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    # Flows: the demo's reception flow, imported from a file, on its own skill group and hours.
    schedules = page.request.get("/api/v1/schedules").json()["schedules"]
    groups = page.request.get("/api/v1/skill-groups").json()["skill_groups"]
    schedule_id = next(s["id"] for s in schedules if s["name"] == schedule_name)
    group_id = next(g["id"] for g in groups if g["name"] == group_name)
    document = {**demo_document(schedule_id, group_id), "name": flow_name}
    nav.get_by_role("link", name="Flows").click()
    page.get_by_label("Import").set_input_files(
        files=[
            {
                "name": "reception.json",
                "mimeType": "application/json",
                "buffer": json.dumps(document).encode(),
            }
        ]
    )
    expect(page.get_by_role("status")).to_have_text(f"Imported {flow_name}.")
    page.get_by_role("link", name=flow_name, exact=True).click()

    # The editor, with the demo-like flow: publish it, to bind a channel to it.
    expect(page.get_by_label("Flow name")).to_have_value(flow_name)
    for name in ("Welcome", "Main menu", "To an agent", "Goodbye"):
        expect(canvas_node(page, name)).to_be_visible()
    problems = page.get_by_role("region", name="Problems")
    expect(problems.get_by_text("No problems")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    publish = page.get_by_role("dialog", name="Publish this flow")
    publish.get_by_label("Note").fill("Imported reception")
    publish.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: v1")).to_be_visible()
    page.screenshot(path=artifacts / "page-flow-editor.png")
    # It opens at its smallest zoom (0.5), cut at both ends; "Fit view" shows it whole.
    page.get_by_role("toolbar", name="Canvas tools").get_by_role("button", name="Fit view").click()
    expect(canvas_node(page, "Start")).to_be_in_viewport(ratio=1)
    expect(canvas_node(page, "Goodbye")).to_be_in_viewport(ratio=1)
    page.screenshot(path=artifacts / "page-flow-editor-whole.png")
    page.get_by_role("link", name="← Back to flows").click()

    # Channels: an API channel, its dialog open on the flow it is bound to.
    nav.get_by_role("link", name="Channels").click()
    page.get_by_role("button", name="New channel").click()
    dialog = page.get_by_role("dialog", name="New channel")
    dialog.get_by_label("Name", exact=True).fill(channel_name)
    dialog.get_by_label("Type").select_option(label="HTTP API")
    dialog.get_by_role("button", name="Create").click()
    channel = page.get_by_role("dialog", name=f"Channel {channel_name}")
    channel.get_by_label("Associate flow").select_option(label=f"{flow_name} (v1)")
    channel.get_by_role("button", name="Apply").click()
    expect(channel.get_by_text(f"Customers are served by {flow_name}")).to_be_visible()
    key = channel.get_by_role("code").inner_text()
    page.screenshot(path=artifacts / "page-channels.png")
    channel.get_by_role("button", name="Close", exact=True).first.click()
    expect(page.get_by_role("row").filter(has_text=channel_name)).to_be_visible()

    # A customer writes in on that channel, through the customer API.
    with httpx.Client(base_url=f"{flowdesk.url}/api/v1", timeout=10.0) as client:
        started = client.post(
            f"/channels/{key}/conversations",
            json={"customer_id": f"pages-{uuid.uuid4().hex[:8]}", "name": customer},
        )
        assert started.status_code == 201, started.text
        conversation_id = started.json()["conversation"]["id"]
        auth = {"authorization": f"Bearer {started.json()['customer_token']}"}
        for body in ({"choice": "sales"}, {"text": "vip@example.com"}):
            path = f"/conversations/{conversation_id}/messages"
            sent = client.post(path, json=body, headers=auth)
            assert sent.status_code == 200, sent.text

    # Conversations: the list, then that conversation.
    nav.get_by_role("link", name="Conversations").click()
    expect(page.get_by_role("heading", name="Conversations")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=customer)
    expect(row.get_by_text(channel_name)).to_be_visible()
    expect(row.get_by_text("Ended")).to_be_visible()
    page.screenshot(path=artifacts / "page-conversations.png", full_page=True)
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{flowdesk.url}/conversations/{conversation_id}")
    expect(page.get_by_role("heading", name="Conversation", exact=True)).to_be_visible()
    transcript = page.get_by_role("region", name="Transcript")
    expect(transcript.get_by_text("What is your e-mail address?")).to_be_visible()
    variables = page.get_by_role("region", name="Variables")
    expect(variables.get_by_role("row").filter(has_text="email")).to_contain_text("vip@example.com")
    expect(page.get_by_text(f"{flow_name} · v1")).to_be_visible()
    page.screenshot(path=artifacts / "page-conversation.png", full_page=True)

    # Agents: the admin who is signed in.
    nav.get_by_role("link", name="Agents").click()
    expect(page.get_by_role("heading", name="Agents")).to_be_visible()
    me = page.get_by_role("row").filter(has_text=flowdesk.admin_email)
    expect(me.get_by_text("(you)")).to_be_visible()
    expect(me.get_by_role("cell", name="Admin", exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "page-agents.png", full_page=True)

    # Flows: the imported flow, published and bound.
    nav.get_by_role("link", name="Flows").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=flow_name, exact=True))
    expect(row.get_by_text("v1", exact=True)).to_be_visible()
    expect(row.get_by_text(channel_name)).to_be_visible()
    page.screenshot(path=artifacts / "page-flows.png", full_page=True)


EVIL = "<img src=x onerror=alert(1)>"


def test_a_flow_name_is_text_not_html(page: Page, flowdesk: Flowdesk, artifacts: Path) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page, flowdesk)
    page.get_by_role("button", name="New flow").click()
    dialog = page.get_by_role("dialog", name="New flow")
    dialog.get_by_label("Name", exact=True).fill(EVIL)
    dialog.get_by_role("button", name="Create and open").click()
    expect(page.get_by_label("Flow name")).to_have_value(EVIL)
    page.get_by_role("link", name="← Back to flows").click()

    link = page.get_by_role("link", name=EVIL, exact=True)
    expect(link).to_have_text(EVIL)
    row = page.get_by_role("row").filter(has=link)
    expect(row.get_by_role("img")).to_have_count(0)
    expect(row.locator("img")).to_have_count(0)
    # The name also reaches a notice, a button's name and a confirmation's title.
    row.get_by_role("button", name=f"Duplicate {EVIL}").click()
    expect(page.get_by_role("status")).to_have_text(f"Created {EVIL} (copy).")
    row.get_by_role("button", name=f"Delete {EVIL}").click()
    confirm = page.get_by_role("dialog", name=f"Delete flow “{EVIL}”?")
    expect(confirm).to_be_visible()
    page.screenshot(path=artifacts / "injection-flows.png")
    confirm.get_by_role("button", name="Cancel").click()
    expect(page.locator("img")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert dialogs == []
