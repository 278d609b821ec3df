"""`menu`: sends a navigation menu and waits for the customer's choice."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flowdesk.engine.module import (
    ConfigIssue,
    DynamicPorts,
    Module,
    StepContext,
    ValidationEnv,
)
from flowdesk.engine.modules.fields import (
    BranchId,
    MaxRetries,
    OptionalText,
    Text,
    TimeoutSeconds,
    check_branch_ids,
)
from flowdesk.engine.modules.replies import is_own_timeout, reply_text, retry_or_give_up
from flowdesk.engine.types import (
    WAIT,
    ChoiceInput,
    Continue,
    Event,
    OutboundMessage,
    Resume,
    StepResult,
)

RESERVED_PORTS = ("invalid", "timeout")


class MenuOption(BaseModel):
    """One choice of a menu; its `id` is also the output port it leaves by."""

    model_config = ConfigDict(extra="forbid")

    id: BranchId = Field(description="Option id and output port name; unique in the menu.")
    label: str = Field(default="", max_length=200, description="What the customer sees.")
    description: str | None = Field(
        default=None, max_length=500, description="A second line under the label (optional)."
    )
    keywords: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Words that pick this option when the customer types them.",
    )

    @field_validator("keywords")
    @classmethod
    def _no_blank_keyword(cls, value: list[str]) -> list[str]:
        # A blank keyword would be "contained" in every reply.
        for keyword in value:
            if not keyword.strip():
                raise ValueError("keywords cannot be blank")
            if len(keyword) > 100:
                raise ValueError("keywords are at most 100 characters")
        return value


class MenuConfig(BaseModel):
    """Settings of a `menu` node."""

    model_config = ConfigDict(extra="forbid", title="Menu")

    text: Text = Field(description="The menu's question; may contain ${Variable}.")
    options: list[MenuOption] = Field(
        min_length=1, max_length=20, description="The choices, in display order (1-20)."
    )
    tail: OptionalText | None = Field(
        default=None, description="Text shown after the options, e.g. a hint (optional)."
    )
    retry_text: OptionalText | None = Field(
        default=None, description="Sent when a reply matches no option (default: the menu again)."
    )
    max_retries: MaxRetries = Field(
        default=2, description="Unmatched replies tolerated before leaving by `invalid`."
    )
    timeout_seconds: TimeoutSeconds | None = Field(
        default=None, description="Leave by `timeout` when no reply comes in this time (optional)."
    )

    @field_validator("options")
    @classmethod
    def _option_ids(cls, value: list[MenuOption]) -> list[MenuOption]:
        check_branch_ids((option.id for option in value), RESERVED_PORTS, "option")
        return value


def _squeeze(text: str) -> str:
    return "".join(text.split()).casefold()


def _collapse(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_option(options: Sequence[MenuOption], text: str) -> str | None:
    """The id of the option a typed reply picks, or None.

    Rules in order of precedence, the first option winning within a rule:
    its 1-based number, its label (ignoring case and all whitespace), its id
    (ignoring case), a keyword equal to the reply, a keyword inside the reply.
    """
    stripped = text.strip()
    if stripped.isdecimal():
        number = int(stripped)
        if 1 <= number <= len(options):
            return options[number - 1].id
    squeezed = _squeeze(text)
    if squeezed:
        for option in options:
            if _squeeze(option.label) == squeezed:
                return option.id
    folded = stripped.casefold()
    for option in options:
        if option.id.casefold() == folded:
            return option.id
    collapsed = _collapse(text)
    if not collapsed:
        return None
    for option in options:
        if any(_collapse(keyword) == collapsed for keyword in option.keywords):
            return option.id
    for option in options:
        if any(_collapse(keyword) in collapsed for keyword in option.keywords):
            return option.id
    return None


class MenuModule(Module[MenuConfig]):
    """Sends a menu; leaves by the chosen option's id, `invalid` or `timeout`."""

    type = "menu"
    title = "Menu"
    description = "Sends a navigation menu and waits for the customer's choice."
    Config = MenuConfig
    ports_static = RESERVED_PORTS
    ports_dynamic = DynamicPorts("options", "id")
    waits_for_customer = True

    def run(self, ctx: StepContext[MenuConfig]) -> StepResult:
        self._send_menu(ctx)
        if ctx.config.timeout_seconds is not None:
            ctx.arm_timeout(ctx.config.timeout_seconds)
        return WAIT

    def resume(self, ctx: StepContext[MenuConfig], event: Event) -> StepResult:
        if isinstance(event, Resume):
            return super().resume(ctx, event)
        if is_own_timeout(ctx, event):
            return Continue("timeout")
        options = ctx.config.options
        if isinstance(event, ChoiceInput):
            chosen = next((o.id for o in options if o.id == event.choice), None)
        else:
            text = reply_text(event)
            if text is None:
                return WAIT
            chosen = match_option(options, text)
        if chosen is not None:
            return Continue(chosen)
        return retry_or_give_up(
            ctx,
            max_retries=ctx.config.max_retries,
            retry_text=ctx.config.retry_text,
            ask_again=lambda: self._send_menu(ctx),
        )

    def _send_menu(self, ctx: StepContext[MenuConfig]) -> None:
        config = ctx.config
        text = ctx.render(config.text)
        if config.tail:
            tail = ctx.render(config.tail)
            if tail.strip():
                text = f"{text}\n\n{tail}"
        options = [
            {"id": o.id, "label": o.label, "description": o.description or ""}
            for o in config.options
        ]
        ctx.send(OutboundMessage(text=text, type="menu", options=options))

    def templates(self, config: MenuConfig) -> Sequence[str]:
        return [t for t in (config.text, config.tail, config.retry_text) if t]

    def config_issues(self, config: MenuConfig, env: ValidationEnv) -> Sequence[ConfigIssue]:
        return [
            ConfigIssue(
                "menu_option_without_label",
                f"Option {option.id!r} has no label",
                port=option.id,
            )
            for option in config.options
            if not option.label.strip()
        ]
