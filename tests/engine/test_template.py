from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowdesk.engine.template import (
    VARIABLE_NAME_PATTERN,
    escape,
    format_value,
    is_variable_name,
    referenced_variables,
    render,
    render_value,
)

names = st.from_regex(rf"\A{VARIABLE_NAME_PATTERN}\Z", fullmatch=True)


def no_lookup(name: str) -> Any:
    raise AssertionError(f"looked up {name!r}")


@given(st.text().filter(lambda s: "$" not in s))
def test_plain_text_renders_to_itself(text: str) -> None:
    assert render(text, no_lookup) == text


@given(st.text())
def test_escaped_text_renders_back_to_itself(text: str) -> None:
    assert render(escape(text), no_lookup) == text


# A `$` right before `${` would read as the `$${` escape, so the prefix never ends in one.
@given(
    names,
    st.text().filter(lambda s: "$" not in s),
    st.text(alphabet="abc ${}").filter(lambda s: not s.endswith("$")),
)
def test_variable_is_replaced_by_its_value(name: str, value: str, around: str) -> None:
    prefix = escape(around)
    assert render(f"{prefix}${{{name}}}!", {name: value}.get) == f"{around}{value}!"


@given(st.integers())
def test_integers_render_as_digits(number: int) -> None:
    assert render("${n}", {"n": number}.get) == str(number)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_render_in_shortest_form(number: float) -> None:
    text = render("${n}", {"n": number}.get)
    assert float(text) == number
    if number.is_integer() and abs(number) < 1e16:
        assert text == str(int(number))
    else:
        assert text == repr(number)


def test_unknown_variable_renders_empty() -> None:
    assert render("Hi ${Name}!", {}.get) == "Hi !"


def test_double_dollar_writes_a_literal() -> None:
    assert render("cost: $${Price} and ${Price}", {"Price": 3}.get) == "cost: ${Price} and 3"


def test_only_valid_names_are_substituted() -> None:
    assert render("${1abc} ${a b} ${}", no_lookup) == "${1abc} ${a b} ${}"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (42.0, "42"),
        (-3.5, "-3.5"),
        (0.1, "0.1"),
        (1e20, "1e+20"),
        ("text", "text"),
        ([1, "a"], '[1,"a"]'),
        ({"k": "ü"}, '{"k":"ü"}'),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_render_value_keeps_the_type_of_a_sole_reference() -> None:
    variables = {"n": 42, "items": [1, 2], "name": "Ann"}
    assert render_value("${n}", variables.get) == 42
    assert render_value("${items}", variables.get) == [1, 2]
    assert render_value("${missing}", variables.get) is None
    assert render_value(" ${n}", variables.get) == " 42"
    assert render_value("${name}-${n}", variables.get) == "Ann-42"


def test_referenced_variables_in_order_without_repeats() -> None:
    assert referenced_variables("${b} $${a} ${a.x} ${b} ${c}") == ["b", "a.x", "c"]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Name", True),
        ("_x", True),
        ("order.id", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("1a", False),
        ("a-b", False),
        ("", False),
        ("a b", False),
    ],
)
def test_is_variable_name(name: str, valid: bool) -> None:
    assert is_variable_name(name) is valid
