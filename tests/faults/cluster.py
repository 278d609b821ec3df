"""Two real `flowdesk serve` nodes on the machine's PostgreSQL and a Redis of the test's own.

The Redis is a private `redis-server` on a free port, so a test can stop and restart it
without touching the machine's shared one. Nodes are subprocesses a test can SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
import websockets

from flowdesk.bench import free_port, wait_ready

ADMIN_EMAIL = "admin@faults.test"
ADMIN_PASSWORD = "faults-admin-password"
AGENT_PASSWORD = "faults-agent-password"
READY_SECONDS = 30.0


def _wait_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class PrivateRedis:
    """A `redis-server` of the test's own that can be stopped and started on the same port."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("redis-server is not installed", pytrace=False)
            pytest.skip("redis-server is not installed")
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@dataclass
class Node:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crashed machine."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    @property
    def ws(self) -> str:
        return "ws" + self.url.removeprefix("http")


async def start_node(workdir: Path, database_url: str, redis_url: str, index: int) -> Node:
    port = free_port()
    env = {
        **os.environ,
        "FLOWDESK_DATABASE_URL": database_url,
        "FLOWDESK_REDIS_URL": redis_url,
        "FLOWDESK_ADMIN_EMAIL": ADMIN_EMAIL,
        "FLOWDESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "FLOWDESK_ENVIRONMENT": "test",
        "FLOWDESK_SECRET_KEY": "faults-secret-" + "s" * 32,
        "FLOWDESK_LOG_LEVEL": "warning",
        "FLOWDESK_SCHEDULER_INTERVAL_SECONDS": "0.2",
    }
    log = workdir / f"node{index}.log"
    command = [
        str(Path(sys.executable).parent / "flowdesk"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 - starting a server, not waiting on it
            command, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    node = Node(f"http://127.0.0.1:{port}", process, log)
    await wait_ready(node.url, "/readyz", process, log)
    return node


@dataclass
class Stream:
    """A WebSocket stream collecting every event into `events` until closed."""

    url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def _run(self) -> None:
        try:
            async with websockets.connect(self.url) as ws:
                async for raw in ws:
                    self.events.append(json.loads(raw))
        except (websockets.ConnectionClosed, OSError):
            pass
        finally:
            self.closed.set()

    def open(self) -> Stream:
        self.task = asyncio.create_task(self._run())
        return self

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def messages(self) -> list[dict[str, Any]]:
        return [e["message"] for e in self.events if e.get("type") == "message"]

    async def wait_for(self, predicate: Any, within: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError(f"no such event in {self.events}")


def transfer_document(skill_group_id: str) -> dict[str, Any]:
    """Welcome → menu (3 s timeout) → transfer to the group → end."""

    def node(node_id: str, type_: str, **config: Any) -> dict[str, Any]:
        return {"id": node_id, "type": type_, "name": node_id, "config": config}

    nodes = [
        node("start", "start"),
        node("welcome", "message", text="Welcome to the fault test."),
        node(
            "menu",
            "menu",
            text="Choose",
            options=[{"id": "person", "label": "Talk to a person"}],
            timeout_seconds=3,
        ),
        node("timed_out", "message", text="We did not hear from you."),
        node(
            "transfer",
            "transfer",
            skill_group_id=skill_group_id,
            success_text="You are with ${StaffNickName}.",
        ),
        node("bye", "end", text="Bye."),
    ]
    edges = [
        ("start", "next", "welcome"),
        ("welcome", "next", "menu"),
        ("menu", "person", "transfer"),
        ("menu", "invalid", "bye"),
        ("menu", "timeout", "timed_out"),
        ("timed_out", "next", "bye"),
        ("transfer", "done", "bye"),
        ("transfer", "no_agent", "bye"),
        ("transfer", "timeout", "bye"),
    ]
    return {
        "schema_version": 1,
        "name": "Faults",
        "nodes": nodes,
        "edges": [{"source": s, "port": p, "target": t} for s, p, t in edges],
    }


@dataclass
class Deployment:
    key: str
    agent_id: str
    agent_token: str


async def deploy(url: str) -> Deployment:
    """An agent, an auto-reception skill group, the flow published and bound to an api channel."""
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        admin = {"authorization": f"Bearer {login.json()['token']}"}

        async def post(path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
            response = await client.post(path, json=body, headers=admin)
            assert response.status_code == status, response.text
            data: dict[str, Any] = response.json()
            return data

        agent = await post(
            "/api/v1/users",
            {
                "email": "agent@faults.test",
                "password": AGENT_PASSWORD,
                "display_name": "Ada",
                "role": "agent",
                "max_concurrent": 50,
            },
        )
        group = await post(
            "/api/v1/skill-groups",
            {"name": "Support", "members": [{"user_id": agent["id"]}], "reception": "auto"},
        )
        flow = await post(
            "/api/v1/flows", {"name": "Faults", "document": transfer_document(group["id"])}
        )
        await post(f"/api/v1/flows/{flow['id']}/publish", {})
        channel = await post("/api/v1/channels", {"name": "faults", "type": "api"})
        bound = await client.put(
            f"/api/v1/channels/{channel['id']}/flow", json={"flow_id": flow["id"]}, headers=admin
        )
        assert bound.status_code == 200, bound.text
        agent_login = await client.post(
            "/api/v1/auth/login", json={"email": "agent@faults.test", "password": AGENT_PASSWORD}
        )
        return Deployment(channel["key"], agent["id"], agent_login.json()["token"])


@contextlib.asynccontextmanager
async def two_nodes(
    workdir: Path, database_url: str
) -> AsyncIterator[tuple[PrivateRedis, Node, Node]]:
    redis = PrivateRedis(workdir)
    redis.start()
    nodes: list[Node] = []
    try:
        nodes.append(await start_node(workdir, database_url, redis.url, 0))
        nodes.append(await start_node(workdir, database_url, redis.url, 1))
        yield redis, nodes[0], nodes[1]
    finally:
        for node in nodes:
            if node.process.poll() is None:
                node.process.terminate()
                try:
                    node.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()
        redis.stop()
