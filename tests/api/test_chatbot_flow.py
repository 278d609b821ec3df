"""`chatbot` through whole conversations over the real API: FAQ answers, did-you-mean,
suggestions, keywords, misses, timeout, edits picked up, and the `llm` mode against a
local OpenAI-compatible server on loopback (real HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import delete
from structlog.testing import capture_logs

from flowdesk import retrieval
from flowdesk.clock import ManualClock
from flowdesk.llm import NO_ANSWER_MARKER
from flowdesk.storage.models import KnowledgeBase
from tests.stub_http import Stub, StubReply, stub_server
from tests.support import Server, running, texts

ENTRIES = [
    (
        "How do I reset my password?",
        ["忘记密码怎么办"],
        "Use 'Forgot password' on the sign-in page.",
    ),
    ("How long does a refund take?", ["退款多久到账"], "Refunds take 5-7 days."),
    ("How do I change my delivery address?", [], "Edit it before the order ships."),
    ("How do I change my billing address?", [], "Billing > Address."),
]


async def knowledge_base(srv: Server) -> str:
    response = await srv.client.post(
        "/api/v1/knowledge-bases", json={"name": "Help"}, headers=srv.admin
    )
    assert response.status_code == 201, response.text
    base_id: str = response.json()["id"]
    for question, similar, answer in ENTRIES:
        added = await srv.client.post(
            f"/api/v1/knowledge-bases/{base_id}/entries",
            json={"question": question, "similar_questions": similar, "answer": answer},
            headers=srv.admin,
        )
        assert added.status_code == 201, added.text
    return base_id


def flow(base_id: str, **config: Any) -> dict[str, Any]:
    bot = {
        "knowledge_base_id": base_id,
        "welcome_text": "Ask me anything.",
        "no_answer_text": "Sorry, I don't know that.",
        "max_misses": 2,
        "exit_keywords": ["bye"],
        **config,
    }
    nodes = [
        {"id": "start", "type": "start", "config": {}},
        {"id": "bot", "type": "chatbot", "config": bot},
        {"id": "to_handoff", "type": "end", "config": {"text": "Connecting you to a person."}},
        {"id": "to_no_answer", "type": "end", "config": {"text": "Let me get help."}},
        {"id": "to_exit", "type": "end", "config": {"text": "Goodbye!"}},
        {"id": "to_timeout", "type": "end", "config": {"text": "Closed for inactivity."}},
    ]
    edges = [{"source": "start", "port": "next", "target": "bot"}] + [
        {"source": "bot", "port": port, "target": f"to_{port}"}
        for port in ("handoff", "no_answer", "exit", "timeout")
    ]
    return {"schema_version": 1, "nodes": nodes, "edges": edges}


async def test_answers_did_you_mean_and_keywords(server: Server) -> None:
    base_id = await knowledge_base(server)
    customer = await server.start(await server.deploy(flow(base_id)))
    assert texts(customer.first_messages) == ["Ask me anything."]
    assert texts(await customer.say("I forgot my password")) == [
        "Use 'Forgot password' on the sign-in page."
    ]
    assert texts(await customer.say("退款什么时候到账")) == ["Refunds take 5-7 days."]
    (menu,) = await customer.say("change address")
    assert menu["type"] == "menu" and menu["text"] == "Did you mean:"
    labels = {o["label"]: o["id"] for o in menu["options"]}
    assert set(labels) == {
        "How do I change my delivery address?",
        "How do I change my billing address?",
    }
    response = await customer.send(choice=labels["How do I change my billing address?"])
    assert texts(response.json()["messages"]) == ["Billing > Address."]
    # The click is kept in the history under its label.
    assert texts(await customer.history())[-2] == "How do I change my billing address?"
    assert texts(await customer.say("BYE")) == ["Goodbye!"]
    assert (await customer.state())["state"] == "ended"


async def test_suggestions_are_clickable(server: Server) -> None:
    base_id = await knowledge_base(server)
    document = flow(base_id, suggestions=["How long does a refund take?", "Reset my password"])
    customer = await server.start(await server.deploy(document))
    (menu,) = customer.first_messages
    assert menu["type"] == "menu" and menu["text"] == "Ask me anything."
    assert [o["label"] for o in menu["options"]] == [
        "How long does a refund take?",
        "Reset my password",
    ]
    response = await customer.send(choice=menu["options"][1]["id"])
    assert texts(response.json()["messages"]) == ["Use 'Forgot password' on the sign-in page."]


async def test_handoff_keyword(server: Server) -> None:
    customer = await server.start(await server.deploy(flow(await knowledge_base(server))))
    assert texts(await customer.say("我要转人工")) == ["Connecting you to a person."]


async def test_max_misses_leave_by_no_answer(server: Server) -> None:
    customer = await server.start(await server.deploy(flow(await knowledge_base(server))))
    assert texts(await customer.say("what's the weather like")) == ["Sorry, I don't know that."]
    assert texts(await customer.say("tell me a joke")) == [
        "Sorry, I don't know that.",
        "Let me get help.",
    ]


async def test_timeout(server: Server, clock: ManualClock) -> None:
    document = flow(await knowledge_base(server), timeout_seconds=120)
    customer = await server.start(await server.deploy(document))
    clock.advance(121)
    assert await server.fire_timers() >= 1
    assert texts(await customer.history())[-1] == "Closed for inactivity."


async def test_entry_edits_are_picked_up_and_a_deleted_base_is_a_miss(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_id = await knowledge_base(server)
    customer = await server.start(await server.deploy(flow(base_id, max_misses=5)))
    assert texts(await customer.say("warranty length?")) == ["Sorry, I don't know that."]
    added = await server.client.post(
        f"/api/v1/knowledge-bases/{base_id}/entries",
        json={"question": "How long is the warranty?", "answer": "Two years."},
        headers=server.admin,
    )
    assert added.status_code == 201
    builds = server.rt.indexes.builds
    assert texts(await customer.say("warranty length?")) == ["Two years."]
    assert texts(await customer.say("how long is the warranty")) == ["Two years."]
    assert server.rt.indexes.builds == builds + 1  # rebuilt once for the new revision
    entry_id = added.json()["id"]
    disabled = await server.client.patch(
        f"/api/v1/knowledge-bases/{base_id}/entries/{entry_id}",
        json={"enabled": False},
        headers=server.admin,
    )
    assert disabled.status_code == 200, disabled.text
    assert texts(await customer.say("warranty length?")) == ["Sorry, I don't know that."]
    # The API refuses to delete a base a bound flow uses; one deleted anyway (an older
    # version's base, a database edit) makes every question a miss, never an error.
    # Such a change, made behind this node's back (like one through another node), is seen
    # once the revision read last is older than `REVISION_CHECK_SECONDS` (here: at once).
    monkeypatch.setattr(retrieval, "REVISION_CHECK_SECONDS", 0.0)
    async with server.rt.db.write() as session:
        await session.execute(delete(KnowledgeBase).where(KnowledgeBase.id == base_id))
    assert texts(await customer.say("how do I reset my password")) == ["Sorry, I don't know that."]


async def test_publish_checks_the_base_and_the_llm_endpoint(server: Server) -> None:
    missing = await server.create_flow(flow("kb_missing"))
    response = await server.client.post(
        f"/api/v1/flows/{missing}/publish", json={"note": ""}, headers=server.admin
    )
    assert response.status_code == 422
    problems = response.json()["error"]["details"]["problems"]
    assert "missing_reference" in {p["code"] for p in problems}
    llm = await server.create_flow(flow(await knowledge_base(server), mode="llm"))
    response = await server.client.post(
        f"/api/v1/flows/{llm}/publish", json={"note": ""}, headers=server.admin
    )
    assert response.status_code == 422
    problems = response.json()["error"]["details"]["problems"]
    assert "llm_not_configured" in {p["code"] for p in problems}


# ------------------------------------------------------------------ llm mode


@pytest.fixture
def fake_llm() -> Iterator[Stub]:
    """A local OpenAI-compatible endpoint: POST /v1/chat/completions."""
    with stub_server() as stub:
        yield stub


def completion(text: str) -> StubReply:
    return StubReply(
        200,
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        },
    )


@pytest.fixture
async def llm_server(sqlite_url: str, clock: ManualClock, fake_llm: Stub) -> AsyncIterator[Server]:
    async with running(
        sqlite_url,
        clock,
        llm_base_url=f"{fake_llm.base}/v1",
        llm_api_key="sk-test-secret-key",
        llm_model="fake-model",
    ) as srv:
        yield srv


async def test_llm_answers_grounded_in_the_entries(llm_server: Server, fake_llm: Stub) -> None:
    fake_llm.routes["/v1/chat/completions"] = lambda r: completion(
        "Click 'Forgot password' and follow the email."
    )
    customer = await llm_server.start(
        await llm_server.deploy(flow(await knowledge_base(llm_server), mode="llm"))
    )
    assert texts(await customer.say("I can't get into my account, lost my password")) == [
        "Click 'Forgot password' and follow the email."
    ]
    (request,) = fake_llm.requests
    body = request.json()
    assert body["model"] == "fake-model"
    assert {k.lower(): v for k, v in request.headers.items()}["authorization"] == (
        "Bearer sk-test-secret-key"
    )
    system = body["messages"][0]["content"]
    assert "Use 'Forgot password' on the sign-in page." in system and NO_ANSWER_MARKER in system
    assert body["messages"][1] == {
        "role": "user",
        "content": "I can't get into my account, lost my password",
    }


async def test_llm_cannot_help_counts_as_a_miss(llm_server: Server, fake_llm: Stub) -> None:
    fake_llm.routes["/v1/chat/completions"] = lambda r: completion(NO_ANSWER_MARKER)
    document = flow(await knowledge_base(llm_server), mode="llm", max_misses=1)
    customer = await llm_server.start(await llm_server.deploy(document))
    assert texts(await customer.say("password for my cat's collar")) == [
        "Sorry, I don't know that.",
        "Let me get help.",
    ]


async def test_llm_error_falls_back_to_the_faq_answer(llm_server: Server, fake_llm: Stub) -> None:
    fake_llm.routes["/v1/chat/completions"] = lambda r: StubReply(500, {"error": "down"})
    customer = await llm_server.start(
        await llm_server.deploy(flow(await knowledge_base(llm_server), mode="llm"))
    )
    with capture_logs() as logs:
        assert texts(await customer.say("how do I reset my password")) == [
            "Use 'Forgot password' on the sign-in page."
        ]
    assert any(e["event"] == "llm_call_failed" for e in logs)
    assert "sk-test-secret-key" not in repr(logs)
    assert texts(await customer.say("change address")) == ["Sorry, I don't know that."]
    assert fake_llm.hits("/v1/chat/completions") >= 2
    # The conversation goes on.
    assert (await customer.state())["state"] == "bot"
