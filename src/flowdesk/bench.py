"""`flowdesk bench`: how fast Flowdesk serves customers, next to a baseline on the same stack.

The benchmark starts real servers as subprocesses (`flowdesk serve`, one per node) on a fresh
database, publishes a realistic flow through the admin API, and drives simulated customers through
the customer HTTP API with a WebSocket stream open per conversation. In the same run it measures a
**baseline**: the same server stack (uvicorn + FastAPI, same flags) answering a trivial JSON POST
with no engine and no database, driven by the same client code. It prints one JSON object.

One customer in `transfer_every` (10 by default) asks for sales instead and is transferred to
one of the simulated agents, which run in the benchmark's process for the whole run: signed in,
online, with their agent event stream open, they answer the customer's message and close the
conversation.

Every message a simulated customer sends is checked afterwards in its conversation's history: it
must be there exactly once (`lost` counts the ones that are not), and the stream must have delivered
every message of the history (`stream_gaps` counts conversations where it did not).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import websockets

ADMIN_EMAIL = "bench@flowdesk.local"
ADMIN_PASSWORD = "bench-admin-password"  # noqa: S105 - a throwaway server's account
READY_TIMEOUT_SECONDS = 60.0
EMAIL_DOMAIN = "example.com"
#: A keep-alive connection idle longer than this is not reused (the server drops it at 5 s).
KEEP_ALIVE_REUSE_SECONDS = 3.0
#: How long a customer's stream may lag behind the HTTP replies before it counts as a gap.
STREAM_CATCH_UP_SECONDS = 5.0
#: Idle conversations: how long one may take to start and open its stream, and how long
#: the servers get to settle once all are open, before their memory is read.
IDLE_OPEN_TIMEOUT_SECONDS = 30.0
IDLE_SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class BenchConfig:
    """What to run: the set-up and the load."""

    database_url: str | None = None
    redis_url: str | None = None
    nodes: int = 1
    concurrency: int = 100
    duration: float = 20.0
    baseline_duration: float = 10.0
    warmup: float = 2.0
    idle: int = 0
    streams: bool = True
    #: Every this many customers (by number) asks for sales and is transferred to an agent.
    transfer_every: int = 10


@dataclass
class Sample:
    """What the customer workers saw."""

    latencies_ms: list[float] = field(default_factory=list)
    messages: int = 0
    #: Finished conversations, the transferred ones included.
    conversations: int = 0
    #: Conversations that reached an agent and ended after the agent closed.
    transfers: int = 0
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    #: conversation id → (customer token, node url, client_msg_ids sent, stream seqs seen)
    sent: dict[str, tuple[str, str, list[str], list[int]]] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_examples) < 5:
            self.error_examples.append(what[:300])


#: Customer messages in one benchmark conversation with the bot (see `_talk_to_bot`).
CUSTOMER_TURNS = 5
#: Customer messages in a transferred conversation: the menu choice, then one to the agent.
SALES_TURNS = 2
#: Simulated agents in the sales skill group, and how many conversations each may serve at once.
AGENTS = 4
AGENT_MAX_CONCURRENT = 100
AGENT_PASSWORD = "bench-agent-password"  # noqa: S105 - a throwaway server's account
#: What a transferred customer asks, and what the agent answers.
SALES_QUESTION = "Do you have it in blue?"
AGENT_ANSWER = "Yes, we have it in blue."
TRANSFER_CONNECTING = "Connecting you to our sales team."
TRANSFER_SUCCESS = "You are talking to ${StaffNickName}."
TRANSFER_END = "Thanks for talking to us. Bye!"
#: How long a transferred customer waits for the agent's answer and the flow's goodbye.
AGENT_WAIT_SECONDS = 10.0
#: The knowledge base the benchmark's chatbot answers from: (question, answer).
BENCH_FAQ = [
    ("How long does delivery take?", "Delivery takes 2-3 working days."),
    ("How do I return an item?", "Returns are free within 30 days: use the link in your e-mail."),
    ("How long does a refund take?", "Refunds reach your account in 5-7 days."),
    ("Do you ship abroad?", "We ship to every country in the EU."),
    ("How do I change my delivery address?", "Edit it in your account before the order ships."),
]
#: What the local order API stub answers (the flow maps `order.status` into a variable).
STUB_REPLY = b'{"order": {"id": "A-1001", "status": "shipped"}}'


def bench_document(stub_url: str, knowledge_base_id: str, skill_group_id: str) -> dict[str, Any]:
    """Welcome → menu → e-mail question (answered once wrongly) → condition → variable →
    order lookup (http_request to a local stub) → FAQ chatbot (one question, then "bye") → end;
    the menu's "sales" → transfer to the skill group → (the agent closes) → end."""

    def node(node_id: str, type_: str, x: int, **config: Any) -> dict[str, Any]:
        return {
            "id": node_id,
            "type": type_,
            "name": node_id,
            "config": config,
            "position": {"x": x, "y": 0},
        }

    nodes = [
        node("start", "start", 0),
        node("welcome", "message", 200, text="Hi ${SystemClientUserID}, welcome to Bench Shop."),
        node(
            "menu",
            "menu",
            400,
            text="How can we help?",
            options=[
                {"id": "order", "label": "Order status", "keywords": ["order"]},
                {"id": "sales", "label": "Sales"},
            ],
            max_retries=2,
        ),
        node(
            "email",
            "collect",
            600,
            text="Your e-mail address, please?",
            variable="email",
            input_type="email",
            retry_text="That does not look like an e-mail address. Try again?",
            max_retries=3,
        ),
        node(
            "vip",
            "condition",
            800,
            cases=[
                {
                    "id": "ours",
                    "match": "all",
                    "rules": [
                        {"variable": "email", "operator": "ends_with", "value": EMAIL_DOMAIN}
                    ],
                }
            ],
        ),
        node(
            "note",
            "set_variable",
            1000,
            assignments=[{"variable": "tier", "value": "gold ${email}"}],
        ),
        node(
            "lookup",
            "http_request",
            1200,
            method="GET",
            url=stub_url + "/orders?email=${email}",
            timeout_ms=2000,
            response_mapping=[{"variable": "order_status", "path": "order.status"}],
        ),
        node(
            "faq",
            "chatbot",
            1400,
            knowledge_base_id=knowledge_base_id,
            mode="faq",
            welcome_text="Your order is ${order_status}. Any questions? Say bye when done.",
            no_answer_text="Sorry, I don't know that one.",
            exit_keywords=["bye"],
        ),
        node("bye", "end", 1600, text="Thanks ${email}, we will write to you. Bye!"),
        node("bye_other", "end", 1200, text="Thanks, bye!"),
        node(
            "sales",
            "transfer",
            600,
            skill_group_id=skill_group_id,
            connecting_text=TRANSFER_CONNECTING,
            success_text=TRANSFER_SUCCESS,
            failure_text="Sorry, nobody from sales is available.",
            max_wait_seconds=60,
        ),
        node("bye_sales", "end", 800, text=TRANSFER_END),
    ]
    edges = [
        ("start", "next", "welcome"),
        ("welcome", "next", "menu"),
        ("menu", "order", "email"),
        ("menu", "sales", "sales"),
        ("menu", "invalid", "bye_other"),
        ("menu", "timeout", "bye_other"),
        ("email", "next", "vip"),
        ("email", "invalid", "bye_other"),
        ("email", "timeout", "bye_other"),
        ("vip", "ours", "note"),
        ("vip", "else", "bye_other"),
        ("note", "next", "lookup"),
        ("lookup", "success", "faq"),
        ("lookup", "failure", "bye_other"),
        ("faq", "exit", "bye"),
        ("faq", "handoff", "bye_other"),
        ("faq", "no_answer", "bye_other"),
        ("faq", "timeout", "bye_other"),
        ("sales", "done", "bye_sales"),
        ("sales", "no_agent", "bye_other"),
        ("sales", "timeout", "bye_other"),
    ]
    return {
        "schema_version": 1,
        "name": "Benchmark reception",
        "nodes": nodes,
        "edges": [{"source": s, "port": p, "target": t} for s, p, t in edges],
    }


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (also used by the fault tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def _process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own executables, no shell
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_ready(url: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `url + path` until it answers 200; fail if the process exits or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}; see {log}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{url}{path}")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} was not ready in time; see {log}")


def _flowdesk_env(config: BenchConfig, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FLOWDESK_DATABASE_URL": database_url,
        "FLOWDESK_ADMIN_EMAIL": ADMIN_EMAIL,
        "FLOWDESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FLOWDESK_ENVIRONMENT": "test",
        "FLOWDESK_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "FLOWDESK_LOG_LEVEL": "warning",
        # The flow's http_request step calls the local order API stub on loopback.
        "FLOWDESK_HTTP_ALLOWED_HOSTS": "127.0.0.1",
    }
    if config.redis_url:
        env["FLOWDESK_REDIS_URL"] = config.redis_url
    return env


@contextlib.asynccontextmanager
async def flowdesk_nodes(
    config: BenchConfig, workdir: Path
) -> AsyncIterator[list[tuple[str, subprocess.Popen[bytes]]]]:
    """`config.nodes` times `flowdesk serve` on one database; yields (url, process) per node."""
    database_url = config.database_url or f"sqlite:///{workdir / 'bench.db'}"
    env = _flowdesk_env(config, database_url)
    executable = str(Path(sys.executable).parent / "flowdesk")
    with contextlib.ExitStack() as stack:
        nodes: list[tuple[str, subprocess.Popen[bytes]]] = []
        for index in range(config.nodes):
            port = free_port()
            log = workdir / f"node{index}.log"
            # Only the first node migrates; the others start once it is ready.
            node_env = {**env, "FLOWDESK_AUTO_MIGRATE": "true" if index == 0 else "false"}
            command = [executable, "serve", "--host", "127.0.0.1", "--port", str(port)]
            process = stack.enter_context(_process(command, node_env, log))
            url = f"http://127.0.0.1:{port}"
            await wait_ready(url, "/readyz", process, log)
            nodes.append((url, process))
        yield nodes


BASELINE_APP = """
from fastapi import FastAPI

app = FastAPI()


@app.post("/echo")
async def echo(body: dict) -> dict:
    return {"messages": [{"seq": 1, "text": str(body.get("text", ""))}]}


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
"""


@contextlib.asynccontextmanager
async def baseline_server(workdir: Path) -> AsyncIterator[str]:
    """The same stack as `flowdesk serve` (uvicorn, FastAPI) with one trivial JSON route."""
    (workdir / "bench_baseline.py").write_text(BASELINE_APP)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench_baseline:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--app-dir",
        str(workdir),
    ]
    with _process(command, dict(os.environ), workdir / "baseline.log") as process:
        url = f"http://127.0.0.1:{port}"
        await wait_ready(url, "/healthz", process, workdir / "baseline.log")
        yield url


@contextlib.asynccontextmanager
async def order_api_stub() -> AsyncIterator[str]:
    """A local HTTP API for the flow's `http_request` step: every GET answers `STUB_REPLY`.

    Runs in the benchmark's own process (a few microseconds a request), so the server's
    outbound call is real HTTP over loopback.
    """
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        f"content-length: {len(STUB_REPLY)}\r\n\r\n"
    ).encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Cancelled too when the run ends with the server's pooled connection still open.
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError
        ):
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(head + STUB_REPLY)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


# --------------------------------------------------------------------------- load


class LeanClient:
    """One keep-alive HTTP/1.1 connection, requests one at a time: the load generator.

    A general-purpose client (httpx) spends more CPU per request than the server it measures,
    so on a two-core machine the benchmark would time the client. This one writes the request
    bytes and reads a `Content-Length` body, nothing else; the baseline uses it too.
    """

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self._host, self._port = host, int(port or 80)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last_used = 0.0

    async def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        """Send one request; returns (status, decoded JSON body or None)."""
        if time.monotonic() - self._last_used > KEEP_ALIVE_REUSE_SECONDS:
            # The server closes a connection idle for 5 s (uvicorn's keep-alive timeout): a
            # request written to it meanwhile is lost. Like any HTTP client's pool, open a
            # fresh one instead of reusing a connection that may be closing.
            await self.close()
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        payload = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"host: {self._host}:{self._port}"]
        if token is not None:
            head.append(f"authorization: Bearer {token}")
        if body is not None:
            head.append("content-type: application/json")
        head.append(f"content-length: {len(payload)}")
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        try:
            raw = await self._reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            raise
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        data = await self._reader.readexactly(length) if length else b""
        self._last_used = time.monotonic()
        return status, json.loads(data) if data else None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def _admin_setup(url: str, stub_url: str) -> tuple[str, list[str]]:
    """Create the agents and their sales skill group, fill the FAQ base, publish the benchmark
    flow and bind it to a fresh api channel; returns the channel key and the agents' e-mails."""
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        login.raise_for_status()
        admin = {"authorization": f"Bearer {login.json()['token']}"}
        emails = [f"agent{number}@flowdesk.local" for number in range(1, AGENTS + 1)]
        agent_ids = []
        for number, email in enumerate(emails, start=1):
            agent = await client.post(
                "/api/v1/users",
                json={
                    "email": email,
                    "password": AGENT_PASSWORD,
                    "display_name": f"Agent {number}",
                    "staff_no": f"B{number:03}",
                    "role": "agent",
                    "max_concurrent": AGENT_MAX_CONCURRENT,
                },
                headers=admin,
            )
            agent.raise_for_status()
            agent_ids.append(agent.json()["id"])
        group = await client.post(
            "/api/v1/skill-groups",
            json={
                "name": "Sales",
                "reception": "auto",
                "members": [{"user_id": agent_id} for agent_id in agent_ids],
            },
            headers=admin,
        )
        group.raise_for_status()
        base = await client.post("/api/v1/knowledge-bases", json={"name": "FAQ"}, headers=admin)
        base.raise_for_status()
        base_id = base.json()["id"]
        for question, answer in BENCH_FAQ:
            (
                await client.post(
                    f"/api/v1/knowledge-bases/{base_id}/entries",
                    json={"question": question, "answer": answer},
                    headers=admin,
                )
            ).raise_for_status()
        flow = await client.post(
            "/api/v1/flows",
            json={
                "name": "Benchmark",
                "document": bench_document(stub_url, base_id, group.json()["id"]),
            },
            headers=admin,
        )
        flow.raise_for_status()
        flow_id = flow.json()["id"]
        (
            await client.post(f"/api/v1/flows/{flow_id}/publish", json={}, headers=admin)
        ).raise_for_status()
        channel = await client.post(
            "/api/v1/channels", json={"name": "bench", "type": "api"}, headers=admin
        )
        channel.raise_for_status()
        bound = await client.put(
            f"/api/v1/channels/{channel.json()['id']}/flow",
            json={"flow_id": flow_id},
            headers=admin,
        )
        bound.raise_for_status()
        key: str = channel.json()["key"]
        return key, emails


def _ws_url(http_url: str) -> str:
    return "ws" + http_url.removeprefix("http")


async def _stream(
    url: str,
    conversation_id: str,
    token: str,
    seen: list[int],
    on_message: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Hold the customer's stream open and record the `seq` of every message it delivers
    (and hand each message to `on_message`, if given)."""
    stream = f"{_ws_url(url)}/api/v1/conversations/{conversation_id}/stream?token={token}"
    with contextlib.suppress(websockets.ConnectionClosed, OSError, asyncio.CancelledError):
        async with websockets.connect(stream, max_size=2**20, compression=None) as ws:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("type") == "message":
                    seen.append(event["message"]["seq"])
                    if on_message is not None:
                        on_message(event["message"])


class _Agent:
    """One simulated agent: holds its event stream open (resuming from the last event after a
    drop) and answers the first customer message of each conversation it serves, then closes."""

    def __init__(self, client: httpx.AsyncClient, url: str, token: str, sample: Sample) -> None:
        self.client = client
        self.url = url
        self.token = token
        self.sample = sample
        #: Set once the stream is open (its snapshot arrived).
        self.ready = asyncio.Event()
        self.reconnects = 0
        self._answered: set[str] = set()
        self._work: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        last_event_id = -1
        while True:
            stream = (
                f"{_ws_url(self.url)}/api/v1/agent/stream"
                f"?token={self.token}&last_event_id={last_event_id}"
            )
            with contextlib.suppress(websockets.WebSocketException, OSError):
                async with websockets.connect(stream, max_size=2**22, compression=None) as ws:
                    async for raw in ws:
                        event = json.loads(raw)
                        if event["type"] == "snapshot":
                            last_event_id = event["last_event_id"]
                            self.ready.set()
                            continue
                        last_event_id = event["id"]
                        if event["type"] == "message":
                            self._heard(event["conversation_id"], event["message"])
            self.reconnects += 1
            await asyncio.sleep(0.2)

    def _heard(self, conversation_id: str, message: dict[str, Any]) -> None:
        if message["sender"] != "customer" or conversation_id in self._answered:
            return
        self._answered.add(conversation_id)
        task = asyncio.create_task(self._answer(conversation_id))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    async def _answer(self, conversation_id: str) -> None:
        path = f"/api/v1/conversations/{conversation_id}"
        try:
            sent = await self.client.post(f"{path}/messages", json={"text": AGENT_ANSWER})
            if sent.status_code != 200:
                self.sample.error(f"agent message {sent.status_code}: {sent.text}")
                return
            closed = await self.client.post(f"{path}/close")
            if closed.status_code != 200:
                self.sample.error(f"agent close {closed.status_code}: {closed.text}")
        except httpx.HTTPError as exc:
            self.sample.error(f"agent {type(exc).__name__}: {exc}")

    async def stop(self) -> None:
        for task in self._work:
            task.cancel()
        await asyncio.gather(*self._work, return_exceptions=True)


@contextlib.asynccontextmanager
async def simulated_agents(
    urls: list[str], emails: list[str], sample: Sample
) -> AsyncIterator[list[_Agent]]:
    """The sales agents, spread over the nodes: signed in, streams open, online. Their
    failures count as the sample's errors."""
    async with contextlib.AsyncExitStack() as stack:
        agents: list[_Agent] = []
        for index, email in enumerate(emails):
            url = urls[index % len(urls)]
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30.0))
            login = await client.post(
                "/api/v1/auth/login", json={"email": email, "password": AGENT_PASSWORD}
            )
            login.raise_for_status()
            token = login.json()["token"]
            client.headers["authorization"] = f"Bearer {token}"
            agents.append(_Agent(client, url, token, sample))
        runs = [asyncio.create_task(agent.run()) for agent in agents]
        try:
            await asyncio.wait_for(
                asyncio.gather(*(agent.ready.wait() for agent in agents)), READY_TIMEOUT_SECONDS
            )
            for agent in agents:
                online = await agent.client.put("/api/v1/agent/status", json={"status": "online"})
                online.raise_for_status()
            yield agents
        finally:
            for run_task in runs:
                run_task.cancel()
            await asyncio.gather(*runs, return_exceptions=True)
            for agent in agents:
                await agent.stop()


def _answered(messages: list[dict[str, Any]], expected: tuple[str, ...]) -> bool:
    """Whether a reply says what the flow should: every phrase somewhere, the last one in the
    last message; no phrases means no reply at all (the agent, not the bot, answers)."""
    if not expected:
        return not messages
    if not messages or expected[-1] not in messages[-1]["text"]:
        return False
    return all(any(phrase in m["text"] for m in messages) for phrase in expected)


async def _conversation(
    client: LeanClient,
    url: str,
    key: str,
    number: int,
    sample: Sample,
    measuring: bool,
    streams: bool,
    transfer_every: int,
) -> None:
    """One simulated customer from start to end; latency counted per customer message.

    Most talk to the bot through the whole flow; every `transfer_every`-th asks for sales,
    asks the agent one question and waits for the answer and the flow's goodbye."""
    customer = f"bench-{number}"
    transfer = number % transfer_every == transfer_every - 1
    status, body = await client.request(
        "POST", f"/api/v1/channels/{key}/conversations", {"customer_id": customer}
    )
    if status != 201:
        sample.error(f"start {status}: {body}")
        return
    conversation_id = body["conversation"]["id"]
    token = body["customer_token"]
    sent_ids: list[str] = []
    seen: list[int] = []
    # What the stream (or, without one, polling) delivered, for a transferred customer to wait on.
    texts: list[str] = []
    arrived = asyncio.Event()

    def delivered(message: dict[str, Any]) -> None:
        texts.append(message["text"])
        arrived.set()

    last_seq = max((m["seq"] for m in body["messages"]), default=0)
    stream_task = (
        asyncio.create_task(
            _stream(url, conversation_id, token, seen, delivered if transfer else None)
        )
        if streams
        else None
    )

    async def say(index: int, turn: dict[str, Any], expected: tuple[str, ...]) -> bool:
        """Send one message; False (an error counted) unless the reply is `expected`."""
        nonlocal last_seq
        client_msg_id = f"{customer}-{index}"
        began = time.perf_counter()
        status, reply = await client.request(
            "POST",
            f"/api/v1/conversations/{conversation_id}/messages",
            {**turn, "client_msg_id": client_msg_id},
            token,
        )
        elapsed = (time.perf_counter() - began) * 1000
        if status != 200:
            sample.error(f"message {status}: {reply}")
            return False
        sent_ids.append(client_msg_id)
        last_seq = max([last_seq, *(m["seq"] for m in reply["messages"])])
        if not _answered(reply["messages"], expected):
            sample.error(f"turn {index}: expected {expected!r}, got {reply['messages']}")
            return False
        if measuring:
            sample.latencies_ms.append(elapsed)
            sample.messages += 1
        return True

    async def wait_for(phrase: str) -> bool:
        """Wait until a delivered message contains `phrase` (the agent works asynchronously)."""
        nonlocal last_seq
        deadline = time.monotonic() + AGENT_WAIT_SECONDS
        while not any(phrase in text for text in texts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if stream_task is not None:
                arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), remaining)
                continue
            await asyncio.sleep(0.05)
            status, page = await client.request(
                "GET",
                f"/api/v1/conversations/{conversation_id}/messages?after_seq={last_seq}",
                token=token,
            )
            if status == 200:
                for message in page["messages"]:
                    last_seq = max(last_seq, message["seq"])
                    texts.append(message["text"])
        if seen:
            last_seq = max(last_seq, *seen)
        return True

    try:
        if transfer:
            success = TRANSFER_SUCCESS.split("$", 1)[0]
            joined = "joined the conversation"
            if not await say(0, {"choice": "sales"}, (TRANSFER_CONNECTING, success, joined)):
                return
            if not await say(1, {"text": SALES_QUESTION}, ()):
                return
            if not await wait_for(TRANSFER_END):
                sample.error(f"transfer: no {TRANSFER_END!r} after {AGENT_WAIT_SECONDS} s: {texts}")
                return
            if AGENT_ANSWER not in texts:
                sample.error(f"transfer: the agent's answer never arrived: {texts}")
                return
            if measuring:
                sample.conversations += 1
                sample.transfers += 1
            return
        # (what the customer sends, a phrase the last reply must contain: the flow really ran)
        turns: list[tuple[dict[str, Any], str]] = [
            ({"choice": "order"}, "e-mail address"),
            ({"text": "not an e-mail"}, "Try again"),
            ({"text": f"{customer}@{EMAIL_DOMAIN}"}, "Your order is shipped"),
            ({"text": "how long will delivery take"}, BENCH_FAQ[0][1]),
            ({"text": "bye"}, "Bye!"),
        ]
        for index, (turn, expected) in enumerate(turns):
            if not await say(index, turn, (expected,)):
                return
        if measuring:
            sample.conversations += 1
    finally:
        if measuring:
            sample.sent[conversation_id] = (token, url, sent_ids, seen)
        if stream_task is not None:
            # Close the stream once it delivered the last reply (or gave up waiting for it:
            # the audit then counts a gap).
            deadline = time.monotonic() + STREAM_CATCH_UP_SECONDS
            while (not seen or max(seen) < last_seq) and time.monotonic() < deadline:
                if stream_task.done():
                    break
                await asyncio.sleep(0.01)
            stream_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stream_task


async def drive_flowdesk(
    urls: list[str], key: str, config: BenchConfig, duration: float, sample: Sample | None = None
) -> tuple[Sample, float]:
    """`concurrency` customers in a loop for `duration` seconds after a warm-up."""
    sample = sample if sample is not None else Sample()
    counter = iter(range(10**9))
    measure_from = time.monotonic() + config.warmup
    stop_at = measure_from + duration

    async def worker(index: int) -> None:
        url = urls[index % len(urls)]
        client = LeanClient(url)
        try:
            while time.monotonic() < stop_at:
                measuring = time.monotonic() >= measure_from
                try:
                    await _conversation(
                        client,
                        url,
                        key,
                        next(counter),
                        sample,
                        measuring,
                        config.streams,
                        config.transfer_every,
                    )
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    sample.error(f"{type(exc).__name__}: {exc}")
        finally:
            await client.close()

    await asyncio.gather(*(worker(i) for i in range(config.concurrency)))
    return sample, time.monotonic() - measure_from


async def drive_baseline(
    url: str, config: BenchConfig, duration: float
) -> tuple[int, float, list[float]]:
    """The same client against the trivial route: POSTs per second."""
    done = 0
    latencies: list[float] = []
    measure_from = time.monotonic() + config.warmup
    stop_at = measure_from + duration

    async def worker() -> None:
        nonlocal done
        client = LeanClient(url)
        try:
            while time.monotonic() < stop_at:
                began = time.perf_counter()
                status, _ = await client.request("POST", "/echo", {"text": "hello"})
                if status != 200:
                    raise RuntimeError(f"baseline answered {status}")
                if time.monotonic() >= measure_from:
                    done += 1
                    latencies.append((time.perf_counter() - began) * 1000)
        finally:
            await client.close()

    await asyncio.gather(*(worker() for _ in range(config.concurrency)))
    return done, time.monotonic() - measure_from, latencies


async def audit(sample: Sample) -> tuple[int, int]:
    """(lost, stream_gaps): each sent message must be in its history exactly once, and the
    stream must have delivered every message of the history."""
    lost = 0
    gaps = 0
    async with httpx.AsyncClient(timeout=30.0) as client:
        semaphore = asyncio.Semaphore(20)

        async def check(
            conversation_id: str, token: str, url: str, ids: list[str], seen: list[int]
        ) -> None:
            nonlocal lost, gaps
            async with semaphore:
                response = await client.get(
                    f"{url}/api/v1/conversations/{conversation_id}/messages",
                    params={"after_seq": 0, "limit": 1000},
                    headers={"authorization": f"Bearer {token}"},
                )
            history = response.json()["messages"] if response.status_code == 200 else []
            counts: dict[str, int] = {}
            for message in history:
                if message.get("client_msg_id"):
                    counts[message["client_msg_id"]] = counts.get(message["client_msg_id"], 0) + 1
            lost += sum(1 for i in ids if counts.get(i, 0) != 1)
            seqs = [m["seq"] for m in history]
            if seqs != list(range(1, len(seqs) + 1)):
                lost += 1  # a gap or a duplicate in seq
            if seen and sorted(set(seen)) != seqs:
                gaps += 1

        await asyncio.gather(
            *(check(cid, tok, url, ids, seen) for cid, (tok, url, ids, seen) in sample.sent.items())
        )
    return lost, gaps


async def idle_memory(urls: list[str], key: str, pids: list[int], count: int) -> float:
    """Open `count` conversations with their streams and leave them idle: KiB of the nodes'
    RSS per conversation.

    Each stream is opened the way the widget opens it in a browser, offering permessage-deflate
    (a server that accepts it keeps a compressor per stream), and counts once its replay has
    arrived; a stream that does not open fails the run rather than quietly shrinking the
    figure. The load before leaves freed memory in the servers that the first idle streams
    would reuse for nothing (at 1,000 after `--quick`, ~5 KiB a conversation less than they
    cost once it is used up): `count // 2` idle conversations are opened first, then RSS is
    read before and after `count` more, each time once every stream is open and idle and the
    servers had a moment to settle.
    """
    streams: list[websockets.ClientConnection] = []
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        semaphore = asyncio.Semaphore(50)

        async def open_one(number: int) -> None:
            url = urls[number % len(urls)]
            async with semaphore, asyncio.timeout(IDLE_OPEN_TIMEOUT_SECONDS):
                started = await client.post(
                    f"{url}/api/v1/channels/{key}/conversations",
                    json={"customer_id": f"idle-{number}"},
                )
                started.raise_for_status()
                body = started.json()
                path = f"/api/v1/conversations/{body['conversation']['id']}/stream"
                ws = await websockets.connect(
                    f"{_ws_url(url)}{path}?token={body['customer_token']}", max_size=2**20
                )
                streams.append(ws)
                # The replay ends with the conversation's state; from then on it is idle.
                while json.loads(await ws.recv())["type"] != "conversation.updated":
                    pass

        async def open_idle(first: int, how_many: int) -> int:
            await asyncio.gather(*(open_one(n) for n in range(first, first + how_many)))
            await asyncio.sleep(IDLE_SETTLE_SECONDS)
            return sum(_rss_kib(pid) for pid in pids)

        try:
            warmup = count // 2
            before = await open_idle(0, warmup)
            after = await open_idle(warmup, count)
        finally:
            await asyncio.gather(*(ws.close() for ws in streams), return_exceptions=True)
    return round((after - before) / max(count, 1), 2)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return round(ordered[index], 2)


async def run(config: BenchConfig) -> dict[str, Any]:
    """Run the whole benchmark and return the figures."""
    with tempfile.TemporaryDirectory(prefix="flowdesk-bench-") as tmp:
        workdir = Path(tmp)
        async with baseline_server(workdir) as baseline_url:
            done, baseline_elapsed, baseline_latencies = await drive_baseline(
                baseline_url, config, config.baseline_duration
            )
        baseline_rate = done / baseline_elapsed if baseline_elapsed > 0 else 0.0
        async with order_api_stub() as stub_url, flowdesk_nodes(config, workdir) as nodes:
            urls = [url for url, _ in nodes]
            key, agent_emails = await _admin_setup(urls[0], stub_url)
            sample = Sample()
            async with simulated_agents(urls, agent_emails, sample) as agents:
                sample, elapsed = await drive_flowdesk(urls, key, config, config.duration, sample)
                lost, stream_gaps = await audit(sample)
                idle_kib = (
                    await idle_memory(urls, key, [p.pid for _, p in nodes], config.idle)
                    if config.idle
                    else None
                )
            agent_reconnects = sum(agent.reconnects for agent in agents)
    rate = sample.messages / elapsed if elapsed > 0 else 0.0
    result: dict[str, Any] = {
        "messages_per_second": round(rate, 1),
        "p50_ms": _percentile(sample.latencies_ms, 0.50),
        "p99_ms": _percentile(sample.latencies_ms, 0.99),
        "mean_ms": round(statistics.fmean(sample.latencies_ms), 2) if sample.latencies_ms else 0.0,
        "conversations_per_second": round(sample.conversations / elapsed, 1) if elapsed else 0.0,
        "messages": sample.messages,
        "conversations": sample.conversations,
        "transfers": sample.transfers,
        "baseline_messages_per_second": round(baseline_rate, 1),
        "baseline_p50_ms": _percentile(baseline_latencies, 0.50),
        "baseline_p99_ms": _percentile(baseline_latencies, 0.99),
        "ratio_to_baseline": round(rate / baseline_rate, 3) if baseline_rate else None,
        "errors": sample.errors,
        "lost": lost,
        "stream_gaps": stream_gaps,
        "setup": {
            "database": "postgresql"
            if (config.database_url or "").startswith("postgres")
            else "sqlite",
            "redis": bool(config.redis_url),
            "nodes": config.nodes,
            "concurrency": config.concurrency,
            "duration_seconds": config.duration,
            "baseline_duration_seconds": config.baseline_duration,
            "streams": config.streams,
            "flow": "welcome, menu, e-mail question answered once wrongly, condition, "
            "set variable, http_request to a local stub, FAQ chatbot question, end"
            f"; 1 customer in {config.transfer_every} picks sales instead: transfer to a "
            "simulated agent, who answers one question and closes, end",
            "messages_per_conversation": CUSTOMER_TURNS,
            "messages_per_transfer": SALES_TURNS,
            "agents": len(agent_emails),
            "cpus": os.cpu_count(),
        },
    }
    if sample.error_examples:
        result["error_examples"] = sample.error_examples
    if agent_reconnects:
        result["agent_stream_reconnects"] = agent_reconnects
    if idle_kib is not None:
        result["idle_conversations"] = config.idle
        result["kib_per_idle_conversation"] = idle_kib
    return result
