"""Short-hands for desk tests: agents, skill groups, a transfer flow with a survey after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support import Server


@dataclass
class Agent:
    server: Server
    id: str
    headers: dict[str, str]
    display_name: str

    async def status(self, status: str) -> None:
        response = await self.server.client.put(
            "/api/v1/agent/status", json={"status": status}, headers=self.headers
        )
        assert response.status_code == 200, response.text

    async def post(self, conversation_id: str, action: str, **body: Any) -> Any:
        return await self.server.client.post(
            f"/api/v1/conversations/{conversation_id}/{action}",
            json=body or None,
            headers=self.headers,
        )

    async def say(self, conversation_id: str, text: str) -> dict[str, Any]:
        response = await self.post(conversation_id, "messages", text=text)
        assert response.status_code == 200, response.text
        message: dict[str, Any] = response.json()["message"]
        return message

    async def mine(self) -> list[dict[str, Any]]:
        response = await self.server.client.get("/api/v1/agent/conversations", headers=self.headers)
        assert response.status_code == 200, response.text
        conversations: list[dict[str, Any]] = response.json()["conversations"]
        return conversations


async def make_agent(
    server: Server,
    name: str,
    *,
    staff_no: str | None = None,
    max_concurrent: int = 5,
    status: str | None = "online",
) -> Agent:
    email = f"{name.lower()}@desk.example.com"
    response = await server.client.post(
        "/api/v1/users",
        json={
            "email": email,
            "password": "agent-password-1",
            "display_name": name,
            "staff_no": staff_no,
            "role": "agent",
            "max_concurrent": max_concurrent,
        },
        headers=server.admin,
    )
    assert response.status_code == 201, response.text
    agent = Agent(
        server, response.json()["id"], await server.login(email, "agent-password-1"), name
    )
    if status is not None:
        await agent.status(status)
    return agent


async def make_group(
    server: Server, members: list[Agent | tuple[Agent, int]], **fields: Any
) -> str:
    body = {
        "name": fields.pop("name", "Support"),
        "members": [
            {"user_id": m.id} if isinstance(m, Agent) else {"user_id": m[0].id, "priority": m[1]}
            for m in members
        ],
        **fields,
    }
    response = await server.client.post("/api/v1/skill-groups", json=body, headers=server.admin)
    assert response.status_code == 201, response.text
    group_id: str = response.json()["id"]
    return group_id


def transfer_flow(group_id: str, **transfer: Any) -> dict[str, Any]:
    """start → transfer → (done) survey → end; no_agent / timeout → their own end nodes."""
    config = {
        "skill_group_id": group_id,
        "connecting_text": "Connecting you to an agent…",
        "queue_text": "You are number ${WaitNo} in the queue.",
        "success_text": "You are talking to ${StaffNickName} (no. ${StaffNo}).",
        "failure_text": "Sorry, nobody is available.",
        **transfer,
    }
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "transfer", "type": "transfer", "config": config},
            {
                "id": "survey",
                "type": "survey",
                "config": {"text": "How did we do?", "scale": "stars5", "thanks_text": "Thanks!"},
            },
            {"id": "bye", "type": "end", "config": {"text": "Goodbye."}},
            {"id": "no_agent", "type": "end", "config": {"text": "Try again later."}},
            {"id": "too_long", "type": "end", "config": {"text": "Sorry for the wait."}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "transfer"},
            {"source": "transfer", "port": "done", "target": "survey"},
            {"source": "transfer", "port": "no_agent", "target": "no_agent"},
            {"source": "transfer", "port": "timeout", "target": "too_long"},
            {"source": "survey", "port": "rated", "target": "bye"},
            {"source": "survey", "port": "skipped", "target": "bye"},
        ],
    }
