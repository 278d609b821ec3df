"""The console (the React app built into web/dist) served at `/`, and the headers HTML gets.

The console is a single-page app: every GET that is not the API, health or
metrics answers `index.html`, and the app's router shows the right page
(`/login`, `/flows/abc`, `/channels`…). Hashed bundles live under `/assets`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Set
from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths the console never answers: an unknown `/api/...` path stays a JSON 404.
RESERVED_PREFIXES = ("/api/", "/healthz", "/readyz", "/metrics", "/assets/")
RESERVED_PATHS = frozenset({"/api", "/assets"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flowdesk</title></head>
<body>
<h1>Flowdesk</h1>
<p>The console is not built. Run <code>./scripts/install.sh</code> (it builds
<code>web/dist</code>) and restart <code>flowdesk serve</code>.</p>
<p>The API is available at <a href="/api/v1/docs">/api/v1/docs</a>.</p>
</body></html>
"""


def default_console_dir() -> Path:
    """web/dist in the source tree (the package is installed editable from src/)."""
    return Path(__file__).resolve().parents[2] / "web" / "dist"


def is_console_path(path: str) -> bool:
    """A path the console's router owns: not reserved, and not a file name such as `x.php`."""
    if path in RESERVED_PATHS or path.startswith(RESERVED_PREFIXES):
        return False
    # A missing file (`/favicon.ico`, `/wp-login.php`) is a 404, not the app: a script or
    # image answered with HTML only hides the mistake.
    return "." not in path.rstrip("/").rsplit("/", 1)[-1]


class ConsoleRoute(Route):
    """The catch-all for the console, matching only GET/HEAD of console paths and root files.

    A plain `/{path:path}` route would also match `POST /api/v1/nope` by path and turn
    its 404 into a 405; this one does not match at all outside the console's paths.
    """

    def __init__(self, endpoint: Callable[[Request], Awaitable[Response]], files: Set[str]):
        super().__init__("/{path:path}", endpoint, include_in_schema=False)
        self.files = files

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        path = scope["path"]
        if not (is_console_path(path) or path.lstrip("/") in self.files):
            return Match.NONE, {}
        return super().matches(scope)


class ImmutableStaticFiles(StaticFiles):
    """Vite names bundles by content hash, so a browser may keep them for good."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def install_console(app: FastAPI, directory: Path) -> None:
    """Serve the built console from `directory`, or a page saying how to build it.

    Call after every other route is added: the console answers what nothing else does.
    """
    index = directory / "index.html"
    # Top-level files Vite copies from web/public (favicon, robots.txt) are served as they are.
    root_files = (
        {p.name for p in directory.iterdir() if p.is_file() and p.name != "index.html"}
        if directory.is_dir()
        else set()
    )
    if (directory / "assets").is_dir():
        app.mount("/assets", ImmutableStaticFiles(directory=directory / "assets"), name="assets")

    async def console(request: Request) -> Response:
        name = request.path_params["path"]
        if name in root_files:
            return FileResponse(directory / name)
        # Checked on each request: `npm run build` empties web/dist before writing it again.
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.router.routes.append(ConsoleRoute(console, root_files))


class SecurityHeaders:
    """Headers every HTML response gets: a strict CSP, no MIME sniffing, same-origin referrer.

    `skip_csp` names paths whose HTML loads third-party scripts by design (the
    Swagger UI at /api/v1/docs comes from a CDN and starts with an inline script).
    """

    def __init__(self, app: ASGIApp, skip_csp: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.skip_csp = skip_csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with_csp = scope["path"] not in self.skip_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next(
                    (v for k, v in headers if k.lower() == b"content-type"), b""
                ).lower()
                if content_type.startswith(b"text/html"):
                    if with_csp:
                        headers.append(
                            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
                        )
                    headers.append((b"x-content-type-options", b"nosniff"))
                    headers.append((b"referrer-policy", b"same-origin"))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
