from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.module import ValidationEnv
from flowdesk.engine.modules.http_request import (
    HttpRequestConfig,
    HttpRequestModule,
    extract,
    parse_path,
)
from flowdesk.engine.types import CALL_PORT, CallOut, RequestHandoff, Resume, TextInput

CONFIG: dict[str, Any] = {
    "method": "POST",
    "url": "https://api.example.com/orders/${OrderId}",
    "headers": {"Authorization": "Bearer ${Token}"},
    "body": {"order": "${OrderId}", "note": "from ${Name}", "n": 1},
    "timeout_ms": 2000,
    "max_attempts": 3,
    "response_mapping": [
        {"variable": "Status", "path": "data.items[0].status", "default": "unknown"},
        {"variable": "Count", "path": "data.count"},
    ],
    "status_variable": "Code",
}
VARIABLES = {"OrderId": 42, "Token": "s3cret", "Name": "Ann"}


def call_of(outcome: Any) -> CallOut:
    (call,) = [e for e in outcome.effects if isinstance(e, CallOut)]
    return call


def result(call: CallOut, **data: Any) -> Resume:
    return Resume(CALL_PORT, {"call_id": call.call_id, "result": data})


# ------------------------------------------------------------------ path syntax


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("data.items[0].status", ["data", "items", 0, "status"]),
        ("a", ["a"]),
        ("[1]", [1]),
        ("[0][2].x", [0, 2, "x"]),
        ("list[-1]", ["list", -1]),
        ("a.b-c.d_e", ["a", "b-c", "d_e"]),
    ],
)
def test_parse_path(path: str, steps: list[str | int]) -> None:
    assert parse_path(path) == steps


@pytest.mark.parametrize("path", ["", ".a", "a.", "a..b", "a[x]", "a[0]b", "a]", "a[0"])
def test_malformed_paths(path: str) -> None:
    with pytest.raises(ValueError):
        parse_path(path)


def test_extract() -> None:
    doc = {"data": {"items": [{"status": "shipped"}], "count": 0, "none": None}}
    assert extract(doc, parse_path("data.items[0].status")) == (True, "shipped")
    assert extract(doc, parse_path("data.items[-1].status")) == (True, "shipped")
    assert extract(doc, parse_path("data.count")) == (True, 0)
    assert extract(doc, parse_path("data.none")) == (True, None)
    assert extract(doc, parse_path("data.items[1]")) == (False, None)
    assert extract(doc, parse_path("data.items.status")) == (False, None)
    assert extract(doc, parse_path("data.count[0]")) == (False, None)
    assert extract([5, 6], parse_path("[1]")) == (True, 6)


# ------------------------------------------------------------------ config


def test_config_limits() -> None:
    HttpRequestConfig.model_validate(CONFIG)
    for bad in (
        {"timeout_ms": 99},
        {"timeout_ms": 30001},
        {"max_attempts": 0},
        {"max_attempts": 6},
        {"method": "TRACE"},
        {"response_mapping": [{"variable": "X", "path": "a..b"}]},
        {"response_mapping": [{"variable": "SessionId", "path": "a"}]},
        {"headers": {"Bad Header": "x"}},
    ):
        with pytest.raises(ValidationError):
            HttpRequestConfig.model_validate({**CONFIG, **bad})
    defaults = HttpRequestConfig.model_validate({"url": "https://x.test/"})
    assert (defaults.method, defaults.timeout_ms, defaults.max_attempts) == ("GET", 5000, 1)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.example.com/x", True),
        ("http://10.0.0.1/x", True),  # the guard decides at run time, with the allow-list
        ("https://${Host}/x", True),
        ("HTTPS://api.example.com", True),
        ("ftp://api.example.com/x", False),
        ("file:///etc/passwd", False),
        ("${BaseUrl}/orders", False),
        ("api.example.com/x", False),
        ("https://", False),
        ("https://api.example.com/a b", False),
    ],
)
def test_url_must_be_http(url: str, ok: bool) -> None:
    module = HttpRequestModule()
    issues = module.config_issues(module.parse_config({"url": url}), ValidationEnv())
    assert (not issues) is ok
    assert all(issue.severity == "error" for issue in issues)


# ------------------------------------------------------------------ running


def test_run_renders_the_request_and_hands_off_to_a_call(branch: Any) -> None:
    conversation = branch("http_request", CONFIG)
    outcome = conversation.start(VARIABLES)
    call = call_of(outcome)
    assert call.kind == "http" and call.node_id == "node"
    assert call.request == {
        "method": "POST",
        "url": "https://api.example.com/orders/42",
        "headers": {"Authorization": "Bearer s3cret"},
        "body": {"order": 42, "note": "from Ann", "n": 1},
        "json": True,
        "timeout_ms": 2000,
        "max_attempts": 3,
    }
    assert call.budget_seconds > 3 * 2.0
    assert not [e for e in outcome.effects if isinstance(e, RequestHandoff)]
    assert conversation.state.status == "handoff"
    # The rendered request (its headers may hold secrets) stays in memory: the stored
    # state holds only the call id.
    assert "Bearer s3cret" not in conversation.state.model_dump_json()
    assert conversation.state.node_data == {"_call": call.call_id}


def test_success_maps_the_reply(branch: Any) -> None:
    conversation = branch("http_request", CONFIG)
    call = call_of(conversation.start(VARIABLES))
    reply = {"data": {"items": [{"status": "shipped"}], "count": 3}}
    conversation.send(result(call, status=200, json=reply, json_ok=True))
    assert conversation.exit_port == "success"
    assert conversation.variables["Status"] == "shipped"
    assert conversation.variables["Count"] == 3
    assert conversation.variables["Code"] == 200


def test_absent_path_takes_its_default(branch: Any) -> None:
    conversation = branch("http_request", CONFIG)
    call = call_of(conversation.start(VARIABLES))
    conversation.send(result(call, status=201, json={"data": {}}, json_ok=True))
    assert conversation.exit_port == "success"
    assert conversation.variables["Status"] == "unknown"
    assert conversation.variables["Count"] is None


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"status": 404, "json": {"data": {"count": 9}}, "json_ok": True}, 404),
        ({"status": 200, "json": None, "json_ok": False}, 200),  # not JSON
        ({"status": None, "error": "timeout"}, 0),
        ({"status": None, "error": "refused"}, 0),
        ({"status": 503, "error": None}, 503),
    ],
)
def test_failure_sets_defaults(branch: Any, data: dict[str, Any], code: int) -> None:
    conversation = branch("http_request", CONFIG)
    call = call_of(conversation.start(VARIABLES))
    conversation.send(result(call, **data))
    assert conversation.exit_port == "failure"
    assert conversation.variables["Status"] == "unknown"
    assert conversation.variables["Count"] is None
    assert conversation.variables["Code"] == code


def test_stale_result_and_customer_messages_change_nothing(branch: Any) -> None:
    conversation = branch("http_request", CONFIG)
    call = call_of(conversation.start(VARIABLES))
    before = conversation.state.model_dump()
    outcome = conversation.send(Resume(CALL_PORT, {"call_id": "older", "result": {"status": 200}}))
    assert outcome.effects == [] or not [e for e in outcome.effects if isinstance(e, CallOut)]
    assert not [e for e in outcome.effects if isinstance(e, RequestHandoff)]
    assert conversation.state.status == "handoff"
    conversation.send(TextInput("hello?"))
    assert conversation.state.model_dump() == before
    conversation.send(result(call, status=200, json={}, json_ok=True))
    assert conversation.exit_port == "success"


def test_a_lost_call_is_made_again_then_fails(branch: Any) -> None:
    conversation = branch("http_request", CONFIG)
    call = call_of(conversation.start(VARIABLES))
    for _ in range(2):
        again = call_of(conversation.send(result(call, lost=True)))
        assert again.call_id != call.call_id and again.request == call.request
        call = again
    conversation.send(result(call, lost=True))
    assert conversation.exit_port == "failure"
    assert conversation.variables["Code"] == 0


def test_text_body_and_no_body(branch: Any) -> None:
    text = branch("http_request", {"url": "https://x.test/", "body": "id=${OrderId}"})
    assert call_of(text.start(VARIABLES)).request["body"] == "id=42"
    assert call_of(text.start(VARIABLES)).request["json"] is False
    empty = branch("http_request", {"url": "https://x.test/"})
    assert call_of(empty.start()).request["body"] is None


def test_static_analysis() -> None:
    module = HttpRequestModule()
    config = module.parse_config(CONFIG)
    assert set(module.variables_written(config)) == {"Status", "Count", "Code"}
    templates = module.templates(config)
    assert "Bearer ${Token}" in templates and "from ${Name}" in templates
