"""`service_time`: branches on whether a schedule is open now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from flowdesk.engine.module import Module, Reference, StepContext
from flowdesk.engine.schedule import ScheduleSpec, is_open
from flowdesk.engine.types import Continue, StepResult


class ServiceTimeConfig(BaseModel):
    """Settings of a `service_time` node."""

    model_config = ConfigDict(extra="forbid", title="Service time")

    schedule_id: str = Field(
        min_length=1, max_length=64, description="The schedule that says when service is open."
    )


def _as_spec(resource: Any) -> ScheduleSpec | None:
    if isinstance(resource, ScheduleSpec):
        return resource
    if isinstance(resource, Mapping):
        try:
            return ScheduleSpec.model_validate(dict(resource))
        except ValidationError:
            return None
    return None


class ServiceTimeModule(Module[ServiceTimeConfig]):
    """Leaves by `open` while the schedule is open, else by `closed`."""

    type = "service_time"
    title = "Service time"
    description = "Branches on whether the schedule is open now."
    Config = ServiceTimeConfig
    ports_static = ("open", "closed")

    def run(self, ctx: StepContext[ServiceTimeConfig]) -> StepResult:
        # A schedule deleted since publishing (or unreadable) counts as closed:
        # routing customers to an unstaffed desk is the worse failure.
        spec = _as_spec(ctx.resource("schedule", ctx.config.schedule_id))
        if spec is not None and is_open(spec, ctx.now):
            return Continue("open")
        return Continue("closed")

    def references(self, config: ServiceTimeConfig) -> Sequence[Reference]:
        return [Reference("schedule", config.schedule_id, "schedule_id")]
