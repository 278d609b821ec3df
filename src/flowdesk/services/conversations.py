"""Conversations (SPEC §5): start, customer messages, close, and timers firing.

Every change follows one path: lock the conversation, run the engine, persist
the new state, the messages and the timers in one transaction (`Tx`), commit,
then publish events. When the conversation is with the human desk (queued,
offered, with an agent) the desk (`services.desk`) takes the turn instead.
A customer message is processed once (`client_msg_id`) and in order: the
conversation row is locked (`FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on
SQLite) for the whole turn, and `seq` is allocated under that lock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.engine.module import RunEnv
from flowdesk.engine.runner import CompiledFlow
from flowdesk.engine.template import is_variable_name
from flowdesk.engine.types import (
    CALL_PORT,
    ArmTimer,
    CallOut,
    CancelTimer,
    ChoiceInput,
    CustomerInput,
    Event,
    FlowState,
    Outcome,
    RecordRating,
    RequestHandoff,
    Resume,
    SendMessage,
    TextInput,
    TimerFired,
)
from flowdesk.engine.variables import SYSTEM_VARIABLES
from flowdesk.errors import Conflict, Forbidden, Invalid, NotFound
from flowdesk.metrics import CONVERSATIONS_STARTED, CUSTOMER_TURNS, TIMERS_FIRED
from flowdesk.retrieval import load_indexes
from flowdesk.runtime import Runtime
from flowdesk.security import CustomerClaims, issue_customer_token
from flowdesk.services import calls, desk
from flowdesk.services.channels import (
    ChannelView,
    cached_channel_view,
    channel_by_key,
    channel_settings,
    channel_view,
)
from flowdesk.services.flows import compiled_version
from flowdesk.services.schedules import load_specs
from flowdesk.services.tx import Tx, transaction
from flowdesk.storage.models import Channel, Conversation, Flow, Message, Timer, new_id

log = structlog.get_logger(__name__)

MAX_TEXT = 4000
MAX_START_VARIABLES = 50
MAX_VARIABLE_TEXT = 2000
#: Timer kinds the flow engine owns; the human desk adds its own.
ENGINE_TIMERS = frozenset({"node", "idle"})
#: Armed while a node waits for a call-out; firing means the call was lost (a restart).
CALL_TIMER = "call"
#: How long past a call's own budget its timer waits before calling again.
CALL_GRACE_SECONDS = 30


# The hot path's queries, built once: building `Column == value` expressions per call took
# about as long as running the query (py-spy). Parameters are bound at execution.
_LOCK = (
    select(Conversation).where(Conversation.id == bindparam("conversation_id")).with_for_update()
)
_LOCK_WITH_STAMP = (
    select(Conversation, Channel.updated_at)
    .join(Channel, Channel.id == Conversation.channel_id)
    .where(Conversation.id == bindparam("conversation_id"))
    .with_for_update(of=Conversation)
)
_EARLIER_MESSAGE = select(Message.id).where(
    Message.conversation_id == bindparam("conversation_id"),
    Message.client_msg_id == bindparam("client_msg_id"),
)
_LAST_MENU = (
    select(Message.payload)
    .where(Message.conversation_id == bindparam("conversation_id"), Message.type == "menu")
    .order_by(Message.seq.desc())
    .limit(1)
)
_OPEN_CONVERSATION = select(Conversation).where(
    Conversation.channel_id == bindparam("channel_id"),
    Conversation.customer_id == bindparam("customer_id"),
    Conversation.state != "ended",
)


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
    try:
        async with transaction(rt) as tx:
            result = await _start(tx, channel_key, customer_id, customer_name, variables, presented)
            pending = calls.take(tx.calls)
    except IntegrityError:
        # Another node started this customer's conversation at the same instant; return it.
        async with transaction(rt) as tx:
            result = await _start(tx, channel_key, customer_id, customer_name, variables, presented)
            pending = calls.take(tx.calls)
    # A flow that starts with an API call answers after it: the customer waits for that.
    result.messages.extend(await calls.settle(rt, pending))
    if result.created:
        CONVERSATIONS_STARTED.labels(channel=result.channel_type).inc()
    return result


async def _start(
    tx: Tx,
    channel_key: str,
    customer_id: str | None,
    customer_name: str | None,
    variables: dict[str, Any],
    presented: CustomerClaims | None,
) -> StartResult:
    session, now = tx.session, tx.now
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
            _OPEN_CONVERSATION, {"channel_id": channel.id, "customer_id": customer_id}
        )
        if existing is not None:
            owns = presented is not None and presented.conversation_id == existing.id
            if not (owns or settings.trust_customer_id):
                raise Conflict(
                    "this customer has an open conversation; send its customer token to resume it",
                    code="customer_token_required",
                )
            history = await messages_after(session, existing.id, 0)
            return StartResult(existing, history, _token(tx.rt, existing, now), created=False)
    else:
        customer_id = new_id("cus")
    if channel.flow_id is None:
        raise Conflict("no flow is bound to this channel", code="channel_has_no_flow")
    flow = await session.get(Flow, channel.flow_id)
    if flow is None or flow.latest_version is None:
        raise Conflict("no published flow is bound to this channel", code="channel_has_no_flow")
    return await open_conversation(
        tx,
        channel,
        flow_id=flow.id,
        flow_version=flow.latest_version,
        customer_id=customer_id,
        customer_name=customer_name,
        variables=variables,
    )


async def open_conversation(
    tx: Tx,
    channel: Channel,
    *,
    flow_id: str,
    flow_version: int,
    customer_id: str,
    customer_name: str | None,
    variables: dict[str, Any],
) -> StartResult:
    """A new conversation on this flow version, run until the flow first waits."""
    conversation = Conversation(
        id=new_id("cnv"),
        channel_id=channel.id,
        customer_id=customer_id,
        customer_name=customer_name,
        flow_id=flow_id,
        flow_version=flow_version,
        state="bot",
        flow_state={},
        desk={},
        started_at=tx.now,
        updated_at=tx.now,
        last_seq=0,
    )
    # Read what the flow needs first: the new row, its messages and its state then reach
    # the database in one flush (the unit of work inserts the conversation first).
    reads = await flow_reads(tx, conversation, channel)
    tx.session.add(conversation)
    tx.webhook("conversation.started", conversation)
    await advance(tx, conversation, None, start_variables=variables, reads=reads)
    messages = [m for c, m in tx.outbox.messages if c.id == conversation.id]
    tx.changed(conversation)
    return StartResult(
        conversation,
        messages,
        _token(tx.rt, conversation, tx.now),
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
    """Record one customer message and act on it (flow or desk), exactly once."""
    with CUSTOMER_TURNS.time():
        async with transaction(rt) as tx:
            turn = await _customer_turn(tx, conversation_id, event, client_msg_id)
            pending, reply_to = calls.take(tx.calls), tx.reply_to
        # Calls the turn handed off are made now, outside the transaction; what the flow
        # says after them is part of this message's answer.
        turn.replies.extend(await calls.settle(rt, pending, reply_to=reply_to))
    return turn


async def _customer_turn(
    tx: Tx, conversation_id: str, event: CustomerInput, client_msg_id: str | None
) -> Turn:
    session = tx.session
    conversation, channel_stamp = await _lock_with_channel_stamp(session, conversation_id)
    if client_msg_id is not None:
        earlier = await session.scalar(
            _EARLIER_MESSAGE,
            {"conversation_id": conversation.id, "client_msg_id": client_msg_id},
        )
        if earlier is not None:
            answered = await session.scalars(
                select(Message).where(Message.in_reply_to == earlier).order_by(Message.seq)
            )
            return Turn(list(answered), duplicate=True)
    if conversation.state == "ended":
        raise Conflict("the conversation has ended", code="conversation_ended")
    reads: FlowReads | None = None
    if conversation.state == "bot":
        # Read everything the flow needs before the message changes the conversation, so
        # the turn's writes reach the database together (one flush: one INSERT of all its
        # messages, one UPDATE of the conversation) instead of being autoflushed by a read.
        reads = await flow_reads(tx, conversation, channel_stamp=channel_stamp)
        refusal = tx.rt.engine.check_input(reads.compiled, flow_state(conversation), event)
        if refusal is not None:
            raise Invalid(refusal)
    text, payload = await _describe_input(session, conversation, event)
    inbound = tx.add_message(conversation, sender="customer", text=text, payload=payload)
    inbound.client_msg_id = client_msg_id
    tx.reply_to = (conversation.id, inbound.id)
    if reads is not None:
        await advance(tx, conversation, event, reads=reads)
    else:
        await desk.customer_message(tx, conversation, event)
    replies = [m for _, m in tx.outbox.messages if m.in_reply_to == inbound.id]
    return Turn(replies, duplicate=False)


async def _describe_input(
    session: AsyncSession, conversation: Conversation, event: CustomerInput
) -> tuple[str, dict[str, Any]]:
    """How a customer's input is kept in the history: a button press shows its label."""
    if isinstance(event, TextInput):
        return event.text, {}
    if isinstance(event, ChoiceInput):
        menu = await session.scalar(_LAST_MENU, {"conversation_id": conversation.id})
        for option in (menu or {}).get("options", []):
            if option.get("id") == event.choice:
                return str(option.get("label") or event.choice), {"choice": event.choice}
        return event.choice, {"choice": event.choice}
    payload: dict[str, Any] = {"rating": event.rating}
    if event.comment:
        payload["comment"] = event.comment
    return (f"{event.rating}" + (f" {event.comment}" if event.comment else "")), payload


async def close_by_customer(rt: Runtime, conversation_id: str) -> Conversation:
    async with transaction(rt) as tx:
        conversation = await lock_conversation(tx.session, conversation_id)
        if conversation.state == "ended":
            raise Conflict("the conversation has ended", code="conversation_ended")
        await desk.release(tx, conversation, leaving_notice=False)
        await finish(tx, conversation, "customer_closed")
    return conversation


async def finish(tx: Tx, conversation: Conversation, reason: str) -> None:
    """End a conversation outside the flow (closed, timed out): state, reason, no timers left."""
    conversation.state = "ended"
    conversation.end_reason = reason
    conversation.ended_at = tx.now
    state = dict(conversation.flow_state or {})
    state.update(status="ended", end_reason=reason, node_data={})
    conversation.flow_state = state
    await tx.cancel(conversation.id)
    tx.changed(conversation)
    tx.webhook("conversation.ended", conversation)


# --------------------------------------------------------------------------- timers


async def fire_timer(rt: Runtime, timer_id: str) -> bool:
    """Fire one due timer. Deleting the row and acting on it commit together: once, ever."""
    async with transaction(rt) as tx:
        timer = await tx.session.scalar(
            select(Timer).where(Timer.id == timer_id).with_for_update(skip_locked=True)
        )
        if timer is None or timer.due_at > tx.now:
            return False
        TIMERS_FIRED.labels(kind=timer.kind).inc()
        conversation = await lock_conversation(tx.session, timer.conversation_id)
        await tx.session.delete(timer)
        if conversation.state == "ended":
            return True
        if timer.kind == CALL_TIMER:
            if conversation.state == "bot":
                await _call_lost(tx, conversation)
        elif timer.kind in ENGINE_TIMERS:
            if conversation.state == "bot":
                await advance(tx, conversation, TimerFired(timer.kind))
        else:
            await desk.timer_fired(tx, conversation, timer.kind)
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


# --------------------------------------------------------------------------- running the flow


async def lock_conversation(session: AsyncSession, conversation_id: str) -> Conversation:
    conversation = await session.scalar(_LOCK, {"conversation_id": conversation_id})
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return conversation


async def _lock_with_channel_stamp(
    session: AsyncSession, conversation_id: str
) -> tuple[Conversation, datetime]:
    """`lock_conversation`, also reading the channel's `updated_at` in the same query (the
    key of its cached view): a customer turn reads no channel row unless it changed."""
    row = (await session.execute(_LOCK_WITH_STAMP, {"conversation_id": conversation_id})).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} not found")
    return row[0], row[1]


def flow_state(conversation: Conversation) -> FlowState:
    return FlowState.model_validate(conversation.flow_state)


@dataclass
class FlowReads:
    """What running a conversation's flow reads from the database: its channel, the compiled
    flow version and the resources (schedules, knowledge bases) the flow refers to."""

    channel: ChannelView
    compiled: CompiledFlow
    resources: dict[str, dict[str, Any]]


async def flow_reads(
    tx: Tx,
    conversation: Conversation,
    channel: Channel | None = None,
    *,
    channel_stamp: datetime | None = None,
) -> FlowReads:
    """Read what the flow needs; `channel_stamp` (the channel's `updated_at`, read with the
    conversation) lets an unchanged channel come from the cache without a query."""
    session = tx.session
    if channel is not None:
        view = channel_view(tx.rt, channel)
    elif channel_stamp is not None:
        view = await cached_channel_view(tx.rt, session, conversation.channel_id, channel_stamp)
    else:
        found = await session.get(Channel, conversation.channel_id)
        assert found is not None
        view = channel_view(tx.rt, found)
    compiled = await compiled_version(
        tx.rt, session, conversation.flow_id, conversation.flow_version
    )
    resources: dict[str, dict[str, Any]] = {}
    schedule_ids = compiled.references.get("schedule")
    if schedule_ids:
        resources["schedule"] = dict(await load_specs(session, schedule_ids))
    base_ids = compiled.references.get("knowledge_base")
    if base_ids:
        resources["knowledge_base"] = dict(await load_indexes(session, tx.rt.indexes, base_ids))
    return FlowReads(view, compiled, resources)


async def advance(
    tx: Tx,
    conversation: Conversation,
    event: Event | None,
    *,
    start_variables: dict[str, Any] | None = None,
    reads: FlowReads | None = None,
) -> None:
    """Run the conversation's flow on `event` (None: start it) and persist the outcome."""
    if reads is None:
        reads = await flow_reads(tx, conversation)
    env = run_env(tx, reads, conversation)
    if event is None:
        outcome = tx.rt.engine.start(reads.compiled, env, start_variables)
    else:
        outcome = tx.rt.engine.handle(reads.compiled, flow_state(conversation), event, env)
    await _apply(tx, conversation, outcome)


def run_env(tx: Tx, reads: FlowReads, conversation: Conversation) -> RunEnv:
    channel = reads.channel
    return RunEnv(
        now=tx.now,
        system=system_variables(conversation, channel, tx.now),
        channel_settings=channel.settings_data,
        resources=reads.resources,
        bot_idle_seconds=channel.settings.bot_idle_seconds,
    )


def system_variables(
    conversation: Conversation, channel: Channel | ChannelView, now: datetime
) -> dict[str, Any]:
    """SPEC §4's system variables for this conversation at this moment."""
    desk_state = conversation.desk or {}
    agent = desk_state.get("agent") or {}
    return {
        "SessionId": conversation.id,
        "ClientAppID": channel.id,
        "ClientAppName": channel.name,
        "SystemClientUserID": conversation.customer_id,
        "WaitNo": desk_state.get("wait_no"),
        "StaffNo": agent.get("staff_no"),
        "StaffNickName": agent.get("display_name"),
        "Now": now.astimezone().isoformat(timespec="seconds"),
    }


async def _apply(tx: Tx, conversation: Conversation, outcome: Outcome) -> None:
    """Persist an engine outcome: messages, state, timers; then hand-offs to the desk."""
    final_timers: dict[str, datetime | None] = {}
    handoff: RequestHandoff | None = None
    for effect in outcome.effects:
        if isinstance(effect, SendMessage):
            out = effect.message
            payload: dict[str, Any] = {}
            if out.options is not None:
                payload["options"] = out.options
            if out.scale is not None:
                payload["scale"] = out.scale
            tx.add_message(
                conversation, sender=out.sender, type=out.type, text=out.text, payload=payload
            )
        elif isinstance(effect, ArmTimer):
            final_timers[effect.kind] = effect.due_at
        elif isinstance(effect, CancelTimer):
            final_timers[effect.kind] = None
        elif isinstance(effect, RecordRating):
            desk.record_rating(tx, conversation, effect.rating, effect.comment)
        elif isinstance(effect, CallOut):
            if not tx.calls:
                tx.outbox.after_commit.append(lambda: _spawn_unclaimed(tx))
            tx.calls.append((conversation.id, effect))
            seconds = effect.budget_seconds + CALL_GRACE_SECONDS
            final_timers[CALL_TIMER] = tx.now + timedelta(seconds=seconds)
        else:
            handoff = effect
    state = outcome.state
    conversation.flow_state = state.model_dump(mode="json")
    conversation.node_id = state.node_id
    conversation.updated_at = tx.now
    if state.status == "ended" and conversation.state != "ended":
        conversation.state = "ended"
        conversation.end_reason = state.end_reason
        conversation.ended_at = tx.now
        tx.changed(conversation)
        tx.webhook("conversation.ended", conversation)
    await tx.cancel(conversation.id, [k for k, due in final_timers.items() if due is None])
    for kind, due in final_timers.items():
        if due is not None:
            await tx.arm(conversation.id, kind, due)
    if handoff is not None:
        await desk.request_handoff(tx, conversation, handoff)


# --------------------------------------------------------------------------- call-outs


def _waits_for_call(conversation: Conversation, call_id: str | None = None) -> str | None:
    """The call id the conversation's node waits for (None: not waiting, or another call)."""
    if conversation.state != "bot":
        return None
    state = flow_state(conversation)
    waiting = state.node_data.get("_call") if state.status == "handoff" else None
    if waiting is None or (call_id is not None and waiting != call_id):
        return None
    return str(waiting)


async def deliver_call_result(
    tx: Tx, conversation_id: str, call_id: str, result: dict[str, Any]
) -> bool:
    """Feed a call's result to the node waiting for it; a late or duplicate one is dropped."""
    conversation, channel_stamp = await _lock_with_channel_stamp(tx.session, conversation_id)
    if _waits_for_call(conversation, call_id) is None:
        log.info("call_result_dropped", conversation_id=conversation_id)
        return False
    await tx.cancel(conversation.id, [CALL_TIMER])
    reads = await flow_reads(tx, conversation, channel_stamp=channel_stamp)
    resumed = Resume(CALL_PORT, {"call_id": call_id, "result": result})
    await advance(tx, conversation, resumed, reads=reads)
    return True


async def _spawn_unclaimed(tx: Tx) -> None:
    """After the commit: calls nobody waits for (a timer, an agent closing) go in the background."""
    if tx.calls:
        calls.spawn(tx.rt, calls.take(tx.calls))


async def _call_lost(tx: Tx, conversation: Conversation) -> None:
    """The call timer fired: the process stopped mid-call. The node decides (calls again)."""
    call_id = _waits_for_call(conversation)
    if call_id is not None:
        log.warning("call_lost", conversation_id=conversation.id)
        lost = Resume(CALL_PORT, {"call_id": call_id, "result": {"lost": True}})
        await advance(tx, conversation, lost)


# --------------------------------------------------------------------------- reads


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
