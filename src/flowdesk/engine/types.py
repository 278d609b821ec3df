"""The engine's vocabulary: events in, step results and effects out, and the state between.

The engine is pure: `(flow version, state, event) -> (new state, effects)`.
Effects are data; the service layer carries them out (persist messages, arm
timers, hand over to the desk) in the same transaction as the new state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class TextInput:
    """The customer typed text."""

    text: str


@dataclass(frozen=True)
class ChoiceInput:
    """The customer pressed a menu button (an option id)."""

    choice: str


@dataclass(frozen=True)
class RatingInput:
    """The customer answered a survey."""

    rating: int
    comment: str | None = None


@dataclass(frozen=True)
class TimerFired:
    """A durable timer armed by the engine came due. `kind` is `node` or `idle`."""

    kind: str


@dataclass(frozen=True)
class Resume:
    """The outside world finished what a node handed over (e.g. the agent closed).

    It goes to the node's module; by default the flow leaves the node by `port`.
    """

    port: str
    data: Mapping[str, Any] = field(default_factory=dict)


CustomerInput = TextInput | ChoiceInput | RatingInput
Event = TextInput | ChoiceInput | RatingInput | TimerFired | Resume

# --------------------------------------------------------------------------- effects

MessageType = Literal["text", "menu", "survey", "notice"]


@dataclass(frozen=True)
class OutboundMessage:
    """A message the flow sends to the customer."""

    text: str
    type: MessageType = "text"
    sender: Literal["bot", "system"] = "bot"
    options: list[dict[str, str]] | None = None
    scale: str | None = None


@dataclass(frozen=True)
class SendMessage:
    message: OutboundMessage


@dataclass(frozen=True)
class ArmTimer:
    """Arm (or re-arm) the conversation's timer of this kind to fire at `due_at`."""

    kind: str
    due_at: datetime


@dataclass(frozen=True)
class CancelTimer:
    kind: str


@dataclass(frozen=True)
class RequestHandoff:
    """The flow hands the conversation to something outside the engine (the human desk).

    The service carries it out and later feeds `Resume(port)` back.
    """

    node_id: str
    module_type: str
    config: Mapping[str, Any]


@dataclass(frozen=True)
class RecordRating:
    """The customer rated the service; the service stores it on the conversation."""

    rating: int
    comment: str | None


@dataclass(frozen=True)
class CallOut:
    """The node needs a call to the outside world (an HTTP API, the LLM) before it goes on.

    The module returns `Handoff` with it. The service commits, makes the call outside any
    transaction, and feeds the result back as `Resume(CALL_PORT, {"call_id", "result"})`
    only while the node still waits for this `call_id`. `request` may hold secrets
    (headers): it lives in memory only and is never stored or logged. `budget_seconds`
    bounds the call (all attempts); past it a durable timer assumes the call was lost.
    """

    node_id: str
    call_id: str
    kind: str
    request: Mapping[str, Any]
    budget_seconds: float


#: The `Resume` port a call's result comes back on.
CALL_PORT: Final = "call"

Effect = SendMessage | ArmTimer | CancelTimer | RequestHandoff | RecordRating | CallOut

# --------------------------------------------------------------------------- step results
# The closed set a module's `run`/`resume` may return.


@dataclass(frozen=True)
class Continue:
    """Leave the node by `port` and run the node behind it."""

    port: str


@dataclass(frozen=True)
class Wait:
    """Stay at this node until the next event."""


@dataclass(frozen=True)
class Handoff:
    """Stay at this node; the conversation is handed over outside the engine until `Resume`."""


@dataclass(frozen=True)
class End:
    reason: str = "flow_end"


StepResult = Continue | Wait | Handoff | End
WAIT = Wait()
HANDOFF = Handoff()

# --------------------------------------------------------------------------- state

FlowStatus = Literal["waiting", "handoff", "ended"]
STATE_VERSION: Final = 1
PATH_LIMIT = 500


class FlowState(BaseModel):
    """A conversation's position in its flow: small, JSON, versioned."""

    state_version: Literal[1] = STATE_VERSION
    status: FlowStatus = "waiting"
    node_id: str | None = None
    node_data: dict[str, Any] = Field(default_factory=dict)
    variables: dict[str, Any] = Field(default_factory=dict)
    path: list[str] = Field(default_factory=list)
    end_reason: str | None = None


@dataclass
class Outcome:
    """What one engine call produced."""

    state: FlowState
    effects: list[Effect]

    @property
    def messages(self) -> list[OutboundMessage]:
        return [e.message for e in self.effects if isinstance(e, SendMessage)]
