from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.module import Reference, ValidationEnv
from flowdesk.engine.modules.chatbot import (
    DID_YOU_MEAN_TEXT,
    ChatbotConfig,
    ChatbotModule,
    contains_keyword,
)
from flowdesk.engine.types import (
    CALL_PORT,
    ArmTimer,
    CallOut,
    ChoiceInput,
    RequestHandoff,
    Resume,
    TimerFired,
)
from flowdesk.retrieval import Entry, KnowledgeIndex

FAQ = KnowledgeIndex(
    [
        Entry("reset", "How do I reset my password?", "Use 'Forgot password'.", ("忘记密码",)),
        Entry("refund", "How long does a refund take?", "5-7 days."),
        Entry("addr_delivery", "How do I change my delivery address?", "Before it ships."),
        Entry("addr_billing", "How do I change my billing address?", "Under Billing."),
    ]
)
BOT: dict[str, Any] = {"knowledge_base_id": "kb1", "no_answer_text": "Sorry, no idea."}


def bot(branch: Any, index: KnowledgeIndex | None = FAQ, **config: Any) -> Any:
    resources = {"knowledge_base": {"kb1": index}} if index is not None else {}
    return branch("chatbot", {**BOT, **config}, resources=resources)


def texts(outcome: Any) -> list[str]:
    return [m.text for m in outcome.messages]


def test_config_defaults_and_limits() -> None:
    config = ChatbotConfig.model_validate({"knowledge_base_id": "kb1"})
    assert config.mode == "faq" and config.max_misses == 2
    assert config.handoff_keywords == ["human", "agent", "人工"]
    with pytest.raises(ValidationError):
        ChatbotConfig.model_validate({**BOT, "suggestions": ["q"] * 21})
    with pytest.raises(ValidationError):
        ChatbotConfig.model_validate({**BOT, "exit_keywords": [" "]})
    with pytest.raises(ValidationError):
        ChatbotConfig.model_validate({**BOT, "mode": "magic"})


def test_welcome_then_answers(branch: Any) -> None:
    conversation = bot(branch, welcome_text="Hi ${Name}, ask me anything.")
    assert texts(conversation.start({"Name": "Ann"})) == ["Hi Ann, ask me anything."]
    assert texts(conversation.say("I need to reset my password")) == ["Use 'Forgot password'."]
    assert texts(conversation.say("我忘记密码了")) == ["Use 'Forgot password'."]
    assert conversation.state.node_id == "node" and conversation.state.status == "waiting"


def test_suggestions_are_a_menu_whose_click_asks(branch: Any) -> None:
    conversation = bot(branch, suggestions=["How long does a refund take?", "Reset password"])
    (menu,) = conversation.start().messages
    assert menu.type == "menu" and menu.text == "You can ask me, for example:"
    assert [o["id"] for o in menu.options or []] == ["ask:0", "ask:1"]
    assert texts(conversation.send(ChoiceInput("ask:1"))) == ["Use 'Forgot password'."]
    # A number picks from the choices offered last; after an answer there are none.
    assert texts(conversation.say("1")) == ["Sorry, no idea."]


def test_did_you_mean_offers_close_entries_and_a_click_answers(branch: Any) -> None:
    conversation = bot(branch)
    conversation.start()
    (menu,) = conversation.say("change address").messages
    assert menu.type == "menu" and menu.text == DID_YOU_MEAN_TEXT
    ids = [o["id"] for o in menu.options or []]
    assert set(ids) == {"entry:addr_delivery", "entry:addr_billing"}
    assert texts(conversation.send(ChoiceInput("entry:addr_billing"))) == ["Under Billing."]
    conversation.say("change address")
    second = ids.index("entry:addr_delivery") + 1
    assert texts(conversation.say(str(second))) == ["Before it ships."]


def test_misses_then_no_answer(branch: Any) -> None:
    conversation = bot(branch, max_misses=2)
    conversation.start()
    assert texts(conversation.say("what is the weather")) == ["Sorry, no idea."]
    assert conversation.exit_port is None
    assert texts(conversation.say("refund time?")) == ["5-7 days."]  # an answer resets the count
    conversation.say("tell me a joke")
    assert conversation.exit_port is None
    assert texts(conversation.say("sing a song")) == ["Sorry, no idea."]
    assert conversation.exit_port == "no_answer"


@pytest.mark.parametrize(
    ("text", "port"),
    [
        ("I want a HUMAN please", "handoff"),
        ("转人工", "handoff"),
        ("agent", "handoff"),
        ("bye", "exit"),
        ("ok bye then", "exit"),
    ],
)
def test_keywords_leave(branch: Any, text: str, port: str) -> None:
    conversation = bot(branch, exit_keywords=["bye"])
    conversation.start()
    assert conversation.say(text).messages == []
    assert conversation.exit_port == port


def test_keyword_is_a_whole_word() -> None:
    assert not contains_keyword("the reagent is late", ["agent"])
    assert contains_keyword("Agent, please", ["agent"])
    assert contains_keyword("我要人工服务", ["人工"])


def test_timeout_is_rearmed_by_each_message(branch: Any, clock: Any) -> None:
    conversation = bot(branch, timeout_seconds=60)
    start = conversation.start()
    assert ArmTimer("node", clock.now() + timedelta(seconds=60)) in start.effects
    clock.advance(30)
    again = conversation.say("refund?")
    assert ArmTimer("node", clock.now() + timedelta(seconds=60)) in again.effects
    conversation.send(TimerFired("node"))
    assert conversation.exit_port == "timeout"


def test_missing_or_empty_base_is_a_miss(branch: Any) -> None:
    for index in (None, KnowledgeIndex([])):
        conversation = bot(branch, index=index, max_misses=1)
        conversation.start()
        assert texts(conversation.say("reset password")) == ["Sorry, no idea."]
        assert conversation.exit_port == "no_answer"


def test_static_analysis() -> None:
    module = ChatbotModule()
    config = module.parse_config({**BOT, "mode": "llm"})
    assert module.references(config) == [Reference("knowledge_base", "kb1", "knowledge_base_id")]
    (issue,) = module.config_issues(config, ValidationEnv())
    assert issue.severity == "error" and issue.code == "llm_not_configured"
    assert module.config_issues(config, ValidationEnv(capabilities=frozenset({"llm"}))) == []
    assert module.config_issues(module.parse_config(BOT), ValidationEnv()) == []


# ------------------------------------------------------------------ llm mode


def llm_call(outcome: Any) -> CallOut:
    (call,) = [e for e in outcome.effects if isinstance(e, CallOut)]
    return call


def answer(call: CallOut, **result: Any) -> Resume:
    return Resume(CALL_PORT, {"call_id": call.call_id, "result": result})


def test_llm_mode_asks_with_the_best_entries(branch: Any) -> None:
    conversation = bot(branch, mode="llm")
    conversation.start()
    outcome = conversation.say("how do I reset my password")
    call = llm_call(outcome)
    assert outcome.messages == []
    assert not [e for e in outcome.effects if isinstance(e, RequestHandoff)]
    assert call.kind == "llm" and call.request["question"] == "how do I reset my password"
    assert call.request["entries"][0] == {
        "question": "How do I reset my password?",
        "answer": "Use 'Forgot password'.",
    }
    assert conversation.state.status == "handoff"
    assert texts(conversation.send(answer(call, ok=True, text="Click 'Forgot password'."))) == [
        "Click 'Forgot password'."
    ]
    assert conversation.state.status == "waiting"


def test_llm_cannot_help_is_a_miss(branch: Any) -> None:
    conversation = bot(branch, mode="llm", max_misses=1)
    conversation.start()
    call = llm_call(conversation.say("reset password for my cat"))
    assert texts(conversation.send(answer(call, ok=True, no_answer=True, text=""))) == [
        "Sorry, no idea."
    ]
    assert conversation.exit_port == "no_answer"


def test_llm_error_falls_back_to_the_faq_answer_or_a_miss(branch: Any) -> None:
    conversation = bot(branch, mode="llm")
    conversation.start()
    call = llm_call(conversation.say("reset my password"))
    assert texts(conversation.send(answer(call, ok=False))) == ["Use 'Forgot password'."]
    call = llm_call(conversation.say("change address"))  # no confident FAQ answer
    assert texts(conversation.send(answer(call, ok=False))) == ["Sorry, no idea."]


def test_llm_not_called_when_nothing_is_relevant(branch: Any) -> None:
    conversation = bot(branch, mode="llm")
    conversation.start()
    outcome = conversation.say("what is the weather")
    assert texts(outcome) == ["Sorry, no idea."]
    assert not [e for e in outcome.effects if isinstance(e, CallOut)]


def test_llm_lost_call_is_retried_then_falls_back(branch: Any) -> None:
    conversation = bot(branch, mode="llm")
    conversation.start()
    call = llm_call(conversation.say("reset my password"))
    stale = call
    call = llm_call(conversation.send(answer(call, lost=True)))
    assert call.call_id != stale.call_id
    # The first call's late result is stale: it changes nothing.
    assert conversation.send(answer(stale, ok=True, text="late")).messages == []
    assert conversation.state.status == "handoff"
    call = llm_call(conversation.send(answer(call, lost=True)))
    assert texts(conversation.send(answer(call, lost=True))) == ["Use 'Forgot password'."]
