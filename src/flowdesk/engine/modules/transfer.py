"""`transfer`: hands the conversation to a human agent through a skill group (SPEC §5.3).

The module only opens and closes the hand-off. Routing, queueing and the
texts that need desk data (`queue_text` with `${WaitNo}`, `success_text` with
`${StaffNickName}` and `${StaffNo}`) belong to the desk, which reads them from
the config carried by `RequestHandoff` and later answers with `Resume(port)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from flowdesk.engine.module import Module, Reference, StepContext
from flowdesk.engine.modules.fields import OptionalText
from flowdesk.engine.types import HANDOFF, Continue, Event, Resume, StepResult


class TransferConfig(BaseModel):
    """Settings of a `transfer` node."""

    model_config = ConfigDict(extra="forbid", title="Transfer")

    skill_group_id: str = Field(
        min_length=1, max_length=64, description="The skill group whose agents serve the customer."
    )
    agent_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="An agent tried first when free (optional).",
    )
    priority: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Queue priority, 1 (served first) to 5 (optional).",
    )
    connecting_text: OptionalText | None = Field(
        default=None, description="Sent when the transfer starts (optional)."
    )
    queue_text: OptionalText | None = Field(
        default=None,
        description="Sent while queued; ${WaitNo} is the number of customers ahead (optional).",
    )
    success_text: OptionalText | None = Field(
        default=None,
        description=(
            "Sent when an agent takes over; ${StaffNickName} and ${StaffNo} name them (optional)."
        ),
    )
    failure_text: OptionalText | None = Field(
        default=None, description="Sent before leaving by `no_agent` (optional)."
    )
    max_wait_seconds: int | None = Field(
        default=None,
        ge=1,
        le=86400,
        description="Leave by `timeout` after waiting this long in the queue (optional).",
    )


class TransferModule(Module[TransferConfig]):
    """Hands over to the desk; leaves by `done` after the agent closes, `no_agent` or `timeout`."""

    type = "transfer"
    title = "Transfer"
    description = "Transfers the conversation to a human agent through a skill group."
    Config = TransferConfig
    ports_static = ("done", "no_agent", "timeout")
    waits_for_customer = True

    def run(self, ctx: StepContext[TransferConfig]) -> StepResult:
        if ctx.config.connecting_text:
            ctx.send_text(ctx.config.connecting_text)
        return HANDOFF

    def resume(self, ctx: StepContext[TransferConfig], event: Event) -> StepResult:
        if isinstance(event, Resume) and event.port == "no_agent":
            if ctx.config.failure_text:
                ctx.send_text(ctx.config.failure_text)
            return Continue("no_agent")
        # `done` and `timeout` leave silently: the designer connects what comes next.
        return super().resume(ctx, event)

    def references(self, config: TransferConfig) -> Sequence[Reference]:
        refs = [Reference("skill_group", config.skill_group_id, "skill_group_id")]
        if config.agent_id is not None:
            refs.append(Reference("agent", config.agent_id, "agent_id"))
        return refs

    def templates(self, config: TransferConfig) -> Sequence[str]:
        texts = (
            config.connecting_text,
            config.queue_text,
            config.success_text,
            config.failure_text,
        )
        return [t for t in texts if t]
