"""The engine loop: run nodes while they say `Continue`, stop at anything else.

Pure: no I/O, no clock of its own, no database. `start` and `handle` take a
compiled flow, the conversation's `FlowState`, an event and a `RunEnv`, and
return the new state and the effects to carry out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from pydantic import BaseModel

from flowdesk.engine.document import FlowDocument, Node
from flowdesk.engine.module import Module, Registry, RunEnv, StepContext
from flowdesk.engine.types import (
    PATH_LIMIT,
    ArmTimer,
    CancelTimer,
    Continue,
    Effect,
    End,
    Event,
    FlowState,
    Handoff,
    Outcome,
    RequestHandoff,
    Resume,
    StepResult,
    TimerFired,
    Wait,
)

log = structlog.get_logger(__name__)


class FlowError(Exception):
    """A published flow cannot be run (it should have failed validation)."""


@dataclass(frozen=True)
class CompiledNode:
    node: Node
    module: Module[Any]
    config: BaseModel


class CompiledFlow:
    """A flow version prepared for running: configs parsed once, edges indexed by port."""

    def __init__(self, document: FlowDocument, registry: Registry) -> None:
        self.document = document
        self.nodes: dict[str, CompiledNode] = {}
        self.start_id: str | None = None
        for node in document.nodes:
            module = registry.get(node.type)
            if module is None:
                raise FlowError(f"node {node.id!r} has unknown type {node.type!r}")
            self.nodes[node.id] = CompiledNode(node, module, module.parse_config(node.config))
            if node.type == "start":
                self.start_id = node.id
        if self.start_id is None:
            raise FlowError("the flow has no start node")
        self.edges: dict[tuple[str, str], str] = {
            (edge.source, edge.port): edge.target for edge in document.edges
        }
        #: Objects the flow references by kind, so a service loads them in one query per kind.
        self.references: dict[str, set[str]] = {}
        for compiled in self.nodes.values():
            for ref in compiled.module.references(compiled.config):
                self.references.setdefault(ref.kind, set()).add(ref.id)

    def target(self, node_id: str, port: str) -> str | None:
        return self.edges.get((node_id, port))


class Engine:
    """Runs compiled flows. Holds only the registry; all state comes in and goes out."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def compile(self, document: FlowDocument) -> CompiledFlow:
        return CompiledFlow(document, self.registry)

    def start(
        self, flow: CompiledFlow, env: RunEnv, variables: dict[str, Any] | None = None
    ) -> Outcome:
        """Begin a conversation: run from `start` until a node waits or the flow ends."""
        state = FlowState(variables=dict(variables or {}))
        effects: list[Effect] = []
        assert flow.start_id is not None
        self._enter(flow, state, flow.start_id, env, effects, steps=0)
        self._settle_idle_timer(state, env, effects)
        return Outcome(state, effects)

    def handle(self, flow: CompiledFlow, state: FlowState, event: Event, env: RunEnv) -> Outcome:
        """Feed one event to a conversation waiting in its flow."""
        state = state.model_copy(deep=True)
        effects: list[Effect] = []
        if state.status == "ended" or state.node_id is None:
            return Outcome(state, effects)
        if isinstance(event, TimerFired) and event.kind == "idle":
            if state.status == "waiting":
                self._leave_wait(state, effects)
                self._end(state, "idle", effects)
            return Outcome(state, effects)
        if state.status == "handoff" and not isinstance(event, Resume):
            return Outcome(state, effects)  # the desk has the conversation; the bot is silent
        compiled = flow.nodes.get(state.node_id)
        if compiled is None:
            self._end(state, "flow_error", effects)
            return Outcome(state, effects)
        ctx = self._context(compiled, state, env, effects)
        result = compiled.module.resume(ctx, event)
        self._follow(flow, state, compiled, result, env, effects, steps=0)
        self._settle_idle_timer(state, env, effects)
        return Outcome(state, effects)

    def check_input(self, flow: CompiledFlow, state: FlowState, event: Event) -> str | None:
        """Why the node the conversation waits at refuses `event` (None: it is acceptable).

        Lets the API answer 422 before the input is stored; only a waiting bot judges input.
        """
        if state.status != "waiting" or state.node_id is None:
            return None
        compiled = flow.nodes.get(state.node_id)
        if compiled is None:
            return None
        return compiled.module.check_input(compiled.config, event)

    # ------------------------------------------------------------------ internals

    def _context(
        self, compiled: CompiledNode, state: FlowState, env: RunEnv, effects: list[Effect]
    ) -> StepContext[Any]:
        return StepContext(
            node_id=compiled.node.id,
            config=compiled.config,
            env=env,
            variables=state.variables,
            node_data=state.node_data,
            effects=effects,
        )

    def _enter(
        self,
        flow: CompiledFlow,
        state: FlowState,
        node_id: str | None,
        env: RunEnv,
        effects: list[Effect],
        steps: int,
    ) -> None:
        # Iterative: `Continue` chains are followed in this loop, never by recursion.
        while True:
            if node_id is None or node_id not in flow.nodes:
                log.error("flow_dangling_edge", node_id=node_id)
                self._end(state, "flow_error", effects)
                return
            steps += 1
            if steps > env.max_steps:
                log.error("flow_loop_guard", node_id=node_id, steps=env.max_steps)
                self._end(state, "loop_guard", effects)
                return
            compiled = flow.nodes[node_id]
            state.node_id = node_id
            state.node_data = {}
            state.status = "waiting"
            state.path.append(node_id)
            if len(state.path) > PATH_LIMIT:
                del state.path[: len(state.path) - PATH_LIMIT]
            ctx = self._context(compiled, state, env, effects)
            result = compiled.module.run(ctx)
            if isinstance(result, Continue):
                node_id = self._next(flow, compiled, result.port)
                continue
            self._stop(state, compiled, result, effects)
            return

    def _follow(
        self,
        flow: CompiledFlow,
        state: FlowState,
        compiled: CompiledNode,
        result: StepResult,
        env: RunEnv,
        effects: list[Effect],
        steps: int,
    ) -> None:
        if isinstance(result, Continue):
            self._leave_wait(state, effects)
            self._enter(flow, state, self._next(flow, compiled, result.port), env, effects, steps)
        else:
            self._stop(state, compiled, result, effects)

    def _next(self, flow: CompiledFlow, compiled: CompiledNode, port: str) -> str | None:
        target = flow.target(compiled.node.id, port)
        if target is None:
            log.error("flow_unconnected_port", node_id=compiled.node.id, port=port)
        return target

    def _stop(
        self, state: FlowState, compiled: CompiledNode, result: StepResult, effects: list[Effect]
    ) -> None:
        if isinstance(result, Wait):
            state.status = "waiting"
        elif isinstance(result, Handoff):
            state.status = "handoff"
            if "_call" in state.node_data:
                return  # the node waits for a call (`StepContext.call_out`), not for the desk
            effects.append(
                RequestHandoff(
                    compiled.node.id,
                    compiled.module.type,
                    compiled.config.model_dump(mode="json"),
                )
            )
        elif isinstance(result, End):
            self._leave_wait(state, effects)
            self._end(state, result.reason, effects)

    def _leave_wait(self, state: FlowState, effects: list[Effect]) -> None:
        if state.node_data.pop("_timer", False):
            effects.append(CancelTimer("node"))

    def _end(self, state: FlowState, reason: str, effects: list[Effect]) -> None:
        state.status = "ended"
        state.end_reason = reason
        state.node_data = {}

    def _settle_idle_timer(self, state: FlowState, env: RunEnv, effects: list[Effect]) -> None:
        """While the bot waits for the customer, the idle timer runs from the latest turn."""
        if state.status == "waiting":
            due = env.now + timedelta(seconds=env.bot_idle_seconds)
            effects.append(ArmTimer("idle", due))
        else:
            effects.append(CancelTimer("idle"))
            if state.status == "ended":
                effects.append(CancelTimer("node"))
