"""The chatbot's `llm` mode port: one grounded question to an OpenAI-compatible endpoint.

Any chat-completions endpoint works (`FLOWDESK_LLM_BASE_URL`): OpenAI, a gateway, a local
model server. The operator sets that URL, so it is not SSRF-guarded like the URLs admins
type into flows. The system prompt confines the model to the knowledge-base entries it is
given and asks for a fixed marker when they do not answer the question; that reply counts
as a miss. Every failure (unreachable, timeout, error status, malformed reply) comes back
as `{"ok": False}` so the chatbot falls back to its FAQ answer: never a crash. Neither the
API key nor the exception text (which may echo request details) is logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx2 as httpx
import openai
import structlog

from flowdesk.settings import Settings

log = structlog.get_logger(__name__)

NO_ANSWER_MARKER = "[[NO_ANSWER]]"
TIMEOUT_SECONDS = 30.0
MAX_ANSWER_CHARS = 4000
SYSTEM_PROMPT = f"""You are a customer-service assistant. Answer the customer's question using \
only the knowledge-base entries below. Reply briefly, in the customer's language. If the \
entries do not answer the question, reply exactly {NO_ANSWER_MARKER} and nothing else. Never \
invent facts, prices, dates or links that the entries do not state.

Knowledge-base entries:
"""


def build_messages(question: str, entries: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The chat messages for one grounded question."""
    context = "\n\n".join(
        f"Q{n}: {entry['question']}\nA{n}: {entry['answer']}"
        for n, entry in enumerate(entries, start=1)
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT + context},
        {"role": "user", "content": question},
    ]


async def ask(
    settings: Settings, question: str, entries: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """`{"ok": True, "text", "no_answer"}` from the endpoint, or `{"ok": False}` on any failure."""
    if not settings.llm_base_url:
        return {"ok": False}
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-set"
    try:
        async with openai.AsyncOpenAI(
            base_url=settings.llm_base_url,
            api_key=key,
            timeout=TIMEOUT_SECONDS,
            max_retries=1,
        ) as client:
            async with asyncio.timeout(TIMEOUT_SECONDS * 2):
                completion = await client.chat.completions.create(
                    model=settings.llm_model,
                    messages=build_messages(question, entries),  # type: ignore[arg-type]
                    temperature=0,
                )
        text = (completion.choices[0].message.content or "").strip()
    except (openai.OpenAIError, httpx.HTTPError, TimeoutError, IndexError, AttributeError) as exc:
        status = getattr(exc, "status_code", None)
        log.warning("llm_call_failed", error=type(exc).__name__, status=status)
        return {"ok": False}
    no_answer = NO_ANSWER_MARKER in text or not text
    return {
        "ok": True,
        "no_answer": no_answer,
        "text": "" if no_answer else text[:MAX_ANSWER_CHARS],
    }
