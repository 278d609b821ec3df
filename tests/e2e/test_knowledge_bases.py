"""The knowledge-bases page in a browser: create, add, edit in place, search, CSV in and out."""

from __future__ import annotations

# Chinese text is the point here: full-width punctuation is meant.
# ruff: noqa: RUF001
import csv
import io
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Flowdesk

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1440, "height": 900}
GOOD_CSV = (
    "\ufeffquestion,similar_questions,answer,enabled\r\n"
    "怎么退货？,退款流程|如何退款,七天无理由退货。,true\r\n"
    "Opening hours,When are you open?,Every day 9:00-18:00,false\r\n"
).encode()
BAD_CSV = b"question,answer\nFine,Yes\nNo answer here,\n"


def sign_in(page: Page, flowdesk: Flowdesk) -> None:
    page.set_viewport_size(VIEWPORT)
    page.goto("/login")
    page.get_by_label("Email").fill(flowdesk.admin_email)
    page.get_by_label("Password").fill(flowdesk.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()


def test_knowledge_base_page(page: Page, flowdesk: Flowdesk, artifacts: Path) -> None:
    sign_in(page, flowdesk)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge bases").click()
    expect(page.get_by_role("heading", name="Knowledge bases", level=1)).to_be_visible()

    name = f"Help centre {uuid.uuid4().hex[:6]}"
    page.get_by_role("button", name="New knowledge base").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    # Add an entry; an empty answer is refused by the form itself, so fill it in.
    page.get_by_role("button", name="Add entry").click()
    form = page.get_by_role("form", name="New entry")
    form.get_by_label("Question", exact=True).fill("How do I reset my password?")
    form.get_by_label("Similar questions").fill("forgot password\nreset login")
    form.get_by_label("Answer", exact=True).fill("Use the link on the sign-in page.")
    form.get_by_role("button", name="Add entry").click()
    entries = page.locator("table.kb-entries")
    expect(entries.get_by_text("How do I reset my password?")).to_be_visible()
    expect(entries.get_by_role("list", name="Similar questions")).to_contain_text("reset login")

    # Inline edit.
    page.get_by_role("button", name="Edit How do I reset my password?").click()
    entries.get_by_label("Answer", exact=True).fill("Click “Forgot password” on the sign-in page.")
    entries.get_by_role("button", name="Save").click()
    expect(entries.get_by_text("Click “Forgot password” on the sign-in page.")).to_be_visible()

    # Import a CSV with Chinese text and a BOM, then a bad one: the row error shows.
    page.get_by_text("Import CSV").locator("input[type=file]").set_input_files(
        {"name": "faq.csv", "mimeType": "text/csv", "buffer": GOOD_CSV}
    )
    expect(page.get_by_role("status").filter(has_text="Imported 2 entries.")).to_be_visible()
    expect(entries.get_by_text("怎么退货？")).to_be_visible()
    page.get_by_text("Import CSV").locator("input[type=file]").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_CSV}
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("row 3")
    expect(alert).to_contain_text("nothing was imported")
    expect(entries.locator("tbody tr")).to_have_count(3)

    # Search (Chinese and English), then clear it.
    search = page.get_by_label("Search entries")
    search.fill("退款")
    expect(entries.locator("tbody tr")).to_have_count(1)
    expect(entries.get_by_text("怎么退货？")).to_be_visible()
    search.fill("sign-in")
    expect(entries.locator("tbody tr")).to_have_count(1)
    search.fill("")
    expect(entries.locator("tbody tr")).to_have_count(3)

    # Export: the file has every entry, Chinese intact.
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    content = Path(info.value.path()).read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["question", "similar_questions", "answer", "enabled"]
    assert {row[0] for row in rows[1:]} == {
        "How do I reset my password?",
        "怎么退货？",
        "Opening hours",
    }

    # Text renders as text: no markup from an entry ever runs.
    page.get_by_role("button", name="Add entry").click()
    form = page.get_by_role("form", name="New entry")
    form.get_by_label("Question", exact=True).fill("<img src=x onerror=alert(1)>")
    form.get_by_label("Answer", exact=True).fill("<b>bold?</b>")
    form.get_by_role("button", name="Add entry").click()
    expect(entries.get_by_text("<img src=x onerror=alert(1)>")).to_be_visible()
    assert entries.locator("img").count() == 0

    page.get_by_label("Search entries").fill("")
    page.screenshot(path=str(artifacts / "knowledge-bases.png"), full_page=True)
