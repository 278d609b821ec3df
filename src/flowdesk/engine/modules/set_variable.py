"""`set_variable`: assigns variables from templates."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from flowdesk.engine.module import Module, StepContext
from flowdesk.engine.modules.fields import OptionalText, WritableVariable
from flowdesk.engine.types import Continue, StepResult


class Assignment(BaseModel):
    """`variable = value`; a value that is exactly one `${X}` copies X with its type."""

    model_config = ConfigDict(extra="forbid")

    variable: WritableVariable = Field(description="The variable to set.")
    value: OptionalText = Field(description="The value, a template such as ${OrderId} or text.")


class SetVariableConfig(BaseModel):
    """Settings of a `set_variable` node."""

    model_config = ConfigDict(extra="forbid", title="Set variable")

    assignments: list[Assignment] = Field(
        min_length=1,
        max_length=50,
        description="Applied in order; later values can read variables set by earlier ones.",
    )


class SetVariableModule(Module[SetVariableConfig]):
    """Assigns variables and goes on."""

    type = "set_variable"
    title = "Set variable"
    description = "Assigns variables."
    Config = SetVariableConfig
    ports_static = ("next",)

    def run(self, ctx: StepContext[SetVariableConfig]) -> StepResult:
        for assignment in ctx.config.assignments:
            # A copied list or dict must not stay shared with its source variable.
            ctx.variables[assignment.variable] = copy.deepcopy(ctx.render_value(assignment.value))
        return Continue("next")

    def templates(self, config: SetVariableConfig) -> Sequence[str]:
        return [assignment.value for assignment in config.assignments]

    def variables_written(self, config: SetVariableConfig) -> Sequence[str]:
        return [assignment.variable for assignment in config.assignments]
