from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.modules.end import EndConfig, EndModule
from flowdesk.engine.modules.message import MessageConfig, MessageModule
from flowdesk.engine.modules.start import StartConfig, StartModule
from flowdesk.engine.types import CancelTimer, OutboundMessage


def test_start_message_end(doc: Any, converse: Any) -> None:
    document = doc(
        {
            "start": "start",
            "welcome": ("message", {"text": "Hi! You are talking to ${ClientAppName}."}),
            "bye": ("end", {"text": "Thanks, ${Name}. Goodbye."}),
        },
        "start.next -> welcome",
        "welcome.next -> bye",
    )
    conversation = converse(document, system={"ClientAppName": "Acme"})
    outcome = conversation.start({"Name": "Ann"})
    assert outcome.messages == [
        OutboundMessage(text="Hi! You are talking to Acme."),
        OutboundMessage(text="Thanks, Ann. Goodbye."),
    ]
    assert conversation.state.status == "ended"
    assert conversation.state.end_reason == "flow_end"
    assert conversation.state.path == ["start", "welcome", "bye"]
    assert CancelTimer("idle") in outcome.effects


@pytest.mark.parametrize("config", [{}, {"text": None}, {"text": ""}])
def test_end_without_text_sends_nothing(doc: Any, converse: Any, config: dict[str, Any]) -> None:
    conversation = converse(doc({"start": "start", "bye": ("end", config)}, "start.next -> bye"))
    outcome = conversation.start()
    assert outcome.messages == []
    assert conversation.state.end_reason == "flow_end"


def test_message_rendering_to_blank_sends_nothing(doc: Any, converse: Any) -> None:
    document = doc(
        {"start": "start", "m": ("message", {"text": "${Nothing}"}), "bye": "end"},
        "start.next -> m",
        "m.next -> bye",
    )
    outcome = converse(document).start()
    assert outcome.messages == []


@pytest.mark.parametrize(
    ("model", "config"),
    [
        (MessageConfig, {}),
        (MessageConfig, {"text": ""}),
        (MessageConfig, {"text": " \n "}),
        (MessageConfig, {"text": "x" * 4001}),
        (MessageConfig, {"text": "x", "delay": 1}),
        (EndConfig, {"text": "x" * 4001}),
        (EndConfig, {"reason": "x"}),
        (StartConfig, {"text": "x"}),
    ],
)
def test_invalid_configs_are_refused(model: Any, config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(config)


def test_ports_and_flags() -> None:
    start, message, end = StartModule(), MessageModule(), EndModule()
    assert start.ports(start.parse_config({})) == ["next"]
    assert start.deletable is False
    assert message.ports(message.parse_config({"text": "x"})) == ["next"]
    assert end.ports(end.parse_config({})) == []
    assert list(message.templates(message.parse_config({"text": "a ${B}"}))) == ["a ${B}"]
    assert list(end.templates(end.parse_config({"text": "${C}"}))) == ["${C}"]
    assert list(end.templates(end.parse_config({}))) == []
