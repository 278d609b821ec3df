"""`start`: the first node of every flow; the canvas creates it and it cannot be deleted."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.types import Continue, StepResult


class StartConfig(BaseModel):
    """`start` takes no settings."""

    model_config = ConfigDict(extra="forbid", title="Start")


class StartModule(Module[StartConfig]):
    """Where every conversation enters the flow."""

    type = "start"
    title = "Start"
    description = "Where every conversation enters the flow."
    Config = StartConfig
    ports_static = ("next",)
    deletable = False

    def run(self, ctx: StepContext[StartConfig]) -> StepResult:
        return Continue("next")
