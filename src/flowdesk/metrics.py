"""Prometheus metrics for what Flowdesk does (served at `/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CONVERSATIONS_STARTED = Counter(
    "flowdesk_conversations_started_total", "Conversations started, by channel type.", ["channel"]
)
MESSAGES = Counter("flowdesk_messages_total", "Messages stored, by sender.", ["sender"])
CUSTOMER_TURNS = Histogram(
    "flowdesk_customer_turn_seconds",
    "Time to process one customer message (transaction included).",
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
TIMERS_FIRED = Counter("flowdesk_timers_fired_total", "Durable timers fired, by kind.", ["kind"])
CONVERSATIONS_ENDED = Counter(
    "flowdesk_conversations_ended_total", "Conversations ended, by reason.", ["reason"]
)
