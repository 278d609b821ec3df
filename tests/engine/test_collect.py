from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.modules.collect import CollectConfig, CollectModule, normalise_answer
from flowdesk.engine.types import ArmTimer, ChoiceInput, OutboundMessage, RatingInput, TimerFired

ASK: dict[str, Any] = {"text": "Your order number, ${Name}?", "variable": "OrderNo"}


def ask(**changes: Any) -> dict[str, Any]:
    return {**ASK, **changes}


@pytest.mark.parametrize(
    ("input_type", "text", "pattern", "region", "value"),
    [
        ("text", "  hello world \n", None, None, "hello world"),
        ("text", "   ", None, None, None),
        ("number", "42", None, None, 42),
        ("number", " -3.5 ", None, None, -3.5),
        ("number", "+7", None, None, 7),
        ("number", "1,234.5", None, None, 1234.5),
        ("number", "1,234,567", None, None, 1234567),
        ("number", "2.0", None, None, 2),
        ("number", "12,34", None, None, None),
        ("number", "1,2345", None, None, None),
        ("number", "nan", None, None, None),
        ("number", "inf", None, None, None),
        ("number", "1e5", None, None, None),
        ("number", "forty", None, None, None),
        ("number", "4 2", None, None, None),
        ("email", "  ann@example.com ", None, None, "ann@example.com"),
        ("email", "Ann.Lee@Example.COM", None, None, "Ann.Lee@Example.COM"),
        ("email", "ann@", None, None, None),
        ("email", "ann example.com", None, None, None),
        ("phone", "+49 30 901820", None, None, "+4930901820"),
        ("phone", "030 901820", None, "DE", "+4930901820"),
        ("phone", "030 901820", None, "de", "+4930901820"),
        ("phone", "030 901820", None, "XX", None),
        ("phone", "(201) 555-0123", None, "US", "+12015550123"),
        ("phone", "030 901820", None, None, None),
        ("phone", "+49 1", None, None, None),
        ("phone", "call me", None, "DE", None),
        ("regex", " AB-1234 ", r"[A-Z]{2}-\d{4}", None, "AB-1234"),
        ("regex", "AB-12345", r"[A-Z]{2}-\d{4}", None, None),
        ("regex", "xAB-1234", r"[A-Z]{2}-\d{4}", None, None),
    ],
)
def test_normalise_answer(
    input_type: Any, text: str, pattern: str | None, region: str | None, value: Any
) -> None:
    result = normalise_answer(input_type, text, pattern, region)
    assert result == value
    assert type(result) is type(value)


def test_valid_answer_is_stored_and_leaves_by_next(branch: Any) -> None:
    conversation = branch("collect", ask(input_type="number"))
    outcome = conversation.start({"Name": "Ann"})
    assert outcome.messages == [OutboundMessage(text="Your order number, Ann?")]
    outcome = conversation.say(" 1,200 ")
    assert conversation.variables["OrderNo"] == 1200
    assert conversation.exit_port == "next"
    assert outcome.messages == []


def test_phone_uses_the_channel_default_region(branch: Any) -> None:
    conversation = branch(
        "collect", ask(input_type="phone"), channel_settings={"default_region": "DE"}
    )
    conversation.start()
    conversation.say("030 901820")
    assert conversation.variables["OrderNo"] == "+4930901820"


@pytest.mark.parametrize(("event", "value"), [(ChoiceInput("yes"), "yes"), (RatingInput(4), "4")])
def test_choice_and_rating_count_as_text(branch: Any, event: Any, value: str) -> None:
    conversation = branch("collect", ASK)
    conversation.start()
    conversation.send(event)
    assert conversation.variables["OrderNo"] == value


def test_invalid_answers_ask_again_then_leave_by_invalid(branch: Any) -> None:
    conversation = branch("collect", ask(input_type="email", max_retries=1))
    conversation.start({"Name": "Ann"})
    outcome = conversation.say("not an email")
    assert outcome.messages == [OutboundMessage(text="Your order number, Ann?")]
    assert conversation.state.node_data["retries"] == 1
    outcome = conversation.say("still not")
    assert outcome.messages == []
    assert conversation.exit_port == "invalid"
    assert "OrderNo" not in conversation.variables


def test_retry_text_replaces_the_question(branch: Any) -> None:
    conversation = branch("collect", ask(input_type="number", retry_text="Digits only, please."))
    conversation.start()
    outcome = conversation.say("abc")
    assert outcome.messages == [OutboundMessage(text="Digits only, please.")]
    conversation.say("7")
    assert conversation.variables["OrderNo"] == 7
    assert conversation.exit_port == "next"


def test_timeout(branch: Any, clock: Any) -> None:
    conversation = branch("collect", ask(timeout_seconds=300))
    outcome = conversation.start()
    assert ArmTimer("node", clock.now() + timedelta(seconds=300)) in outcome.effects
    conversation.send(TimerFired("node"))
    assert conversation.exit_port == "timeout"


def test_node_timer_without_a_timeout_is_ignored(branch: Any) -> None:
    conversation = branch("collect", ASK)
    conversation.start()
    conversation.send(TimerFired("node"))
    assert conversation.state.node_id == "node"


@pytest.mark.parametrize(
    "change",
    [
        {"input_type": "regex"},
        {"input_type": "regex", "pattern": "("},
        {"input_type": "date"},
        {"variable": "Now"},
        {"variable": "SessionId"},
        {"variable": "1abc"},
        {"variable": "a-b"},
        {"text": ""},
        {"max_retries": -1},
        {"timeout_seconds": 0},
        {"extra": True},
    ],
)
def test_invalid_configs_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CollectConfig.model_validate(ask(**change))


def test_system_variable_error_says_why() -> None:
    with pytest.raises(ValidationError, match="system variable"):
        CollectConfig.model_validate(ask(variable="StaffNo"))


def test_static_analysis() -> None:
    module = CollectModule()
    config = module.parse_config(ask(retry_text="Again ${Name}?"))
    assert module.ports(config) == ["next", "invalid", "timeout"]
    assert list(module.variables_written(config)) == ["OrderNo"]
    assert list(module.templates(config)) == [ASK["text"], "Again ${Name}?"]
    assert module.waits_for_customer
