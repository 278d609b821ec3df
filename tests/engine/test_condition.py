from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.modules.condition import ConditionConfig, ConditionModule, evaluate_rule


@pytest.mark.parametrize(
    ("operator", "actual", "expected", "result"),
    [
        ("equals", "Shipped", "shipped", True),
        ("equals", "shipped ", "shipped", False),
        ("equals", None, "", True),
        ("equals", 42, "42", True),
        ("equals", 42, "42.0", True),
        ("equals", 42.0, 42, True),
        ("equals", "42.0", "42", False),
        ("equals", "007", "7", False),
        ("equals", True, "TRUE", True),
        ("not_equals", "a", "B", True),
        ("not_equals", "a", "A", False),
        ("contains", "Where is my ORDER?", "order", True),
        ("contains", None, "x", False),
        ("contains", ["Gold", "vip"], "gold", True),
        ("contains", ["gold"], "go", False),
        ("contains", [1, 2], "2", True),
        ("not_contains", "hello", "bye", True),
        ("not_contains", ["a"], "A", False),
        ("starts_with", "Hello world", "HELLO", True),
        ("starts_with", "Hello", "world", False),
        ("ends_with", "report.PDF", ".pdf", True),
        ("ends_with", None, "x", False),
        ("matches", "Order AB-1234", r"ab-\d{4}", True),
        ("matches", "Order AB-12", r"^ab-\d{4}$", False),
        ("matches", "x", "(", False),
        ("gt", 10, "9", True),
        ("gt", "10", 9.5, True),
        ("gt", "9", "10", False),
        ("gte", 5, 5, True),
        ("lt", "-1", 0, True),
        ("lte", 3.5, "3.5", True),
        ("lt", "abc", 5, False),
        ("gt", None, 0, False),
        ("gt", True, 0, False),
        ("gte", "1,500", 1000, True),
        ("in", "Gold", ["silver", "gold"], True),
        ("in", 2, ["1", "2"], True),
        ("in", "bronze", ["silver", "gold"], False),
        ("in", "gold", "gold", False),
        ("is_empty", None, None, True),
        ("is_empty", "", None, True),
        ("is_empty", " \n", None, True),
        ("is_empty", [], None, True),
        ("is_empty", {}, None, True),
        ("is_empty", 0, None, False),
        ("is_empty", "x", None, False),
        ("is_not_empty", "x", None, True),
        ("is_not_empty", [], None, False),
    ],
)
def test_evaluate_rule(operator: str, actual: Any, expected: Any, result: bool) -> None:
    assert evaluate_rule(operator, actual, expected) is result


def test_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        evaluate_rule("like", "a", "a")


CASES: dict[str, Any] = {
    "cases": [
        {
            "id": "vip",
            "rules": [
                {"variable": "Tier", "operator": "equals", "value": "gold"},
                {"variable": "Spent", "operator": "gte", "value": 1000},
            ],
        },
        {
            "id": "known",
            "match": "any",
            "rules": [
                {"variable": "Email", "operator": "is_not_empty"},
                {"variable": "Phone", "operator": "is_not_empty"},
            ],
        },
        {
            "id": "same",
            "rules": [{"variable": "Billing", "operator": "equals", "value": "${Shipping}"}],
        },
    ]
}


@pytest.mark.parametrize(
    ("variables", "port"),
    [
        ({"Tier": "GOLD", "Spent": 1500, "Email": "a@b.c"}, "vip"),
        ({"Tier": "gold", "Spent": 999, "Email": "a@b.c"}, "known"),
        ({"Phone": "+4930901820"}, "known"),
        ({"Billing": "Main St 1", "Shipping": "main st 1"}, "same"),
        ({"Billing": "Main St 1", "Shipping": "Elm St 2"}, "else"),
        ({}, "same"),  # both missing: "" equals ""
        ({"Billing": "x"}, "else"),
    ],
)
def test_first_matching_case_wins(branch: Any, variables: dict[str, Any], port: str) -> None:
    conversation = branch("condition", CASES)
    conversation.start(variables)
    assert conversation.exit_port == port


def test_system_variables_are_read(branch: Any) -> None:
    config = {
        "cases": [
            {
                "id": "web",
                "rules": [{"variable": "ClientAppName", "operator": "equals", "value": "Web"}],
            }
        ]
    }
    conversation = branch("condition", config, system={"ClientAppName": "web"})
    conversation.start()
    assert conversation.exit_port == "web"


def test_list_values_are_rendered(branch: Any) -> None:
    config = {
        "cases": [
            {"id": "hit", "rules": [{"variable": "A", "operator": "in", "value": ["x", "${B}"]}]}
        ]
    }
    conversation = branch("condition", config)
    conversation.start({"A": "y", "B": "Y"})
    assert conversation.exit_port == "hit"


def test_no_cases_always_takes_else(branch: Any) -> None:
    conversation = branch("condition", {"cases": []})
    conversation.start()
    assert conversation.exit_port == "else"


def rule_config(**rule: Any) -> dict[str, Any]:
    return {"cases": [{"id": "c", "rules": [{"variable": "A", **rule}]}]}


@pytest.mark.parametrize(
    "config",
    [
        {"cases": [{"id": "else", "rules": [{"variable": "A", "operator": "is_empty"}]}]},
        {
            "cases": [
                {"id": "a", "rules": [{"variable": "A", "operator": "is_empty"}]},
                {"id": "a", "rules": [{"variable": "B", "operator": "is_empty"}]},
            ]
        },
        {"cases": [{"id": "a", "rules": []}]},
        {"cases": [{"id": "a b", "rules": [{"variable": "A", "operator": "is_empty"}]}]},
        {
            "cases": [
                {"id": "a", "match": "some", "rules": [{"variable": "A", "operator": "is_empty"}]}
            ]
        },
        rule_config(operator="like", value="x"),
        rule_config(operator="equals"),
        rule_config(operator="in", value="x"),
        rule_config(operator="equals", value=["x"]),
        rule_config(operator="matches", value="("),
        rule_config(operator="matches", value=3),
        {"cases": [{"id": "c", "rules": [{"variable": "1A", "operator": "is_empty"}]}]},
    ],
)
def test_invalid_configs_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ConditionConfig.model_validate(config)


def test_static_analysis() -> None:
    module = ConditionModule()
    config = module.parse_config(CASES)
    assert module.ports(config) == ["vip", "known", "same", "else"]
    assert list(module.variables_read(config)) == ["Tier", "Spent", "Email", "Phone", "Billing"]
    assert list(module.templates(config)) == ["gold", "${Shipping}"]
    assert not module.waits_for_customer
