"""What agents do (SPEC §5 points 4-5, §7 agent API): write, accept, close, transfer, ask for
a rating, change status. Each action is one transaction; the desk does the routing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from flowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from flowdesk.routing import anyone_online
from flowdesk.runtime import Runtime
from flowdesk.services import conversations as flow_turns
from flowdesk.services import desk
from flowdesk.services.tx import transaction
from flowdesk.storage.models import Conversation, User


def _check_serving(conversation: Conversation, user: User) -> None:
    if conversation.state == "ended":
        raise Conflict("the conversation has ended", code="conversation_ended")
    serving = conversation.state == "agent" and conversation.agent_id == user.id
    if not serving and not (user.role == "admin" and conversation.state == "agent"):
        raise Forbidden("only the agent serving this conversation may do this")


async def agent_message(rt: Runtime, conversation_id: str, user: User, text: str) -> Any:
    async with transaction(rt) as tx:
        conversation = await flow_turns.lock_conversation(tx.session, conversation_id)
        _check_serving(conversation, user)
        message = tx.add_message(
            conversation,
            sender="agent",
            text=text,
            agent_id=user.id,
            payload={"agent": {"display_name": user.display_name, "staff_no": user.staff_no}},
        )
        settings = await desk.channel_settings_of(tx, conversation)
        if settings.customer_idle_seconds:
            idle = timedelta(seconds=settings.customer_idle_seconds)
            await tx.arm(conversation.id, "customer_idle", tx.now + idle)
            if settings.customer_reminder_seconds:
                remind = timedelta(seconds=settings.customer_reminder_seconds)
                await tx.arm(conversation.id, "customer_reminder", tx.now + remind)
    return message


async def accept(rt: Runtime, conversation_id: str, user: User) -> Conversation:
    async with transaction(rt) as tx:
        conversation = await flow_turns.lock_conversation(tx.session, conversation_id)
        if conversation.state != "offered" or conversation.offered_to != user.id:
            raise Conflict(
                "this conversation is not offered to you (the offer expired or went to someone "
                "else)",
                code="offer_unavailable",
            )
        assert conversation.offer_expires_at is not None
        if tx.now >= conversation.offer_expires_at:
            raise Conflict("the offer expired", code="offer_unavailable")
        await desk.assign(tx, conversation, user)
    return conversation


async def agent_close(rt: Runtime, conversation_id: str, user: User) -> Conversation:
    """The agent closes: the flow resumes at the transfer's `done` port (e.g. the survey)."""
    async with transaction(rt) as tx:
        conversation = await flow_turns.lock_conversation(tx.session, conversation_id)
        if conversation.state != "agent" and user.role == "admin" and conversation.state != "ended":
            await desk.release(tx, conversation, leaving_notice=False)
            await flow_turns.finish(tx, conversation, "closed_by_admin")
            return conversation
        _check_serving(conversation, user)
        await desk.release(tx, conversation, leaving_notice=True)
        await desk.resume_flow(tx, conversation, "done")
    return conversation


async def request_rating(rt: Runtime, conversation_id: str, user: User) -> None:
    async with transaction(rt) as tx:
        conversation = await flow_turns.lock_conversation(tx.session, conversation_id)
        _check_serving(conversation, user)
        desk.update_desk(conversation, rating_requested=True)
        tx.add_message(
            conversation,
            sender="bot",
            type="survey",
            text=desk.SURVEY_TEXT,
            payload={"scale": "stars5"},
        )


async def transfer(
    rt: Runtime,
    conversation_id: str,
    user: User,
    *,
    agent_id: str | None = None,
    skill_group_id: str | None = None,
) -> Conversation:
    """Hand a served conversation to another agent, or to a skill group's routing."""
    async with transaction(rt) as tx:
        conversation = await flow_turns.lock_conversation(tx.session, conversation_id)
        _check_serving(conversation, user)
        current = conversation.agent_id
        assert current is not None
        if agent_id is not None:
            target = await tx.session.get(User, agent_id)
            if target is None:
                raise Invalid(f"there is no agent {agent_id}", details={"agent_id": agent_id})
            if target.id == current:
                raise Invalid("the conversation is already with this agent")
            if not await desk.candidates(tx, None, target.id):
                raise Conflict(
                    f"{target.display_name} is not online with a free slot",
                    code="agent_unavailable",
                )
            tx.webhook("conversation.transfer_requested", conversation, by_agent_id=user.id)
            await desk.release(tx, conversation, leaving_notice=True)
            await desk.assign(tx, conversation, target, success_text=False)
            return conversation
        group = await desk.lock_group(tx, skill_group_id)
        if group is None:
            raise Invalid(
                f"there is no skill group {skill_group_id}",
                details={"skill_group_id": skill_group_id},
            )
        pool = await desk.candidates(tx, group)
        if not pool:
            raise Invalid(f"skill group {group.name!r} has no members")
        if not anyone_online(pool, exclude=[current]):
            raise Conflict(f"nobody else in {group.name!r} is online", code="no_agent_available")
        await desk.release(tx, conversation, leaving_notice=True)
        conversation.skill_group_id = group.id
        desk.update_desk(conversation, declined=[current], agent_transfer=True)
        tx.webhook("conversation.transfer_requested", conversation, by_agent_id=user.id)
        await desk.route(tx, conversation)
    return conversation


async def set_status(rt: Runtime, user_id: str, status: str) -> User:
    """An agent's status; coming online takes queued customers of their groups at once."""
    async with transaction(rt) as tx:
        user = await tx.session.scalar(select(User).where(User.id == user_id).with_for_update())
        if user is None:
            raise NotFound(f"user {user_id} not found")
        user.status = status
        user.updated_at = tx.now
        tx.agent_event(user.id, "agent.status", {"status": status})
        if status == "online":
            await desk.drain(tx, await desk.groups_of(tx, user.id))
    return user


async def conversations_of(rt: Runtime, user_id: str) -> list[Conversation]:
    """Offered to and served by this agent."""
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(Conversation)
            .where(
                or_(
                    (Conversation.state == "agent") & (Conversation.agent_id == user_id),
                    (Conversation.state == "offered") & (Conversation.offered_to == user_id),
                )
            )
            .order_by(Conversation.updated_at)
        )
        return list(rows)
