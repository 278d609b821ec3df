"""`condition`: ordered cases over variables; the first case that matches wins."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flowdesk.engine.module import DynamicPorts, Module, StepContext
from flowdesk.engine.modules.fields import BranchId, VariableName, check_branch_ids
from flowdesk.engine.template import format_value
from flowdesk.engine.types import Continue, StepResult

Operator = Literal[
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "is_empty",
    "is_not_empty",
]
UNARY_OPERATORS: frozenset[str] = frozenset({"is_empty", "is_not_empty"})
NUMERIC_OPERATORS: frozenset[str] = frozenset({"gt", "gte", "lt", "lte"})

Scalar = str | int | float | bool
RuleValue = Scalar | list[Scalar]


class Rule(BaseModel):
    """`variable operator value`, e.g. `OrderStatus equals shipped`."""

    model_config = ConfigDict(extra="forbid")

    variable: VariableName = Field(description="The variable to test (a missing one is empty).")
    operator: Operator = Field(description="How to compare; text comparisons ignore case.")
    value: RuleValue | None = Field(
        default=None,
        description=(
            "What to compare with; text may contain ${Variable}. A list for `in`; "
            "not used by `is_empty` / `is_not_empty`."
        ),
    )

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Rule:
        operator, value = self.operator, self.value
        if operator in UNARY_OPERATORS:
            return self
        if value is None:
            raise ValueError(f"operator {operator!r} needs a value")
        if operator == "in":
            if not isinstance(value, list):
                raise ValueError("operator 'in' needs a list value")
            return self
        if isinstance(value, list):
            raise ValueError(f"operator {operator!r} needs a single value, not a list")
        if operator == "matches":
            if not isinstance(value, str):
                raise ValueError("operator 'matches' needs a regular expression")
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"value is not a valid regular expression: {exc}") from None
        return self


class Case(BaseModel):
    """A branch taken when its rules match (`all` of them, or `any`)."""

    model_config = ConfigDict(extra="forbid")

    id: BranchId = Field(description="Case id and output port name; unique in the node.")
    match: Literal["all", "any"] = Field(
        default="all", description="Whether all rules or any rule must hold."
    )
    rules: list[Rule] = Field(min_length=1, max_length=20, description="The tests (1-20).")


class ConditionConfig(BaseModel):
    """Settings of a `condition` node."""

    model_config = ConfigDict(extra="forbid", title="Condition")

    cases: list[Case] = Field(
        default_factory=list,
        max_length=50,
        description="Cases tried in order; the first that matches is taken, else `else`.",
    )

    @field_validator("cases")
    @classmethod
    def _case_ids(cls, value: list[Case]) -> list[Case]:
        check_branch_ids((case.id for case in value), ("else",), "case")
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return format_value(value).casefold()


def _to_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _equals(actual: Any, expected: Any) -> bool:
    if _text(actual) == _text(expected):
        return True
    # A stored number equals "42.0" typed in a rule: compare as numbers when one side is one.
    if _is_number(actual) or _is_number(expected):
        left, right = _to_float(actual), _to_float(expected)
        return left is not None and left == right
    return False


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, list | tuple):
        return any(_equals(item, expected) for item in actual)
    return _text(expected) in _text(actual)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not value
    return False


def _compare(operator: str, actual: Any, expected: Any) -> bool:
    left, right = _to_float(actual), _to_float(expected)
    if left is None or right is None:
        return False
    if operator == "gt":
        return left > right
    if operator == "gte":
        return left >= right
    if operator == "lt":
        return left < right
    return left <= right


def evaluate_rule(operator: str, actual: Any, expected: Any) -> bool:
    """Whether `actual <operator> expected` holds; `expected` is already rendered.

    Text comparisons ignore case; a missing (None) value is the empty text;
    numeric operators are false when either side is not a number.
    """
    if operator == "is_empty":
        return _is_empty(actual)
    if operator == "is_not_empty":
        return not _is_empty(actual)
    if operator == "equals":
        return _equals(actual, expected)
    if operator == "not_equals":
        return not _equals(actual, expected)
    if operator == "contains":
        return _contains(actual, expected)
    if operator == "not_contains":
        return not _contains(actual, expected)
    if operator == "starts_with":
        return _text(actual).startswith(_text(expected))
    if operator == "ends_with":
        return _text(actual).endswith(_text(expected))
    if operator == "matches":
        try:
            found = re.search(format_value(expected), format_value(actual), re.IGNORECASE)
        except re.error:
            return False
        return found is not None
    if operator in NUMERIC_OPERATORS:
        return _compare(operator, actual, expected)
    if operator == "in":
        return isinstance(expected, list) and any(_equals(actual, item) for item in expected)
    raise ValueError(f"unknown operator {operator!r}")


def _string_values(value: RuleValue | None) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


class ConditionModule(Module[ConditionConfig]):
    """Leaves by the id of the first case whose rules hold, else by `else`."""

    type = "condition"
    title = "Condition"
    description = "Ordered cases over variables; the first that matches wins."
    Config = ConditionConfig
    ports_static = ("else",)
    ports_dynamic = DynamicPorts("cases", "id")

    def run(self, ctx: StepContext[ConditionConfig]) -> StepResult:
        for case in ctx.config.cases:
            results = (self._holds(ctx, rule) for rule in case.rules)
            if all(results) if case.match == "all" else any(results):
                return Continue(case.id)
        return Continue("else")

    def _holds(self, ctx: StepContext[ConditionConfig], rule: Rule) -> bool:
        value = rule.value
        expected: Any
        if isinstance(value, str):
            expected = ctx.render(value)
        elif isinstance(value, list):
            expected = [ctx.render(item) if isinstance(item, str) else item for item in value]
        else:
            expected = value
        return evaluate_rule(rule.operator, ctx.lookup(rule.variable), expected)

    def templates(self, config: ConditionConfig) -> Sequence[str]:
        return [
            template
            for case in config.cases
            for rule in case.rules
            if rule.operator not in UNARY_OPERATORS
            for template in _string_values(rule.value)
        ]

    def variables_read(self, config: ConditionConfig) -> Sequence[str]:
        names: list[str] = []
        for case in config.cases:
            for rule in case.rules:
                if rule.variable not in names:
                    names.append(rule.variable)
        return names
