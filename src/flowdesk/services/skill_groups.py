"""Skill groups: the agents a `transfer` node routes to, and how they are picked (SPEC §1, §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.errors import Conflict, Invalid, NotFound
from flowdesk.runtime import Runtime
from flowdesk.services import KEEP, Keep
from flowdesk.storage.models import Conversation, SkillGroup, SkillGroupMember, User, new_id

Strategy = Literal["longest_idle", "least_busy", "round_robin", "priority", "webhook"]
Reception = Literal["auto", "manual"]
#: The states in which a conversation is with, or waiting for, the group's agents.
BUSY_STATES = ("queued", "offered", "agent")


@dataclass(frozen=True)
class Member:
    """A member as an admin gives it: a user and their priority in the group (1 is highest)."""

    user_id: str
    priority: int = 3


@dataclass
class LoadedSkillGroup:
    """A group with its members and their users, ordered by priority then display name."""

    group: SkillGroup
    members: list[tuple[SkillGroupMember, User]] = field(default_factory=list)


async def get_skill_group(
    session: AsyncSession, group_id: str, *, for_update: bool = False
) -> SkillGroup:
    """The group; `for_update` holds its row until commit (read-modify-write on PostgreSQL)."""
    query = select(SkillGroup).where(SkillGroup.id == group_id)
    group = await session.scalar(query.with_for_update() if for_update else query)
    if group is None:
        raise NotFound(f"skill group {group_id} not found")
    return group


async def members_of(
    session: AsyncSession, group_ids: Sequence[str]
) -> dict[str, list[tuple[SkillGroupMember, User]]]:
    """The members of each group with their users, in one joined query."""
    result: dict[str, list[tuple[SkillGroupMember, User]]] = {gid: [] for gid in group_ids}
    if not group_ids:
        return result
    rows = await session.execute(
        select(SkillGroupMember, User)
        .join(User, User.id == SkillGroupMember.user_id)
        .where(SkillGroupMember.group_id.in_(group_ids))
        .order_by(SkillGroupMember.priority, User.display_name, User.id)
    )
    for member, user in rows:
        result[member.group_id].append((member, user))
    return result


async def load_skill_group(session: AsyncSession, group_id: str) -> LoadedSkillGroup:
    group = await get_skill_group(session, group_id)
    return LoadedSkillGroup(group, (await members_of(session, [group.id]))[group.id])


async def list_skill_groups(session: AsyncSession) -> list[LoadedSkillGroup]:
    """Every group, by name, with its members (two queries whatever the number of groups)."""
    groups = list(
        await session.scalars(select(SkillGroup).order_by(SkillGroup.name, SkillGroup.id))
    )
    members = await members_of(session, [g.id for g in groups])
    return [LoadedSkillGroup(g, members[g.id]) for g in groups]


def _check_routing(strategy: str, routing_url: str | None) -> None:
    if strategy == "webhook" and not routing_url:
        raise Invalid(
            "the webhook strategy needs a routing_url to ask",
            details={"field": "routing_url"},
        )


async def _check_members(session: AsyncSession, members: Sequence[Member]) -> None:
    """Refuse a user listed twice or one that does not exist (422 naming them)."""
    seen: set[str] = set()
    for member in members:
        if member.user_id in seen:
            raise Invalid(
                f"user {member.user_id} is listed twice in members",
                details={"user_id": member.user_id},
            )
        seen.add(member.user_id)
    if not seen:
        return
    # KEY SHARE keeps the users from being deleted before our membership rows commit
    # (PostgreSQL; SQLite serialises writers anyway), without blocking their other updates.
    found = set(
        await session.scalars(
            select(User.id).where(User.id.in_(seen)).with_for_update(read=True, key_share=True)
        )
    )
    unknown = [m.user_id for m in members if m.user_id not in found]
    if unknown:
        raise Invalid(
            f"no user {', '.join(unknown)}: members must be existing users",
            details={"unknown_user_ids": unknown},
        )


def _add_members(session: AsyncSession, group_id: str, members: Sequence[Member]) -> None:
    session.add_all(
        SkillGroupMember(group_id=group_id, user_id=m.user_id, priority=m.priority) for m in members
    )


async def _loaded(session: AsyncSession, group: SkillGroup) -> LoadedSkillGroup:
    await session.flush()
    return LoadedSkillGroup(group, (await members_of(session, [group.id]))[group.id])


async def create_skill_group(
    rt: Runtime,
    *,
    name: str,
    strategy: Strategy = "longest_idle",
    reception: Reception = "auto",
    offer_timeout_seconds: int = 30,
    max_queue: int | None = None,
    members: Sequence[Member] = (),
    routing_url: str | None = None,
) -> LoadedSkillGroup:
    _check_routing(strategy, routing_url)
    now = rt.clock.now()
    async with rt.db.write() as session:
        await _check_members(session, members)
        group = SkillGroup(
            id=new_id("sgp"),
            name=name,
            strategy=strategy,
            reception=reception,
            offer_timeout_seconds=offer_timeout_seconds,
            max_queue=max_queue,
            routing_url=routing_url,
            created_at=now,
            updated_at=now,
        )
        session.add(group)
        await session.flush()  # the group row first: members reference it
        _add_members(session, group.id, members)
        return await _loaded(session, group)


async def update_skill_group(
    rt: Runtime,
    group_id: str,
    *,
    name: str | None = None,
    strategy: Strategy | None = None,
    reception: Reception | None = None,
    offer_timeout_seconds: int | None = None,
    max_queue: int | Keep | None = KEEP,
    members: Sequence[Member] | None = None,
    routing_url: str | Keep | None = KEEP,
) -> LoadedSkillGroup:
    """Change the given fields; `members`, when given, replaces the whole member list."""
    async with rt.db.write() as session:
        group = await get_skill_group(session, group_id, for_update=True)
        for attr, value in (
            ("name", name),
            ("strategy", strategy),
            ("reception", reception),
            ("offer_timeout_seconds", offer_timeout_seconds),
        ):
            if value is not None:
                setattr(group, attr, value)
        if max_queue is not KEEP:
            group.max_queue = max_queue
        if routing_url is not KEEP:
            group.routing_url = routing_url
        _check_routing(group.strategy, group.routing_url)
        if members is not None:
            await _check_members(session, members)
            await session.execute(
                delete(SkillGroupMember).where(SkillGroupMember.group_id == group.id)
            )
            _add_members(session, group.id, members)
        group.updated_at = rt.clock.now()
        return await _loaded(session, group)


async def delete_skill_group(rt: Runtime, group_id: str) -> None:
    """Delete a group and its memberships; refused while conversations wait for or sit with it."""
    async with rt.db.write() as session:
        group = await get_skill_group(session, group_id, for_update=True)
        busy = int(
            await session.scalar(
                select(func.count())
                .select_from(Conversation)
                .where(
                    Conversation.skill_group_id == group.id,
                    Conversation.state.in_(BUSY_STATES),
                )
            )
            or 0
        )
        if busy:
            raise Conflict(
                f"{busy} conversation(s) are queued, offered or served in this skill group; "
                "delete it when they have ended",
                code="skill_group_busy",
                details={"conversations": busy},
            )
        await session.delete(group)
