"""Config field types that several module configs share, with their JSON-schema hints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, Field

from flowdesk.engine.template import VARIABLE_NAME_PATTERN
from flowdesk.engine.variables import check_writable_variable

BRANCH_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
"""Ids of menu options and condition cases: they become output port names."""

TEXT_MAX_LENGTH = 4000


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("text cannot be blank")
    return text


BranchId = Annotated[str, Field(pattern=BRANCH_ID_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX_LENGTH), AfterValidator(_not_blank)]
OptionalText = Annotated[str, Field(max_length=TEXT_MAX_LENGTH)]
VariableName = Annotated[str, Field(pattern=rf"^{VARIABLE_NAME_PATTERN}$")]
WritableVariable = Annotated[
    str, Field(pattern=rf"^{VARIABLE_NAME_PATTERN}$"), AfterValidator(check_writable_variable)
]
MaxRetries = Annotated[int, Field(ge=0, le=10)]
TimeoutSeconds = Annotated[int, Field(ge=1, le=604800)]


def check_branch_ids(ids: Iterable[str], reserved: Iterable[str], what: str) -> None:
    """Raise `ValueError` if an id repeats or takes a name reserved for a static port."""
    reserved_set = set(reserved)
    seen: set[str] = set()
    for branch_id in ids:
        if branch_id in reserved_set:
            raise ValueError(f"{what} id {branch_id!r} is reserved")
        if branch_id in seen:
            raise ValueError(f"{what} id {branch_id!r} is used more than once")
        seen.add(branch_id)
