from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict
from structlog.testing import capture_logs

from flowdesk.engine.module import Module, Registry, RunEnv, StepContext
from flowdesk.engine.modules import default_modules
from flowdesk.engine.runner import Engine, FlowError
from flowdesk.engine.types import (
    HANDOFF,
    ArmTimer,
    CancelTimer,
    Continue,
    Event,
    FlowState,
    OutboundMessage,
    RecordRating,
    RequestHandoff,
    Resume,
    SendMessage,
    StepResult,
    TextInput,
    TimerFired,
)


class DeskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: str = "support"


class DeskModule(Module[DeskConfig]):
    """A stand-in for `transfer`: hands the conversation over until `Resume`."""

    type = "desk"
    title = "Desk"
    description = "Test hand-off."
    Config = DeskConfig
    ports_static = ("done",)
    waits_for_customer = True

    def run(self, ctx: StepContext[DeskConfig]) -> StepResult:
        return HANDOFF


def chain(length: int) -> tuple[dict[str, Any], list[str]]:
    """start → `length` messages → end."""
    nodes: dict[str, Any] = {"start": "start"}
    edges = []
    previous = "start"
    for i in range(length):
        nodes[f"m{i}"] = ("message", {"text": f"line {i}"})
        edges.append(f"{previous}.next -> m{i}")
        previous = f"m{i}"
    nodes["bye"] = "end"
    edges.append(f"{previous}.next -> bye")
    return nodes, edges


def test_a_turn_may_run_exactly_200_nodes(doc: Any, converse: Any) -> None:
    nodes, edges = chain(198)
    conversation = converse(doc(nodes, *edges))
    outcome = conversation.start()
    assert conversation.state.end_reason == "flow_end"
    assert len(conversation.state.path) == 200
    assert len(outcome.messages) == 198


def test_the_201st_node_trips_the_loop_guard(doc: Any, converse: Any) -> None:
    nodes, edges = chain(199)
    conversation = converse(doc(nodes, *edges))
    with capture_logs() as logs:
        outcome = conversation.start()
    assert conversation.state.status == "ended"
    assert conversation.state.end_reason == "loop_guard"
    assert len(conversation.state.path) == 200
    assert conversation.state.path[-1] == "m198"
    assert len(outcome.messages) == 199
    assert [log["event"] for log in logs] == ["flow_loop_guard"]
    assert logs[0]["log_level"] == "error"


def test_a_waitless_loop_is_stopped_by_the_guard(doc: Any, converse: Any) -> None:
    document = doc(
        {
            "start": "start",
            "a": ("set_variable", {"assignments": [{"variable": "N", "value": "a"}]}),
            "b": ("set_variable", {"assignments": [{"variable": "N", "value": "b"}]}),
        },
        "start.next -> a",
        "a.next -> b",
        "b.next -> a",
    )
    conversation = converse(document)
    outcome = conversation.start()
    assert conversation.state.end_reason == "loop_guard"
    assert conversation.state.path[:4] == ["start", "a", "b", "a"]
    assert len(conversation.state.path) == 200
    assert CancelTimer("idle") in outcome.effects


def test_the_guard_counts_per_turn(doc: Any, converse: Any) -> None:
    nodes: dict[str, Any] = {
        "start": "start",
        "menu": ("menu", {"text": "?", "options": [{"id": "again", "label": "Again"}]}),
        "bye": "end",
    }
    edges = ["start.next -> menu", "menu.invalid -> bye", "menu.timeout -> bye"]
    previous = "menu.again"
    for i in range(150):
        nodes[f"s{i}"] = ("set_variable", {"assignments": [{"variable": "I", "value": str(i)}]})
        edges.append(f"{previous} -> s{i}")
        previous = f"s{i}.next"
    edges.append(f"{previous} -> menu")
    conversation = converse(doc(nodes, *edges))
    conversation.start()
    for _ in range(3):
        conversation.say("again")
        assert conversation.state.status == "waiting"
        assert conversation.state.node_id == "menu"
    assert len(conversation.state.path) == 2 + 3 * 151


def menu_flow(doc: Any, **menu: Any) -> Any:
    return doc(
        {
            "start": "start",
            "menu": (
                "menu",
                {"text": "Pick", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
                | menu,
            ),
            "ask": ("collect", {"text": "Name?", "variable": "Name", "timeout_seconds": 60}),
            "bye": ("end", {"text": "Bye ${Name}"}),
        },
        "start.next -> menu",
        "menu.a -> ask",
        "menu.b -> menu",
        "menu.invalid -> bye",
        "menu.timeout -> bye",
        "ask.next -> bye",
        "ask.invalid -> bye",
        "ask.timeout -> bye",
    )


def test_idle_timer_is_armed_from_each_turn(doc: Any, converse: Any, clock: Any) -> None:
    conversation = converse(menu_flow(doc), bot_idle_seconds=600)
    start_time = clock.now()
    outcome = conversation.start()
    assert outcome.effects[-1] == ArmTimer("idle", start_time + timedelta(seconds=600))
    clock.advance(120)
    outcome = conversation.say("nonsense")
    assert outcome.effects[-1] == ArmTimer("idle", start_time + timedelta(seconds=720))


def test_idle_timer_ends_a_waiting_conversation(doc: Any, converse: Any) -> None:
    conversation = converse(menu_flow(doc))
    conversation.start()
    conversation.say("a")
    outcome = conversation.send(TimerFired("idle"))
    assert conversation.state.status == "ended"
    assert conversation.state.end_reason == "idle"
    assert outcome.messages == []
    assert CancelTimer("node") in outcome.effects


def test_node_timer_is_cancelled_when_leaving(doc: Any, converse: Any, clock: Any) -> None:
    conversation = converse(menu_flow(doc, timeout_seconds=30))
    outcome = conversation.start()
    assert ArmTimer("node", clock.now() + timedelta(seconds=30)) in outcome.effects
    clock.advance(10)
    outcome = conversation.say("a")
    timers = [e for e in outcome.effects if isinstance(e, ArmTimer | CancelTimer)]
    assert timers == [
        CancelTimer("node"),
        ArmTimer("node", clock.now() + timedelta(seconds=60)),
        ArmTimer("idle", clock.now() + timedelta(seconds=86400)),
    ]
    outcome = conversation.say("Ann")
    assert outcome.messages == [OutboundMessage(text="Bye Ann")]
    assert CancelTimer("node") in outcome.effects
    assert outcome.effects[-2:] == [CancelTimer("idle"), CancelTimer("node")]


def test_reentering_a_node_rearms_its_timer(doc: Any, converse: Any, clock: Any) -> None:
    conversation = converse(menu_flow(doc, timeout_seconds=30))
    conversation.start()
    clock.advance(20)
    outcome = conversation.say("b")  # menu.b loops back into the menu
    timers = [e for e in outcome.effects if isinstance(e, ArmTimer | CancelTimer)]
    assert timers[:2] == [
        CancelTimer("node"),
        ArmTimer("node", clock.now() + timedelta(seconds=30)),
    ]
    assert conversation.state.node_data == {"_timer": True}


def desk_engine() -> Engine:
    return Engine(Registry([*default_modules(), DeskModule()]))


def test_handoff_then_resume(doc: Any, clock: Any) -> None:
    engine = desk_engine()
    flow = engine.compile(
        doc(
            {
                "start": "start",
                "desk": ("desk", {}),
                "bye": ("end", {"text": "How did we do?"}),
            },
            "start.next -> desk",
            "desk.done -> bye",
        )
    )
    env = RunEnv(now=clock.now())
    outcome = engine.start(flow, env)
    state = FlowState.model_validate_json(outcome.state.model_dump_json())
    assert state.status == "handoff"
    assert outcome.effects == [
        RequestHandoff("desk", "desk", {"group": "support"}),
        CancelTimer("idle"),
    ]
    for event in (TextInput("hello?"), TimerFired("idle"), TimerFired("node")):
        ignored = engine.handle(flow, state, event, env)
        assert ignored.effects == []
        assert ignored.state == state
    outcome = engine.handle(flow, state, Resume("done"), env)
    assert outcome.messages == [OutboundMessage(text="How did we do?")]
    assert outcome.state.end_reason == "flow_end"
    assert outcome.state.path == ["start", "desk", "bye"]


def test_handle_does_not_change_the_given_state(doc: Any, engine: Any, clock: Any) -> None:
    flow = engine.compile(menu_flow(doc))
    env = RunEnv(now=clock.now())
    state = engine.start(flow, env).state
    before = state.model_copy(deep=True)
    after = engine.handle(flow, state, TextInput("a"), env).state
    assert state == before
    assert after.node_id == "ask"


def test_ended_conversation_ignores_events(doc: Any, converse: Any) -> None:
    conversation = converse(doc({"start": "start", "bye": "end"}, "start.next -> bye"))
    conversation.start()
    outcome = conversation.say("hello")
    assert outcome.effects == []
    assert conversation.state.end_reason == "flow_end"


def test_unconnected_port_ends_with_flow_error(doc: Any, converse: Any) -> None:
    conversation = converse(doc({"start": "start", "bye": "end"}))
    with capture_logs() as logs:
        conversation.start()
    assert conversation.state.end_reason == "flow_error"
    assert [log["event"] for log in logs] == ["flow_unconnected_port", "flow_dangling_edge"]


def test_state_round_trips_through_json(doc: Any, engine: Any, clock: Any) -> None:
    flow = engine.compile(menu_flow(doc, timeout_seconds=30))
    variables = {"n": 1, "f": 2.5, "s": "ü", "l": [1, "a", None], "d": {"k": [True]}, "z": None}
    state = engine.start(flow, RunEnv(now=clock.now()), variables).state
    state = engine.handle(flow, state, TextInput("nope"), RunEnv(now=clock.now())).state
    restored = FlowState.model_validate_json(state.model_dump_json())
    assert restored == state
    assert restored.node_data == {"_timer": True, "retries": 1}
    assert restored.variables == variables
    assert restored.state_version == 1


def test_compile_refuses_unknown_types_and_missing_start(doc: Any, engine: Any) -> None:
    with pytest.raises(FlowError, match="unknown type"):
        engine.compile(doc({"start": "start", "x": "teleport"}))
    with pytest.raises(FlowError, match="no start"):
        engine.compile(doc({"bye": "end"}))


class GateConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    word: str = "open"


class GateModule(Module[GateConfig]):
    """Hands off; on `Resume` it says which port it was resumed by and emits a rating."""

    type = "gate"
    title = "Gate"
    description = "Test resume and input checks."
    Config = GateConfig
    ports_static = ("done", "other")
    waits_for_customer = True

    def run(self, ctx: StepContext[GateConfig]) -> StepResult:
        return HANDOFF

    def resume(self, ctx: StepContext[GateConfig], event: Event) -> StepResult:
        assert isinstance(event, Resume)
        ctx.send_text(f"resumed by {event.port} with {dict(event.data)}")
        ctx.emit(RecordRating(5, ctx.config.word))
        return Continue("other" if event.port == "elsewhere" else event.port)

    def check_input(self, config: GateConfig, event: Event) -> str | None:
        if isinstance(event, TextInput) and event.text != config.word:
            return f"say {config.word!r}"
        return None


def gate_flow(doc: Any, engine: Engine, first: str = "gate") -> Any:
    return engine.compile(
        doc(
            {
                "start": "start",
                "menu": ("menu", {"text": "?", "options": [{"id": "go", "label": "Go"}]}),
                "gate": ("gate", {"word": "sesame"}),
                "bye": "end",
            },
            f"start.next -> {first}",
            "menu.go -> gate",
            "menu.invalid -> bye",
            "menu.timeout -> gate",
            "gate.done -> bye",
            "gate.other -> bye",
        )
    )


def gate_engine() -> Engine:
    return Engine(Registry([*default_modules(), GateModule()]))


def test_resume_goes_to_the_module(doc: Any, clock: Any) -> None:
    engine = gate_engine()
    flow = gate_flow(doc, engine)
    env = RunEnv(now=clock.now())
    state = engine.start(flow, env).state
    outcome = engine.handle(flow, state, Resume("elsewhere", {"by": "u1"}), env)
    assert outcome.effects[:2] == [
        SendMessage(OutboundMessage(text="resumed by elsewhere with {'by': 'u1'}")),
        RecordRating(5, "sesame"),
    ]
    assert outcome.state.path == ["start", "gate", "bye"]


def test_the_default_resume_leaves_by_the_port_and_refuses_other_events(clock: Any) -> None:
    module = DeskModule()
    ctx: StepContext[DeskConfig] = StepContext(
        node_id="desk",
        config=DeskConfig(),
        env=RunEnv(now=clock.now()),
        variables={},
        node_data={},
        effects=[],
    )
    assert module.resume(ctx, Resume("done")) == Continue("done")
    with pytest.raises(NotImplementedError):
        module.resume(ctx, TextInput("hi"))
    assert module.check_input(DeskConfig(), TextInput("hi")) is None


def test_a_waiting_menu_still_leaves_by_a_resume_port(doc: Any, clock: Any) -> None:
    engine = gate_engine()
    flow = gate_flow(doc, engine, first="menu")
    env = RunEnv(now=clock.now())
    state = engine.start(flow, env).state
    assert state.node_id == "menu"
    outcome = engine.handle(flow, state, Resume("timeout"), env)
    assert outcome.state.node_id == "gate"
    assert outcome.state.status == "handoff"


def test_check_input_asks_the_waiting_node(doc: Any, clock: Any) -> None:
    engine = gate_engine()
    env = RunEnv(now=clock.now())
    flow = gate_flow(doc, engine, first="menu")
    state = engine.start(flow, env).state
    # The menu (the waiting node) refuses nothing; the gate's check is not asked.
    assert engine.check_input(flow, state, TextInput("nope")) is None

    waiting_at_gate = state.model_copy(update={"node_id": "gate"})
    assert engine.check_input(flow, waiting_at_gate, TextInput("nope")) == "say 'sesame'"
    assert engine.check_input(flow, waiting_at_gate, TextInput("sesame")) is None


@pytest.mark.parametrize(
    "state",
    [
        FlowState(status="handoff", node_id="gate"),
        FlowState(status="ended", node_id="gate", end_reason="flow_end"),
        FlowState(status="waiting", node_id=None),
        FlowState(status="waiting", node_id="vanished"),
    ],
)
def test_check_input_is_none_unless_waiting_at_a_known_node(doc: Any, state: FlowState) -> None:
    engine = gate_engine()
    assert engine.check_input(gate_flow(doc, engine), state, TextInput("nope")) is None
