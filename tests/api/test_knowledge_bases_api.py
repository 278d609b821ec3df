"""Knowledge bases through the HTTP API: CRUD, 422s, revisions, search, CSV in and out."""

# Chinese text is the point of some tests here: full-width punctuation is meant.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx2 as httpx
import pytest
from pydantic import BaseModel, ConfigDict

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.engine.module import Module, Reference, Registry, StepContext
from flowdesk.engine.modules import default_modules
from flowdesk.engine.types import Continue, StepResult
from flowdesk.knowledge import MAX_ENTRIES_PER_BASE
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server, assert_error, make_settings

API = "/api/v1/knowledge-bases"


async def make_base(server: Server, name: str = "FAQ") -> dict[str, Any]:
    response = await server.client.post(API, json={"name": name}, headers=server.admin)
    assert response.status_code == 201, response.text
    base: dict[str, Any] = response.json()
    return base


async def add(server: Server, base_id: str, **entry: Any) -> dict[str, Any]:
    response = await server.client.post(
        f"{API}/{base_id}/entries", json=entry, headers=server.admin
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def revision(server: Server, base_id: str) -> int:
    response = await server.client.get(f"{API}/{base_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    value: int = response.json()["revision"]
    return value


async def entries(server: Server, base_id: str, **params: Any) -> dict[str, Any]:
    response = await server.client.get(
        f"{API}/{base_id}/entries", params=params, headers=server.admin
    )
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def import_csv(
    server: Server, base_id: str, data: bytes, mode: str = "append"
) -> httpx.Response:
    return await server.client.post(
        f"{API}/{base_id}/import",
        params={"mode": mode},
        content=data,
        headers={**server.admin, "content-type": "text/csv"},
    )


async def test_crud_and_every_change_bumps_the_revision(any_server: Server) -> None:
    server = any_server
    base = await make_base(server)
    assert base["revision"] == 1 and base["entry_count"] == 0
    entry = await add(
        server,
        base["id"],
        question="  How do I reset my password? ",
        similar_questions=["forgot password", " Forgot password", "reset login "],
        answer="Use the link on the sign-in page.",
    )
    assert entry["question"] == "How do I reset my password?"
    assert entry["similar_questions"] == ["forgot password", "reset login"]
    assert entry["enabled"] is True
    assert await revision(server, base["id"]) == 2

    patched = await server.client.patch(
        f"{API}/{base['id']}/entries/{entry['id']}",
        json={"enabled": False, "answer": "Ask us."},
        headers=server.admin,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["enabled"] is False and patched.json()["answer"] == "Ask us."
    assert await revision(server, base["id"]) == 3

    renamed = await server.client.patch(
        f"{API}/{base['id']}", json={"name": "Help centre"}, headers=server.admin
    )
    assert renamed.json()["name"] == "Help centre" and renamed.json()["revision"] == 4

    deleted = await server.client.delete(
        f"{API}/{base['id']}/entries/{entry['id']}", headers=server.admin
    )
    assert deleted.status_code == 204
    assert await revision(server, base["id"]) == 5

    listed = (await server.client.get(API, headers=server.admin)).json()["knowledge_bases"]
    assert [(b["name"], b["entry_count"]) for b in listed] == [("Help centre", 0)]
    assert (
        await server.client.delete(f"{API}/{base['id']}", headers=server.admin)
    ).status_code == 204
    assert_error(
        await server.client.get(f"{API}/{base['id']}", headers=server.admin), 404, "not_found"
    )


async def test_empty_question_or_answer_is_refused(server: Server) -> None:
    base = await make_base(server)
    url = f"{API}/{base['id']}/entries"
    for body in (
        {"question": "  ", "answer": "a"},
        {"question": "q", "answer": ""},
        {"question": "q"},
        {"question": "q", "answer": "a", "similar_questions": [" "]},
        {"question": "q" * 501, "answer": "a"},
    ):
        assert_error(
            await server.client.post(url, json=body, headers=server.admin), 422, "validation_error"
        )
    entry = await add(server, base["id"], question="q", answer="a")
    for body in ({"question": ""}, {"answer": "   "}, {"enabled": None}):
        assert_error(
            await server.client.patch(f"{url}/{entry['id']}", json=body, headers=server.admin),
            422,
            "validation_error",
        )
    assert await revision(server, base["id"]) == 2  # the refused changes changed nothing


async def test_admin_only(server: Server) -> None:
    from tests.api.desk_support import make_agent

    base = await make_base(server)
    agent = await make_agent(server, "Ann")
    for method, url in (
        ("GET", API),
        ("GET", f"{API}/{base['id']}/entries"),
        ("GET", f"{API}/{base['id']}/entries.csv"),
        ("POST", f"{API}/{base['id']}/import"),
    ):
        response = await server.client.request(method, url, headers=agent.headers)
        assert_error(response, 403, "forbidden")
    server.client.cookies.clear()  # the sign-ins above left a session cookie
    assert_error(await server.client.get(API), 401, "unauthorized")


async def test_search_and_paging(any_server: Server) -> None:
    server = any_server
    base = await make_base(server)
    await add(
        server,
        base["id"],
        question="怎么退货？",
        similar_questions=["退款流程"],
        answer="七天无理由",
    )
    await add(server, base["id"], question="Shipping time", answer="Two to five days")
    await add(server, base["id"], question="Opening hours", answer="We SHIP on weekdays")
    for n in range(5):
        await add(server, base["id"], question=f"Filler {n}", answer="nothing")

    assert [e["question"] for e in (await entries(server, base["id"], q="退款"))["entries"]] == [
        "怎么退货？"
    ]
    found = await entries(server, base["id"], q="ship")
    assert found["total"] == 2
    assert [e["question"] for e in found["entries"]] == ["Shipping time", "Opening hours"]
    page = await entries(server, base["id"], offset=2, limit=3)
    assert page["total"] == 8
    assert [e["question"] for e in page["entries"]] == ["Opening hours", "Filler 0", "Filler 1"]
    assert (await entries(server, base["id"], q="filler", offset=4))["entries"][0]["question"] == (
        "Filler 4"
    )


BOM = "\ufeff"
CHINESE_CSV = (
    BOM
    + "question,similar_questions,answer,enabled\r\n"
    + '怎么退货？,退款流程|如何退款,"七天无理由退货，\n请联系客服。",true\r\n'
    + '营业时间,"几点开门\n几点关门",每天 9:00-18:00,no\r\n'
    + "=SUM(A1),,-5 is a formula too,\r\n"
    + "\r\n"
)


async def test_csv_round_trip_with_chinese_text_and_a_bom(any_server: Server) -> None:
    server = any_server
    base = await make_base(server, "客服 FAQ")
    response = await import_csv(server, base["id"], CHINESE_CSV.encode())
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 3
    assert response.json()["knowledge_base"]["revision"] == 2
    stored = (await entries(server, base["id"]))["entries"]
    assert [(e["question"], e["similar_questions"], e["answer"], e["enabled"]) for e in stored] == [
        ("怎么退货？", ["退款流程", "如何退款"], "七天无理由退货，\n请联系客服。", True),
        ("营业时间", ["几点开门", "几点关门"], "每天 9:00-18:00", False),
        ("=SUM(A1)", [], "-5 is a formula too", True),
    ]

    exported = await server.client.get(f"{API}/{base['id']}/entries.csv", headers=server.admin)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    assert exported.content.startswith(BOM.encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["question", "similar_questions", "answer", "enabled"]
    # Formula-looking cells are defused for spreadsheets…
    assert rows[3][:3] == ["'=SUM(A1)", "", "'-5 is a formula too"]

    # … and an import of the export gives back exactly the same entries.
    again = await import_csv(server, base["id"], exported.content, mode="replace")
    assert again.status_code == 200, again.text
    restored = (await entries(server, base["id"]))["entries"]
    assert [
        (e["question"], e["similar_questions"], e["answer"], e["enabled"]) for e in restored
    ] == [(e["question"], e["similar_questions"], e["answer"], e["enabled"]) for e in stored]
    assert await revision(server, base["id"]) == 3


async def test_a_bad_row_names_its_number_and_imports_nothing(any_server: Server) -> None:
    server = any_server
    base = await make_base(server)
    await add(server, base["id"], question="Keep me", answer="I was here first")
    before = await revision(server, base["id"])
    bad = b"question,answer\nGood one,Fine\nAnother,Fine too\nNo answer here,\n"
    error = assert_error(
        await import_csv(server, base["id"], bad, mode="replace"), 422, "invalid_csv"
    )
    assert error["details"]["row"] == 4
    assert "row 4" in error["message"] and "answer" in error["message"]
    for data, row in (
        (b"question,similar_questions,answer,enabled\nq,,a,maybe\n", 2),
        (b"question,reply\nq,a\n", 1),
        (b"", 1),
        (b"question,answer\nq,a,extra\n", 2),
    ):
        error = assert_error(await import_csv(server, base["id"], data), 422, "invalid_csv")
        assert error["details"]["row"] == row, error
    assert_error(
        await import_csv(server, base["id"], "question,answer\nq,a\n".encode("utf-16")),
        422,
        "invalid_csv",
    )
    remaining = (await entries(server, base["id"]))["entries"]
    assert [e["question"] for e in remaining] == ["Keep me"]
    assert await revision(server, base["id"]) == before


async def test_import_modes_and_the_entry_limit(server: Server) -> None:
    base = await make_base(server)
    await add(server, base["id"], question="Old", answer="old")
    ok = await import_csv(server, base["id"], b"question,answer\nNew,new\n")
    assert ok.status_code == 200 and ok.json()["knowledge_base"]["entry_count"] == 2
    replaced = await import_csv(server, base["id"], b"question,answer\nOnly,only\n", mode="replace")
    assert replaced.json()["knowledge_base"]["entry_count"] == 1
    assert_error(
        await import_csv(server, base["id"], b"question,answer\nq,a\n", mode="merge"),
        422,
        "validation_error",
    )
    assert_error(
        await server.client.post(
            f"{API}/{base['id']}/import",
            json={"question": "q"},
            headers=server.admin,
        ),
        415,
        "unsupported_media_type",
    )
    rows = "".join(f"q{n},a{n}\n" for n in range(MAX_ENTRIES_PER_BASE))
    full = await import_csv(server, base["id"], f"question,answer\n{rows}".encode())
    error = assert_error(full, 422, "too_many_entries")
    assert error["details"]["current"] == 1
    assert (await entries(server, base["id"]))["total"] == 1


# --------------------------------------------------------------------------- delete in use


class ProbeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    knowledge_base_id: str


class KnowledgeProbe(Module[ProbeConfig]):
    """A stand-in for any module that references a knowledge base (the chatbot does)."""

    type = "kb_probe"
    title = "Knowledge probe"
    description = "Test module."
    Config = ProbeConfig

    def run(self, ctx: StepContext[ProbeConfig]) -> StepResult:
        return Continue("next")

    def references(self, config: ProbeConfig) -> Sequence[Reference]:
        return [Reference("knowledge_base", config.knowledge_base_id, "knowledge_base_id")]


@pytest.fixture
async def probe_server(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Server]:
    registry = Registry([*default_modules(), KnowledgeProbe()])
    app = create_app(make_settings(sqlite_url), clock=clock, registry=registry, run_scheduler=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://flowdesk.test"
        ) as client:
            server = Server(client=client, clock=clock, rt=app.state.runtime, app=app)
            server.admin = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            yield server


def probe_flow(base_id: str) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "probe", "type": "kb_probe", "config": {"knowledge_base_id": base_id}},
            {"id": "end", "type": "end"},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "probe"},
            {"source": "probe", "port": "next", "target": "end"},
        ],
    }


async def test_a_base_used_by_a_bound_published_flow_cannot_be_deleted(
    probe_server: Server,
) -> None:
    server = probe_server
    used = await make_base(server, "Used")
    unbound_only = await make_base(server, "Draft only")
    flow_id = await server.create_flow(probe_flow(used["id"]), name="Reception")
    await server.publish(flow_id)
    await server.channel(flow_id)
    # A flow that references a base but is not bound to any channel does not hold it.
    other = await server.create_flow(probe_flow(unbound_only["id"]), name="Unbound")
    await server.publish(other)

    error = assert_error(
        await server.client.delete(f"{API}/{used['id']}", headers=server.admin),
        409,
        "knowledge_base_in_use",
    )
    assert error["details"]["flows"] == [{"id": flow_id, "name": "Reception"}]
    assert "Reception" in error["message"]
    gone = await server.client.delete(f"{API}/{unbound_only['id']}", headers=server.admin)
    assert gone.status_code == 204

    # Publishing a reference to a base that does not exist is an error.
    broken = await server.create_flow(probe_flow("kb_missing"), name="Broken")
    refused = await server.client.post(
        f"/api/v1/flows/{broken}/publish", json={}, headers=server.admin
    )
    problems = assert_error(refused, 422, "flow_invalid")["details"]["problems"]
    assert any(p["node_id"] == "probe" for p in problems)
