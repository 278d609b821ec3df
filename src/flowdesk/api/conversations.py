"""Conversations: the customer API (start, messages, close, stream) and the staff views."""

from __future__ import annotations

import contextlib
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, select

from flowdesk.api.deps import (
    MAX_INT,
    AdminDep,
    Caller,
    CallerDep,
    RuntimeDep,
    StaffDep,
    bearer_token,
    looks_like_customer_token,
)
from flowdesk.api.origins import foreign_origin, policy_by_channel, require_allowed
from flowdesk.api.streaming import StreamEndpoint, forward
from flowdesk.engine.types import ChoiceInput, CustomerInput, RatingInput, TextInput
from flowdesk.errors import Forbidden, Invalid
from flowdesk.events import SubscriptionLost, conversation_topic
from flowdesk.runtime import Runtime
from flowdesk.security import CustomerClaims, read_customer_token
from flowdesk.services import conversations as svc
from flowdesk.services import serving
from flowdesk.storage.models import SANDBOX_CHANNEL_TYPE, Channel, Conversation
from flowdesk.views import conversation_view, message_view

router = APIRouter(tags=["conversations"])

MAX_TEXT = svc.MAX_TEXT
CUSTOMER_ID = r"^[A-Za-z0-9_.:@+\-]{1,200}$"
WS_POLICY_VIOLATION = 4403


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str | None = Field(default=None, pattern=CUSTOMER_ID)
    name: str | None = Field(default=None, max_length=200)
    variables: dict[str, Any] = Field(default_factory=dict)


class CustomerMessageIn(BaseModel):
    """Exactly one of `text`, `choice` (a menu option id) or `rating` (a survey answer)."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    choice: str | None = Field(default=None, min_length=1, max_length=64)
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)
    client_msg_id: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _exactly_one(self) -> CustomerMessageIn:
        given = [n for n in ("text", "choice", "rating") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("send exactly one of text, choice or rating")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must not be empty")
        return self

    def event(self) -> CustomerInput:
        if self.text is not None:
            return TextInput(self.text)
        if self.choice is not None:
            return ChoiceInput(self.choice)
        assert self.rating is not None
        return RatingInput(self.rating, self.comment)


def _customer_owns(caller: Caller, conversation_id: str) -> CustomerClaims:
    if caller.customer is None:
        raise Forbidden("this endpoint needs the conversation's customer token")
    if caller.customer.conversation_id != conversation_id:
        raise Forbidden("the customer token belongs to another conversation")
    return caller.customer


async def _check_read(rt: Runtime, caller: Caller, conversation: Conversation) -> None:
    """Customers read their own conversation; admins any; agents those they serve."""
    if caller.customer is not None:
        _customer_owns(caller, conversation.id)
        return
    assert caller.user is not None
    user_id = caller.user.id
    involved = user_id in (conversation.agent_id, conversation.offered_to)
    if caller.user.role != "admin" and not involved:
        raise Forbidden("you do not serve this conversation")


# --------------------------------------------------------------------------- customer


@router.post("/channels/{key}/conversations", status_code=201)
async def start_conversation(
    key: str, body: StartIn, request: Request, rt: RuntimeDep
) -> JSONResponse:
    await require_allowed(rt, request.headers, key)
    presented = None
    token = bearer_token(request)
    if token is not None and looks_like_customer_token(token):
        presented = read_customer_token(
            rt.settings.secret_key.get_secret_value(), token, now=rt.clock.now()
        )
    result = await svc.start_conversation(
        rt,
        key,
        customer_id=body.customer_id,
        customer_name=body.name,
        variables=body.variables,
        presented=presented,
    )
    return JSONResponse(
        {
            "conversation": conversation_view(result.conversation),
            "customer_token": result.customer_token,
            "messages": [message_view(m) for m in result.messages],
        },
        status_code=201 if result.created else 200,
    )


@router.post("/conversations/{conversation_id}/messages")
async def post_message(
    conversation_id: str, body: CustomerMessageIn, rt: RuntimeDep, caller: CallerDep
) -> dict[str, Any]:
    """A customer's message (text, menu choice or rating), or the serving agent's text."""
    if caller.user is not None:
        if body.text is None or body.client_msg_id is not None:
            raise Invalid("an agent sends {text}")
        message = await serving.agent_message(rt, conversation_id, caller.user, body.text)
        return {"message": message_view(message)}
    _customer_owns(caller, conversation_id)
    turn = await svc.post_customer_message(
        rt, conversation_id, body.event(), client_msg_id=body.client_msg_id
    )
    return {"messages": [message_view(m) for m in turn.replies], "duplicate": turn.duplicate}


@router.post("/conversations/{conversation_id}/close")
async def close_conversation(
    conversation_id: str, rt: RuntimeDep, caller: CallerDep
) -> dict[str, Any]:
    """The customer leaves, or the serving agent closes (the flow resumes at `done`)."""
    if caller.user is not None:
        conversation = await serving.agent_close(rt, conversation_id, caller.user)
        return {"conversation": conversation_view(conversation, staff=True)}
    _customer_owns(caller, conversation_id)
    conversation = await svc.close_by_customer(rt, conversation_id)
    return {"conversation": conversation_view(conversation)}


class TransferIn(BaseModel):
    """Exactly one of `agent_id` or `skill_group_id`."""

    model_config = ConfigDict(extra="forbid")
    agent_id: str | None = Field(default=None, min_length=1, max_length=64)
    skill_group_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> TransferIn:
        if (self.agent_id is None) == (self.skill_group_id is None):
            raise ValueError("send exactly one of agent_id or skill_group_id")
        return self


@router.post("/conversations/{conversation_id}/accept")
async def accept_offer(conversation_id: str, rt: RuntimeDep, user: StaffDep) -> dict[str, Any]:
    conversation = await serving.accept(rt, conversation_id, user)
    return {"conversation": conversation_view(conversation, staff=True)}


@router.post("/conversations/{conversation_id}/transfer")
async def transfer_conversation(
    conversation_id: str, body: TransferIn, rt: RuntimeDep, user: StaffDep
) -> dict[str, Any]:
    conversation = await serving.transfer(
        rt, conversation_id, user, agent_id=body.agent_id, skill_group_id=body.skill_group_id
    )
    return {"conversation": conversation_view(conversation, staff=True)}


@router.post("/conversations/{conversation_id}/request-rating", status_code=202)
async def request_rating(conversation_id: str, rt: RuntimeDep, user: StaffDep) -> dict[str, Any]:
    await serving.request_rating(rt, conversation_id, user)
    return {"requested": True}


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: str,
    rt: RuntimeDep,
    caller: CallerDep,
    after_seq: int = Query(default=0, ge=0, le=MAX_INT),
    limit: int = Query(default=200, ge=1, le=1000),
) -> dict[str, Any]:
    async with rt.db.read() as session:
        conversation = await svc.get_conversation(session, conversation_id)
        await _check_read(rt, caller, conversation)
        messages = await svc.messages_after(session, conversation_id, after_seq, limit)
    return {"messages": [message_view(m) for m in messages]}


@router.get("/conversations/{conversation_id}")
async def get_conversation(
    conversation_id: str, rt: RuntimeDep, caller: CallerDep
) -> dict[str, Any]:
    async with rt.db.read() as session:
        conversation = await svc.get_conversation(session, conversation_id)
        await _check_read(rt, caller, conversation)
    return conversation_view(conversation, staff=caller.user is not None)


async def conversation_stream(websocket: WebSocket) -> None:
    """`/conversations/{conversation_id}/stream?token=…&after_seq=…`: replay messages after
    `after_seq`, then every new message and state change, live."""
    rt: Runtime = websocket.app.state.runtime
    conversation_id: str = websocket.path_params["conversation_id"]
    token = websocket.query_params.get("token", "")
    after_seq = _query_int(websocket.query_params.get("after_seq", "0"))
    claims = read_customer_token(
        rt.settings.secret_key.get_secret_value(), token, now=rt.clock.now()
    )
    if (
        claims is None
        or claims.conversation_id != conversation_id
        or after_seq is None
        or not 0 <= after_seq <= MAX_INT
    ):
        await websocket.close(code=WS_POLICY_VIOLATION)
        return
    origin = foreign_origin(websocket.headers, rt.settings.public_url)
    if origin is not None:
        # A page the channel does not allow gets nothing, even with a stolen token.
        policy = await policy_by_channel(rt, claims.channel_id)
        if policy is not None and not policy.allows(origin):
            await websocket.close(code=WS_POLICY_VIOLATION)
            return
    await websocket.accept()
    async with rt.bus.subscribe(conversation_topic(conversation_id)) as subscription:
        # Subscribe first, then read the history: nothing published in between is missed,
        # and anything read twice is skipped by `seq`.
        last_seq = await _catch_up(rt, websocket, conversation_id, after_seq)
        try:
            await forward(websocket, subscription, _message_seq, last_seq)
        except (SubscriptionLost, WebSocketDisconnect):
            return
        finally:
            with contextlib.suppress(Exception):
                await websocket.close()


async def _catch_up(rt: Runtime, websocket: WebSocket, conversation_id: str, after_seq: int) -> int:
    """Send the messages after `after_seq` and the conversation's state; returns the last seq.

    Rows become plain dicts before the session closes and are sent after it, so a slow client
    never holds a database connection, and an idle stream keeps no session or ORM object
    (they would stay alive in the endpoint's frame for as long as the stream is open).
    """
    async with rt.db.read() as session:
        conversation = await svc.get_conversation(session, conversation_id)
        history = await svc.messages_after(session, conversation_id, after_seq, limit=10_000)
        events = [{"type": "message", "message": message_view(m)} for m in history]
        last_seq = history[-1].seq if history else after_seq
        events.append(
            {"type": "conversation.updated", "conversation": conversation_view(conversation)}
        )
    for event in events:
        await websocket.send_json(event)
    return last_seq


# One per idle conversation, so a bare ASGI endpoint rather than a FastAPI WebSocket route
# (Starlette serves an endpoint that is not a function as an ASGI app; FastAPI's annotation
# names only the function form).
router.add_websocket_route(
    "/conversations/{conversation_id}/stream",
    StreamEndpoint(conversation_stream),  # type: ignore[arg-type]
)


def _query_int(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _message_seq(event: dict[str, Any]) -> int | None:
    if event["type"] != "message":
        return None
    seq: int = event["message"]["seq"]
    return seq


# --------------------------------------------------------------------------- staff


@router.get("/conversations")
async def list_conversations(
    rt: RuntimeDep,
    _admin: AdminDep,
    state: Literal["bot", "queued", "offered", "agent", "ended"] | None = None,
    channel_id: str | None = None,
    agent_id: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_INT),
    include_sandbox: bool = False,
    started_from: AwareDatetime | None = None,
    started_before: AwareDatetime | None = None,
) -> dict[str, Any]:
    """Conversations, newest first; the simulator's test runs only with `include_sandbox`."""
    query = select(Conversation).order_by(Conversation.started_at.desc(), Conversation.id)
    if not include_sandbox:
        sandbox = select(Channel.id).where(Channel.type == SANDBOX_CHANNEL_TYPE)
        query = query.where(Conversation.channel_id.not_in(sandbox))
    if state is not None:
        query = query.where(Conversation.state == state)
    if channel_id is not None:
        query = query.where(Conversation.channel_id == channel_id)
    if agent_id is not None:
        # Conversations the agent serves now or served last.
        query = query.where(
            or_(Conversation.agent_id == agent_id, Conversation.last_agent_id == agent_id)
        )
    if started_from is not None:
        query = query.where(Conversation.started_at >= started_from)
    if started_before is not None:
        query = query.where(Conversation.started_at < started_before)
    async with rt.db.read() as session:
        rows = await session.scalars(query.limit(limit).offset(offset))
        return {"conversations": [conversation_view(c, staff=True) for c in rows]}
