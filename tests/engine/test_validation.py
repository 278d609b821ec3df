from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from flowdesk.engine.document import FlowDocument
from flowdesk.engine.module import ConfigIssue, Module, Registry, ValidationEnv
from flowdesk.engine.modules import default_modules
from flowdesk.engine.validation import Problem, has_errors, validate

SCHEDULES = ValidationEnv(existing={"schedule": frozenset({"office"})})

WELCOME = ("message", {"text": "Hi ${ClientAppName}"})
MENU = (
    "menu",
    {"text": "Pick", "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
)


def codes(problems: Sequence[Problem]) -> list[tuple[str, str | None, str | None]]:
    return [(p.code, p.node_id, p.port) for p in problems]


@pytest.fixture
def check(registry: Registry) -> Any:
    def run(document: FlowDocument, env: ValidationEnv = SCHEDULES) -> list[Problem]:
        return validate(document, registry, env)

    return run


def test_a_sound_flow_has_no_problems(doc: Any, check: Any) -> None:
    document = doc(
        {
            "start": "start",
            "hours": ("service_time", {"schedule_id": "office"}),
            "menu": MENU,
            "ask": ("collect", {"text": "Email?", "variable": "Email", "input_type": "email"}),
            "check": (
                "condition",
                {
                    "cases": [
                        {"id": "ok", "rules": [{"variable": "Email", "operator": "is_not_empty"}]}
                    ]
                },
            ),
            "set": ("set_variable", {"assignments": [{"variable": "Topic", "value": "b"}]}),
            "bye": ("end", {"text": "Bye ${Email} ${Topic}"}),
        },
        "start.next -> hours",
        "hours.open -> menu",
        "hours.closed -> bye",
        "menu.a -> ask",
        "menu.b -> set",
        "menu.invalid -> bye",
        "menu.timeout -> bye",
        "ask.next -> check",
        "ask.invalid -> menu",
        "ask.timeout -> bye",
        "check.ok -> bye",
        "check.else -> menu",
        "set.next -> menu",
    )
    assert check(document) == []


def test_missing_start(doc: Any, check: Any) -> None:
    problems = check(doc({"bye": "end"}))
    assert codes(problems) == [("missing_start", None, None)]
    assert problems[0].severity == "error"


def test_multiple_start(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "again": "start", "bye": "end"}, "start.next -> bye", "again.next -> bye"
    )
    problems = check(document)
    assert codes(problems) == [("multiple_start", "again", None)]
    assert problems[0].details == {"start_nodes": ["start", "again"]}


def test_edge_into_start(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "menu": MENU, "bye": "end"},
        "start.next -> menu",
        "menu.a -> start",
        "menu.b -> bye",
        "menu.invalid -> bye",
        "menu.timeout -> bye",
    )
    problems = check(document)
    assert codes(problems) == [("edge_into_start", "menu", "a")]
    assert problems[0].details == {"source": "menu", "port": "a", "target": "start"}


def test_missing_end(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "menu": MENU},
        "start.next -> menu",
        "menu.a -> menu",
        "menu.b -> menu",
        "menu.invalid -> menu",
        "menu.timeout -> menu",
    )
    assert codes(check(document)) == [("missing_end", None, None)]


def test_unknown_module_type_still_counts_for_reachability(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "x": ("teleport", {"to": "mars"}), "bye": "end"},
        "start.next -> x",
        "x.anywhere -> bye",
    )
    problems = check(document)
    assert codes(problems) == [("unknown_module_type", "x", None)]
    assert problems[0].details == {"type": "teleport"}


def test_invalid_config(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "m": ("message", {"text": "", "colour": "red"}), "bye": "end"},
        "start.next -> m",
        "m.next -> bye",
    )
    problems = check(document)
    assert codes(problems) == [("invalid_config", "m", None)]
    assert problems[0].message == (
        "Node 'm' has an invalid config: text: String should have at least 1 character (and 1 more)"
    )
    assert [(e["loc"], e["type"]) for e in problems[0].details] == [
        (["text"], "string_too_short"),
        (["colour"], "extra_forbidden"),
    ]


def test_invalid_config_skips_port_checks(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "menu": ("menu", {"text": "Pick", "options": []}), "bye": "end"},
        "start.next -> menu",
        "menu.whatever -> bye",
    )
    assert codes(check(document)) == [("invalid_config", "menu", None)]


def test_missing_reference(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "hours": ("service_time", {"schedule_id": "gone"}), "bye": "end"},
        "start.next -> hours",
        "hours.open -> bye",
        "hours.closed -> bye",
    )
    problems = check(document)
    assert codes(problems) == [("missing_reference", "hours", None)]
    assert problems[0].details == {"kind": "schedule", "id": "gone", "field": "schedule_id"}


DESK = ValidationEnv(existing={"skill_group": frozenset({"support"}), "agent": frozenset({"u1"})})


def desk_flow(doc: Any, transfer: dict[str, Any]) -> FlowDocument:
    return doc(
        {
            "start": "start",
            "desk": ("transfer", transfer),
            "rate": ("survey", {"text": "Rate ${StaffNickName}", "thanks_text": "Thanks!"}),
            "bye": "end",
        },
        "start.next -> desk",
        "desk.done -> rate",
        "desk.no_agent -> bye",
        "desk.timeout -> bye",
        "rate.rated -> bye",
        "rate.skipped -> bye",
    )


def test_a_flow_with_transfer_and_survey_has_no_problems(doc: Any, check: Any) -> None:
    transfer = {
        "skill_group_id": "support",
        "agent_id": "u1",
        "queue_text": "You are number ${WaitNo}",
        "success_text": "${StaffNickName} (${StaffNo}) joined",
    }
    assert check(desk_flow(doc, transfer), DESK) == []


@pytest.mark.parametrize(
    ("transfer", "missing"),
    [
        (
            {"skill_group_id": "gone"},
            [{"kind": "skill_group", "id": "gone", "field": "skill_group_id"}],
        ),
        (
            {"skill_group_id": "support", "agent_id": "u9"},
            [{"kind": "agent", "id": "u9", "field": "agent_id"}],
        ),
        (
            {"skill_group_id": "gone", "agent_id": "u9"},
            [
                {"kind": "skill_group", "id": "gone", "field": "skill_group_id"},
                {"kind": "agent", "id": "u9", "field": "agent_id"},
            ],
        ),
    ],
)
def test_transfer_missing_reference(
    doc: Any, check: Any, transfer: dict[str, Any], missing: list[dict[str, str]]
) -> None:
    problems = check(desk_flow(doc, transfer), DESK)
    assert codes(problems) == [("missing_reference", "desk", None)] * len(missing)
    assert [p.details for p in problems] == missing


def test_transfer_without_a_skill_group_is_an_invalid_config(doc: Any, check: Any) -> None:
    problems = check(desk_flow(doc, {"agent_id": "u1"}), DESK)
    assert codes(problems) == [("invalid_config", "desk", None)]


def test_unknown_port(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "m": WELCOME, "bye": "end"},
        "start.next -> m",
        "m.next -> bye",
        "m.other -> bye",
    )
    assert codes(check(document)) == [("unknown_port", "m", "other")]


def test_unknown_source(doc: Any, check: Any) -> None:
    document = doc({"start": "start", "bye": "end"}, "start.next -> bye", "ghost.next -> bye")
    problems = check(document)
    assert codes(problems) == [("unknown_source", None, "next")]
    assert problems[0].details == {"source": "ghost", "port": "next", "target": "bye"}


def test_missing_target(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "m": WELCOME, "bye": "end"}, "start.next -> m", "m.next -> ghost"
    )
    problems = check(document)
    # `bye` is now unreachable too; the dangling port is not "unconnected".
    assert codes(problems) == [("missing_target", "m", "next"), ("unreachable_node", "bye", None)]


def test_duplicate_port_edge(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "m": WELCOME, "bye": "end"},
        "start.next -> m",
        "start.next -> bye",
        "m.next -> bye",
    )
    assert codes(check(document)) == [("duplicate_port_edge", "start", "next")]


def test_unconnected_port(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "menu": MENU, "bye": "end"},
        "start.next -> menu",
        "menu.a -> bye",
        "menu.invalid -> bye",
    )
    assert codes(check(document)) == [
        ("unconnected_port", "menu", "b"),
        ("unconnected_port", "menu", "timeout"),
    ]


def test_unreachable_node(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "lost": WELCOME, "bye": "end"},
        "start.next -> bye",
        "lost.next -> bye",
    )
    assert codes(check(document)) == [("unreachable_node", "lost", None)]


def test_waitless_cycle_is_reported_once_per_cycle(doc: Any, check: Any) -> None:
    set_x = ("set_variable", {"assignments": [{"variable": "X", "value": "1"}]})
    document = doc(
        {
            "start": "start",
            "a": WELCOME,
            "b": set_x,
            "c": (
                "condition",
                {
                    "cases": [
                        {
                            "id": "done",
                            "rules": [{"variable": "X", "operator": "equals", "value": "2"}],
                        }
                    ]
                },
            ),
            "bye": "end",
        },
        "start.next -> a",
        "a.next -> b",
        "b.next -> c",
        "c.else -> a",
        "c.done -> bye",
    )
    problems = check(document)
    assert codes(problems) == [("waitless_cycle", "a", None)]
    assert problems[0].details == ["a", "b", "c"]


def test_self_loop_is_a_waitless_cycle(doc: Any, check: Any) -> None:
    document = doc(
        {
            "start": "start",
            "c": (
                "condition",
                {"cases": [{"id": "again", "rules": [{"variable": "X", "operator": "is_empty"}]}]},
            ),
            "bye": "end",
        },
        "start.next -> c",
        "c.again -> c",
        "c.else -> bye",
    )
    problems = check(document)
    assert ("waitless_cycle", "c", None) in codes(problems)
    assert [p.details for p in problems if p.code == "waitless_cycle"] == [["c"]]


def test_a_cycle_through_a_waiting_node_is_fine(doc: Any, check: Any) -> None:
    document = doc(
        {"start": "start", "menu": MENU, "m": WELCOME, "bye": "end"},
        "start.next -> menu",
        "menu.a -> m",
        "m.next -> menu",
        "menu.b -> bye",
        "menu.invalid -> menu",
        "menu.timeout -> bye",
    )
    assert check(document) == []


def test_transfer_and_survey_wait_so_loops_through_them_are_fine(doc: Any, check: Any) -> None:
    document = doc(
        {
            "start": "start",
            "desk": ("transfer", {"skill_group_id": "support"}),
            "sorry": ("message", {"text": "Nobody is free; trying again."}),
            "rate": ("survey", {"text": "Rate us"}),
            "again": ("message", {"text": "Please pick a rating."}),
            "bye": "end",
        },
        "start.next -> desk",
        "desk.no_agent -> sorry",
        "sorry.next -> desk",
        "desk.timeout -> bye",
        "desk.done -> rate",
        "rate.skipped -> again",
        "again.next -> rate",
        "rate.rated -> bye",
    )
    assert check(document, DESK) == []


class StrictConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    needs: str = "llm"


class StrictModule(Module[StrictConfig]):
    type = "strict"
    title = "Strict"
    description = "Needs a capability."
    Config = StrictConfig

    def config_issues(self, config: StrictConfig, env: ValidationEnv) -> Sequence[ConfigIssue]:
        if config.needs in env.capabilities:
            return []
        return [ConfigIssue("capability_missing", f"needs {config.needs}", severity="error")]


def test_errors_from_config_issues(doc: Any) -> None:
    registry = Registry([*default_modules(), StrictModule()])
    document = doc(
        {"start": "start", "s": "strict", "bye": "end"}, "start.next -> s", "s.next -> bye"
    )
    problems = validate(document, registry, ValidationEnv())
    assert codes(problems) == [("capability_missing", "s", None)]
    assert problems[0].severity == "error"
    assert problems[0].message == "Node 's': needs llm"
    assert validate(document, registry, ValidationEnv(capabilities=frozenset({"llm"}))) == []


def test_unset_variable_warning(doc: Any, check: Any) -> None:
    document = doc(
        {
            "start": "start",
            "m": ("message", {"text": "${Name} ${Name} ${SessionId} ${Email} ${Order.id}"}),
            "ask": ("collect", {"text": "Email?", "variable": "Email"}),
            "c": (
                "condition",
                {
                    "cases": [
                        {
                            "id": "x",
                            "rules": [
                                {"variable": "Tier", "operator": "equals", "value": "${Level}"}
                            ],
                        }
                    ]
                },
            ),
            "bye": "end",
        },
        "start.next -> m",
        "m.next -> ask",
        "ask.next -> c",
        "ask.invalid -> bye",
        "ask.timeout -> bye",
        "c.x -> bye",
        "c.else -> bye",
    )
    problems = check(document)
    assert [(p.code, p.severity, p.node_id, p.details) for p in problems] == [
        ("unset_variable", "warning", "m", {"variable": "Name"}),
        ("unset_variable", "warning", "m", {"variable": "Order.id"}),
        ("unset_variable", "warning", "c", {"variable": "Level"}),
        ("unset_variable", "warning", "c", {"variable": "Tier"}),
    ]
    assert not has_errors(problems)


def test_menu_option_without_label_warning(doc: Any, check: Any) -> None:
    document = doc(
        {
            "start": "start",
            "menu": ("menu", {"text": "Pick", "options": [{"id": "a", "label": " "}]}),
            "bye": "end",
        },
        "start.next -> menu",
        "menu.a -> bye",
        "menu.invalid -> bye",
        "menu.timeout -> bye",
    )
    problems = check(document)
    assert [(p.code, p.severity, p.node_id, p.port) for p in problems] == [
        ("menu_option_without_label", "warning", "menu", "a")
    ]


def test_errors_come_first_then_document_order(doc: Any, check: Any) -> None:
    document = doc(
        {
            "w": ("message", {"text": "${Unset}"}),
            "start": "start",
            "lost": WELCOME,
            "m": WELCOME,
        },
        "start.next -> m",
        "lost.next -> m",
    )
    assert codes(check(document)) == [
        ("missing_end", None, None),
        ("unconnected_port", "w", "next"),
        ("unreachable_node", "w", None),
        ("unreachable_node", "lost", None),
        ("unconnected_port", "m", "next"),
        ("unset_variable", "w", None),
    ]


def test_to_dict() -> None:
    problem = Problem("unconnected_port", "msg", "error", "n", "next", None)
    assert problem.to_dict() == {
        "code": "unconnected_port",
        "message": "msg",
        "severity": "error",
        "node_id": "n",
        "port": "next",
        "details": None,
    }


def big_flow(doc: Any, size: int, *, loop: bool) -> FlowDocument:
    nodes: dict[str, Any] = {"start": "start"}
    edges = []
    previous = "start.next"
    for i in range(size):
        if i % 4 == 0:
            nodes[f"n{i}"] = MENU
            edges += [f"n{i}.b -> bye", f"n{i}.invalid -> bye", f"n{i}.timeout -> bye"]
            port = "a"
        else:
            nodes[f"n{i}"] = ("message", {"text": f"step {i} ${{ClientAppName}}"})
            port = "next"
        edges.append(f"{previous} -> n{i}")
        previous = f"n{i}.{port}"
    nodes["bye"] = "end"
    edges.append(f"{previous} -> {'n1' if loop else 'bye'}")
    return doc(nodes, *edges)


def test_200_nodes_validate_in_a_few_milliseconds(doc: Any, check: Any) -> None:
    document = big_flow(doc, 200, loop=False)
    assert check(document) == []
    started = time.perf_counter()
    for _ in range(5):
        check(document)
    assert (time.perf_counter() - started) / 5 < 0.05


def test_a_long_loop_through_menus_is_fine(doc: Any, check: Any) -> None:
    assert check(big_flow(doc, 200, loop=True)) == []


def test_long_waitless_cycle_needs_no_recursion(doc: Any, check: Any) -> None:
    nodes: dict[str, Any] = {"start": "start", "bye": "end"}
    edges = ["start.next -> m0"]
    for i in range(1500):
        nodes[f"m{i}"] = WELCOME
        edges.append(f"m{i}.next -> m{(i + 1) % 1500}")
    problems = check(doc(nodes, *edges))
    assert codes(problems) == [("unreachable_node", "bye", None), ("waitless_cycle", "m0", None)]
    assert len(problems[1].details) == 1500
