"""The human desk (SPEC §5 points 3 to 5): routing to agents, offers, the queue, serving, closing.

Every function runs inside a `Tx` (one write transaction). Capacity changes are
event-driven: whenever an agent frees a slot or comes online, `drain` hands the
oldest eligible queued conversations of their groups to agents at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select

from flowdesk.engine.template import render
from flowdesk.engine.types import CustomerInput, RatingInput, RequestHandoff, Resume
from flowdesk.routing import Candidate, Strategy, anyone_online, choose_agent, eligible
from flowdesk.services import conversations as flow_turns
from flowdesk.services import router_call
from flowdesk.services.channels import channel_settings
from flowdesk.services.tx import Tx, transaction
from flowdesk.storage.models import (
    SANDBOX_CHANNEL_TYPE,
    Channel,
    Conversation,
    SkillGroup,
    SkillGroupMember,
    User,
    new_id,
)
from flowdesk.views import conversation_view, iso, queue_entry_view

log = structlog.get_logger(__name__)

#: Hand-offs one transaction may chain (transfer → no_agent → transfer …) before giving up.
MAX_HANDOFFS = 10
DESK_TIMERS = ("offer", "queue_wait", "customer_reminder", "customer_idle", "routing")
#: How long past the routing URL's timeout a lost routing call waits before longest_idle routing.
ROUTING_GRACE_SECONDS = 5
IDLE_TIMERS = ("customer_reminder", "customer_idle")
SURVEY_TEXT = "How would you rate this conversation?"
RATING_THANKS = "Thank you for your rating!"
#: Queue order: priority 1 first, then arrival, then id for customers who arrived together.
QUEUE_ORDER = (Conversation.priority, Conversation.queued_at, Conversation.id)


# --------------------------------------------------------------------------- snapshot


async def _loads(tx: Tx, user_ids: list[str]) -> dict[str, int]:
    """Open conversations per agent: those they serve plus those offered to them."""
    if not user_ids:
        return {}
    loads = dict.fromkeys(user_ids, 0)
    serving = await tx.session.execute(
        select(Conversation.agent_id, func.count())
        .where(Conversation.state == "agent", Conversation.agent_id.in_(user_ids))
        .group_by(Conversation.agent_id)
    )
    offered = await tx.session.execute(
        select(Conversation.offered_to, func.count())
        .where(Conversation.state == "offered", Conversation.offered_to.in_(user_ids))
        .group_by(Conversation.offered_to)
    )
    for user_id, count in [*serving.all(), *offered.all()]:
        if user_id is not None:
            loads[user_id] += count
    return loads


async def candidates(
    tx: Tx, group: SkillGroup | None, preferred: str | None = None
) -> list[Candidate]:
    """The routing snapshot of a group, plus a preferred agent from outside it when eligible.

    An outsider is only ever chosen as the preferred agent, never by the group's
    strategy, so they are left out unless they can take the conversation now. The
    agents' rows are locked, in id order, so two conversations routed at once on
    PostgreSQL cannot both take an agent's last free slot.
    """
    priorities: dict[str, int] = {}
    if group is not None:
        rows = await tx.session.execute(
            select(SkillGroupMember.user_id, SkillGroupMember.priority).where(
                SkillGroupMember.group_id == group.id
            )
        )
        priorities = {user_id: priority for user_id, priority in rows}
    member_ids = set(priorities)
    if preferred and preferred not in member_ids:
        priorities[preferred] = 3
    if not priorities:
        return []
    users = await tx.session.scalars(
        select(User).where(User.id.in_(priorities)).order_by(User.id).with_for_update()
    )
    loads = await _loads(tx, list(priorities))
    pool = [
        Candidate(
            agent_id=user.id,
            status=user.status,
            load=loads.get(user.id, 0),
            max_concurrent=user.max_concurrent,
            priority=priorities[user.id],
            last_assigned_at=user.last_assigned_at,
        )
        for user in users
    ]
    return [c for c in pool if c.agent_id in member_ids or eligible(c)]


def _request(conversation: Conversation) -> dict[str, Any]:
    config: dict[str, Any] = (conversation.desk or {}).get("request", {}).get("config", {})
    return config


def update_desk(conversation: Conversation, **changes: Any) -> None:
    """Update the desk JSON by replacement, so the ORM sees the change."""
    conversation.desk = {**(conversation.desk or {}), **changes}


async def _render(tx: Tx, conversation: Conversation, template: str | None) -> str:
    if not template:
        return ""
    channel = await tx.session.get(Channel, conversation.channel_id)
    assert channel is not None
    system = flow_turns.system_variables(conversation, channel, tx.now)
    variables = (conversation.flow_state or {}).get("variables", {})

    def lookup(name: str) -> Any:
        return system[name] if name in system else variables.get(name)

    return render(template, lookup)


async def _say(tx: Tx, conversation: Conversation, template: str | None) -> None:
    text = await _render(tx, conversation, template)
    if text.strip():
        tx.add_message(conversation, sender="bot", text=text)


def notice(tx: Tx, conversation: Conversation, text: str) -> None:
    tx.add_message(conversation, sender="system", type="notice", text=text)


# --------------------------------------------------------------------------- hand-off


async def request_handoff(tx: Tx, conversation: Conversation, effect: RequestHandoff) -> None:
    """The flow reached a `transfer` node: find an agent, offer, queue, or leave by no_agent."""
    tx.handoffs += 1
    if tx.handoffs > MAX_HANDOFFS:
        log.error("handoff_loop", conversation_id=conversation.id)
        await flow_turns.finish(tx, conversation, "loop_guard")
        return
    config = dict(effect.config)
    channel = await tx.session.get(Channel, conversation.channel_id)
    if channel is not None and channel.type == SANDBOX_CHANNEL_TYPE:
        # The simulator never reaches real agents: say where the conversation would go and
        # carry on at `done` at once, so the tester can walk on into what follows (the survey).
        group_id = config.get("skill_group_id")
        group = await tx.session.get(SkillGroup, group_id) if group_id else None
        target = group.name if group is not None else group_id
        notice(
            tx, conversation, f"Simulator: here the conversation would be transferred to {target}."
        )
        await resume_flow(tx, conversation, "done")
        return
    conversation.desk = {"request": {"node_id": effect.node_id, "config": config}, "declined": []}
    conversation.skill_group_id = config.get("skill_group_id")
    conversation.priority = config.get("priority") or 3
    conversation.queued_at = None
    tx.webhook("conversation.transfer_requested", conversation)
    await route(tx, conversation)


async def lock_group(tx: Tx, group_id: str | None) -> SkillGroup | None:
    """The group, locked: routing writes its round-robin cursor, and a delete must wait."""
    if group_id is None:
        return None
    group: SkillGroup | None = await tx.session.scalar(
        select(SkillGroup).where(SkillGroup.id == group_id).with_for_update()
    )
    return group


def strategy_of(group: SkillGroup) -> Strategy:
    """How routing picks among the group's agents; `webhook` groups fall back to longest idle."""
    if group.strategy == "webhook":
        return "longest_idle"
    return group.strategy  # type: ignore[return-value]


async def route(
    tx: Tx, conversation: Conversation, *, asked: bool = False, routed_to: str | None = None
) -> None:
    """Offer, assign or queue the conversation by its group's strategy.

    A `webhook` group first asks its routing URL, after this transaction commits (a
    network call never holds the write lock): the conversation waits in the queue
    meanwhile, and `apply_routing_answer` routes it again (`asked`) with the agent the
    URL named (`routed_to`), if any.
    """
    group = await lock_group(tx, conversation.skill_group_id)
    preferred = _request(conversation).get("agent_id")
    pool = await candidates(tx, group, preferred)
    declined = (conversation.desk or {}).get("declined", [])
    if group is None or not anyone_online(pool, exclude=declined):
        await _back_to_flow(tx, conversation, "no_agent")
        return
    free = {c.agent_id for c in pool if eligible(c) and c.agent_id not in declined}
    # Ask only when it matters: nobody free means queueing anyway, and a free preferred
    # agent goes first whatever the URL would say.
    wants_call = group.strategy == "webhook" and group.routing_url and not asked
    if wants_call and free and preferred not in free:
        await _ask_router(tx, conversation, group, pool)
        return
    chosen = choose_agent(
        pool,
        strategy_of(group),
        preferred=routed_to if routed_to in free else preferred,
        exclude=declined,
        round_robin_last=group.round_robin_last,
    )
    if chosen is not None:
        await _give(tx, conversation, group, chosen)
    else:
        await _enqueue(tx, conversation, group)


async def _ask_router(
    tx: Tx, conversation: Conversation, group: SkillGroup, pool: list[Candidate]
) -> None:
    """Wait in the queue while the group's routing URL is asked, once this transaction commits."""
    assert group.routing_url is not None
    call_id = new_id("rte")
    update_desk(
        conversation,
        routing={"call_id": call_id, "fresh": conversation.queued_at is None},
        wait_no=None,
    )
    conversation.state = "queued"
    conversation.queued_at = conversation.queued_at or tx.now
    conversation.offered_to = None
    conversation.offer_expires_at = None
    tx.changed(conversation)
    # If the call is lost with this process, the timer routes without it.
    budget = tx.rt.settings.routing_timeout_seconds + ROUTING_GRACE_SECONDS
    await tx.arm(conversation.id, "routing", tx.now + timedelta(seconds=budget))
    body = await routing_request(tx, conversation, group, pool)
    rt, url, conversation_id = tx.rt, group.routing_url, conversation.id

    async def call() -> None:
        answer = await router_call.ask(rt.settings, url, body)
        async with transaction(rt) as follow_up:
            locked = await flow_turns.lock_conversation(follow_up.session, conversation_id)
            await apply_routing_answer(follow_up, locked, call_id, answer)

    tx.outbox.after_commit.append(call)


async def routing_request(
    tx: Tx, conversation: Conversation, group: SkillGroup, pool: list[Candidate]
) -> bytes:
    """What the routing URL is sent: the conversation, the group and its agents now."""
    users = {
        user.id: user
        for user in await tx.session.scalars(
            select(User).where(User.id.in_([c.agent_id for c in pool]))
        )
    }
    agents = [
        {
            "id": c.agent_id,
            "display_name": users[c.agent_id].display_name if c.agent_id in users else None,
            "staff_no": users[c.agent_id].staff_no if c.agent_id in users else None,
            "status": c.status,
            "open_conversations": c.load,
            "max_concurrent": c.max_concurrent,
            "priority": c.priority,
            "last_assigned_at": iso(c.last_assigned_at),
            "available": eligible(c),
        }
        for c in pool
    ]
    return router_call.request_body(
        {
            "conversation": conversation_view(conversation, staff=True),
            "skill_group": {"id": group.id, "name": group.name},
            "agents": agents,
        },
        tx.now,
    )


async def apply_routing_answer(
    tx: Tx, conversation: Conversation, call_id: str | None, answer: router_call.Answer | None
) -> None:
    """Route with the routing URL's answer; `None` (no answer, or the timer) = longest idle.

    Only while the conversation still waits for this call: meanwhile an agent may have
    taken it from the queue, or the customer may have left.
    """
    pending = (conversation.desk or {}).get("routing")
    if conversation.state != "queued" or not pending:
        return
    if call_id is not None and pending.get("call_id") != call_id:
        return
    await tx.cancel(conversation.id, ["routing"])
    update_desk(conversation, routing=None)
    if pending.get("fresh"):
        conversation.queued_at = None  # so queueing now counts as the first time
    routed_to = None
    if answer is not None and answer.skill_group_id:
        if await tx.session.get(SkillGroup, answer.skill_group_id) is not None:
            conversation.skill_group_id = answer.skill_group_id
    elif answer is not None:
        routed_to = answer.agent_id
    await route(tx, conversation, asked=True, routed_to=routed_to)


async def _back_to_flow(tx: Tx, conversation: Conversation, port: str) -> None:
    """The desk hands the conversation back to its flow, which leaves the transfer by `port`."""
    queue_group = conversation.skill_group_id if conversation.state == "queued" else None
    tx.webhook("conversation.transfer_failed", conversation, reason=port)
    await release(tx, conversation, leaving_notice=False)
    await resume_flow(tx, conversation, port)
    if queue_group:
        await _queue_moved(tx, queue_group)


async def resume_flow(tx: Tx, conversation: Conversation, port: str) -> None:
    """Continue the flow from the node that handed off; only a handed-off flow is resumed."""
    if flow_turns.flow_state(conversation).status != "handoff":
        log.error("resume_without_handoff", conversation_id=conversation.id, port=port)
        return
    await flow_turns.advance(tx, conversation, Resume(port))


async def _give(tx: Tx, conversation: Conversation, group: SkillGroup, agent_id: str) -> None:
    user = await tx.session.get(User, agent_id)
    assert user is not None
    group.round_robin_last = agent_id
    if group.reception == "manual":
        await _offer(tx, conversation, group, user)
    else:
        await assign(tx, conversation, user)


async def _offer(tx: Tx, conversation: Conversation, group: SkillGroup, user: User) -> None:
    was_queued = conversation.state == "queued"
    conversation.state = "offered"
    conversation.offered_to = user.id
    conversation.offer_expires_at = tx.now + timedelta(seconds=group.offer_timeout_seconds)
    await tx.arm(conversation.id, "offer", conversation.offer_expires_at)
    tx.changed(conversation)
    tx.tell_agent(
        user.id, "conversation.offered", conversation, deadline=iso(conversation.offer_expires_at)
    )
    if was_queued:
        await _queue_moved(tx, group.id)


async def assign(
    tx: Tx, conversation: Conversation, user: User, *, success_text: bool = True
) -> None:
    """The agent now serves the conversation: texts, notices, events."""
    queue_group = conversation.skill_group_id if conversation.state == "queued" else None
    conversation.state = "agent"
    conversation.agent_id = user.id
    conversation.last_agent_id = user.id
    conversation.offered_to = None
    conversation.offer_expires_at = None
    conversation.queued_at = None
    update_desk(
        conversation,
        agent={"id": user.id, "display_name": user.display_name, "staff_no": user.staff_no},
        wait_no=None,
    )
    user.last_assigned_at = tx.now
    await tx.cancel(conversation.id, ["offer", "queue_wait"])
    tx.changed(conversation)
    tx.webhook("conversation.assigned", conversation, agent_id=user.id)
    # The agent hears of the conversation before any of its new messages.
    tx.tell_agent(user.id, "conversation.assigned", conversation)
    # The flow's success text greets a customer the flow transferred; when an agent passes the
    # conversation on, the join/leave notices say enough.
    if success_text and not (conversation.desk or {}).get("agent_transfer"):
        await _say(tx, conversation, _request(conversation).get("success_text"))
    notice(tx, conversation, f"{user.display_name} joined the conversation")
    if queue_group:
        await _queue_moved(tx, queue_group)


# --------------------------------------------------------------------------- the queue


async def _enqueue(tx: Tx, conversation: Conversation, group: SkillGroup) -> None:
    waiting = await tx.session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.skill_group_id == group.id,
            Conversation.state == "queued",
            Conversation.id != conversation.id,
        )
    )
    if group.max_queue is not None and (waiting or 0) >= group.max_queue:
        await _back_to_flow(tx, conversation, "no_agent")
        return
    first_time = conversation.queued_at is None
    conversation.state = "queued"
    conversation.offered_to = None
    conversation.offer_expires_at = None
    if first_time:
        conversation.queued_at = tx.now
    ahead = await _count_ahead(tx, conversation)
    update_desk(conversation, wait_no=ahead)
    tx.changed(conversation)
    if first_time:
        tx.webhook("conversation.queued", conversation)
    await _say(tx, conversation, _request(conversation).get("queue_text"))
    max_wait = _request(conversation).get("max_wait_seconds")
    if first_time and max_wait:
        await tx.arm(conversation.id, "queue_wait", tx.now + timedelta(seconds=int(max_wait)))
    await _queue_changed(tx, group.id)


async def _count_ahead(tx: Tx, conversation: Conversation) -> int:
    assert conversation.queued_at is not None
    ahead = await tx.session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.skill_group_id == conversation.skill_group_id,
            Conversation.state == "queued",
            Conversation.id != conversation.id,
            or_(
                Conversation.priority < conversation.priority,
                (Conversation.priority == conversation.priority)
                & (Conversation.queued_at < conversation.queued_at),
                # The same order as `_queued` when two arrive at the same instant.
                (Conversation.priority == conversation.priority)
                & (Conversation.queued_at == conversation.queued_at)
                & (Conversation.id < conversation.id),
            ),
        )
    )
    return int(ahead or 0)


async def _queued(tx: Tx, group_id: str) -> list[Conversation]:
    rows = await tx.session.scalars(
        select(Conversation)
        .where(Conversation.skill_group_id == group_id, Conversation.state == "queued")
        .order_by(*QUEUE_ORDER)
    )
    return list(rows)


async def _queue_moved(tx: Tx, group_id: str) -> None:
    """Someone left the queue: tell each customer whose position improved, then the agents."""
    for position, conversation in enumerate(await _queued(tx, group_id)):
        before = (conversation.desk or {}).get("wait_no")
        if before is None or position < before:
            update_desk(conversation, wait_no=position)
            tx.changed(conversation)
            if before is not None:
                await _say(tx, conversation, _request(conversation).get("queue_text"))
    await _queue_changed(tx, group_id)


async def _queue_changed(tx: Tx, group_id: str) -> None:
    queue = [queue_entry_view(c, index + 1) for index, c in enumerate(await _queued(tx, group_id))]
    members = await tx.session.scalars(
        select(SkillGroupMember.user_id).where(SkillGroupMember.group_id == group_id)
    )
    for user_id in members:
        tx.agent_event(user_id, "queue.updated", {"skill_group_id": group_id, "queue": queue})


async def groups_of(tx: Tx, user_id: str) -> list[str]:
    rows = await tx.session.scalars(
        select(SkillGroupMember.group_id).where(SkillGroupMember.user_id == user_id)
    )
    return list(rows)


async def drain(tx: Tx, group_ids: list[str]) -> None:
    """Give queued conversations of these groups to agents with free capacity, oldest first."""
    for group_id in sorted(group_ids):
        group = await lock_group(tx, group_id)
        if group is None:
            continue
        for conversation in await _queued(tx, group_id):
            pool = await candidates(tx, group, _request(conversation).get("agent_id"))
            declined = (conversation.desk or {}).get("declined", [])
            chosen = choose_agent(
                pool,
                strategy_of(group),
                preferred=_request(conversation).get("agent_id"),
                exclude=declined,
                round_robin_last=group.round_robin_last,
            )
            if chosen is None:
                if not any(eligible(c) for c in pool):
                    break  # nobody has room; later ones cannot be served either
                continue  # only agents this customer declined have room
            await _give(tx, conversation, group, chosen)


# --------------------------------------------------------------------------- leaving the desk


async def release(tx: Tx, conversation: Conversation, *, leaving_notice: bool) -> None:
    """Take the conversation away from its agent, offer or queue (state back to `bot`)."""
    state = conversation.state
    freed: str | None = None
    if state == "agent" and conversation.agent_id:
        freed = conversation.agent_id
        name = ((conversation.desk or {}).get("agent") or {}).get("display_name", "The agent")
        if leaving_notice:
            notice(tx, conversation, f"{name} left the conversation")
        tx.tell_agent(freed, "conversation.ended", conversation)
    elif state == "offered" and conversation.offered_to:
        freed = conversation.offered_to
        tx.tell_agent(freed, "conversation.updated", conversation, withdrawn=True)
    queue_group = conversation.skill_group_id if state == "queued" else None
    conversation.state = "bot"
    conversation.agent_id = None
    conversation.offered_to = None
    conversation.offer_expires_at = None
    conversation.queued_at = None
    update_desk(conversation, agent=None, wait_no=None, rating_requested=False)
    await tx.cancel(conversation.id, DESK_TIMERS)
    tx.changed(conversation)
    if queue_group:
        await _queue_moved(tx, queue_group)
    if freed:
        await drain(tx, await groups_of(tx, freed))


def record_rating(tx: Tx, conversation: Conversation, rating: int, comment: str | None) -> None:
    """Store a rating on the conversation, credited to the agent who served it last."""
    conversation.rating = rating
    conversation.rating_comment = comment
    conversation.rating_agent_id = conversation.agent_id or conversation.last_agent_id
    tx.changed(conversation)
    tx.webhook("rating.submitted", conversation)


async def customer_message(tx: Tx, conversation: Conversation, event: CustomerInput) -> None:
    """A customer wrote while the desk has the conversation; the bot stays silent."""
    if conversation.state != "agent":
        return
    await tx.cancel(conversation.id, IDLE_TIMERS)
    if isinstance(event, RatingInput) and (conversation.desk or {}).get("rating_requested"):
        record_rating(tx, conversation, event.rating, event.comment)
        update_desk(conversation, rating_requested=False)
        tx.add_message(conversation, sender="bot", text=RATING_THANKS)


async def timer_fired(tx: Tx, conversation: Conversation, kind: str) -> None:
    if kind == "offer" and conversation.state == "offered" and conversation.offered_to:
        # Nobody answered: the agent is set away and the next one gets the offer.
        slow = await tx.session.get(User, conversation.offered_to)
        if slow is not None:
            slow.status = "away"
        declined = [*(conversation.desk or {}).get("declined", []), conversation.offered_to]
        tx.tell_agent(conversation.offered_to, "conversation.updated", conversation, withdrawn=True)
        update_desk(conversation, declined=declined)
        conversation.offered_to = None
        conversation.offer_expires_at = None
        await route(tx, conversation)
    elif kind == "routing":
        await apply_routing_answer(tx, conversation, None, None)
    elif kind == "queue_wait" and conversation.state in ("queued", "offered"):
        await _back_to_flow(tx, conversation, "timeout")
    elif kind == "customer_reminder" and conversation.state == "agent":
        settings = await channel_settings_of(tx, conversation)
        await _say(tx, conversation, settings.customer_reminder_text)
    elif kind == "customer_idle" and conversation.state == "agent":
        settings = await channel_settings_of(tx, conversation)
        await _say(tx, conversation, settings.customer_timeout_text)
        await release(tx, conversation, leaving_notice=False)
        await flow_turns.finish(tx, conversation, "customer_timeout")


async def channel_settings_of(tx: Tx, conversation: Conversation) -> Any:
    channel = await tx.session.get(Channel, conversation.channel_id)
    assert channel is not None
    return channel_settings(channel)
