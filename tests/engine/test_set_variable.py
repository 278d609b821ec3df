from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.module import RunEnv
from flowdesk.engine.modules.set_variable import SetVariableConfig, SetVariableModule


def assign(*pairs: tuple[str, str]) -> dict[str, Any]:
    return {"assignments": [{"variable": v, "value": t} for v, t in pairs]}


def test_values_are_rendered_in_order(branch: Any) -> None:
    config = assign(
        ("Greeting", "Hello ${Name}"),
        ("Count", "${Items}"),
        ("Line", "${Greeting}, you have ${Count} items"),
        ("Name", "Bob"),
    )
    conversation = branch("set_variable", config)
    outcome = conversation.start({"Name": "Ann", "Items": 3})
    assert conversation.exit_port == "next"
    assert conversation.variables == {
        "Name": "Bob",
        "Items": 3,
        "Greeting": "Hello Ann",
        "Count": 3,
        "Line": "Hello Ann, you have 3 items",
    }
    assert outcome.messages == []


def test_sole_reference_keeps_the_type(branch: Any) -> None:
    config = assign(("Copy", "${Tags}"), ("Missing", "${Nothing}"), ("Id", "${SessionId}"))
    conversation = branch("set_variable", config, system={"SessionId": "c-1"})
    conversation.start({"Tags": ["a", "b"]})
    assert conversation.variables["Copy"] == ["a", "b"]
    assert conversation.variables["Missing"] is None
    assert conversation.variables["Id"] == "c-1"


def test_copied_lists_are_not_shared(branch: Any, engine: Any, clock: Any) -> None:
    tags = ["a"]
    conversation = branch("set_variable", assign(("Copy", "${Tags}")))
    outcome = engine.start(conversation.flow, RunEnv(now=clock.now()), {"Tags": tags})
    outcome.state.variables["Copy"].append("b")
    assert outcome.state.variables["Tags"] == ["a"]


@pytest.mark.parametrize(
    "config",
    [
        {"assignments": []},
        assign(*[(f"V{i}", "x") for i in range(51)]),
        assign(("StaffNickName", "x")),
        assign(("bad-name", "x")),
        {"assignments": [{"variable": "A"}]},
        {"assignments": [{"variable": "A", "value": "x", "type": "int"}]},
    ],
)
def test_invalid_configs_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SetVariableConfig.model_validate(config)


def test_empty_value_is_allowed(branch: Any) -> None:
    conversation = branch("set_variable", assign(("Cleared", "")))
    conversation.start({"Cleared": "old"})
    assert conversation.variables["Cleared"] == ""


def test_static_analysis() -> None:
    module = SetVariableModule()
    config = module.parse_config(assign(("A", "${B}"), ("C", "x ${D}")))
    assert module.ports(config) == ["next"]
    assert list(module.variables_written(config)) == ["A", "C"]
    assert list(module.templates(config)) == ["${B}", "x ${D}"]
