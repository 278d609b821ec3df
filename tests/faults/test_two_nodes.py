"""Faults across two nodes on PostgreSQL and Redis: killed nodes, a restarted Redis, bursts
of retried messages, and a timer whose node died. Nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.faults.cluster import Deployment, Node, Stream, deploy, two_nodes

pytestmark = pytest.mark.postgres


class Customer:
    def __init__(self, client: httpx.AsyncClient, body: dict[str, Any]) -> None:
        self.client = client
        self.id: str = body["conversation"]["id"]
        self.token: str = body["customer_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}

    async def send(self, node: Node, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"{node.url}/api/v1/conversations/{self.id}/messages", json=body, headers=self.headers
        )

    async def history(self, node: Node) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"{node.url}/api/v1/conversations/{self.id}/messages",
            params={"after_seq": 0, "limit": 1000},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def stream(self, node: Node, after_seq: int = 0) -> Stream:
        return Stream(
            f"{node.ws}/api/v1/conversations/{self.id}/stream"
            f"?token={self.token}&after_seq={after_seq}"
        ).open()


async def start(client: httpx.AsyncClient, node: Node, key: str, who: str) -> Customer:
    response = await client.post(
        f"{node.url}/api/v1/channels/{key}/conversations", json={"customer_id": who}
    )
    assert response.status_code == 201, response.text
    return Customer(client, response.json())


async def online_agent(client: httpx.AsyncClient, node: Node, deployment: Deployment) -> Stream:
    """The agent signs in on `node`, goes online and keeps the agent stream open there."""
    headers = {"authorization": f"Bearer {deployment.agent_token}"}
    response = await client.put(
        f"{node.url}/api/v1/agent/status", json={"status": "online"}, headers=headers
    )
    assert response.status_code == 200, response.text
    stream = Stream(f"{node.ws}/api/v1/agent/stream?token={deployment.agent_token}").open()
    await stream.wait_for(lambda e: e.get("type") == "snapshot")
    return stream


async def agent_says(
    client: httpx.AsyncClient, node: Node, token: str, cid: str, text: str
) -> None:
    response = await client.post(
        f"{node.url}/api/v1/conversations/{cid}/messages",
        json={"text": text},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text


def assert_whole(history: list[dict[str, Any]]) -> None:
    """`seq` runs 1..n without a gap or a repeat, and no client_msg_id is stored twice."""
    assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
    ids = Counter(m["client_msg_id"] for m in history if m.get("client_msg_id"))
    assert all(count == 1 for count in ids.values()), ids


async def test_a_customer_on_one_node_an_agent_on_the_other_and_a_node_killed(
    postgres_url: str, tmp_path: Path
) -> None:
    async with (
        two_nodes(tmp_path, postgres_url) as (_redis, a, b),
        httpx.AsyncClient(timeout=15.0) as client,
    ):
        deployment = await deploy(a.url)
        agent_stream = await online_agent(client, b, deployment)
        customer = await start(client, a, deployment.key, "cust-1")
        customer_stream = customer.stream(a)

        # The customer asks for a person on node A; the agent hears of it on node B.
        assert (await customer.send(a, choice="person", client_msg_id="c1")).status_code == 200
        await agent_stream.wait_for(
            lambda e: (
                e.get("type") == "conversation.assigned" and e["conversation"]["id"] == customer.id
            )
        )
        # The agent answers on B; the customer's stream on A shows it live.
        await agent_says(client, b, deployment.agent_token, customer.id, "Hello from node B")
        await customer_stream.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "Hello from node B"
        )
        seen = max(m["seq"] for m in customer_stream.messages())

        # Node A dies mid-conversation; the customer carries on through node B.
        a.kill()
        await asyncio.wait_for(customer_stream.closed.wait(), 10)
        resumed = customer.stream(b, after_seq=seen)
        assert (
            await customer.send(b, text="Are you there?", client_msg_id="c2")
        ).status_code == 200
        await agent_stream.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "Are you there?"
        )
        await agent_says(client, b, deployment.agent_token, customer.id, "Still here")
        await resumed.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "Still here"
        )
        history = await customer.history(b)
        assert_whole(history)
        delivered = [m["seq"] for m in customer_stream.messages() + resumed.messages()]
        assert sorted(delivered) == [m["seq"] for m in history], "each message streamed once"
        for stream in (agent_stream, customer_stream, resumed):
            await stream.close()


async def test_a_burst_of_retried_messages_through_both_nodes_is_kept_exactly_once(
    postgres_url: str, tmp_path: Path
) -> None:
    async with (
        two_nodes(tmp_path, postgres_url) as (_redis, a, b),
        httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=200)) as client,
    ):
        deployment = await deploy(a.url)
        agent_stream = await online_agent(client, b, deployment)
        customer = await start(client, a, deployment.key, "cust-burst")
        assert (await customer.send(b, choice="person", client_msg_id="pick")).status_code == 200
        count = 40
        # Every message is sent twice at once, once through each node (a client retrying).
        sends = [
            customer.send(node, text=f"burst {n}", client_msg_id=f"b{n}")
            for n in range(count)
            for node in (a, b)
        ]
        responses = await asyncio.gather(*sends)
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        history = await customer.history(a)
        assert_whole(history)
        burst = [m for m in history if m["text"].startswith("burst ")]
        assert sorted(m["client_msg_id"] for m in burst) == sorted(f"b{n}" for n in range(count))
        # The agent on the other node heard each one once.
        await agent_stream.wait_for(
            lambda e: (
                sum(
                    1
                    for x in agent_stream.events
                    if x.get("type") == "message" and x["message"]["text"].startswith("burst ")
                )
                >= count
            )
        )
        heard = [
            x["message"]["seq"]
            for x in agent_stream.events
            if x.get("type") == "message" and x["message"]["text"].startswith("burst ")
        ]
        assert sorted(heard) == sorted(m["seq"] for m in burst)
        await agent_stream.close()


async def test_a_redis_restart_loses_nothing(postgres_url: str, tmp_path: Path) -> None:
    async with (
        two_nodes(tmp_path, postgres_url) as (redis, a, b),
        httpx.AsyncClient(timeout=15.0) as client,
    ):
        deployment = await deploy(a.url)
        await online_agent(client, b, deployment)
        customer = await start(client, a, deployment.key, "cust-redis")
        stream = customer.stream(a)
        assert (await customer.send(a, choice="person", client_msg_id="c1")).status_code == 200
        await agent_says(client, b, deployment.agent_token, customer.id, "before")
        await stream.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "before"
        )

        redis.stop()
        # The node loses its Redis connection and drops the stream so the client resyncs.
        await asyncio.wait_for(stream.closed.wait(), 15)
        # Messages still go through the database while Redis is away.
        await agent_says(client, b, deployment.agent_token, customer.id, "during")
        redis.start()
        seen = max(m["seq"] for m in stream.messages())
        resumed = customer.stream(a, after_seq=seen)
        await resumed.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "during"
        )
        # Give the node a moment to resubscribe, then live delivery across nodes works again.
        await asyncio.sleep(1.0)
        await agent_says(client, b, deployment.agent_token, customer.id, "after")
        await resumed.wait_for(
            lambda e: e.get("type") == "message" and e["message"]["text"] == "after", within=15
        )
        history = await customer.history(a)
        assert_whole(history)
        delivered = [m["seq"] for m in stream.messages() + resumed.messages()]
        assert sorted(delivered) == [m["seq"] for m in history]
        await resumed.close()


async def test_a_timer_due_while_its_node_is_dead_fires_once_on_the_other(
    postgres_url: str, tmp_path: Path
) -> None:
    async with (
        two_nodes(tmp_path, postgres_url) as (_redis, a, b),
        httpx.AsyncClient(timeout=15.0) as client,
    ):
        deployment = await deploy(a.url)
        customers = [await start(client, a, deployment.key, f"cust-t{n}") for n in range(5)]
        a.kill()  # the menu timeouts (3 s) were armed by node A
        await asyncio.sleep(5.0)
        for customer in customers:
            history = await customer.history(b)
            assert_whole(history)
            texts = [m["text"] for m in history]
            assert texts.count("We did not hear from you.") == 1, texts
            assert texts[-1] == "Bye."
