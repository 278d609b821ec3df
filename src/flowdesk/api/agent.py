"""The agent API (SPEC §7): status, my conversations, my queues, the directory, and the agent
event stream."""

from __future__ import annotations

import contextlib
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from flowdesk.api.deps import MAX_INT, SESSION_COOKIE, RuntimeDep, StaffDep
from flowdesk.api.streaming import forward
from flowdesk.events import SubscriptionLost
from flowdesk.runtime import Runtime
from flowdesk.services import serving, workspace
from flowdesk.services.outbox import agent_event_view, agent_topic
from flowdesk.services.users import user_for_token
from flowdesk.storage.models import AgentEvent
from flowdesk.views import conversation_view, user_view

router = APIRouter(prefix="/agent", tags=["agent"])
WS_POLICY_VIOLATION = 4403
REPLAY_LIMIT = 5000


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["online", "away", "offline"]


@router.put("/status")
async def put_status(body: StatusIn, rt: RuntimeDep, user: StaffDep) -> dict[str, Any]:
    updated = await serving.set_status(rt, user.id, body.status)
    return user_view(updated)


@router.get("/conversations")
async def my_conversations(rt: RuntimeDep, user: StaffDep) -> dict[str, Any]:
    rows = await serving.conversations_of(rt, user.id)
    return {"conversations": [conversation_view(c, staff=True) for c in rows]}


@router.get("/queues")
async def my_queues(rt: RuntimeDep, user: StaffDep) -> dict[str, Any]:
    """The queues of my skill groups (an admin: every group), read-only, in queue order."""
    return {"queues": await workspace.queues_for(rt, user)}


@router.get("/directory")
async def directory(rt: RuntimeDep, _user: StaffDep) -> dict[str, Any]:
    """Names for the workspace: agents (with status) and skill groups to transfer to, and the
    channels a conversation can come from. No e-mails, members or channel keys."""
    found = await workspace.directory(rt)
    return {
        "agents": [
            {"id": a.id, "display_name": a.display_name, "status": a.status} for a in found.agents
        ],
        "skill_groups": [{"id": g.id, "name": g.name} for g in found.skill_groups],
        "channels": [{"id": c.id, "name": c.name, "type": c.type} for c in found.channels],
    }


@router.websocket("/stream")
async def agent_stream(websocket: WebSocket, token: str = "", last_event_id: int = -1) -> None:
    """Replay events after `last_event_id` (or send a snapshot), then every new event live."""
    rt: Runtime = websocket.app.state.runtime
    token = token or websocket.cookies.get(SESSION_COOKIE, "")
    user = await user_for_token(rt, token) if token else None
    if user is None or not -1 <= last_event_id <= MAX_INT:
        await websocket.close(code=WS_POLICY_VIOLATION)
        return
    await websocket.accept()
    presence = websocket.app.state.presence
    await presence.connected(user.id)
    try:
        async with rt.bus.subscribe(agent_topic(user.id)) as subscription:
            last_id = await _catch_up(rt, websocket, user.id, last_event_id)
            await forward(websocket, subscription, _event_id, last_id)
    except (SubscriptionLost, WebSocketDisconnect):
        return
    finally:
        await presence.disconnected(user.id)
        with contextlib.suppress(Exception):
            await websocket.close()


async def _still_kept(rt: Runtime, user_id: str, event_id: int) -> bool:
    """Whether the client's last event is still stored (housekeeping deletes old ones)."""
    async with rt.db.read() as session:
        found = await session.scalar(
            select(AgentEvent.id).where(AgentEvent.id == event_id, AgentEvent.user_id == user_id)
        )
    return found is not None


async def _catch_up(rt: Runtime, websocket: WebSocket, user_id: str, last_event_id: int) -> int:
    """Send what the client missed; without a `last_event_id`, a snapshot of its work.

    Rows are read first and sent after the session is closed, so a slow client never
    holds a database connection.
    """
    if last_event_id > 0 and not await _still_kept(rt, user_id, last_event_id):
        last_event_id = -1  # older than the retention: what followed may be gone, so resync
    if last_event_id >= 0:
        async with rt.db.read() as session:
            events = list(
                await session.scalars(
                    select(AgentEvent)
                    .where(AgentEvent.user_id == user_id, AgentEvent.id > last_event_id)
                    .order_by(AgentEvent.id)
                    .limit(REPLAY_LIMIT)
                )
            )
        for event in events:
            await websocket.send_json(agent_event_view(event))
        return events[-1].id if events else last_event_id
    async with rt.db.read() as session:
        newest = int(
            await session.scalar(
                select(func.max(AgentEvent.id)).where(AgentEvent.user_id == user_id)
            )
            or 0
        )
    conversations = await serving.conversations_of(rt, user_id)
    await websocket.send_json(
        {
            "type": "snapshot",
            "last_event_id": newest,
            "conversations": [conversation_view(c, staff=True) for c in conversations],
        }
    )
    return newest


def _event_id(event: dict[str, Any]) -> int | None:
    event_id: int = event["id"]
    return event_id
