"""The console served at `/`: the SPA fallback, its assets, and the headers HTML gets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx2 as httpx
import pytest

from flowdesk.clock import ManualClock
from flowdesk.console import CONTENT_SECURITY_POLICY, default_console_dir
from tests.support import Server, assert_error, running

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'


@pytest.fixture
def console_dir(tmp_path: Path) -> Path:
    """A stand-in for web/dist, so these tests do not depend on a console build."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-abc123.js").write_text("console.log('flowdesk');")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return dist


@pytest.fixture
async def console(sqlite_url: str, clock: ManualClock, console_dir: Path) -> AsyncIterator[Server]:
    async with running(sqlite_url, clock, console_dir=console_dir) as srv:
        yield srv


def assert_html_headers(headers: httpx.Headers) -> None:
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


async def test_every_console_path_loads_the_app(console: Server) -> None:
    for path in ("/", "/login", "/flows", "/flows/flw_abc", "/channels", "/conversations/x/"):
        response = await console.client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.text == INDEX, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert_html_headers(response.headers)
    head = await console.client.head("/flows/flw_abc")
    assert head.status_code == 200


async def test_assets_are_files_with_a_long_cache(console: Server) -> None:
    script = await console.client.get("/assets/index-abc123.js")
    assert script.status_code == 200, script.text
    assert script.text == "console.log('flowdesk');"
    assert "javascript" in script.headers["content-type"]
    assert "immutable" in script.headers["cache-control"]
    assert "content-security-policy" not in script.headers  # HTML only
    icon = await console.client.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg")


async def test_what_is_not_the_app_stays_a_json_error(console: Server) -> None:
    for path in (
        "/api/v1/no-such-thing",
        "/api/v1/flows/x/y/z",
        "/api",
        "/assets/missing.js",
        "/missing.js",
        "/wp-login.php",
    ):
        assert_error(await console.client.get(path), 404, "not_found")
    # Other methods on console paths are not the app either; unknown API paths stay 404.
    assert_error(await console.client.post("/login", json={}), 404, "not_found")
    assert_error(await console.client.post("/api/v1/no-such-thing", json={}), 404, "not_found")
    assert_error(
        await console.client.delete("/api/v1/modules", headers=console.admin),
        405,
        "method_not_allowed",
    )


async def test_health_metrics_and_api_are_not_swallowed(console: Server) -> None:
    assert (await console.client.get("/healthz")).json() == {"status": "ok"}
    assert (await console.client.get("/readyz")).json()["status"] == "ready"
    metrics = await console.client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    flows = await console.client.get("/api/v1/flows", headers=console.admin)
    assert flows.json() == {"flows": []}
    assert "content-security-policy" not in flows.headers


async def test_the_api_docs_page_keeps_its_cdn_scripts(console: Server) -> None:
    docs = await console.client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert docs.headers["x-content-type-options"] == "nosniff"


async def test_an_unbuilt_console_says_how_to_build_it(
    sqlite_url: str, clock: ManualClock, tmp_path: Path
) -> None:
    async with running(sqlite_url, clock, console_dir=tmp_path / "nothing") as server:
        for path in ("/", "/login"):
            response = await server.client.get(path)
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("text/html")
            assert "not built" in response.text
            assert "scripts/install.sh" in response.text
            assert "Traceback" not in response.text
            assert_html_headers(response.headers)
        assert_error(await server.client.get("/assets/index.js"), 404, "not_found")
        assert_error(await server.client.get("/api/v1/nope"), 404, "not_found")
        assert (await server.client.get("/healthz")).status_code == 200


def test_the_default_console_is_web_dist_in_the_source_tree() -> None:
    root = Path(__file__).resolve().parents[2]
    assert default_console_dir() == root / "web" / "dist"
    assert (root / "web" / "package.json").is_file()
