"""`chatbot`: answers the customer's questions from a knowledge base until it exits.

Each message is, in order: a handoff keyword (→ `handoff`), an exit keyword (→ `exit`),
a pick from the choices last offered (a click, or its number typed), else a question
searched in the base. `faq` mode answers with the best entry's answer, or offers up to
three close entries ("did you mean", a `menu` message whose option ids pick an entry),
or counts a miss (`no_answer_text` each time; `max_misses` in a row leave by
`no_answer`). `llm` mode asks the configured OpenAI-compatible endpoint instead,
grounded in the best entries (a call-out, like `http_request`); a reply that says it
cannot help is a miss, and an endpoint error falls back to the `faq` answer.

The index comes in through `RunEnv.resources["knowledge_base"]`; a base that is empty
or was deleted after publishing just makes every question a miss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flowdesk.engine.module import ConfigIssue, Module, Reference, StepContext, ValidationEnv
from flowdesk.engine.modules.fields import OptionalText, Text, TimeoutSeconds
from flowdesk.engine.modules.replies import is_own_timeout, reply_text
from flowdesk.engine.types import (
    HANDOFF,
    WAIT,
    ChoiceInput,
    Continue,
    Event,
    OutboundMessage,
    StepResult,
)

#: Options a click sends: `ask:<n>` asks suggestion n, `entry:<id>` picks an entry.
ASK_PREFIX = "ask:"
ENTRY_PREFIX = "entry:"
DID_YOU_MEAN_TEXT = "Did you mean:"
SUGGESTIONS_TEXT = "You can ask me, for example:"
#: Entries the LLM sees; their answers ground its reply.
LLM_CONTEXT_ENTRIES = 5
LLM_BUDGET_SECONDS = 60.0
MAX_LOST = 2


class SearchPort(Protocol):
    """What the module needs of a knowledge-base index (`flowdesk.retrieval.KnowledgeIndex`)."""

    def __len__(self) -> int: ...

    def search(self, text: str) -> Any: ...

    def rank(self, text: str, limit: int = 5) -> Sequence[Any]: ...

    def entry(self, entry_id: str) -> Any: ...


def _keywords(value: list[str]) -> list[str]:
    for keyword in value:
        if not keyword.strip():
            raise ValueError("keywords cannot be blank")
        if len(keyword) > 100:
            raise ValueError("keywords are at most 100 characters")
    return value


class ChatbotConfig(BaseModel):
    """Settings of a `chatbot` node."""

    model_config = ConfigDict(extra="forbid", title="Chatbot")

    knowledge_base_id: str = Field(
        min_length=1, max_length=64, description="The knowledge base the bot answers from."
    )
    mode: Literal["faq", "llm"] = Field(
        default="faq",
        description="`faq`: the best entry's answer; `llm`: an AI reply grounded in the entries.",
    )
    welcome_text: OptionalText | None = Field(
        default=None, description="Sent when the bot starts (optional)."
    )
    suggestions: list[str] = Field(
        default=[],
        max_length=20,
        description="Questions offered as buttons when the bot starts (up to 20).",
    )
    no_answer_text: Text = Field(
        default="Sorry, I could not find an answer to that. Could you rephrase it?",
        description="Sent for a question the bot cannot answer.",
    )
    max_misses: int = Field(
        default=2, ge=1, le=20, description="Unanswered questions in a row before `no_answer`."
    )
    handoff_keywords: list[str] = Field(
        default=["human", "agent", "人工"],
        max_length=50,
        description="Words that ask for a person: leave by `handoff`.",
    )
    exit_keywords: list[str] = Field(
        default=[], max_length=50, description="Words that leave by `exit`."
    )
    timeout_seconds: TimeoutSeconds | None = Field(
        default=None,
        description="Leave by `timeout` when the customer is silent this long (optional).",
    )

    @field_validator("suggestions")
    @classmethod
    def _suggestions(cls, value: list[str]) -> list[str]:
        for question in value:
            if not question.strip() or len(question) > 200:
                raise ValueError("suggestions are 1 to 200 characters")
        return value

    _handoff = field_validator("handoff_keywords")(_keywords)
    _exit = field_validator("exit_keywords")(_keywords)


def contains_keyword(text: str, keywords: Sequence[str]) -> bool:
    """A keyword as a whole word (Latin) or anywhere (CJK and other unspaced scripts)."""
    folded = " ".join(text.casefold().split())
    for keyword in keywords:
        key = " ".join(keyword.casefold().split())
        if key.isascii():
            if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
                return True
        elif key in folded:
            return True
    return False


class ChatbotModule(Module[ChatbotConfig]):
    """Answers from a knowledge base; leaves by `handoff`, `no_answer`, `exit` or `timeout`."""

    type = "chatbot"
    title = "Chatbot"
    description = "Answers questions from a knowledge base (FAQ or AI) until the customer leaves."
    Config = ChatbotConfig
    ports_static = ("handoff", "no_answer", "exit", "timeout")
    waits_for_customer = True

    def run(self, ctx: StepContext[ChatbotConfig]) -> StepResult:
        config = ctx.config
        if config.suggestions:
            text = ctx.render(config.welcome_text or "").strip() or SUGGESTIONS_TEXT
            options = [
                {"id": f"{ASK_PREFIX}{n}", "label": q, "description": ""}
                for n, q in enumerate(config.suggestions)
            ]
            ctx.node_data["offered"] = [o["id"] for o in options]
            ctx.send(OutboundMessage(text=text, type="menu", options=options))
        elif config.welcome_text:
            ctx.send_text(config.welcome_text)
        self._arm(ctx)
        return WAIT

    def _arm(self, ctx: StepContext[ChatbotConfig]) -> None:
        # Inactivity: every customer message starts the clock again.
        if ctx.config.timeout_seconds is not None:
            ctx.arm_timeout(ctx.config.timeout_seconds)

    def resume(self, ctx: StepContext[ChatbotConfig], event: Event) -> StepResult:
        result = ctx.call_result(event)
        if result is not None:
            return self._llm_result(ctx, result)
        if "_call" in ctx.node_data:
            return HANDOFF  # a stale result: keep waiting for the call in flight
        if is_own_timeout(ctx, event):
            return Continue("timeout")
        if isinstance(event, ChoiceInput):
            return self._choice(ctx, event.choice)
        text = reply_text(event)
        if text is not None:
            return self._text(ctx, text)
        # Anything else (a stale call result, another node's timer) changes nothing.
        return WAIT

    # ------------------------------------------------------------------ customer input

    def _choice(self, ctx: StepContext[ChatbotConfig], choice: str) -> StepResult:
        self._arm(ctx)
        if choice.startswith(ASK_PREFIX):
            number = choice.removeprefix(ASK_PREFIX)
            if number.isdecimal() and int(number) < len(ctx.config.suggestions):
                return self._question(ctx, ctx.config.suggestions[int(number)])
        if choice.startswith(ENTRY_PREFIX):
            index = self._index(ctx)
            entry = index.entry(choice.removeprefix(ENTRY_PREFIX)) if index else None
            if entry is not None:
                return self._answer(ctx, entry.answer)
        return self._text(ctx, choice)

    def _text(self, ctx: StepContext[ChatbotConfig], text: str) -> StepResult:
        config = ctx.config
        if contains_keyword(text, config.handoff_keywords):
            return Continue("handoff")
        if contains_keyword(text, config.exit_keywords):
            return Continue("exit")
        offered: list[str] = ctx.node_data.get("offered") or []
        picked = text.strip()
        if picked.isdecimal() and 1 <= int(picked) <= len(offered):
            return self._choice(ctx, offered[int(picked) - 1])
        self._arm(ctx)
        return self._question(ctx, text)

    def _index(self, ctx: StepContext[ChatbotConfig]) -> SearchPort | None:
        index: SearchPort | None = ctx.resource("knowledge_base", ctx.config.knowledge_base_id)
        return index if index is not None and len(index) else None

    def _question(self, ctx: StepContext[ChatbotConfig], text: str) -> StepResult:
        index = self._index(ctx)
        if index is None or not text.strip():
            return self._miss(ctx)
        found = index.search(text)
        if ctx.config.mode == "llm":
            ranked = index.rank(text, LLM_CONTEXT_ENTRIES)
            if ranked:
                ctx.node_data["fallback"] = found.answer.entry.id if found.answer else None
                ctx.node_data["question"] = text
                return self._call_llm(ctx, text, ranked)
        if found.answer is not None:
            return self._answer(ctx, found.answer.entry.answer)
        if found.suggestions:
            options = [
                {"id": f"{ENTRY_PREFIX}{h.entry.id}", "label": h.entry.question, "description": ""}
                for h in found.suggestions
            ]
            ctx.node_data["offered"] = [o["id"] for o in options]
            ctx.send(OutboundMessage(text=DID_YOU_MEAN_TEXT, type="menu", options=options))
            return WAIT
        return self._miss(ctx)

    def _answer(self, ctx: StepContext[ChatbotConfig], answer: str) -> StepResult:
        ctx.node_data["misses"] = 0
        ctx.node_data.pop("offered", None)
        if answer.strip():
            # Answers are the admin's literal text, not templates.
            ctx.send(OutboundMessage(text=answer))
        return WAIT

    def _miss(self, ctx: StepContext[ChatbotConfig]) -> StepResult:
        misses = int(ctx.node_data.get("misses", 0)) + 1
        ctx.node_data["misses"] = misses
        ctx.node_data.pop("offered", None)
        ctx.send_text(ctx.config.no_answer_text)
        if misses >= ctx.config.max_misses:
            return Continue("no_answer")
        return WAIT

    # ------------------------------------------------------------------ llm mode

    def _call_llm(
        self, ctx: StepContext[ChatbotConfig], question: str, ranked: Sequence[Any]
    ) -> StepResult:
        context = [{"question": h.entry.question, "answer": h.entry.answer} for h in ranked]
        return ctx.call_out("llm", {"question": question, "entries": context}, LLM_BUDGET_SECONDS)

    def _llm_result(self, ctx: StepContext[ChatbotConfig], result: Mapping[str, Any]) -> StepResult:
        question = str(ctx.node_data.get("question") or "")
        if result.get("lost"):
            lost = int(ctx.node_data.get("lost", 0)) + 1
            ctx.node_data["lost"] = lost
            index = self._index(ctx)
            ranked = index.rank(question, LLM_CONTEXT_ENTRIES) if index else []
            if lost <= MAX_LOST and ranked:
                return self._call_llm(ctx, question, ranked)
            result = {"ok": False}
        ctx.node_data.pop("lost", None)
        fallback = ctx.node_data.pop("fallback", None)
        ctx.node_data.pop("question", None)
        if result.get("ok"):
            if result.get("no_answer") or not str(result.get("text") or "").strip():
                return self._miss(ctx)
            return self._answer(ctx, str(result["text"]))
        # The endpoint failed: the FAQ answer if there was a confident one, else a miss.
        index = self._index(ctx)
        entry = index.entry(fallback) if index and fallback else None
        if entry is not None:
            return self._answer(ctx, entry.answer)
        return self._miss(ctx)

    # ------------------------------------------------------------------ validation

    def references(self, config: ChatbotConfig) -> Sequence[Reference]:
        return [Reference("knowledge_base", config.knowledge_base_id, "knowledge_base_id")]

    def templates(self, config: ChatbotConfig) -> Sequence[str]:
        return [t for t in (config.welcome_text, config.no_answer_text) if t]

    def config_issues(self, config: ChatbotConfig, env: ValidationEnv) -> Sequence[ConfigIssue]:
        if config.mode == "llm" and "llm" not in env.capabilities:
            return [
                ConfigIssue(
                    "llm_not_configured",
                    "The llm mode needs an AI endpoint (FLOWDESK_LLM_BASE_URL) on the server",
                    severity="error",
                )
            ]
        return []
