"""Housekeeping: delete what has served its purpose, so tables do not grow without end.

- agent stream events older than `event_retention_hours` (a stream that resumes
  from a deleted event starts again from a snapshot, see `api.agent`);
- simulator test runs that ended more than a day ago, and the draft snapshots
  (negative versions) no conversation uses any more;
- webhook events delivered more than `webhook_retention_days` ago (failed ones stay, listed
  by the API, until an admin retries them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, select

from flowdesk.runtime import Runtime
from flowdesk.storage.models import (
    SANDBOX_CHANNEL_TYPE,
    AgentEvent,
    Channel,
    Conversation,
    FlowVersion,
    WebhookDelivery,
)

SANDBOX_KEEP = timedelta(days=1)


@dataclass(frozen=True)
class Pruned:
    agent_events: int
    sandbox_conversations: int
    sandbox_snapshots: int
    webhook_deliveries: int


async def prune(rt: Runtime) -> Pruned:
    """Delete expired events, finished simulator leftovers and old deliveries, in one short
    transaction."""
    now = rt.clock.now()
    events_before = now - timedelta(hours=rt.settings.event_retention_hours)
    sandbox_before = now - SANDBOX_KEEP
    delivered_before = now - timedelta(days=rt.settings.webhook_retention_days)
    async with rt.db.write() as session:
        events = await session.execute(
            delete(AgentEvent).where(AgentEvent.created_at < events_before)
        )
        sandbox_channels = select(Channel.id).where(Channel.type == SANDBOX_CHANNEL_TYPE)
        conversations = await session.execute(
            delete(Conversation).where(
                Conversation.channel_id.in_(sandbox_channels),
                Conversation.state == "ended",
                Conversation.ended_at < sandbox_before,
            )
        )
        in_use = exists().where(
            Conversation.flow_id == FlowVersion.flow_id,
            Conversation.flow_version == FlowVersion.version,
        )
        snapshots = await session.execute(
            delete(FlowVersion).where(
                FlowVersion.version < 0,
                FlowVersion.published_at < sandbox_before,
                ~in_use,
            )
        )
        deliveries = await session.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.status == "delivered",
                WebhookDelivery.delivered_at < delivered_before,
            )
        )
    return Pruned(
        agent_events=_count(events),
        sandbox_conversations=_count(conversations),
        sandbox_snapshots=_count(snapshots),
        webhook_deliveries=_count(deliveries),
    )


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", 0)
    return int(rowcount) if isinstance(rowcount, int) and rowcount > 0 else 0
