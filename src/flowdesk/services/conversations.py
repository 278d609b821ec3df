"""Conversations (SPEC §5): start, customer messages, close, and timers firing.

Every change follows one path: lock the conversation, run the engine, persist
the new state, the messages and the timers in one transaction, commit, then
publish events. A customer message is processed once (`client_msg_id`) and in
order: the conversation row is locked (`FOR UPDATE` on PostgreSQL, `BEGIN
IMMEDIATE` on SQLite) for the whole turn, and `seq` is allocated under that lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.engine.module import RunEnv
from flowdesk.engine.runner import CompiledFlow
from flowdesk.engine.template import is_variable_name
from flowdesk.engine.types import (
    ArmTimer,
    CancelTimer,
    ChoiceInput,
    CustomerInput,
    FlowState,
    Outcome,
    SendMessage,
    TextInput,
    TimerFired,
)
from flowdesk.engine.variables import SYSTEM_VARIABLES
from flowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from flowdesk.events import conversation_topic
from flowdesk.metrics import (
    CONVERSATIONS_ENDED,
    CONVERSATIONS_STARTED,
    CUSTOMER_TURNS,
    MESSAGES,
    TIMERS_FIRED,
)
from flowdesk.runtime import Runtime
from flowdesk.security import CustomerClaims, issue_customer_token
from flowdesk.services.channels import channel_by_key, channel_settings
from flowdesk.services.flows import compiled_version
from flowdesk.services.schedules import load_specs
from flowdesk.storage.models import Channel, Conversation, Flow, Message, Timer, new_id
from flowdesk.views import conversation_view, message_view

log = structlog.get_logger(__name__)

MAX_TEXT = 4000
MAX_START_VARIABLES = 50
MAX_VARIABLE_TEXT = 2000
#: Timer kinds the flow engine owns; the human desk adds its own.
ENGINE_TIMERS = frozenset({"node", "idle"})


@dataclass
class StartResult:
    conversation: Conversation
    messages: list[Message]
    customer_token: str
    created: bool
    channel_type: str = "api"


@dataclass
class Turn:
    """What a customer message produced: the replies, and whether it was a replay."""

    replies: list[Message]
    duplicate: bool


# --------------------------------------------------------------------------- start


def _check_start_variables(variables: dict[str, Any]) -> None:
    if len(variables) > MAX_START_VARIABLES:
        raise Invalid(f"at most {MAX_START_VARIABLES} variables may be passed")
    for name, value in variables.items():
        if not is_variable_name(name):
            raise Invalid(f"{name!r} is not a valid variable name", details={"variable": name})
        if name in SYSTEM_VARIABLES:
            raise Invalid(
                f"{name} is a system variable and cannot be set", details={"variable": name}
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise Invalid(f"variable {name} must be text, a number or a boolean")
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(f"variable {name} must be a finite number")
        if isinstance(value, str) and len(value) > MAX_VARIABLE_TEXT:
            raise Invalid(f"variable {name} is longer than {MAX_VARIABLE_TEXT} characters")


async def start_conversation(
    rt: Runtime,
    channel_key: str,
    *,
    customer_id: str | None,
    customer_name: str | None,
    variables: dict[str, Any],
    presented: CustomerClaims | None,
) -> StartResult:
    """Start a conversation on the channel's flow, or return the customer's open one."""
    _check_start_variables(variables)
    now = rt.clock.now()
    try:
        async with rt.db.write() as session:
            result = await _start(
                rt, session, channel_key, customer_id, customer_name, variables, presented, now
            )
    except IntegrityError:
        # Another node started this customer's conversation at the same instant; return it.
        async with rt.db.write() as session:
            result = await _start(
                rt, session, channel_key, customer_id, customer_name, variables, presented, now
            )
    if result.created:
        CONVERSATIONS_STARTED.labels(channel=result.channel_type).inc()
        publish_turn(rt, result.conversation, result.messages, state_changed=True)
    return result


async def _start(
    rt: Runtime,
    session: AsyncSession,
    channel_key: str,
    customer_id: str | None,
    customer_name: str | None,
    variables: dict[str, Any],
    presented: CustomerClaims | None,
    now: datetime,
) -> StartResult:
    channel = await channel_by_key(session, channel_key)
    if not channel.enabled:
        raise Conflict("this channel is disabled", code="channel_disabled")
    settings = channel_settings(channel)
    if presented is not None:
        if presented.channel_id != channel.id or (
            customer_id is not None and customer_id != presented.customer_id
        ):
            raise Forbidden("the customer token belongs to another channel or customer")
        customer_id = presented.customer_id
    if customer_id is not None:
        existing = await session.scalar(
            select(Conversation).where(
                Conversation.channel_id == channel.id,
                Conversation.customer_id == customer_id,
                Conversation.state != "ended",
            )
        )
        if existing is not None:
            owns = presented is not None and presented.conversation_id == existing.id
            if not (owns or settings.trust_customer_id):
                raise Conflict(
                    "this customer has an open conversation; send its customer token to resume it",
                    code="customer_token_required",
                )
            history = await messages_after(session, existing.id, 0)
            return StartResult(existing, history, _token(rt, existing, now), created=False)
    else:
        customer_id = new_id("cus")
    if channel.flow_id is None:
        raise Conflict("no flow is bound to this channel", code="channel_has_no_flow")
    flow = await session.get(Flow, channel.flow_id)
    if flow is None or flow.latest_version is None:
        raise Conflict("no published flow is bound to this channel", code="channel_has_no_flow")
    compiled = await compiled_version(rt, session, flow.id, flow.latest_version)
    conversation = Conversation(
        id=new_id("cnv"),
        channel_id=channel.id,
        customer_id=customer_id,
        customer_name=customer_name,
        flow_id=flow.id,
        flow_version=flow.latest_version,
        state="bot",
        flow_state={},
        started_at=now,
        updated_at=now,
        last_seq=0,
    )
    session.add(conversation)
    await session.flush()  # the row must exist before its messages and timers
    env = await _run_env(rt, session, compiled, conversation, channel, now)
    outcome = rt.engine.start(compiled, env, variables)
    messages = await _apply(rt, session, conversation, outcome, now, reply_to=None)
    return StartResult(
        conversation,
        messages,
        _token(rt, conversation, now),
        created=True,
        channel_type=channel.type,
    )


def _token(rt: Runtime, conversation: Conversation, now: datetime) -> str:
    claims = CustomerClaims(conversation.id, conversation.channel_id, conversation.customer_id)
    return issue_customer_token(
        rt.settings.secret_key.get_secret_value(),
        claims,
        now=now,
        ttl=timedelta(hours=rt.settings.customer_token_ttl_hours),
    )


# --------------------------------------------------------------------------- customer turns


async def post_customer_message(
    rt: Runtime,
    conversation_id: str,
    event: CustomerInput,
    *,
    client_msg_id: str | None,
) -> Turn:
    """Record one customer message and run the flow on it, exactly once."""
    with CUSTOMER_TURNS.time():
        return await _customer_turn(rt, conversation_id, event, client_msg_id)


async def _customer_turn(
    rt: Runtime, conversation_id: str, event: CustomerInput, client_msg_id: str | None
) -> Turn:
    now = rt.clock.now()
    async with rt.db.write() as session:
        conversation = await lock_conversation(session, conversation_id)
        if client_msg_id is not None:
            earlier = await session.scalar(
                select(Message).where(
                    Message.conversation_id == conversation.id,
                    Message.client_msg_id == client_msg_id,
                )
            )
            if earlier is not None:
                answered = await session.scalars(
                    select(Message).where(Message.in_reply_to == earlier.id).order_by(Message.seq)
                )
                return Turn(list(answered), duplicate=True)
        if conversation.state == "ended":
            raise Conflict("the conversation has ended", code="conversation_ended")
        text, payload = await _describe_input(session, conversation, event)
        inbound = _new_message(
            conversation, now, sender="customer", type="text", text=text, payload=payload
        )
        inbound.client_msg_id = client_msg_id
        session.add(inbound)
        replies: list[Message] = []
        before = conversation.state
        if conversation.state == "bot":
            channel = await session.get(Channel, conversation.channel_id)
            assert channel is not None
            compiled = await compiled_version(
                rt, session, conversation.flow_id, conversation.flow_version
            )
            env = await _run_env(rt, session, compiled, conversation, channel, now)
            outcome = rt.engine.handle(compiled, _flow_state(conversation), event, env)
            replies = await _apply(rt, session, conversation, outcome, now, reply_to=inbound.id)
        conversation.updated_at = now
    publish_turn(rt, conversation, [inbound, *replies], state_changed=conversation.state != before)
    return Turn(replies, duplicate=False)


async def _describe_input(
    session: AsyncSession, conversation: Conversation, event: CustomerInput
) -> tuple[str, dict[str, Any]]:
    """How a customer's input is kept in the history: a button press shows its label."""
    if isinstance(event, TextInput):
        return event.text, {}
    if isinstance(event, ChoiceInput):
        menu = await session.scalar(
            select(Message.payload)
            .where(Message.conversation_id == conversation.id, Message.type == "menu")
            .order_by(Message.seq.desc())
            .limit(1)
        )
        for option in (menu or {}).get("options", []):
            if option.get("id") == event.choice:
                return str(option.get("label") or event.choice), {"choice": event.choice}
        return event.choice, {"choice": event.choice}
    payload: dict[str, Any] = {"rating": event.rating}
    if event.comment:
        payload["comment"] = event.comment
    return (f"{event.rating}" + (f" {event.comment}" if event.comment else "")), payload


async def close_by_customer(rt: Runtime, conversation_id: str) -> Conversation:
    now = rt.clock.now()
    async with rt.db.write() as session:
        conversation = await lock_conversation(session, conversation_id)
        if conversation.state == "ended":
            raise Conflict("the conversation has ended", code="conversation_ended")
        _finish(conversation, "customer_closed", now)
        await session.execute(delete(Timer).where(Timer.conversation_id == conversation.id))
    publish_turn(rt, conversation, [], state_changed=True)
    return conversation


def _finish(conversation: Conversation, reason: str, now: datetime) -> None:
    conversation.state = "ended"
    conversation.end_reason = reason
    conversation.ended_at = now
    conversation.updated_at = now
    state = dict(conversation.flow_state or {})
    state.update(status="ended", end_reason=reason, node_data={})
    conversation.flow_state = state


# --------------------------------------------------------------------------- timers


async def fire_timer(rt: Runtime, timer_id: str) -> bool:
    """Fire one due timer. Deleting the row and acting on it commit together: once, ever."""
    now = rt.clock.now()
    async with rt.db.write() as session:
        timer = await session.scalar(
            select(Timer).where(Timer.id == timer_id).with_for_update(skip_locked=True)
        )
        if timer is None or timer.due_at > now:
            return False
        TIMERS_FIRED.labels(kind=timer.kind).inc()
        conversation = await lock_conversation(session, timer.conversation_id)
        await session.delete(timer)
        replies: list[Message] = []
        before = conversation.state
        if conversation.state == "bot" and timer.kind in ENGINE_TIMERS:
            channel = await session.get(Channel, conversation.channel_id)
            assert channel is not None
            compiled = await compiled_version(
                rt, session, conversation.flow_id, conversation.flow_version
            )
            env = await _run_env(rt, session, compiled, conversation, channel, now)
            outcome = rt.engine.handle(
                compiled, _flow_state(conversation), TimerFired(timer.kind), env
            )
            replies = await _apply(rt, session, conversation, outcome, now, reply_to=None)
        else:
            log.info("timer_ignored", kind=timer.kind, state=conversation.state)
    publish_turn(rt, conversation, replies, state_changed=conversation.state != before)
    return True


async def due_timers(rt: Runtime, now: datetime, limit: int = 100) -> list[str]:
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(Timer.id).where(Timer.due_at <= now).order_by(Timer.due_at).limit(limit)
        )
        return list(rows)


async def next_timer_due(rt: Runtime) -> datetime | None:
    async with rt.db.read() as session:
        due: datetime | None = await session.scalar(select(func.min(Timer.due_at)))
        return due


# --------------------------------------------------------------------------- shared steps


async def lock_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await session.scalar(
        select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    )
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def _flow_state(conversation: Conversation) -> FlowState:
    return FlowState.model_validate(conversation.flow_state)


async def _run_env(
    rt: Runtime,
    session: AsyncSession,
    compiled: CompiledFlow,
    conversation: Conversation,
    channel: Channel,
    now: datetime,
) -> RunEnv:
    settings = channel_settings(channel)
    resources: dict[str, dict[str, Any]] = {}
    schedule_ids = compiled.references.get("schedule")
    if schedule_ids:
        resources["schedule"] = dict(await load_specs(session, schedule_ids))
    return RunEnv(
        now=now,
        system={
            "SessionId": conversation.id,
            "ClientAppID": channel.id,
            "ClientAppName": channel.name,
            "SystemClientUserID": conversation.customer_id,
            "Now": now.astimezone().isoformat(timespec="seconds"),
        },
        channel_settings=settings.model_dump(),
        resources=resources,
        bot_idle_seconds=settings.bot_idle_seconds,
    )


def _new_message(
    conversation: Conversation,
    now: datetime,
    *,
    sender: str,
    type: str,
    text: str,
    payload: dict[str, Any] | None = None,
) -> Message:
    conversation.last_seq += 1
    return Message(
        id=new_id("msg"),
        conversation_id=conversation.id,
        seq=conversation.last_seq,
        sender=sender,
        type=type,
        text=text,
        payload=payload or {},
        created_at=now,
    )


async def _apply(
    rt: Runtime,
    session: AsyncSession,
    conversation: Conversation,
    outcome: Outcome,
    now: datetime,
    *,
    reply_to: str | None,
) -> list[Message]:
    """Persist an engine outcome: messages, state and timers, in the caller's transaction."""
    messages: list[Message] = []
    final_timers: dict[str, datetime | None] = {}
    for effect in outcome.effects:
        if isinstance(effect, SendMessage):
            out = effect.message
            payload: dict[str, Any] = {}
            if out.options is not None:
                payload["options"] = out.options
            if out.scale is not None:
                payload["scale"] = out.scale
            message = _new_message(
                conversation, now, sender=out.sender, type=out.type, text=out.text, payload=payload
            )
            message.in_reply_to = reply_to
            messages.append(message)
        elif isinstance(effect, ArmTimer):
            final_timers[effect.kind] = effect.due_at
        elif isinstance(effect, CancelTimer):
            final_timers[effect.kind] = None
        else:
            # RequestHandoff: the human desk (transfer module) is not part of this build yet,
            # and no registered module can produce it.
            log.error("effect_not_supported", effect=type(effect).__name__)
    state = outcome.state
    conversation.flow_state = state.model_dump(mode="json")
    conversation.node_id = state.node_id
    conversation.updated_at = now
    if state.status == "ended":
        conversation.state = "ended"
        conversation.end_reason = state.end_reason
        conversation.ended_at = now
    session.add_all(messages)
    await _write_timers(rt, session, conversation.id, final_timers)
    return messages


async def _write_timers(
    rt: Runtime, session: AsyncSession, conversation_id: str, timers: dict[str, datetime | None]
) -> None:
    cancelled = [kind for kind, due in timers.items() if due is None]
    if cancelled:
        await session.execute(
            delete(Timer).where(Timer.conversation_id == conversation_id, Timer.kind.in_(cancelled))
        )
    armed = {kind: due for kind, due in timers.items() if due is not None}
    if not armed:
        return
    insert = sqlite.insert if rt.db.is_sqlite else postgresql.insert
    for kind, due in armed.items():
        statement = insert(Timer).values(
            id=new_id("tmr"), conversation_id=conversation_id, kind=kind, due_at=due
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Timer.conversation_id, Timer.kind],
                set_={"due_at": statement.excluded.due_at},
            )
        )
    rt.timers_changed.set()


# --------------------------------------------------------------------------- reads and events


async def messages_after(
    session: AsyncSession, conversation_id: str, after_seq: int, limit: int = 1000
) -> list[Message]:
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
        .order_by(Message.seq)
        .limit(limit)
    )
    return list(rows)


async def get_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


def publish_turn(
    rt: Runtime, conversation: Conversation, messages: list[Message], *, state_changed: bool
) -> None:
    """The one place conversation events leave for clients (after the commit)."""
    topic = conversation_topic(conversation.id)
    if state_changed and conversation.state == "ended":
        CONVERSATIONS_ENDED.labels(reason=conversation.end_reason or "unknown").inc()
    for message in messages:
        MESSAGES.labels(sender=message.sender).inc()
        rt.bus.publish(topic, {"type": "message", "message": message_view(message)})
    if state_changed:
        rt.bus.publish(
            topic, {"type": "conversation.updated", "conversation": conversation_view(conversation)}
        )
