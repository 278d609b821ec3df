"""`end`: ends the conversation, optionally with a closing text."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.modules.fields import OptionalText
from flowdesk.engine.types import End, StepResult


class EndConfig(BaseModel):
    """Settings of an `end` node."""

    model_config = ConfigDict(extra="forbid", title="End")

    text: OptionalText | None = Field(
        default=None, description="Closing text sent before the conversation ends (optional)."
    )


class EndModule(Module[EndConfig]):
    """Ends the conversation (`end_reason: flow_end`)."""

    type = "end"
    title = "End"
    description = "Ends the conversation, optionally with a closing text."
    Config = EndConfig
    ports_static = ()

    def run(self, ctx: StepContext[EndConfig]) -> StepResult:
        if ctx.config.text:
            ctx.send_text(ctx.config.text)
        return End("flow_end")

    def templates(self, config: EndConfig) -> Sequence[str]:
        return [config.text] if config.text else []
