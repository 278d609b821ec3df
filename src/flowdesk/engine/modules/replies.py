"""How nodes that wait read a customer's reply: its text, their timeout, their retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowdesk.engine.module import StepContext
from flowdesk.engine.types import (
    WAIT,
    ChoiceInput,
    Continue,
    Event,
    RatingInput,
    StepResult,
    TextInput,
    TimerFired,
)


def reply_text(event: Event) -> str | None:
    """The customer's reply as text (a button press or a rating too); None for other events."""
    if isinstance(event, TextInput):
        return event.text
    if isinstance(event, ChoiceInput):
        return event.choice
    if isinstance(event, RatingInput):
        return str(event.rating)
    return None


def is_own_timeout(ctx: StepContext[Any], event: Event) -> bool:
    """True when `event` is the timeout this node armed.

    A node timer that fires where no timer was armed is stale (a race with
    leaving the node) and must not take the `timeout` port of another node.
    """
    return (
        isinstance(event, TimerFired) and event.kind == "node" and bool(ctx.node_data.get("_timer"))
    )


def retry_or_give_up(
    ctx: StepContext[Any],
    *,
    max_retries: int,
    retry_text: str | None,
    ask_again: Callable[[], None],
) -> StepResult:
    """Count a reply that did not fit: ask again (or send `retry_text`), or leave by `invalid`.

    The node's timeout is not re-armed: the original deadline stands.
    """
    retries = int(ctx.node_data.get("retries", 0)) + 1
    ctx.node_data["retries"] = retries
    if retries > max_retries:
        return Continue("invalid")
    if retry_text and ctx.render(retry_text).strip():
        ctx.send_text(retry_text)
    else:
        ask_again()
    return WAIT
