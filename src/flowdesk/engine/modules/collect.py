"""`collect`: asks a question, checks the reply and stores it in a variable."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.modules.fields import (
    MaxRetries,
    OptionalText,
    Text,
    TimeoutSeconds,
    WritableVariable,
)
from flowdesk.engine.modules.replies import is_own_timeout, reply_text, retry_or_give_up
from flowdesk.engine.types import WAIT, Continue, Event, Resume, StepResult

InputType = Literal["text", "number", "email", "phone", "regex"]
Answer = str | int | float

_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


class CollectConfig(BaseModel):
    """Settings of a `collect` node."""

    model_config = ConfigDict(extra="forbid", title="Collect")

    text: Text = Field(description="The question to ask; may contain ${Variable}.")
    variable: WritableVariable = Field(description="The variable the valid answer is stored in.")
    input_type: InputType = Field(
        default="text",
        description=(
            "What counts as a valid answer: any text, a number, an email address, "
            "a phone number (stored in E.164) or text fully matching `pattern`."
        ),
    )
    pattern: str | None = Field(
        default=None,
        max_length=1000,
        description="Regular expression the whole answer must match (for `regex`).",
    )
    retry_text: OptionalText | None = Field(
        default=None, description="Sent after an invalid answer (default: the question again)."
    )
    max_retries: MaxRetries = Field(
        default=2, description="Invalid answers tolerated before leaving by `invalid`."
    )
    timeout_seconds: TimeoutSeconds | None = Field(
        default=None, description="Leave by `timeout` when no answer comes in this time (optional)."
    )

    @model_validator(mode="after")
    def _pattern(self) -> CollectConfig:
        if self.input_type == "regex" and not self.pattern:
            raise ValueError("input_type 'regex' needs a pattern")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        return self


def _number(text: str) -> int | float | None:
    if len(text) > 100 or not _NUMBER.match(text):
        return None
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return int(value)
    result = float(value)
    return result if math.isfinite(result) else None


def _phone(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def normalise_answer(
    input_type: InputType, text: str, pattern: str | None, region: str | None
) -> Answer | None:
    """The value to store for a reply, or None when the reply is not valid for `input_type`.

    `region` is the ISO country a phone number without `+CC` is read in (None: `+CC` needed).
    """
    answer = text.strip()
    if not answer:
        return None
    if input_type == "text":
        return answer
    if input_type == "number":
        return _number(answer)
    if input_type == "email":
        try:
            validate_email(answer, check_deliverability=False)
        except EmailNotValidError:
            return None
        return answer
    if input_type == "phone":
        return _phone(answer, region)
    if pattern is None:
        return None
    try:
        matched = re.fullmatch(pattern, answer)
    except re.error:
        return None
    return answer if matched else None


class CollectModule(Module[CollectConfig]):
    """Asks a question; a valid answer is stored and leaves by `next`."""

    type = "collect"
    title = "Collect"
    description = "Asks a question, validates the reply and stores it in a variable."
    Config = CollectConfig
    ports_static = ("next", "invalid", "timeout")
    waits_for_customer = True

    def run(self, ctx: StepContext[CollectConfig]) -> StepResult:
        ctx.send_text(ctx.config.text)
        if ctx.config.timeout_seconds is not None:
            ctx.arm_timeout(ctx.config.timeout_seconds)
        return WAIT

    def resume(self, ctx: StepContext[CollectConfig], event: Event) -> StepResult:
        if isinstance(event, Resume):
            return super().resume(ctx, event)
        if is_own_timeout(ctx, event):
            return Continue("timeout")
        text = reply_text(event)
        if text is None:
            return WAIT
        config = ctx.config
        region = ctx.env.channel_settings.get("default_region")
        value = normalise_answer(
            config.input_type, text, config.pattern, region if isinstance(region, str) else None
        )
        if value is not None:
            ctx.variables[config.variable] = value
            return Continue("next")
        return retry_or_give_up(
            ctx,
            max_retries=config.max_retries,
            retry_text=config.retry_text,
            ask_again=lambda: ctx.send_text(config.text),
        )

    def templates(self, config: CollectConfig) -> Sequence[str]:
        return [t for t in (config.text, config.retry_text) if t]

    def variables_written(self, config: CollectConfig) -> Sequence[str]:
        return [config.variable]
