"""A real HTTP server on loopback, in a thread, for tests at the edge of the world.

Each test scripts its routes as functions of the request; the server records every
request (and every TCP connection) so a test can prove what was or was not reached.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StubRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StubReply:
    status: int = 200
    body: bytes | str | Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Callable[[StubRequest], StubReply]


@dataclass
class Stub:
    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[StubRequest] = field(default_factory=list)
    connections: int = 0
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path.split("?")[0] == path)


@contextmanager
def stub_server() -> Iterator[Stub]:
    """Serve `stub.routes` on 127.0.0.1 (a free port) until the block ends."""
    holder: list[Stub] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            stub = holder[0]
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = StubRequest(self.command, self.path, dict(self.headers.items()), body)
            stub.requests.append(request)
            route = stub.routes.get(self.path.split("?")[0])
            reply = route(request) if route else StubReply(404, {"error": "no route"})
            if reply.delay:
                stub.release.wait(reply.delay)
            payload = reply.body
            if not isinstance(payload, bytes | str):
                payload = json.dumps(payload)
                reply.headers.setdefault("content-type", "application/json")
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: Any, client_address: Any) -> bool:
            holder[0].connections += 1
            return True

    server = Server(("127.0.0.1", 0), Handler)
    holder.append(Stub(port=server.server_address[1]))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        holder[0].release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
