"""`${Variable}` templates (SPEC §4): a small, safe substitution, no expressions.

`${Name}` is replaced by the variable's value, an unknown variable renders as
empty text and `$${` writes a literal `${`. Nothing else is interpreted, so a
template can never execute code or reach attributes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

VARIABLE_NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.]{0,63}"
_VARIABLE_NAME = re.compile(rf"^{VARIABLE_NAME_PATTERN}$")
_TOKEN = re.compile(rf"\$\$\{{|\$\{{({VARIABLE_NAME_PATTERN})\}}")
_SOLE_REFERENCE = re.compile(rf"^\$\{{({VARIABLE_NAME_PATTERN})\}}$")


def is_variable_name(name: str) -> bool:
    return bool(_VARIABLE_NAME.match(name))


def format_value(value: Any) -> str:
    """Render a variable value as text: numbers in their shortest form, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(template: str, lookup: Callable[[str], Any]) -> str:
    """Substitute every `${Name}` in `template` with `lookup(Name)`."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:  # the `$${` escape
            return "${"
        return format_value(lookup(name))

    return _TOKEN.sub(replace, template)


def render_value(template: str, lookup: Callable[[str], Any]) -> Any:
    """Like `render`, but a template that is exactly one `${Name}` keeps the value's type."""
    sole = _SOLE_REFERENCE.match(template)
    if sole:
        return lookup(sole.group(1))
    return render(template, lookup)


def referenced_variables(template: str) -> list[str]:
    """The variable names a template reads, in order of first use."""
    names: list[str] = []
    for match in _TOKEN.finditer(template):
        name = match.group(1)
        if name is not None and name not in names:
            names.append(name)
    return names


def escape(text: str) -> str:
    """Make literal text safe to use as a template (inverse of `render` on plain text)."""
    return text.replace("${", "$${")
