"""The error format of SPEC §7: `{"error": {"code", "message", "details"}}`.

Services raise `FlowdeskError` subclasses; the API turns them (and request
validation failures, and anything unexpected) into that shape. A stack trace
never reaches a client.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class FlowdeskError(Exception):
    """An error with a status, a stable machine-readable code and a human message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


class Unauthorized(FlowdeskError):
    status = 401
    code = "unauthorized"


class Forbidden(FlowdeskError):
    status = 403
    code = "forbidden"


class NotFound(FlowdeskError):
    status = 404
    code = "not_found"


class Conflict(FlowdeskError):
    status = 409
    code = "conflict"


class Invalid(FlowdeskError):
    status = 422
    code = "validation_error"

    @classmethod
    def from_pydantic(
        cls,
        exc: ValidationError,
        message: str,
        *,
        code: str | None = None,
        loc_prefix: tuple[str, ...] = (),
    ) -> Invalid:
        """A 422 listing each field pydantic refused, as `{loc, message}`."""
        details = [
            {"loc": [*loc_prefix, *err["loc"]], "message": err["msg"]}
            for err in exc.errors(include_url=False, include_context=False)
        ]
        if details:
            first = details[0]
            where = ".".join(str(part) for part in first["loc"])
            message = f"{message}: {where}: {first['message']}" if where else message
        return cls(message, code=code, details=details)


class TooManyRequests(FlowdeskError):
    status = 429
    code = "rate_limited"
