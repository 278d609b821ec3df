"""What a module type is: a config model, its output ports and how it runs.

One module type = one small file under `flowdesk.engine.modules`. The same
`Module` object feeds the catalogue (`GET /api/v1/modules`), the validator and
the engine, so nothing anywhere else switches on a type name.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel

from flowdesk.engine.template import render, render_value
from flowdesk.engine.types import (
    CALL_PORT,
    HANDOFF,
    ArmTimer,
    CallOut,
    Continue,
    Effect,
    Event,
    OutboundMessage,
    Resume,
    SendMessage,
    StepResult,
)

ConfigT = TypeVar("ConfigT", bound=BaseModel)


@dataclass(frozen=True)
class Reference:
    """A config's pointer to another object that must exist at publish."""

    kind: str  # "schedule", "skill_group", "agent", "knowledge_base"
    id: str
    field: str


@dataclass(frozen=True)
class ConfigIssue:
    """A problem a module finds in its own config (e.g. a menu option with no label).

    Most are warnings; `severity="error"` blocks publishing (e.g. `llm` mode with
    no endpoint configured).
    """

    code: str
    message: str
    port: str | None = None
    severity: Literal["error", "warning"] = "warning"


@dataclass(frozen=True)
class DynamicPorts:
    """Ports derived from config: one per item of list `field`, named by the item's `key`."""

    field: str
    key: str = "id"


@dataclass
class RunEnv:
    """Everything a module may read besides its own config: injected, never fetched.

    `resources` holds objects the flow references, loaded by the service before
    the run (e.g. `{"schedule": {id: ScheduleSpec}}`).
    """

    now: datetime
    system: Mapping[str, Any] = field(default_factory=dict)
    channel_settings: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    bot_idle_seconds: int = 86400
    max_steps: int = 200


class StepContext(Generic[ConfigT]):
    """What a module sees while it runs one node."""

    def __init__(
        self,
        *,
        node_id: str,
        config: ConfigT,
        env: RunEnv,
        variables: dict[str, Any],
        node_data: dict[str, Any],
        effects: list[Effect],
    ) -> None:
        self.node_id = node_id
        self.config = config
        self.env = env
        self.variables = variables
        self.node_data = node_data
        self._effects = effects

    @property
    def now(self) -> datetime:
        return self.env.now

    def lookup(self, name: str) -> Any:
        """A variable's value: system variables first, then the flow's; unknown → None."""
        if name in self.env.system:
            return self.env.system[name]
        return self.variables.get(name)

    def render(self, template: str) -> str:
        return render(template, self.lookup)

    def render_value(self, template: str) -> Any:
        return render_value(template, self.lookup)

    def send(self, message: OutboundMessage) -> None:
        self._effects.append(SendMessage(message))

    def emit(self, effect: Effect) -> None:
        """Add an effect other than a message (e.g. a rating to record)."""
        self._effects.append(effect)

    def send_text(self, template: str) -> None:
        """Render `template` and send it as a text message (nothing is sent for empty text)."""
        text = self.render(template)
        if text.strip():
            self.send(OutboundMessage(text=text))

    def arm_timeout(self, seconds: float) -> None:
        """Arm this node's timeout; the engine cancels it when the flow leaves the node."""
        self._effects.append(ArmTimer("node", self.now + timedelta(seconds=seconds)))
        self.node_data["_timer"] = True

    def call_out(self, kind: str, request: Mapping[str, Any], budget_seconds: float) -> StepResult:
        """Hand the node to a call (see `CallOut`); its result comes back through `call_result`."""
        call_id = uuid.uuid4().hex
        self.node_data["_call"] = call_id
        self._effects.append(CallOut(self.node_id, call_id, kind, request, budget_seconds))
        return HANDOFF

    def call_result(self, event: Event) -> Mapping[str, Any] | None:
        """The result of the call this node waits for, or None for any other event.

        A result for another (older) call is stale and ignored. A lost call (the
        process stopped during it) comes back as `{"lost": True}`.
        """
        if not isinstance(event, Resume) or event.port != CALL_PORT:
            return None
        if event.data.get("call_id") != self.node_data.get("_call"):
            return None
        self.node_data.pop("_call", None)
        result: Mapping[str, Any] = event.data.get("result") or {}
        return result

    def resource(self, kind: str, ref_id: str) -> Any:
        return self.env.resources.get(kind, {}).get(ref_id)


class Module(Generic[ConfigT]):
    """Base of every module type. Subclasses set the class attributes and override `run`."""

    type: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    # `builtins.type`: inside this class body `type` names the ClassVar above.
    Config: builtins.type[ConfigT]
    ports_static: ClassVar[tuple[str, ...]] = ("next",)
    ports_dynamic: ClassVar[DynamicPorts | None] = None
    #: True for modules that stop and wait for the customer (breaks cycles, SPEC §2).
    waits_for_customer: ClassVar[bool] = False
    #: False only for `start`, which the canvas creates and cannot delete.
    deletable: ClassVar[bool] = True

    def parse_config(self, raw: Mapping[str, Any]) -> ConfigT:
        return self.Config.model_validate(raw)

    def ports(self, config: ConfigT) -> list[str]:
        """The output ports of a node with this config, in display order."""
        dynamic: list[str] = []
        if self.ports_dynamic is not None:
            items: Iterable[Any] = getattr(config, self.ports_dynamic.field)
            dynamic = [getattr(item, self.ports_dynamic.key) for item in items]
        return [*dynamic, *self.ports_static]

    def run(self, ctx: StepContext[ConfigT]) -> StepResult:
        """The flow arrives at this node."""
        raise NotImplementedError

    def resume(self, ctx: StepContext[ConfigT], event: Event) -> StepResult:
        """An event arrives while the conversation waits (or is handed off) at this node.

        By default a `Resume` leaves by the port it names; modules that wait
        override this and call it for the `Resume`s they do not handle themselves.
        """
        if isinstance(event, Resume):
            return Continue(event.port)
        raise NotImplementedError(f"{self.type} does not wait")

    def check_input(self, config: ConfigT, event: Event) -> str | None:
        """Refuse a customer input before anything is stored: a message saying why, or None.

        Called only while the conversation waits at this node; the API answers 422.
        """
        return None

    # -- static analysis used by the validator -----------------------------------------

    def references(self, config: ConfigT) -> Sequence[Reference]:
        return ()

    def templates(self, config: ConfigT) -> Sequence[str]:
        """Every template string in the config (their `${var}`s must be set somewhere)."""
        return ()

    def variables_read(self, config: ConfigT) -> Sequence[str]:
        """Variables read other than through templates (e.g. condition rules)."""
        return ()

    def variables_written(self, config: ConfigT) -> Sequence[str]:
        return ()

    def config_issues(self, config: ConfigT, env: ValidationEnv) -> Sequence[ConfigIssue]:
        """Extra problems only this module can see (warnings, or errors like llm w/o endpoint)."""
        return ()


@dataclass(frozen=True)
class ValidationEnv:
    """What the validator knows of the world: existing object ids and server capabilities."""

    existing: Mapping[str, frozenset[str]] = field(default_factory=dict)
    capabilities: frozenset[str] = frozenset()

    def exists(self, kind: str, ref_id: str) -> bool:
        return ref_id in self.existing.get(kind, frozenset())


class Registry:
    """The module types this server knows, by type name. Passed explicitly; no import-time magic."""

    def __init__(self, modules: Iterable[Module[Any]]) -> None:
        self._modules: dict[str, Module[Any]] = {}
        for module in modules:
            if module.type in self._modules:
                raise ValueError(f"module type {module.type!r} registered twice")
            self._modules[module.type] = module

    def get(self, type_name: str) -> Module[Any] | None:
        return self._modules.get(type_name)

    def __getitem__(self, type_name: str) -> Module[Any]:
        return self._modules[type_name]

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._modules

    def __iter__(self) -> Iterator[Module[Any]]:
        return iter(self._modules.values())

    def types(self) -> list[str]:
        return list(self._modules)


ModuleFactory = Callable[[], Module[Any]]
