"""Helpers for engine tests: compact flow documents, a fake clock, conversations in memory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from flowdesk.clock import ManualClock
from flowdesk.engine.document import FlowDocument
from flowdesk.engine.module import Registry, RunEnv
from flowdesk.engine.modules import default_registry
from flowdesk.engine.runner import CompiledFlow, Engine
from flowdesk.engine.types import Event, FlowState, Outcome, TextInput

NodeSpec = str | tuple[str, dict[str, Any]]
MONDAY_10_UTC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def build_document(nodes: dict[str, NodeSpec], *edges: str) -> FlowDocument:
    """A document from `{"id": "type" | ("type", config)}` and edges like `"a.next -> b"`."""
    raw_nodes = []
    for node_id, spec in nodes.items():
        node_type, config = (spec, {}) if isinstance(spec, str) else spec
        raw_nodes.append({"id": node_id, "type": node_type, "config": config})
    raw_edges = []
    for edge in edges:
        left, target = (part.strip() for part in edge.split("->"))
        source, port = left.rsplit(".", 1)
        raw_edges.append({"source": source, "port": port, "target": target})
    return FlowDocument.model_validate({"name": "test", "nodes": raw_nodes, "edges": raw_edges})


def branch_document(registry: Registry, node_type: str, config: dict[str, Any]) -> FlowDocument:
    """start → the node under test → one silent `end` node per port, named `to_<port>`."""
    module = registry[node_type]
    ports = module.ports(module.parse_config(config))
    nodes: dict[str, NodeSpec] = {"start": "start", "node": (node_type, config)}
    edges = ["start.next -> node"]
    for port in ports:
        nodes[f"to_{port}"] = "end"
        edges.append(f"node.{port} -> to_{port}")
    return build_document(nodes, *edges)


class Conversation:
    """One conversation driven through the engine; its state goes through JSON every turn."""

    def __init__(
        self, engine: Engine, flow: CompiledFlow, clock: ManualClock, env: dict[str, Any]
    ) -> None:
        self.engine = engine
        self.flow = flow
        self.clock = clock
        self.env_kwargs = env
        self.state: FlowState | None = None

    def env(self) -> RunEnv:
        return RunEnv(now=self.clock.now(), **self.env_kwargs)

    def _keep(self, outcome: Outcome) -> Outcome:
        self.state = FlowState.model_validate_json(outcome.state.model_dump_json())
        return outcome

    def start(self, variables: dict[str, Any] | None = None) -> Outcome:
        return self._keep(self.engine.start(self.flow, self.env(), variables))

    def send(self, event: Event) -> Outcome:
        assert self.state is not None, "start the conversation first"
        return self._keep(self.engine.handle(self.flow, self.state, event, self.env()))

    def say(self, text: str) -> Outcome:
        return self.send(TextInput(text))

    @property
    def exit_port(self) -> str | None:
        """The port a branch flow left the node under test by (None while still there)."""
        assert self.state is not None
        last = self.state.path[-1]
        return last.removeprefix("to_") if last.startswith("to_") else None

    @property
    def variables(self) -> dict[str, Any]:
        assert self.state is not None
        return self.state.variables


@pytest.fixture
def clock() -> ManualClock:
    """The fake clock: a fixed `now` (Monday 2026-03-02 10:00 UTC) moved by `advance`."""
    return ManualClock(MONDAY_10_UTC)


@pytest.fixture
def registry() -> Registry:
    return default_registry()


@pytest.fixture
def engine(registry: Registry) -> Engine:
    return Engine(registry)


@pytest.fixture
def doc() -> Callable[..., FlowDocument]:
    return build_document


@pytest.fixture
def converse(engine: Engine, clock: ManualClock) -> Callable[..., Conversation]:
    """`converse(document, **RunEnv fields)` → a `Conversation` not yet started."""

    def make(document: FlowDocument, **env: Any) -> Conversation:
        return Conversation(engine, engine.compile(document), clock, env)

    return make


@pytest.fixture
def branch(
    registry: Registry, converse: Callable[..., Conversation]
) -> Callable[..., Conversation]:
    """`branch(type, config, **env)` → a conversation (not started) over `branch_document`."""

    def make(node_type: str, config: dict[str, Any], **env: Any) -> Conversation:
        return converse(branch_document(registry, node_type, config), **env)

    return make
