"""`survey`: asks the customer to rate the service, optionally with a comment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.modules.fields import OptionalText, Text, TimeoutSeconds
from flowdesk.engine.modules.replies import is_own_timeout
from flowdesk.engine.types import (
    WAIT,
    Continue,
    Event,
    OutboundMessage,
    RatingInput,
    RecordRating,
    Resume,
    StepResult,
    TextInput,
    TimerFired,
)

Scale = Literal["stars5", "levels3"]
SCALE_MAX: dict[str, int] = {"stars5": 5, "levels3": 3}
COMMENT_PROMPT = 'Would you like to add a comment? Reply with your comment, or "skip".'
SKIP_WORD = "skip"


class SurveyConfig(BaseModel):
    """Settings of a `survey` node."""

    model_config = ConfigDict(extra="forbid", title="Survey")

    text: Text = Field(description="The question shown above the rating; may contain ${Variable}.")
    scale: Scale = Field(
        default="stars5",
        description="`stars5`: 1 to 5 stars; `levels3`: 1 dissatisfied, 2 neutral, 3 satisfied.",
    )
    ask_comment: bool = Field(
        default=False, description="After a rating without a comment, ask for one."
    )
    thanks_text: OptionalText | None = Field(
        default=None, description="Sent after the rating is recorded (optional)."
    )
    expire_seconds: TimeoutSeconds | None = Field(
        default=None, description="Leave by `skipped` when no rating comes in this time (optional)."
    )


def rating_in_scale(scale: str, rating: int) -> bool:
    return 1 <= rating <= SCALE_MAX[scale]


def typed_rating(scale: str, text: str) -> int | None:
    """The rating a typed reply gives ("4", " 2 "), or None when it is not a number in range."""
    stripped = text.strip()
    if not stripped.isdecimal() or len(stripped) > 3:
        return None
    rating = int(stripped)
    return rating if rating_in_scale(scale, rating) else None


def _comment(text: str) -> str | None:
    """A comment as stored: trimmed; blank or "skip" (any case) means none."""
    stripped = text.strip()
    if not stripped or stripped.casefold() == SKIP_WORD:
        return None
    return stripped


class SurveyModule(Module[SurveyConfig]):
    """Sends a rating request; leaves by `rated` (recording the rating) or `skipped`."""

    type = "survey"
    title = "Survey"
    description = "Asks for a satisfaction rating."
    Config = SurveyConfig
    ports_static = ("rated", "skipped")
    waits_for_customer = True

    def run(self, ctx: StepContext[SurveyConfig]) -> StepResult:
        config = ctx.config
        ctx.send(OutboundMessage(text=ctx.render(config.text), type="survey", scale=config.scale))
        if config.expire_seconds is not None:
            ctx.arm_timeout(config.expire_seconds)
        return WAIT

    def resume(self, ctx: StepContext[SurveyConfig], event: Event) -> StepResult:
        if isinstance(event, Resume):
            return super().resume(ctx, event)
        if isinstance(event, TimerFired) and not is_own_timeout(ctx, event):
            return WAIT  # stale: armed by a node the flow has left
        pending = ctx.node_data.get("rating")
        if pending is not None:
            return self._awaiting_comment(ctx, event, int(pending))
        if isinstance(event, RatingInput):
            if not rating_in_scale(ctx.config.scale, event.rating):
                return WAIT  # `check_input` refuses it before it gets here
            return self._rated(ctx, event.rating, event.comment)
        if isinstance(event, TextInput):
            rating = typed_rating(ctx.config.scale, event.text)
            if rating is not None:
                return self._rated(ctx, rating, None)
        # Other text, a button press or this node's expiry.
        return Continue("skipped")

    def check_input(self, config: SurveyConfig, event: Event) -> str | None:
        if isinstance(event, RatingInput) and not rating_in_scale(config.scale, event.rating):
            return f"the rating must be between 1 and {SCALE_MAX[config.scale]}"
        return None

    def _rated(
        self, ctx: StepContext[SurveyConfig], rating: int, comment: str | None
    ) -> StepResult:
        """`comment` is what came with the rating: None or blank when none was given."""
        if comment is None or not comment.strip():
            if ctx.config.ask_comment:
                ctx.node_data["rating"] = rating
                ctx.send_text(COMMENT_PROMPT)
                return WAIT
            return self._finish(ctx, rating, None)
        return self._finish(ctx, rating, _comment(comment))

    def _awaiting_comment(
        self, ctx: StepContext[SurveyConfig], event: Event, rating: int
    ) -> StepResult:
        if isinstance(event, TextInput):
            return self._finish(ctx, rating, _comment(event.text))
        if isinstance(event, RatingInput) and rating_in_scale(ctx.config.scale, event.rating):
            # The customer changed their mind: the newer rating counts.
            return self._rated(ctx, event.rating, event.comment)
        # The rating is given: expiry or a button press must not lose it.
        return self._finish(ctx, rating, None)

    def _finish(
        self, ctx: StepContext[SurveyConfig], rating: int, comment: str | None
    ) -> StepResult:
        ctx.emit(RecordRating(rating, comment))
        if ctx.config.thanks_text:
            ctx.send_text(ctx.config.thanks_text)
        return Continue("rated")

    def templates(self, config: SurveyConfig) -> Sequence[str]:
        return [t for t in (config.text, config.thanks_text) if t]
