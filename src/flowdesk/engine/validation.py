"""Static checks of a flow document (SPEC §2): what blocks publishing, what deserves a warning.

Pure and cheap (it runs on every canvas edit): one pass over nodes, one over
edges, a breadth-first search for reachability and an iterative Tarjan for
cycles that never wait for the customer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from flowdesk.engine.document import FlowDocument, Node
from flowdesk.engine.module import Module, Registry, ValidationEnv
from flowdesk.engine.template import referenced_variables
from flowdesk.engine.variables import SYSTEM_VARIABLES

Severity = Literal["error", "warning"]
START_TYPE = "start"
END_TYPE = "end"


@dataclass(frozen=True)
class Problem:
    """One finding: `code` for machines, `message` for people, where it is for the canvas."""

    code: str
    message: str
    severity: Severity = "error"
    node_id: str | None = None
    port: str | None = None
    details: Any | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def has_errors(problems: Sequence[Problem]) -> bool:
    """True if any problem blocks publishing."""
    return any(problem.severity == "error" for problem in problems)


@dataclass
class _Checked:
    node: Node
    module: Module[Any] | None
    config: BaseModel | None
    ports: list[str] | None  # None when the config (so the port list) is unknown


def _errors_of(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def _summary(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


class _Validator:
    def __init__(self, document: FlowDocument, registry: Registry, env: ValidationEnv) -> None:
        self.document = document
        self.registry = registry
        self.env = env
        self.problems: list[Problem] = []
        self.nodes: dict[str, _Checked] = {}
        self.used_ports: set[tuple[str, str]] = set()

    def add(self, code: str, message: str, **where: Any) -> None:
        self.problems.append(Problem(code, message, **where))

    def run(self) -> list[Problem]:
        for node in self.document.nodes:
            self.nodes[node.id] = self.check_node(node)
        self.check_start_and_end()
        successors = self.check_edges()
        self.check_unconnected_ports()
        self.check_reachability(successors)
        self.check_waitless_cycles(successors)
        self.check_variables()
        order = {node.id: index for index, node in enumerate(self.document.nodes)}
        self.problems.sort(
            key=lambda p: (p.severity != "error", -1 if p.node_id is None else order[p.node_id])
        )
        return self.problems

    # ------------------------------------------------------------------ nodes

    def check_node(self, node: Node) -> _Checked:
        module = self.registry.get(node.type)
        if module is None:
            self.add(
                "unknown_module_type",
                f"Node {node.id!r} has unknown type {node.type!r}",
                node_id=node.id,
                details={"type": node.type},
            )
            return _Checked(node, None, None, None)
        try:
            config = module.parse_config(node.config)
        except ValidationError as exc:
            errors = _errors_of(exc)
            first = _summary(errors[0]) if errors else str(exc)
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            self.add(
                "invalid_config",
                f"Node {node.id!r} has an invalid config: {first}{more}",
                node_id=node.id,
                details=errors,
            )
            return _Checked(node, module, None, None)
        for ref in module.references(config):
            if not self.env.exists(ref.kind, ref.id):
                self.add(
                    "missing_reference",
                    f"Node {node.id!r} refers to {ref.kind} {ref.id!r}, which does not exist",
                    node_id=node.id,
                    details={"kind": ref.kind, "id": ref.id, "field": ref.field},
                )
        for issue in module.config_issues(config, self.env):
            self.add(
                issue.code,
                f"Node {node.id!r}: {issue.message}",
                severity=issue.severity,
                node_id=node.id,
                port=issue.port,
            )
        return _Checked(node, module, config, module.ports(config))

    def check_start_and_end(self) -> None:
        starts = [c.node.id for c in self.nodes.values() if c.node.type == START_TYPE]
        if not starts:
            self.add("missing_start", "The flow has no start node")
        for extra in starts[1:]:
            self.add(
                "multiple_start",
                f"Node {extra!r} is a second start node; a flow has exactly one",
                node_id=extra,
                details={"start_nodes": starts},
            )
        if not any(c.node.type == END_TYPE for c in self.nodes.values()):
            self.add("missing_end", "The flow has no end node")

    # ------------------------------------------------------------------ edges

    def check_edges(self) -> dict[str, list[str]]:
        """Report bad edges; return the successors along edges the engine could follow."""
        successors: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        used = self.used_ports
        for edge in self.document.edges:
            where = {"source": edge.source, "port": edge.port, "target": edge.target}
            source = self.nodes.get(edge.source)
            target = self.nodes.get(edge.target)
            if source is None:
                self.add(
                    "unknown_source",
                    f"An edge leaves node {edge.source!r}, which does not exist",
                    port=edge.port,
                    details=where,
                )
                continue
            at = {"node_id": edge.source, "port": edge.port, "details": where}
            known_port = source.ports is None or edge.port in source.ports
            if not known_port:
                self.add(
                    "unknown_port",
                    f"Node {edge.source!r} has no port {edge.port!r}",
                    **at,
                )
            if (edge.source, edge.port) in used:
                self.add(
                    "duplicate_port_edge",
                    f"Port {edge.port!r} of node {edge.source!r} has more than one edge",
                    **at,
                )
            used.add((edge.source, edge.port))
            if target is None:
                self.add(
                    "missing_target",
                    f"Port {edge.port!r} of node {edge.source!r} leads to node "
                    f"{edge.target!r}, which does not exist",
                    **at,
                )
                continue
            if target.node.type == START_TYPE:
                self.add(
                    "edge_into_start",
                    f"Port {edge.port!r} of node {edge.source!r} leads into the start node",
                    **at,
                )
            if known_port:
                successors[edge.source].append(edge.target)
        return successors

    def check_unconnected_ports(self) -> None:
        for checked in self.nodes.values():
            for port in checked.ports or ():
                if (checked.node.id, port) not in self.used_ports:
                    self.add(
                        "unconnected_port",
                        f"Port {port!r} of node {checked.node.id!r} is not connected",
                        node_id=checked.node.id,
                        port=port,
                    )

    # ------------------------------------------------------------------ graph

    def check_reachability(self, successors: Mapping[str, list[str]]) -> None:
        starts = [c.node.id for c in self.nodes.values() if c.node.type == START_TYPE]
        if not starts:
            return  # `missing_start` already says it; every node would be unreachable.
        seen = set(starts)
        queue = deque(starts)
        while queue:
            for target in successors[queue.popleft()]:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        for node_id in self.nodes:
            if node_id not in seen:
                self.add(
                    "unreachable_node",
                    f"Node {node_id!r} cannot be reached from the start",
                    node_id=node_id,
                )

    def check_waitless_cycles(self, successors: Mapping[str, list[str]]) -> None:
        # Unknown types are left out: their waiting is unknown and already an error.
        waitless = {
            node_id
            for node_id, checked in self.nodes.items()
            if checked.module is not None and not checked.module.waits_for_customer
        }
        graph = {node_id: [t for t in successors[node_id] if t in waitless] for node_id in waitless}
        order = [node_id for node_id in self.nodes if node_id in waitless]
        for component in _strongly_connected(order, graph):
            if len(component) == 1 and component[0] not in graph[component[0]]:
                continue
            members = [node_id for node_id in order if node_id in set(component)]
            self.add(
                "waitless_cycle",
                "These nodes form a loop that never waits for the customer: " + ", ".join(members),
                node_id=members[0],
                details=members,
            )

    # ------------------------------------------------------------------ variables

    def check_variables(self) -> None:
        written: set[str] = set()
        for checked in self._configured():
            assert checked.module is not None
            written.update(checked.module.variables_written(checked.config))
        for checked in self._configured():
            module = checked.module
            assert module is not None
            read: list[str] = []
            for template in module.templates(checked.config):
                read.extend(referenced_variables(template))
            read.extend(module.variables_read(checked.config))
            reported: set[str] = set()
            for name in read:
                if name in written or name in SYSTEM_VARIABLES or name in reported:
                    continue
                reported.add(name)
                self.add(
                    "unset_variable",
                    f"Node {checked.node.id!r} uses variable {name!r}, which nothing sets",
                    severity="warning",
                    node_id=checked.node.id,
                    details={"variable": name},
                )

    def _configured(self) -> Iterator[_Checked]:
        return (c for c in self.nodes.values() if c.config is not None)


def _strongly_connected(
    nodes: Sequence[str], successors: Mapping[str, list[str]]
) -> list[list[str]]:
    """Tarjan's algorithm without recursion, so a long chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)

    for root in nodes:
        if root in index:
            continue
        visit(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(successors[root]))]
        while work:
            node, pending = work[-1]
            descended = False
            for succ in pending:
                if succ not in index:
                    visit(succ)
                    work.append((succ, iter(successors[succ])))
                    descended = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def validate(document: FlowDocument, registry: Registry, env: ValidationEnv) -> list[Problem]:
    """Every problem of `document`: errors first, then warnings, each in document order."""
    return _Validator(document, registry, env).run()
