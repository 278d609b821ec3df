"""`message`: sends a text message and goes on."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.modules.fields import Text
from flowdesk.engine.types import Continue, StepResult


class MessageConfig(BaseModel):
    """Settings of a `message` node."""

    model_config = ConfigDict(extra="forbid", title="Message")

    text: Text = Field(description="The message to send; may contain ${Variable}.")


class MessageModule(Module[MessageConfig]):
    """Sends a text message."""

    type = "message"
    title = "Message"
    description = "Sends a text message."
    Config = MessageConfig
    ports_static = ("next",)

    def run(self, ctx: StepContext[MessageConfig]) -> StepResult:
        ctx.send_text(ctx.config.text)
        return Continue("next")

    def templates(self, config: MessageConfig) -> Sequence[str]:
        return [config.text]
