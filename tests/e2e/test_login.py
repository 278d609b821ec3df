"""Signing in to the console in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.e2e.conftest import Flowdesk

pytestmark = pytest.mark.e2e


def test_sign_in_lands_on_flows(page: Page, flowdesk: Flowdesk, artifacts: Path) -> None:
    blocked: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", watch)
    page.goto("/")
    expect(page).to_have_url(f"{flowdesk.url}/login")
    page.get_by_label("Email").fill(flowdesk.admin_email)
    page.get_by_label("Password").fill(flowdesk.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{flowdesk.url}/flows")
    page.screenshot(path=artifacts / "login-signed-in.png", full_page=True)
    assert blocked == []  # the console runs under its own Content-Security-Policy


def test_a_wrong_password_shows_an_alert(page: Page, flowdesk: Flowdesk) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(flowdesk.admin_email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(f"{flowdesk.url}/login")
