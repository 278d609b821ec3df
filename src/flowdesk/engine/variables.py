"""Flow variables (SPEC §4): which names the platform owns and which a flow may write."""

from __future__ import annotations

from flowdesk.engine.template import is_variable_name

SYSTEM_VARIABLES: frozenset[str] = frozenset(
    {
        "SessionId",
        "ClientAppID",
        "ClientAppName",
        "SystemClientUserID",
        "WaitNo",
        "StaffNo",
        "StaffNickName",
        "Now",
    }
)
"""Variables set by the platform; flows may read them but never assign them."""


def check_writable_variable(name: str) -> str:
    """Return `name` if a flow may assign it, else raise `ValueError` saying why."""
    if not is_variable_name(name):
        raise ValueError(
            f"{name!r} is not a valid variable name (a letter or _, then letters, digits, _ or .)"
        )
    if name in SYSTEM_VARIABLES:
        raise ValueError(f"{name!r} is a system variable and cannot be assigned")
    return name
