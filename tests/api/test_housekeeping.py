"""Housekeeping deletes expired agent events and finished simulator runs, and nothing else."""

from __future__ import annotations

from sqlalchemy import func, select

from flowdesk.clock import ManualClock
from flowdesk.services.housekeeping import prune
from flowdesk.storage.models import AgentEvent, Conversation, FlowVersion, WebhookDelivery
from tests.api.desk_support import make_agent, make_group, transfer_flow
from tests.support import Server


async def _count(server: Server, model: type, *where: object) -> int:
    async with server.rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_old_agent_events_go_recent_ones_stay(server: Server, clock: ManualClock) -> None:
    alice = await make_agent(server, "Alice")
    key = await server.deploy(transfer_flow(await make_group(server, [alice])))
    await server.start(key)
    old = await _count(server, AgentEvent)
    assert old > 0
    clock.advance(server.rt.settings.event_retention_hours * 3600 + 1)
    await alice.status("away")  # one fresh event
    pruned = await prune(server.rt)
    assert pruned.agent_events == old
    assert await _count(server, AgentEvent) == 1
    # Conversations are never touched by event retention.
    assert await _count(server, Conversation) == 1


async def test_finished_simulator_runs_and_their_snapshots_go(
    server: Server, clock: ManualClock
) -> None:
    flow_id = await server.create_flow(transfer_flow("sgp_any"))  # invalid: missing group
    document = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {
                "id": "ask",
                "type": "collect",
                "config": {"text": "Name?", "variable": "n", "input_type": "text"},
            },
            {"id": "end", "type": "end"},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "ask"},
            {"source": "ask", "port": "next", "target": "end"},
            {"source": "ask", "port": "invalid", "target": "end"},
            {"source": "ask", "port": "timeout", "target": "end"},
        ],
    }

    async def simulate() -> dict[str, str]:
        response = await server.client.post(
            f"/api/v1/flows/{flow_id}/simulate", json={"document": document}, headers=server.admin
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return {"id": body["conversation"]["id"], "token": body["customer_token"]}

    finished = await simulate()
    still_open = await simulate()
    ended = await server.client.post(
        f"/api/v1/conversations/{finished['id']}/messages",
        json={"text": "Ada"},
        headers={"authorization": f"Bearer {finished['token']}"},
    )
    assert ended.status_code == 200
    clock.advance(2 * 86400)
    pruned = await prune(server.rt)
    assert (pruned.sandbox_conversations, pruned.sandbox_snapshots) == (1, 1)
    assert await _count(server, Conversation, Conversation.id == finished["id"]) == 0
    assert await _count(server, Conversation, Conversation.id == still_open["id"]) == 1
    # The open run's snapshot stays; published versions are never touched.
    assert await _count(server, FlowVersion, FlowVersion.version < 0) == 1


async def test_old_delivered_webhook_events_go_failed_and_pending_ones_stay(
    server: Server, clock: ManualClock
) -> None:
    now = server.rt.clock.now()
    async with server.rt.db.write() as session:
        for n, status in enumerate(("delivered", "delivered", "failed", "pending")):
            session.add(
                WebhookDelivery(
                    event_id=f"evt_{n}",
                    type="message.created",
                    payload={},
                    status=status,
                    next_attempt_at=now,
                    created_at=now,
                    delivered_at=now if status == "delivered" else None,
                )
            )
    clock.advance(server.rt.settings.webhook_retention_days * 86400 + 1)
    async with server.rt.db.write() as session:
        session.add(
            WebhookDelivery(
                event_id="evt_fresh",
                type="message.created",
                payload={},
                status="delivered",
                next_attempt_at=clock.now(),
                created_at=clock.now(),
                delivered_at=clock.now(),
            )
        )
    pruned = await prune(server.rt)
    assert pruned.webhook_deliveries == 2
    async with server.rt.db.read() as session:
        left = set(await session.scalars(select(WebhookDelivery.event_id)))
    assert left == {"evt_2", "evt_3", "evt_fresh"}
