from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs

from flowdesk.engine.module import Reference, RunEnv
from flowdesk.engine.modules.transfer import TransferConfig, TransferModule
from flowdesk.engine.types import (
    CancelTimer,
    ChoiceInput,
    OutboundMessage,
    RatingInput,
    RecordRating,
    RequestHandoff,
    Resume,
    SendMessage,
    TextInput,
    TimerFired,
)

TRANSFER: dict[str, Any] = {
    "skill_group_id": "support",
    "connecting_text": "One moment ${Name}, connecting you to an agent.",
    "queue_text": "You are number ${WaitNo} in the queue.",
    "success_text": "${StaffNickName} (#${StaffNo}) is here to help.",
    "failure_text": "Sorry ${Name}, nobody is available right now.",
}


def transfer(**changes: Any) -> dict[str, Any]:
    return {**TRANSFER, **changes}


def handed_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config as the desk receives it in `RequestHandoff` (defaults filled in)."""
    return TransferConfig.model_validate(config).model_dump(mode="json")


# ------------------------------------------------------------------ running


def test_connecting_text_then_handoff(branch: Any) -> None:
    conversation = branch("transfer", TRANSFER)
    outcome = conversation.start({"Name": "Ann"})
    assert outcome.effects == [
        SendMessage(OutboundMessage(text="One moment Ann, connecting you to an agent.")),
        RequestHandoff("node", "transfer", handed_config(TRANSFER)),
        CancelTimer("idle"),
    ]
    assert conversation.state.status == "handoff"
    assert conversation.state.node_id == "node"


def test_the_desk_gets_every_setting(branch: Any) -> None:
    config = transfer(agent_id="u7", priority=1, max_wait_seconds=600)
    outcome = branch("transfer", config).start()
    (handoff,) = [e for e in outcome.effects if isinstance(e, RequestHandoff)]
    assert handoff.config == {
        "skill_group_id": "support",
        "agent_id": "u7",
        "priority": 1,
        "connecting_text": TRANSFER["connecting_text"],
        "queue_text": TRANSFER["queue_text"],
        "success_text": TRANSFER["success_text"],
        "failure_text": TRANSFER["failure_text"],
        "max_wait_seconds": 600,
    }


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"skill_group_id": "support"}, id="no-connecting-text"),
        pytest.param(transfer(connecting_text=""), id="empty-connecting-text"),
        pytest.param(transfer(connecting_text="${Unset}"), id="renders-blank"),
    ],
)
def test_no_connecting_text_sends_nothing(branch: Any, config: dict[str, Any]) -> None:
    conversation = branch("transfer", config)
    outcome = conversation.start()
    assert outcome.messages == []
    assert conversation.state.status == "handoff"


@pytest.mark.parametrize(
    "event",
    [
        TextInput("hello? anyone?"),
        ChoiceInput("done"),
        RatingInput(5),
        TimerFired("node"),
        TimerFired("idle"),
    ],
)
def test_the_bot_is_silent_while_handed_off(branch: Any, event: Any) -> None:
    conversation = branch("transfer", TRANSFER)
    conversation.start({"Name": "Ann"})
    before = conversation.state
    outcome = conversation.send(event)
    assert outcome.effects == []
    assert conversation.state == before


def test_no_agent_sends_the_failure_text(branch: Any) -> None:
    conversation = branch("transfer", TRANSFER)
    conversation.start({"Name": "Ann"})
    outcome = conversation.send(Resume("no_agent"))
    assert outcome.messages == [OutboundMessage(text="Sorry Ann, nobody is available right now.")]
    assert conversation.exit_port == "no_agent"
    assert conversation.state.end_reason == "flow_end"


def test_no_agent_without_failure_text_is_silent(branch: Any) -> None:
    conversation = branch("transfer", {"skill_group_id": "support"})
    conversation.start()
    outcome = conversation.send(Resume("no_agent"))
    assert outcome.messages == []
    assert conversation.exit_port == "no_agent"


@pytest.mark.parametrize("port", ["timeout", "done"])
def test_timeout_and_done_leave_silently(branch: Any, port: str) -> None:
    conversation = branch("transfer", TRANSFER)
    conversation.start({"Name": "Ann"})
    outcome = conversation.send(Resume(port))
    assert outcome.messages == []
    assert conversation.exit_port == port


def test_a_port_the_node_lacks_ends_the_flow_with_an_error(branch: Any) -> None:
    conversation = branch("transfer", TRANSFER)
    conversation.start()
    with capture_logs() as logs:
        conversation.send(Resume("elsewhere"))
    assert conversation.state.end_reason == "flow_error"
    assert logs[0]["event"] == "flow_unconnected_port"
    assert logs[0]["port"] == "elsewhere"


def service_flow(doc: Any) -> Any:
    """start → transfer; done → survey → end; no_agent and timeout → their own messages → end."""
    return doc(
        {
            "start": "start",
            "desk": ("transfer", TRANSFER),
            "rate": (
                "survey",
                {"text": "How did ${StaffNickName} do?", "thanks_text": "Thanks!"},
            ),
            "busy": ("message", {"text": "Please try again later."}),
            "slow": ("message", {"text": "Waiting took too long, sorry."}),
            "bye": ("end", {"text": "Goodbye."}),
        },
        "start.next -> desk",
        "desk.done -> rate",
        "desk.no_agent -> busy",
        "desk.timeout -> slow",
        "rate.rated -> bye",
        "rate.skipped -> bye",
        "busy.next -> bye",
        "slow.next -> bye",
    )


def test_done_resumes_the_flow_at_the_survey(doc: Any, converse: Any) -> None:
    conversation = converse(service_flow(doc), system={"StaffNickName": "Bea"})
    conversation.start({"Name": "Ann"})
    outcome = conversation.send(Resume("done"))
    assert outcome.messages == [
        OutboundMessage(text="How did Bea do?", type="survey", scale="stars5")
    ]
    assert conversation.state.status == "waiting"
    assert conversation.state.node_id == "rate"
    outcome = conversation.send(RatingInput(5, "Lovely"))
    assert outcome.effects[0] == RecordRating(5, "Lovely")
    assert [m.text for m in outcome.messages] == ["Thanks!", "Goodbye."]
    assert conversation.state.path == ["start", "desk", "rate", "bye"]
    assert conversation.state.end_reason == "flow_end"


@pytest.mark.parametrize(
    ("port", "texts", "path"),
    [
        (
            "no_agent",
            [
                "Sorry Ann, nobody is available right now.",
                "Please try again later.",
                "Goodbye.",
            ],
            ["start", "desk", "busy", "bye"],
        ),
        (
            "timeout",
            ["Waiting took too long, sorry.", "Goodbye."],
            ["start", "desk", "slow", "bye"],
        ),
    ],
)
def test_no_agent_and_timeout_continue_along_their_ports(
    doc: Any, converse: Any, port: str, texts: list[str], path: list[str]
) -> None:
    conversation = converse(service_flow(doc))
    conversation.start({"Name": "Ann"})
    outcome = conversation.send(Resume(port))
    assert [m.text for m in outcome.messages] == texts
    assert conversation.state.path == path


def test_check_input_accepts_anything_while_handed_off(doc: Any, engine: Any, clock: Any) -> None:
    flow = engine.compile(service_flow(doc))
    state = engine.start(flow, RunEnv(now=clock.now())).state
    assert state.status == "handoff"
    assert engine.check_input(flow, state, RatingInput(99)) is None


# ------------------------------------------------------------------ config


@pytest.mark.parametrize(
    "change",
    [
        {"skill_group_id": ""},
        {"skill_group_id": None},
        {"skill_group_id": "x" * 65},
        {"agent_id": ""},
        {"priority": 0},
        {"priority": 6},
        {"max_wait_seconds": 0},
        {"max_wait_seconds": 86401},
        {"connecting_text": "x" * 4001},
        {"queue_text": "x" * 4001},
        {"success_text": "x" * 4001},
        {"failure_text": "x" * 4001},
        {"skill_group": "support"},
    ],
)
def test_invalid_configs_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TransferConfig.model_validate(transfer(**change))


def test_only_the_skill_group_is_required() -> None:
    config = TransferConfig.model_validate({"skill_group_id": "support"})
    assert config.agent_id is None
    assert config.priority is None
    assert config.max_wait_seconds is None
    with pytest.raises(ValidationError):
        TransferConfig.model_validate({})


def test_ports() -> None:
    module = TransferModule()
    assert module.ports(module.parse_config(TRANSFER)) == ["done", "no_agent", "timeout"]
    assert module.waits_for_customer is True


def test_references() -> None:
    module = TransferModule()
    assert list(module.references(module.parse_config(TRANSFER))) == [
        Reference("skill_group", "support", "skill_group_id")
    ]
    assert list(module.references(module.parse_config(transfer(agent_id="u7")))) == [
        Reference("skill_group", "support", "skill_group_id"),
        Reference("agent", "u7", "agent_id"),
    ]


def test_templates() -> None:
    module = TransferModule()
    assert list(module.templates(module.parse_config(TRANSFER))) == [
        TRANSFER["connecting_text"],
        TRANSFER["queue_text"],
        TRANSFER["success_text"],
        TRANSFER["failure_text"],
    ]
    assert list(module.templates(module.parse_config({"skill_group_id": "s"}))) == []
