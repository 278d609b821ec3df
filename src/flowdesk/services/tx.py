"""`Tx`: one write transaction's working context — session, clock reading, outbox — and the
small writes every service repeats (a message with the next `seq`, a timer, an agent event)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Table, bindparam, delete, insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.engine.types import CallOut
from flowdesk.runtime import Runtime
from flowdesk.services.channels import SANDBOX_CHANNEL_ID
from flowdesk.services.outbox import Outbox
from flowdesk.storage.models import (
    AgentEvent,
    Conversation,
    Message,
    Timer,
    WebhookDelivery,
    new_id,
)
from flowdesk.views import conversation_view, message_view

log = structlog.get_logger(__name__)

#: Advisory lock key that orders agent-event ids by commit (any constant unique to us).
AGENT_EVENTS_LOCK = 0x464C4F57  # "FLOW"


_TIMERS: Table = Timer.__table__  # type: ignore[assignment]


def _timer_upsert(insert: Any) -> Any:
    statement = insert(_TIMERS)
    return statement.on_conflict_do_update(
        index_elements=[_TIMERS.c.conversation_id, _TIMERS.c.kind],
        set_={"due_at": statement.excluded.due_at},
    )


# Timer writes are Core statements on the table, built once: as ORM-enabled statements
# (`insert(Timer)`) they took SQLAlchemy's bulk-ORM path, about a sixth of a customer turn,
# and building `excluded` per call had cost a seventh more (py-spy).
_TIMER_UPSERT = {
    "sqlite": _timer_upsert(sqlite.insert),
    "postgresql": _timer_upsert(postgresql.insert),
}
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_INSERT_MESSAGES = insert(_MESSAGES)
_MESSAGE_COLUMNS = tuple(column.key for column in _MESSAGES.columns)
_CANCEL_ALL = delete(_TIMERS).where(_TIMERS.c.conversation_id == bindparam("conversation_id"))
_CANCEL_KINDS = _CANCEL_ALL.where(_TIMERS.c.kind.in_(bindparam("kinds", expanding=True)))


@dataclass
class Tx:
    rt: Runtime
    session: AsyncSession
    now: datetime
    outbox: Outbox = field(default_factory=Outbox)
    #: Nested hand-offs in this transaction (a flow that goes transfer → no_agent → transfer…).
    handoffs: int = 0
    #: While a customer message is processed: (conversation id, message id) that replies answer.
    reply_to: tuple[str, str] | None = None
    #: Call-outs the flow handed off in this transaction: (conversation id, call). Made
    #: after the commit by whoever claims them (`calls.take`), else in the background.
    calls: list[tuple[str, CallOut]] = field(default_factory=list)
    #: Messages stored by `finish()`, in one INSERT after the last flush (see `add_message`).
    new_messages: list[Message] = field(default_factory=list)
    #: Timer writes, in order, made by `finish()` after the messages (see `arm`).
    timer_writes: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)

    def add_message(
        self,
        conversation: Conversation,
        *,
        sender: str,
        type: str = "text",
        text: str,
        payload: dict[str, Any] | None = None,
        reply_to: str | None = None,
        agent_id: str | None = None,
    ) -> Message:
        """Store a message with the conversation's next `seq`; the serving agent hears of it."""
        conversation.last_seq += 1
        if reply_to is None and self.reply_to and self.reply_to[0] == conversation.id:
            reply_to = self.reply_to[1]
        message = Message(
            id=new_id("msg"),
            conversation_id=conversation.id,
            seq=conversation.last_seq,
            sender=sender,
            type=type,
            text=text,
            payload=payload or {},
            in_reply_to=reply_to,
            agent_id=agent_id,
            created_at=self.now,
        )
        # Not added to the session: `finish()` inserts the transaction's messages together
        # with one Core statement (the ORM's unit of work cost more than the insert itself).
        # Nothing reads a transaction's own new messages back from the database.
        self.new_messages.append(message)
        self.outbox.message(conversation, message)
        if self.rt.settings.webhook_url:
            self.webhook("message.created", conversation, message=message_view(message))
        listener = serving_agent(conversation)
        if listener is not None:
            self.agent_event(
                listener,
                "message",
                {"conversation_id": conversation.id, "message": message_view(message)},
            )
        return message

    def changed(self, conversation: Conversation) -> None:
        conversation.updated_at = self.now
        self.outbox.conversation_changed(conversation)

    def agent_event(self, user_id: str, type: str, payload: dict[str, Any]) -> None:
        """Queue an event for an agent's stream; it is stored by `finish()`, not before."""
        event = AgentEvent(user_id=user_id, type=type, payload=payload, created_at=self.now)
        self.outbox.agent_event(event)

    def webhook(self, type: str, conversation: Conversation, **extra: Any) -> None:
        """Queue a webhook event (SPEC §9); `finish()` stores it in this same transaction.

        Nothing at all happens without a webhook URL, so the hot path stays as it was.
        The data is the conversation as staff see it at this moment (plus `extra`).
        Simulator conversations never leave the building.
        """
        if not self.rt.settings.webhook_url or conversation.channel_id == SANDBOX_CHANNEL_ID:
            return
        data = {"conversation": conversation_view(conversation, staff=True), **extra}
        self.outbox.webhooks.append(
            WebhookDelivery(
                event_id=new_id("evt"),
                type=type,
                payload=data,
                status="pending",
                attempts=0,
                next_attempt_at=self.now,
                created_at=self.now,
            )
        )

    def tell_agent(self, user_id: str, type: str, conversation: Conversation, **extra: Any) -> None:
        self.agent_event(
            user_id, type, {"conversation": conversation_view(conversation, staff=True), **extra}
        )

    async def arm(self, conversation_id: str, kind: str, due: datetime) -> None:
        """Arm (or move) the conversation's timer of this kind; written by `finish()`.

        Timer writes wait for the end of the transaction so the turn's own rows (a new
        conversation, its messages and state) are flushed once, before them, rather than
        once per timer statement.
        """
        statement = _TIMER_UPSERT["sqlite" if self.rt.db.is_sqlite else "postgresql"]
        values = {
            "id": new_id("tmr"),
            "conversation_id": conversation_id,
            "kind": kind,
            "due_at": due,
            "created_at": self.now,
        }
        self.timer_writes.append((statement, values))
        self.rt.timer_armed(due)

    async def cancel(self, conversation_id: str, kinds: Iterable[str] | None = None) -> None:
        """Cancel some (or, with `kinds=None`, all) of a conversation's timers."""
        if kinds is None:
            self.timer_writes.append((_CANCEL_ALL, {"conversation_id": conversation_id}))
            return
        kinds = list(kinds)
        if kinds:
            self.timer_writes.append(
                (_CANCEL_KINDS, {"conversation_id": conversation_id, "kinds": kinds})
            )

    async def finish(self) -> None:
        """Store the agent events last, with ids in commit order, just before the commit.

        A stream resumes "after event N", so no event may get a smaller id than one already
        committed. On PostgreSQL ids come from a sequence in insert order, not commit order;
        taking one transaction-scoped lock right before inserting (the last lock any
        transaction takes, so it cannot close a deadlock cycle) makes the two the same.
        SQLite's single writer gives that order already. Webhook deliveries are stored
        here too, so an event is durable exactly when what caused it commits. New messages
        and timer writes come first, after one flush of the ORM's changes (a new
        conversation must exist before its messages and timers).
        """
        if self.new_messages or self.timer_writes:
            await self.session.flush()
        if self.new_messages:
            messages, self.new_messages = self.new_messages, []
            await self.session.execute(_INSERT_MESSAGES, [_message_row(m) for m in messages])
        if self.timer_writes:
            writes, self.timer_writes = self.timer_writes, []
            for statement, values in writes:
                await self.session.execute(statement, values)
        if self.outbox.webhooks:
            self.session.add_all(self.outbox.webhooks)
            if not self.outbox.agent_events:
                await self.session.flush()
        if not self.outbox.agent_events:
            return
        if not self.rt.db.is_sqlite:
            await self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": AGENT_EVENTS_LOCK}
            )
        self.session.add_all(self.outbox.agent_events)
        await self.session.flush()


def _message_row(message: Message) -> dict[str, Any]:
    return {name: getattr(message, name) for name in _MESSAGE_COLUMNS}


def serving_agent(conversation: Conversation) -> str | None:
    """The agent who sees this conversation's messages live: the server, or the one offered it."""
    if conversation.state == "agent":
        return conversation.agent_id
    if conversation.state == "offered":
        return conversation.offered_to
    return None


@asynccontextmanager
async def transaction(rt: Runtime) -> AsyncIterator[Tx]:
    """A write transaction as a `Tx`; its outbox is published only after a successful commit.

    Then its `after_commit` work runs (each job opens its own transactions if it writes).
    """
    async with rt.db.write() as session:
        tx = Tx(rt, session, rt.clock.now())
        yield tx
        await tx.finish()
    tx.outbox.publish(rt)
    for job in tx.outbox.after_commit:
        try:
            await job()
        except Exception:
            # The work is backed by a durable timer; the committed change stands.
            log.exception("after_commit_failed")
