"""`http_request`: calls an external HTTP API and maps the JSON reply into variables.

The module never does I/O. `run` renders the request and hands the node to a call
(`StepContext.call_out`); the service makes it through the SSRF-guarded client
(retries included) and feeds the outcome back, and `resume` maps it. The rendered
request (which may carry an Authorization header) exists only in memory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flowdesk.engine.module import ConfigIssue, Module, StepContext, ValidationEnv
from flowdesk.engine.modules.fields import WritableVariable
from flowdesk.engine.types import HANDOFF, Continue, Event, StepResult

#: A call that was lost (the process stopped mid-call) is made again at most this often.
MAX_LOST = 2
#: Pause between attempts; the service sleeps it, the budget counts it.
RETRY_PAUSE_SECONDS = 0.2
_KEY = re.compile(r"[^.\[\]]+")
_INDEX = re.compile(r"\[(-?\d+)\]")


def parse_path(path: str) -> list[str | int]:
    """`data.items[0].status` → `["data", "items", 0, "status"]`; ValueError when malformed.

    Keys are separated by dots; `[n]` indexes a list (negative counts from the end) and
    may follow a key or start the path (a reply that is a list).
    """
    steps: list[str | int] = []
    position = 0
    expect_key = True
    while position < len(path):
        index = _INDEX.match(path, position)
        if index:
            steps.append(int(index.group(1)))
            position = index.end()
            expect_key = False
            continue
        if not expect_key:
            if path[position] != ".":
                raise ValueError(f"unexpected {path[position]!r} at {position} in {path!r}")
            position += 1
            expect_key = True
            if position == len(path):
                raise ValueError(f"{path!r} ends with a dot")
            continue
        key = _KEY.match(path, position)
        if not key:
            raise ValueError(f"a key is missing at {position} in {path!r}")
        steps.append(key.group(0))
        position = key.end()
        expect_key = False
    if not steps:
        raise ValueError("the path is empty")
    return steps


def extract(document: Any, steps: Sequence[str | int]) -> tuple[bool, Any]:
    """Follow `steps` into a JSON document: (found, value)."""
    current = document
    for step in steps:
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                return False, None
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                return False, None
            current = current[step]
    return True, current


class ResponseMapping(BaseModel):
    """Store the value at `path` of the JSON reply in `variable` (`default` when absent)."""

    model_config = ConfigDict(extra="forbid")

    variable: WritableVariable = Field(description="The variable that receives the value.")
    path: str = Field(
        min_length=1, max_length=500, description="Where the value is, e.g. data.items[0].status."
    )
    default: Any = Field(
        default=None, description="Used when the path is absent or the call fails (optional)."
    )

    @field_validator("path")
    @classmethod
    def _valid_path(cls, value: str) -> str:
        parse_path(value)
        return value


class HttpRequestConfig(BaseModel):
    """Settings of an `http_request` node."""

    model_config = ConfigDict(extra="forbid", title="HTTP request")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(
        default="GET", description="HTTP method."
    )
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="http(s) URL; may contain ${Variable} (the scheme must be written out).",
    )
    headers: dict[str, str] = Field(
        default={},
        max_length=30,
        description="Request headers; values may contain ${Variable}. Never logged.",
    )
    body: str | dict[str, Any] | list[Any] | None = Field(
        default=None,
        description="A text template, or JSON whose strings may contain ${Variable} (optional).",
    )
    timeout_ms: int = Field(
        default=5000, ge=100, le=30000, description="Time allowed for each attempt (ms)."
    )
    max_attempts: int = Field(
        default=1,
        ge=1,
        le=5,
        description="Tries in all; retried only on timeouts, connection errors and 5xx.",
    )
    response_mapping: list[ResponseMapping] = Field(
        default=[], max_length=50, description="Values to copy from the JSON reply."
    )
    status_variable: WritableVariable | None = Field(
        default=None,
        description="Receives the HTTP status code (0 when no response came) (optional).",
    )

    @field_validator("headers")
    @classmethod
    def _header_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}", name):
                raise ValueError(f"{name!r} is not a valid header name")
        return value


def _render_json(ctx: StepContext[Any], value: Any) -> Any:
    if isinstance(value, str):
        return ctx.render_value(value)
    if isinstance(value, list):
        return [_render_json(ctx, item) for item in value]
    if isinstance(value, dict):
        return {key: _render_json(ctx, item) for key, item in value.items()}
    return value


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _json_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _json_strings(item)]
    return []


class HttpRequestModule(Module[HttpRequestConfig]):
    """Calls an HTTP API; leaves by `success` (2xx with JSON) or `failure`."""

    type = "http_request"
    title = "HTTP request"
    description = "Calls an external HTTP API and maps the JSON reply into variables."
    Config = HttpRequestConfig
    ports_static = ("success", "failure")

    def run(self, ctx: StepContext[HttpRequestConfig]) -> StepResult:
        return self._call(ctx)

    def _call(self, ctx: StepContext[HttpRequestConfig]) -> StepResult:
        config = ctx.config
        headers = {name: ctx.render(value) for name, value in config.headers.items()}
        body: Any = None
        if isinstance(config.body, str):
            body = ctx.render(config.body)
        elif config.body is not None:
            body = _render_json(ctx, config.body)
        request = {
            "method": config.method,
            "url": ctx.render(config.url).strip(),
            "headers": headers,
            "body": body,
            "json": config.body is not None and not isinstance(config.body, str),
            "timeout_ms": config.timeout_ms,
            "max_attempts": config.max_attempts,
        }
        attempts = config.max_attempts
        budget = attempts * config.timeout_ms / 1000 * 2 + attempts * RETRY_PAUSE_SECONDS
        return ctx.call_out("http", request, budget)

    def resume(self, ctx: StepContext[HttpRequestConfig], event: Event) -> StepResult:
        result = ctx.call_result(event)
        if result is None:
            return HANDOFF  # a stale result: keep waiting for the call in flight
        if result.get("lost"):
            lost = int(ctx.node_data.get("lost", 0)) + 1
            ctx.node_data["lost"] = lost
            if lost <= MAX_LOST:
                return self._call(ctx)
            result = {"error": "interrupted"}
        return self._finish(ctx, result)

    def _finish(self, ctx: StepContext[HttpRequestConfig], result: Mapping[str, Any]) -> StepResult:
        config = ctx.config
        status = result.get("status")
        if config.status_variable:
            ctx.variables[config.status_variable] = int(status) if status else 0
        ok = isinstance(status, int) and 200 <= status < 300 and bool(result.get("json_ok"))
        document = result.get("json") if ok else None
        for mapping in config.response_mapping:
            value = mapping.default
            if ok:
                found, got = extract(document, parse_path(mapping.path))
                if found:
                    value = got
            ctx.variables[mapping.variable] = value
        return Continue("success" if ok else "failure")

    def templates(self, config: HttpRequestConfig) -> Sequence[str]:
        texts = [config.url, *config.headers.values()]
        if isinstance(config.body, str):
            texts.append(config.body)
        elif config.body is not None:
            texts.extend(_json_strings(config.body))
        return texts

    def variables_written(self, config: HttpRequestConfig) -> Sequence[str]:
        written = [m.variable for m in config.response_mapping]
        if config.status_variable:
            written.append(config.status_variable)
        return written

    def config_issues(self, config: HttpRequestConfig, env: ValidationEnv) -> Sequence[ConfigIssue]:
        url = config.url.strip()
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in ("http", "https"):
            return [
                ConfigIssue(
                    "invalid_url",
                    "The URL must start with http:// or https:// (written out, not a variable)",
                    severity="error",
                )
            ]
        rest = url.split("://", 1)[1]
        if "${" not in url and not re.match(r"[^/?#\s]+", rest):
            return [ConfigIssue("invalid_url", "The URL has no host", severity="error")]
        if "${" not in url and re.search(r"\s", url):
            return [ConfigIssue("invalid_url", "The URL contains spaces", severity="error")]
        return []
