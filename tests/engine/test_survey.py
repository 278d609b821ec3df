from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.module import RunEnv
from flowdesk.engine.modules.survey import COMMENT_PROMPT, SurveyConfig, SurveyModule
from flowdesk.engine.types import (
    ArmTimer,
    CancelTimer,
    ChoiceInput,
    FlowState,
    OutboundMessage,
    RatingInput,
    RecordRating,
    Resume,
    SendMessage,
    TextInput,
    TimerFired,
)

SURVEY: dict[str, Any] = {"text": "How did we do, ${Name}?"}
PROMPT = OutboundMessage(text=COMMENT_PROMPT)


def survey(**changes: Any) -> dict[str, Any]:
    return {**SURVEY, **changes}


def ratings(outcome: Any) -> list[RecordRating]:
    return [e for e in outcome.effects if isinstance(e, RecordRating)]


# ------------------------------------------------------------------ asking


@pytest.mark.parametrize("scale", ["stars5", "levels3"])
def test_sends_a_survey_message_and_waits(branch: Any, scale: str) -> None:
    conversation = branch("survey", survey(scale=scale))
    outcome = conversation.start({"Name": "Ann"})
    assert outcome.messages == [
        OutboundMessage(text="How did we do, Ann?", type="survey", scale=scale)
    ]
    assert conversation.state.status == "waiting"
    assert conversation.state.node_id == "node"
    assert not any(isinstance(e, ArmTimer) and e.kind == "node" for e in outcome.effects)


def test_the_default_scale_is_five_stars(branch: Any) -> None:
    outcome = branch("survey", SURVEY).start()
    assert outcome.messages[0].scale == "stars5"


# ------------------------------------------------------------------ ratings


@pytest.mark.parametrize(
    ("scale", "rating"),
    [*(("stars5", r) for r in range(1, 6)), *(("levels3", r) for r in range(1, 4))],
)
def test_a_rating_in_range_is_recorded(branch: Any, scale: str, rating: int) -> None:
    conversation = branch("survey", survey(scale=scale))
    conversation.start()
    outcome = conversation.send(RatingInput(rating))
    assert ratings(outcome) == [RecordRating(rating, None)]
    assert outcome.messages == []
    assert conversation.exit_port == "rated"


def test_a_comment_sent_with_the_rating_is_recorded_trimmed(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    outcome = conversation.send(RatingInput(3, "  Slow, but friendly. "))
    assert ratings(outcome) == [RecordRating(3, "Slow, but friendly.")]
    assert conversation.exit_port == "rated"


def test_thanks_text_follows_the_recorded_rating(branch: Any) -> None:
    conversation = branch("survey", survey(thanks_text="Thank you, ${Name}!"))
    conversation.start({"Name": "Ann"})
    outcome = conversation.send(RatingInput(4))
    assert outcome.effects[:2] == [
        RecordRating(4, None),
        SendMessage(OutboundMessage(text="Thank you, Ann!")),
    ]
    assert conversation.exit_port == "rated"


@pytest.mark.parametrize(
    ("scale", "text", "rating"),
    [
        ("stars5", "4", 4),
        ("stars5", " 5 \n", 5),
        ("stars5", "1", 1),
        ("stars5", "\uff14", 4),  # a full-width digit, as Chinese and Japanese IMEs type it
        ("levels3", "3", 3),
        ("levels3", " 2", 2),
    ],
)
def test_a_typed_number_in_range_is_a_rating(
    branch: Any, scale: str, text: str, rating: int
) -> None:
    conversation = branch("survey", survey(scale=scale))
    conversation.start()
    outcome = conversation.say(text)
    assert ratings(outcome) == [RecordRating(rating, None)]
    assert conversation.exit_port == "rated"


@pytest.mark.parametrize(
    ("scale", "text"),
    [
        ("stars5", "6"),
        ("stars5", "0"),
        ("stars5", "-1"),
        ("stars5", "4.0"),
        ("stars5", "4 stars"),
        ("stars5", "great, thanks"),
        ("stars5", ""),
        ("stars5", "9" * 5000),
        ("levels3", "4"),
        ("levels3", "5"),
    ],
)
def test_any_other_text_is_skipped(branch: Any, scale: str, text: str) -> None:
    conversation = branch("survey", survey(scale=scale, thanks_text="Thanks!"))
    conversation.start()
    outcome = conversation.say(text)
    assert ratings(outcome) == []
    assert outcome.messages == []
    assert conversation.exit_port == "skipped"


def test_a_button_press_is_skipped(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    outcome = conversation.send(ChoiceInput("5"))
    assert ratings(outcome) == []
    assert conversation.exit_port == "skipped"


def test_expiry_is_skipped(branch: Any, clock: Any) -> None:
    conversation = branch("survey", survey(expire_seconds=3600))
    outcome = conversation.start()
    assert ArmTimer("node", clock.now() + timedelta(seconds=3600)) in outcome.effects
    clock.advance(3600)
    outcome = conversation.send(TimerFired("node"))
    assert ratings(outcome) == []
    assert CancelTimer("node") in outcome.effects
    assert conversation.exit_port == "skipped"


def test_a_node_timer_it_did_not_arm_is_ignored(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    outcome = conversation.send(TimerFired("node"))
    assert outcome.messages == []
    assert conversation.state.node_id == "node"
    assert conversation.state.status == "waiting"


def test_rating_cancels_the_expiry(branch: Any) -> None:
    conversation = branch("survey", survey(expire_seconds=60))
    conversation.start()
    outcome = conversation.send(RatingInput(5))
    assert CancelTimer("node") in outcome.effects
    assert conversation.exit_port == "rated"


def test_a_resume_leaves_by_its_port(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    conversation.send(Resume("skipped"))
    assert conversation.exit_port == "skipped"


# ------------------------------------------------------------------ out of range


@pytest.mark.parametrize(
    ("scale", "rating", "refusal"),
    [
        ("stars5", 6, "the rating must be between 1 and 5"),
        ("stars5", 0, "the rating must be between 1 and 5"),
        ("stars5", -3, "the rating must be between 1 and 5"),
        ("levels3", 4, "the rating must be between 1 and 3"),
        ("levels3", 5, "the rating must be between 1 and 3"),
        ("stars5", 5, None),
        ("levels3", 1, None),
    ],
)
def test_check_input_refuses_ratings_out_of_range(
    branch: Any, scale: str, rating: int, refusal: str | None
) -> None:
    conversation = branch("survey", survey(scale=scale))
    conversation.start()
    assert (
        conversation.engine.check_input(conversation.flow, conversation.state, RatingInput(rating))
        == refusal
    )


@pytest.mark.parametrize("event", [TimerFired("node"), ChoiceInput("9")])
def test_check_input_refuses_nothing_else(branch: Any, event: Any) -> None:
    conversation = branch("survey", survey(scale="levels3"))
    conversation.start()
    check = conversation.engine.check_input
    assert check(conversation.flow, conversation.state, event) is None
    assert check(conversation.flow, conversation.state, RatingInput(1)) is None


def test_typed_numbers_out_of_range_are_not_refused(branch: Any) -> None:
    conversation = branch("survey", survey(scale="levels3"))
    conversation.start()
    assert (
        conversation.engine.check_input(conversation.flow, conversation.state, TextInput("5"))
        is None
    )


def test_check_input_only_judges_a_waiting_conversation(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    conversation.send(RatingInput(5))
    assert conversation.state.status == "ended"
    check = conversation.engine.check_input
    assert check(conversation.flow, conversation.state, RatingInput(6)) is None


def test_an_out_of_range_rating_that_gets_through_changes_nothing(branch: Any) -> None:
    conversation = branch("survey", SURVEY)
    conversation.start()
    before = conversation.state
    outcome = conversation.send(RatingInput(6))
    assert ratings(outcome) == []
    assert outcome.messages == []
    assert conversation.state.node_id == "node"
    assert conversation.state.node_data == before.node_data


# ------------------------------------------------------------------ comments


def comment_survey(branch: Any, **changes: Any) -> Any:
    conversation = branch("survey", survey(ask_comment=True, thanks_text="Thanks!", **changes))
    conversation.start()
    return conversation


def test_a_comment_with_the_rating_needs_no_prompt(branch: Any) -> None:
    conversation = comment_survey(branch)
    outcome = conversation.send(RatingInput(4, "Quick and kind"))
    assert ratings(outcome) == [RecordRating(4, "Quick and kind")]
    assert [m.text for m in outcome.messages] == ["Thanks!"]
    assert conversation.exit_port == "rated"


@pytest.mark.parametrize("comment", [None, "", "   "])
def test_a_rating_without_a_comment_asks_for_one(branch: Any, comment: str | None) -> None:
    conversation = comment_survey(branch)
    outcome = conversation.send(RatingInput(4, comment))
    assert ratings(outcome) == []
    assert outcome.messages == [PROMPT]
    assert conversation.state.status == "waiting"
    assert conversation.state.node_id == "node"
    assert conversation.state.node_data == {"rating": 4}


@pytest.mark.parametrize(
    ("reply", "comment"),
    [
        ("  The agent was great.  ", "The agent was great."),
        ("3", "3"),  # once rated, a number is a comment, not a new rating
        ("skip", None),
        ("SKIP", None),
        (" Skip ", None),
        ("   ", None),
    ],
)
def test_the_next_text_is_the_comment(branch: Any, reply: str, comment: str | None) -> None:
    conversation = comment_survey(branch)
    conversation.send(RatingInput(5))
    outcome = conversation.say(reply)
    assert ratings(outcome) == [RecordRating(5, comment)]
    assert [m.text for m in outcome.messages] == ["Thanks!"]
    assert conversation.exit_port == "rated"


def test_a_typed_rating_then_a_typed_comment(branch: Any) -> None:
    conversation = comment_survey(branch, scale="levels3")
    outcome = conversation.say("2")
    assert outcome.messages == [PROMPT]
    outcome = conversation.say("Had to wait a while")
    assert ratings(outcome) == [RecordRating(2, "Had to wait a while")]
    assert conversation.exit_port == "rated"


def test_skip_sent_with_the_rating_means_no_comment(branch: Any) -> None:
    conversation = comment_survey(branch)
    outcome = conversation.send(RatingInput(3, "skip"))
    assert ratings(outcome) == [RecordRating(3, None)]
    assert conversation.exit_port == "rated"


def test_rating_again_while_asked_for_a_comment_replaces_the_rating(branch: Any) -> None:
    conversation = comment_survey(branch)
    conversation.send(RatingInput(2))
    outcome = conversation.send(RatingInput(4))
    assert outcome.messages == [PROMPT]
    assert conversation.state.node_data == {"rating": 4}
    outcome = conversation.send(RatingInput(5, "Changed my mind"))
    assert ratings(outcome) == [RecordRating(5, "Changed my mind")]


@pytest.mark.parametrize(
    "event",
    [ChoiceInput("anything"), RatingInput(9)],
)
def test_no_comment_but_a_non_text_reply_keeps_the_rating(branch: Any, event: Any) -> None:
    conversation = comment_survey(branch)
    conversation.send(RatingInput(4))
    outcome = conversation.send(event)
    assert ratings(outcome) == [RecordRating(4, None)]
    assert conversation.exit_port == "rated"


def test_expiry_while_asked_for_a_comment_keeps_the_rating(branch: Any) -> None:
    conversation = comment_survey(branch, expire_seconds=120)
    conversation.send(RatingInput(1))
    outcome = conversation.send(TimerFired("node"))
    assert ratings(outcome) == [RecordRating(1, None)]
    assert CancelTimer("node") in outcome.effects
    assert conversation.exit_port == "rated"


def test_a_stale_timer_while_asked_for_a_comment_is_ignored(branch: Any) -> None:
    conversation = comment_survey(branch)
    conversation.send(RatingInput(1))
    outcome = conversation.send(TimerFired("node"))
    assert outcome.effects == [ArmTimer("idle", conversation.clock.now() + timedelta(days=1))]
    assert conversation.state.node_data == {"rating": 1}


def test_without_ask_comment_a_rating_finishes_at_once(branch: Any) -> None:
    conversation = branch("survey", survey(ask_comment=False))
    conversation.start()
    outcome = conversation.send(RatingInput(2))
    assert ratings(outcome) == [RecordRating(2, None)]
    assert PROMPT not in outcome.messages


def test_the_pending_rating_survives_a_round_trip(doc: Any, engine: Any, clock: Any) -> None:
    flow = engine.compile(
        doc(
            {"start": "start", "s": ("survey", survey(ask_comment=True)), "bye": "end"},
            "start.next -> s",
            "s.rated -> bye",
            "s.skipped -> bye",
        )
    )
    env = RunEnv(now=clock.now())
    state = engine.start(flow, env).state
    state = engine.handle(flow, state, RatingInput(3), env).state
    restored = FlowState.model_validate_json(state.model_dump_json())
    outcome = engine.handle(flow, restored, TextInput("fine"), env)
    assert ratings(outcome) == [RecordRating(3, "fine")]


# ------------------------------------------------------------------ config


@pytest.mark.parametrize(
    "change",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "x" * 4001},
        {"scale": "stars10"},
        {"ask_comment": "maybe"},
        {"thanks_text": "x" * 4001},
        {"expire_seconds": 0},
        {"expire_seconds": 604801},
        {"colour": "gold"},
    ],
)
def test_invalid_configs_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SurveyConfig.model_validate(survey(**change))


def test_defaults() -> None:
    config = SurveyConfig.model_validate(SURVEY)
    assert config.scale == "stars5"
    assert config.ask_comment is False
    assert config.thanks_text is None
    assert config.expire_seconds is None


def test_ports_templates_and_references() -> None:
    module = SurveyModule()
    config = module.parse_config(survey(thanks_text="Bye ${Name}"))
    assert module.ports(config) == ["rated", "skipped"]
    assert list(module.templates(config)) == [SURVEY["text"], "Bye ${Name}"]
    assert list(module.references(config)) == []
    assert module.waits_for_customer is True
