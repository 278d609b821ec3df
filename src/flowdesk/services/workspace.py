"""What the agent workspace reads besides its own conversations: the queues of the caller's
skill groups, and a small directory (agents, groups, channel names) for transfers and labels.

Agents cannot call the admin lists (`/users`, `/skill-groups`, `/channels`): those show
e-mail addresses, members and channel keys. These reads show only what serving needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from flowdesk.runtime import Runtime
from flowdesk.services.desk import QUEUE_ORDER
from flowdesk.storage.models import (
    SANDBOX_CHANNEL_TYPE,
    Channel,
    Conversation,
    SkillGroup,
    SkillGroupMember,
    User,
)
from flowdesk.views import queue_entry_view


@dataclass(frozen=True)
class Directory:
    agents: list[User]
    skill_groups: list[SkillGroup]
    channels: list[Channel]


async def queues_for(rt: Runtime, user: User) -> list[dict[str, Any]]:
    """Each skill group the user belongs to (an admin: every group), by name, with its queued
    conversations in queue order — the same order and entry shape as `queue.updated`."""
    async with rt.db.read() as session:
        groups_query = select(SkillGroup).order_by(SkillGroup.name, SkillGroup.id)
        if user.role != "admin":
            member_of = select(SkillGroupMember.group_id).where(SkillGroupMember.user_id == user.id)
            groups_query = groups_query.where(SkillGroup.id.in_(member_of))
        groups = list(await session.scalars(groups_query))
        waiting: dict[str, list[Conversation]] = {group.id: [] for group in groups}
        if groups:
            rows = await session.scalars(
                select(Conversation)
                .where(Conversation.state == "queued", Conversation.skill_group_id.in_(waiting))
                .order_by(*QUEUE_ORDER)
            )
            for conversation in rows:
                assert conversation.skill_group_id is not None
                waiting[conversation.skill_group_id].append(conversation)
    return [
        {
            "skill_group_id": group.id,
            "name": group.name,
            "queue": [
                queue_entry_view(conversation, index + 1)
                for index, conversation in enumerate(waiting[group.id])
            ],
        }
        for group in groups
    ]


async def directory(rt: Runtime) -> Directory:
    """Every staff account, skill group and customer channel (the simulator's left out)."""
    async with rt.db.read() as session:
        agents = await session.scalars(select(User).order_by(User.display_name, User.id))
        groups = await session.scalars(select(SkillGroup).order_by(SkillGroup.name, SkillGroup.id))
        channels = await session.scalars(
            select(Channel)
            .where(Channel.type != SANDBOX_CHANNEL_TYPE)
            .order_by(Channel.name, Channel.id)
        )
        return Directory(list(agents), list(groups), list(channels))
