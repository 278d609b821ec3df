"""A customer's website on an origin of its own (a second local port) embedding the widget."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind Outdoor</title>
<style>
body {{ margin: 0; font-family: Georgia, serif; background: #f4f1ea; color: #1c2a22; }}
header {{ padding: 20px 48px; background: #1c2a22; color: #f4f1ea; font-size: 22px; }}
main {{ padding: 48px; max-width: 640px; }}
h1 {{ font-size: 40px; margin: 0 0 12px; }}
p {{ font-size: 18px; line-height: 1.6; }}
</style></head>
<body><header>Northwind Outdoor</header>
<main><h1>Gear for every trail</h1>
<p>Tents, packs and boots tested in the hills. Questions about an order?
Chat with us in the corner.</p></main>
{snippet}
</body></html>
"""


@contextmanager
def serve_shop(port: int, flowdesk_url: str, channel_key: str) -> Iterator[str]:
    """Serve the shop's page (with the widget snippet) at http://127.0.0.1:{port}/."""
    snippet = f'<script src="{flowdesk_url}/widget.js" data-channel="{channel_key}" async></script>'
    body = SHOP_PAGE.format(snippet=snippet).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()
