"""What a transaction will tell clients once it commits.

One write transaction may touch several conversations (a freed agent takes the
next queued customer, the others move up) and several agents' streams. Changes
are gathered here while the transaction runs; agent events are stored as rows in
the same transaction (so a reconnecting agent can replay them), and everything
is published by `publish()` after the commit — the one place events leave.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from flowdesk.events import conversation_topic
from flowdesk.metrics import CONVERSATIONS_ENDED, MESSAGES
from flowdesk.runtime import Runtime
from flowdesk.storage.models import AgentEvent, Conversation, Message, WebhookDelivery
from flowdesk.views import conversation_view, message_view


def agent_topic(user_id: str) -> str:
    return f"agent:{user_id}"


@dataclass
class Outbox:
    messages: list[tuple[Conversation, Message]] = field(default_factory=list)
    changed: dict[str, Conversation] = field(default_factory=dict)
    agent_events: list[AgentEvent] = field(default_factory=list)
    #: Webhook outbox rows (SPEC §9), stored by `Tx.finish` in the same transaction.
    webhooks: list[WebhookDelivery] = field(default_factory=list)
    #: Work that must wait for the commit and may not hold the write lock (a routing call).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def message(self, conversation: Conversation, message: Message) -> None:
        self.messages.append((conversation, message))

    def conversation_changed(self, conversation: Conversation) -> None:
        self.changed[conversation.id] = conversation

    def agent_event(self, event: AgentEvent) -> None:
        self.agent_events.append(event)

    def publish(self, rt: Runtime) -> None:
        """Publish everything gathered (call after the commit)."""
        for conversation, message in self.messages:
            MESSAGES.labels(sender=message.sender).inc()
            rt.bus.publish(
                conversation_topic(conversation.id),
                {"type": "message", "message": message_view(message)},
            )
        for conversation in self.changed.values():
            if conversation.state == "ended":
                CONVERSATIONS_ENDED.labels(reason=conversation.end_reason or "unknown").inc()
            rt.bus.publish(
                conversation_topic(conversation.id),
                {"type": "conversation.updated", "conversation": conversation_view(conversation)},
            )
        for event in self.agent_events:
            rt.bus.publish(agent_topic(event.user_id), agent_event_view(event))
        if self.webhooks:
            rt.webhooks_written.set()


def agent_event_view(event: AgentEvent) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, **event.payload}
