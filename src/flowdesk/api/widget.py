"""The web chat widget: its script, its public settings, and a demo shop page that embeds it.

`GET /widget.js` is the bundle `npm run build` writes next to the console
(web/dist/widget.js). `GET /api/v1/channels/{key}/widget` tells the widget how
to look and whether to offer chat at all. `GET /demo/{key}` is a plain page
standing in for a customer's website, so the widget can be tried from the demo.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from flowdesk.api.deps import RuntimeDep
from flowdesk.api.origins import Policy, foreign_origin
from flowdesk.console import default_console_dir
from flowdesk.errors import NotFound
from flowdesk.runtime import Runtime
from flowdesk.services.channels import channel_by_key, channel_settings
from flowdesk.storage.models import Channel, Flow

#: Routes under /api/v1 (the widget's settings) and at the root (the script, the demo page).
api_router = APIRouter(tags=["widget"])
page_router = APIRouter(include_in_schema=False)

SCRIPT_NAME = "widget.js"
#: Short: a new release reaches every embedding site within minutes, without a hash in the URL.
SCRIPT_CACHE = "public, max-age=300"
NOT_BUILT = "widget.js is not built: run `npm run build` in web/ (scripts/install.sh does)."


def widget_script(rt: Runtime) -> Path:
    """Where the built widget lives: beside the console's index.html."""
    return (rt.settings.console_dir or default_console_dir()) / SCRIPT_NAME


@page_router.get("/widget.js")
async def serve_widget(rt: RuntimeDep) -> Response:
    """The embeddable widget script (an IIFE; it finds its API from its own `src`)."""
    script = widget_script(rt)
    if not script.is_file():
        # Checked per request: the build rewrites web/dist while the server runs.
        return JSONResponse(
            {"error": {"code": "widget_not_built", "message": NOT_BUILT}}, status_code=503
        )
    return FileResponse(
        script,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": SCRIPT_CACHE},
    )


async def _channel(rt: Runtime, key: str) -> tuple[Channel, bool]:
    """The channel and whether it can serve customers now (enabled, a published flow bound)."""
    async with rt.db.read() as session:
        channel = await channel_by_key(session, key)
        flow = await session.get(Flow, channel.flow_id) if channel.flow_id else None
    serving = channel.enabled and flow is not None and flow.latest_version is not None
    return channel, serving


@api_router.get("/channels/{key}/widget")
async def widget_config(key: str, request: Request, rt: RuntimeDep) -> dict[str, Any]:
    """What the widget shows: title, colour, offline text, and whether chat is available here.

    Public (the key is in every embedding page) and readable from any origin, so a
    page the channel does not allow still learns to show the offline state.
    """
    channel, serving = await _channel(rt, key)
    settings = channel_settings(channel)
    origin = foreign_origin(request.headers, rt.settings.public_url)
    allowed = origin is None or Policy.of(channel.settings).allows(origin)
    return {
        "title": settings.title or channel.name,
        "color": settings.color,
        "offline_text": settings.offline_text,
        "available": serving and allowed,
    }


@page_router.get("/demo/{channel_key}", response_class=HTMLResponse)
async def demo_page(channel_key: str, request: Request, rt: RuntimeDep) -> HTMLResponse:
    """A pretend shop embedding the widget with the channel's snippet (no inline script)."""
    try:
        channel, _ = await _channel(rt, channel_key)
    except NotFound:
        return HTMLResponse(NOT_FOUND_PAGE, status_code=404)
    base = str(request.base_url).rstrip("/")
    snippet = f'<script src="{base}/widget.js" data-channel="{channel.key}" async></script>'
    page = DEMO_PAGE.format(
        snippet=snippet,
        snippet_text=escape(snippet),
        channel=escape(channel.name),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


NOT_FOUND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>No such channel</h1><p>No channel has this key.</p></body></html>
"""

DEMO_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Shop</title>
<link rel="icon" href="data:,">
<style>
  * {{ box-sizing: border-box; }}
  body {{ margin: 0; font-family: Georgia, "Times New Roman", serif; color: #2b2118;
         background: #fbf7f0; }}
  header {{ display: flex; align-items: center; justify-content: space-between;
           padding: 18px 48px; background: #2b2118; color: #fbf7f0; }}
  header strong {{ font-size: 24px; letter-spacing: .04em; }}
  nav a {{ color: #f3d9a4; margin-left: 24px; text-decoration: none; font-size: 15px; }}
  .hero {{ padding: 64px 48px 40px; max-width: 760px; }}
  .hero h1 {{ font-size: 44px; margin: 0 0 12px; }}
  .hero p {{ font-size: 19px; line-height: 1.5; margin: 0; }}
  .products {{ display: grid; grid-template-columns: repeat(3, minmax(0, 220px)); gap: 24px;
              padding: 8px 48px 40px; }}
  .product {{ background: #fff; border-radius: 10px; padding: 16px;
             box-shadow: 0 1px 3px rgba(43, 33, 24, .15); }}
  .product .art {{ height: 120px; border-radius: 6px; margin-bottom: 12px; }}
  .kettle {{ background: linear-gradient(135deg, #d97706, #fcd34d); }}
  .teapot {{ background: linear-gradient(135deg, #0f766e, #99f6e4); }}
  .cups {{ background: linear-gradient(135deg, #9d174d, #fbcfe8); }}
  .product h2 {{ font-size: 18px; margin: 0 0 4px; }}
  .product p {{ margin: 0; color: #6b5a48; }}
  .note {{ margin: 0 48px 48px; max-width: 760px; padding: 16px 20px; border-radius: 8px;
          background: #fff4d6; border: 1px solid #f3d9a4; font-family: system-ui, sans-serif;
          font-size: 14px; line-height: 1.5; }}
  code {{ display: block; margin-top: 8px; padding: 8px; background: #2b2118; color: #fbf7f0;
         border-radius: 6px; overflow-wrap: anywhere; font-size: 12px; }}
</style>
</head>
<body>
<header><strong>Acme Shop</strong>
<nav><a href="#">Kettles</a><a href="#">Teapots</a><a href="#">Cups</a><a href="#">Help</a></nav>
</header>
<section class="hero">
<h1>Tea things, made to last.</h1>
<p>Hand-finished kettles, teapots and cups, shipped across the UK in two days.
Questions about an order? Our team is one click away.</p>
</section>
<section class="products">
<div class="product"><div class="art kettle"></div><h2>Copper kettle</h2><p>&pound;64</p></div>
<div class="product"><div class="art teapot"></div><h2>Stoneware teapot</h2><p>&pound;38</p></div>
<div class="product"><div class="art cups"></div><h2>Two porcelain cups</h2><p>&pound;22</p></div>
</section>
<div class="note">This page stands in for a customer's website: it embeds the Flowdesk chat
widget of the channel <em>{channel}</em> with the channel's snippet. Open the chat in the
bottom-right corner.<code>{snippet_text}</code></div>
{snippet}
</body>
</html>
"""
