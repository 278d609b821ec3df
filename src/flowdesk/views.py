"""How objects look on the wire (SPEC §7). The API and the event streams share these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flowdesk.storage.models import (
    Channel,
    Conversation,
    Flow,
    FlowVersion,
    Message,
    Schedule,
    User,
)


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def message_view(message: Message) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": message.id,
        "seq": message.seq,
        "sender": message.sender,
        "type": message.type,
        "text": message.text,
        "created_at": iso(message.created_at),
    }
    payload = message.payload or {}
    # `agent`: who wrote an agent message (display name, staff number), for the widget.
    for key in ("options", "scale", "choice", "rating", "comment", "agent"):
        if key in payload:
            view[key] = payload[key]
    if message.client_msg_id is not None:
        view["client_msg_id"] = message.client_msg_id
    return view


def conversation_view(conversation: Conversation, *, staff: bool = False) -> dict[str, Any]:
    """A conversation as its customer sees it; staff also see variables and the path."""
    desk = conversation.desk or {}
    wait_no = desk.get("wait_no")
    agent = desk.get("agent") if conversation.state == "agent" else None
    view: dict[str, Any] = {
        "id": conversation.id,
        "channel_id": conversation.channel_id,
        "customer_id": conversation.customer_id,
        "state": conversation.state,
        "flow_id": conversation.flow_id,
        "flow_version": conversation.flow_version,
        "node_id": conversation.node_id,
        "started_at": iso(conversation.started_at),
        "ended_at": iso(conversation.ended_at),
        "end_reason": conversation.end_reason,
        "rating": conversation.rating,
        "queue_position": wait_no + 1
        if conversation.state == "queued" and wait_no is not None
        else None,
        "agent": {"display_name": agent.get("display_name"), "staff_no": agent.get("staff_no")}
        if agent
        else None,
        "last_seq": conversation.last_seq,
    }
    if staff:
        flow_state = conversation.flow_state or {}
        view.update(
            customer_name=conversation.customer_name,
            agent_id=conversation.agent_id,
            skill_group_id=conversation.skill_group_id,
            priority=conversation.priority,
            queued_at=iso(conversation.queued_at),
            offered_to=conversation.offered_to,
            offer_expires_at=iso(conversation.offer_expires_at),
            last_agent_id=conversation.last_agent_id,
            rating_agent_id=conversation.rating_agent_id,
            rating_comment=conversation.rating_comment,
            updated_at=iso(conversation.updated_at),
            variables=flow_state.get("variables", {}),
            path=flow_state.get("path", []),
        )
    return view


def queue_entry_view(conversation: Conversation, position: int) -> dict[str, Any]:
    """One waiting customer in a skill group's queue (the agent API and `queue.updated`)."""
    return {
        "conversation_id": conversation.id,
        "position": position,
        "priority": conversation.priority,
        "customer_id": conversation.customer_id,
        "customer_name": conversation.customer_name,
        "channel_id": conversation.channel_id,
        "queued_at": iso(conversation.queued_at),
    }


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "staff_no": user.staff_no,
        "role": user.role,
        "max_concurrent": user.max_concurrent,
        "status": user.status,
        "created_at": iso(user.created_at),
    }


def flow_view(
    flow: Flow, channels: list[dict[str, str]], *, with_document: bool = True
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "revision": flow.revision,
        "latest_version": flow.latest_version,
        "channels": channels,
        "created_at": iso(flow.created_at),
        "updated_at": iso(flow.updated_at),
        "updated_by": flow.updated_by,
    }
    if with_document:
        view["document"] = flow.document
    return view


def version_view(version: FlowVersion, *, with_document: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "flow_id": version.flow_id,
        "version": version.version,
        "published_at": iso(version.published_at),
        "published_by": version.published_by,
        "note": version.note,
    }
    if with_document:
        view["document"] = version.document
    return view


def channel_view(channel: Channel, public_url: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": channel.id,
        "name": channel.name,
        "type": channel.type,
        "key": channel.key,
        "flow_id": channel.flow_id,
        "settings": channel.settings,
        "enabled": channel.enabled,
        "created_at": iso(channel.created_at),
        "updated_at": iso(channel.updated_at),
    }
    if channel.type == "web":
        view["snippet"] = (
            f'<script src="{public_url}/widget.js" data-channel="{channel.key}" async></script>'
        )
    return view


def schedule_view(schedule: Schedule, open_now: bool) -> dict[str, Any]:
    return {
        "id": schedule.id,
        "name": schedule.name,
        **schedule.spec,
        "open_now": open_now,
        "created_at": iso(schedule.created_at),
        "updated_at": iso(schedule.updated_at),
    }
