"""Browser tests: a real `flowdesk serve` in a subprocess, driven by Debian's chromium.

Playwright's own browser download is never used: chromium comes from the
system (`scripts/test.sh` installs it with apt when missing). Without it the
tests skip locally and fail on CI (`CI` set), like the PostgreSQL tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from flowdesk.console import default_console_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "admin@e2e.test"
ADMIN_PASSWORD = "e2e-admin-password"
READY_TIMEOUT_SECONDS = 30.0


def _missing(what: str) -> None:
    """Skip locally, fail on CI: CI must run the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(what, pytrace=False)
    pytest.skip(what)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Flowdesk:
    """The running server: its URL and the first admin's sign-in."""

    url: str
    admin_email: str
    admin_password: str


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"flowdesk serve exited with {process.returncode}:\n{log.read_text()}",
                    pytrace=False,
                )
            try:
                if client.get(f"{url}/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    pytest.fail(f"flowdesk serve was not ready in time:\n{log.read_text()}", pytrace=False)


@pytest.fixture(scope="session")
def flowdesk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flowdesk]:
    """A real `flowdesk serve` (SQLite in a temporary directory) on a free port."""
    console = Path(os.environ.get("FLOWDESK_CONSOLE_DIR") or default_console_dir())
    if not (console / "index.html").is_file():
        _missing("the console is not built (web/dist); run scripts/install.sh")
    workdir = tmp_path_factory.mktemp("flowdesk-e2e")
    port = _free_port()
    env = {
        **os.environ,
        "FLOWDESK_DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
        "FLOWDESK_ADMIN_EMAIL": ADMIN_EMAIL,
        "FLOWDESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FLOWDESK_ENVIRONMENT": "test",
        "FLOWDESK_SECRET_KEY": "e2e-secret-key-" + "x" * 32,
        "FLOWDESK_LOG_LEVEL": "warning",
        "FLOWDESK_HOST": "127.0.0.1",
    }
    # The `flowdesk` script of the environment running the tests (.venv/bin/flowdesk).
    command = [str(Path(sys.executable).parent / "flowdesk"), "serve", "--port", str(port)]
    log = workdir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url, process, log)
        yield Flowdesk(url, ADMIN_EMAIL, ADMIN_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright's sync driver, for one test module at a time.

    While it runs, its event loop counts as the thread's running loop, and
    pytest-asyncio cannot run a test then; closing it with the module lets the
    async tests of later modules run. So e2e modules hold sync tests only.
    """
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; never a browser Playwright downloaded."""
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, flowdesk: Flowdesk) -> Iterator[Page]:
    """A page in a fresh context (no cookies, no storage) with the server as base URL."""
    context = browser.new_context(base_url=flowdesk.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go: artifacts/screenshots/ at the repository root (gitignored)."""
    directory = REPO_ROOT / "artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
