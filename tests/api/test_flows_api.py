"""Flows through the admin API: drafts, revisions, validation, publishing, versions.

SPEC §2 (the flow document) and §7 (the admin API).
"""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from flowdesk.clock import ManualClock
from flowdesk.demo import demo_document
from tests.support import Server, assert_error, running, texts

API = "/api/v1"


def message_flow(text: str = "Hello") -> dict[str, Any]:
    """start → message → end: the smallest flow that publishes."""
    return {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start", "name": "Start", "position": {"x": 0, "y": 0}},
            {
                "id": "hello",
                "type": "message",
                "name": "Hello",
                "config": {"text": text},
                "position": {"x": 200, "y": 0},
            },
            {
                "id": "bye",
                "type": "end",
                "name": "Bye",
                "config": {},
                "position": {"x": 400, "y": 0},
            },
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "hello"},
            {"source": "hello", "port": "next", "target": "bye"},
        ],
    }


def logic(document: dict[str, Any]) -> tuple[list[tuple[str, str, Any]], list[tuple[str, ...]]]:
    """Nodes (id, type, config) and edges of a document, ignoring layout and defaults."""
    nodes = [(n["id"], n["type"], n.get("config", {})) for n in document["nodes"]]
    edges = [(e["source"], e["port"], e["target"]) for e in document["edges"]]
    return nodes, edges


async def get_flow(server: Server, flow_id: str) -> dict[str, Any]:
    response = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    flow: dict[str, Any] = response.json()
    return flow


async def save(
    server: Server, flow_id: str, document: dict[str, Any], revision: int, **extra: Any
) -> httpx.Response:
    return await server.client.put(
        f"{API}/flows/{flow_id}",
        json={"document": document, "revision": revision, **extra},
        headers=server.admin,
    )


async def new_channel(server: Server, name: str) -> dict[str, Any]:
    response = await server.client.post(
        f"{API}/channels", json={"name": name, "type": "api"}, headers=server.admin
    )
    assert response.status_code == 201, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def bind(server: Server, channel_id: str, flow_id: str) -> None:
    response = await server.client.put(
        f"{API}/channels/{channel_id}/flow", json={"flow_id": flow_id}, headers=server.admin
    )
    assert response.status_code == 200, response.text


async def admin_id(server: Server) -> str:
    me = await server.client.get(f"{API}/auth/me", headers=server.admin)
    user_id: str = me.json()["id"]
    return user_id


# ----------------------------------------------------------------------------- CRUD


async def test_a_new_flow_has_exactly_one_start_node(server: Server) -> None:
    response = await server.client.post(
        f"{API}/flows", json={"name": "Sales"}, headers=server.admin
    )
    assert response.status_code == 201, response.text
    flow = response.json()
    assert flow["name"] == "Sales"
    assert flow["revision"] == 1
    assert flow["latest_version"] is None
    assert flow["channels"] == []
    assert flow["id"]
    assert [n["type"] for n in flow["document"]["nodes"]] == ["start"]
    assert flow["document"]["edges"] == []
    assert flow["created_at"] == "2026-01-05T09:00:00Z"
    assert await get_flow(server, flow["id"]) == flow


async def test_list_shows_every_flow_with_the_channels_bound_to_it(server: Server) -> None:
    bound_id = await server.create_flow(message_flow(), name="Bound")
    free_id = await server.create_flow(message_flow(), name="Free")
    await server.publish(bound_id)
    web = await new_channel(server, "Web shop")
    app = await new_channel(server, "Mobile app")
    await bind(server, web["id"], bound_id)
    await bind(server, app["id"], bound_id)

    response = await server.client.get(f"{API}/flows", headers=server.admin)
    assert response.status_code == 200, response.text
    flows = {f["id"]: f for f in response.json()["flows"]}
    assert set(flows) == {bound_id, free_id}
    assert sorted(flows[bound_id]["channels"], key=lambda c: c["name"]) == [
        {"id": app["id"], "name": "Mobile app"},
        {"id": web["id"], "name": "Web shop"},
    ]
    assert flows[bound_id]["latest_version"] == 1
    assert flows[free_id]["channels"] == []
    assert flows[free_id]["latest_version"] is None
    assert flows[free_id]["name"] == "Free"
    detail = await get_flow(server, bound_id)
    assert {c["id"] for c in detail["channels"]} == {web["id"], app["id"]}


async def test_saving_bumps_the_revision_and_a_stale_revision_conflicts(server: Server) -> None:
    flow_id = await server.create_flow(message_flow("Hello"))
    saved = await save(server, flow_id, message_flow("Hi there"), 1, name="Renamed")
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == 2
    assert saved.json()["name"] == "Renamed"
    flow = await get_flow(server, flow_id)
    assert flow["revision"] == 2
    assert flow["document"]["nodes"][1]["config"] == {"text": "Hi there"}

    stale = await save(server, flow_id, message_flow("Lost update"), 1)
    error = assert_error(stale, 409, "revision_conflict")
    assert error["details"]["current_revision"] == 2
    ahead = await save(server, flow_id, message_flow("From the future"), 7)
    assert assert_error(ahead, 409, "revision_conflict")["details"]["current_revision"] == 2
    flow = await get_flow(server, flow_id)
    assert flow["revision"] == 2
    assert flow["document"]["nodes"][1]["config"] == {"text": "Hi there"}

    again = await save(server, flow_id, message_flow("Third"), 2)
    assert again.status_code == 200, again.text
    assert again.json()["revision"] == 3


def _malformed_documents() -> list[tuple[str, dict[str, Any], list[Any]]]:
    """(case, document, loc expected in the details) for documents saving must refuse."""
    cases: list[tuple[str, dict[str, Any], list[Any]]] = []

    doc = message_flow()
    del doc["nodes"][1]["id"]
    cases.append(("node without id", doc, ["nodes", 1, "id"]))

    doc = message_flow()
    doc["nodes"][1]["id"] = "hello world!"
    cases.append(("node id breaks the pattern", doc, ["nodes", 1, "id"]))

    doc = message_flow()
    doc["nodes"][1]["id"] = "x" * 65
    cases.append(("node id too long", doc, ["nodes", 1, "id"]))

    doc = message_flow()
    doc["nodes"][2]["id"] = "hello"
    cases.append(("duplicate node ids", doc, []))

    doc = message_flow()
    doc["layout"] = {"zoom": 2}
    cases.append(("unknown top-level key", doc, ["layout"]))

    doc = message_flow()
    doc["edges"] = {"start": "hello"}
    cases.append(("edges not a list", doc, ["edges"]))

    doc = message_flow()
    doc["edges"][0] = {"source": "start", "target": "hello"}
    cases.append(("edge without port", doc, ["edges", 0, "port"]))

    doc = message_flow()
    doc["nodes"][1]["config"] = "Hello"
    cases.append(("config not an object", doc, ["nodes", 1, "config"]))

    doc = message_flow()
    doc["schema_version"] = 2
    cases.append(("unknown schema version", doc, ["schema_version"]))
    return cases


async def test_a_malformed_document_is_refused_with_details_and_nothing_is_saved(
    server: Server,
) -> None:
    flow_id = await server.create_flow(message_flow("Original"))
    before = await get_flow(server, flow_id)
    for case, document, loc in _malformed_documents():
        response = await save(server, flow_id, document, 1)
        error = assert_error(response, 422, "invalid_document")
        details = error.get("details")
        assert isinstance(details, list) and details, case
        assert all({"loc", "message"} <= set(d) for d in details), (case, details)
        if loc:
            assert any(d["loc"][: len(loc)] == loc for d in details), (case, details)
        assert await get_flow(server, flow_id) == before, case

    listed = await server.client.get(f"{API}/flows", headers=server.admin)
    count = len(listed.json()["flows"])
    for case, document, _loc in _malformed_documents():
        created = await server.client.post(
            f"{API}/flows", json={"name": "Bad", "document": document}, headers=server.admin
        )
        assert_error(created, 422, "invalid_document")
        listed = await server.client.get(f"{API}/flows", headers=server.admin)
        assert len(listed.json()["flows"]) == count, case


async def test_nan_and_infinity_are_not_json_and_are_refused(server: Server) -> None:
    """Python's parser takes `NaN`/`Infinity`; JSON has no such values (RFC 8259)."""
    flow_id = await server.create_flow(message_flow())
    before = await get_flow(server, flow_id)
    bodies = [
        '{"name": "n", "document": {"nodes": [{"id": "start", "type": "start",'
        ' "position": {"x": NaN, "y": 0}}]}}',
        '{"name": "n", "document": {"nodes": [{"id": "start", "type": "start",'
        ' "config": {"weight": Infinity}}]}}',
    ]
    for raw in bodies:
        created = await server.client.post(
            f"{API}/flows",
            content=raw,
            headers={**server.admin, "content-type": "application/json"},
        )
        assert created.status_code == 422, (raw, created.text)
        assert created.json()["error"]["code"] in {"validation_error", "invalid_document"}
        saved = await server.client.put(
            f"{API}/flows/{flow_id}",
            content=raw.replace('"name": "n"', '"revision": 1'),
            headers={**server.admin, "content-type": "application/json"},
        )
        assert saved.status_code == 422, (raw, saved.text)
    listed = await server.client.get(f"{API}/flows", headers=server.admin)
    assert [f["id"] for f in listed.json()["flows"]] == [flow_id]
    assert await get_flow(server, flow_id) == before


async def test_work_in_progress_can_be_saved(server: Server) -> None:
    flow_id = await server.create_flow(message_flow())
    unfinished = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "later", "type": "not_a_module_yet", "config": {"anything": [1, 2]}},
        ],
        "edges": [{"source": "start", "port": "nowhere", "target": "missing"}],
    }
    response = await save(server, flow_id, unfinished, 1)
    assert response.status_code == 200, response.text
    assert logic(response.json()["document"]) == logic(unfinished)


# ------------------------------------------------------------------------ validation


async def test_validate_checks_the_saved_draft_or_an_unsaved_document(server: Server) -> None:
    created = await server.client.post(f"{API}/flows", json={"name": "New"}, headers=server.admin)
    flow_id = created.json()["id"]
    for body in (None, {}):
        response = await server.client.post(
            f"{API}/flows/{flow_id}/validate", json=body, headers=server.admin
        )
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["valid"] is False
        found = {(p["code"], p["node_id"], p["port"]) for p in result["problems"]}
        assert ("missing_end", None, None) in found
        assert ("unconnected_port", "start", "next") in found
        for problem in result["problems"]:
            assert {"code", "message", "severity", "node_id", "port"} <= set(problem)
            assert problem["severity"] in {"error", "warning"}

    unsaved = await server.client.post(
        f"{API}/flows/{flow_id}/validate", json={"document": message_flow()}, headers=server.admin
    )
    assert unsaved.status_code == 200, unsaved.text
    assert unsaved.json() == {"valid": True, "problems": []}

    warned = await server.client.post(
        f"{API}/flows/{flow_id}/validate",
        json={"document": message_flow("Hello ${Nobody}")},
        headers=server.admin,
    )
    assert warned.status_code == 200, warned.text
    assert warned.json()["valid"] is True
    [warning] = warned.json()["problems"]
    assert (warning["code"], warning["severity"], warning["node_id"]) == (
        "unset_variable",
        "warning",
        "hello",
    )

    malformed = await server.client.post(
        f"{API}/flows/{flow_id}/validate",
        json={"document": {"nodes": "start"}},
        headers=server.admin,
    )
    assert_error(malformed, 422, "invalid_document")
    flow = await get_flow(server, flow_id)  # validating never saves
    assert flow["revision"] == 1
    assert [n["type"] for n in flow["document"]["nodes"]] == ["start"]


async def test_publish_refuses_a_flow_with_errors_and_lists_every_problem(server: Server) -> None:
    broken = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "teleport", "type": "teleport"},
            {"id": "hello", "type": "message", "config": {}},
            {"id": "island", "type": "message", "config": {"text": "Nobody comes here"}},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "teleport"},
            {"source": "island", "port": "next", "target": "start"},
        ],
    }
    flow_id = await server.create_flow(broken)
    response = await server.client.post(
        f"{API}/flows/{flow_id}/publish", json={"note": "try"}, headers=server.admin
    )
    error = assert_error(response, 422, "flow_invalid")
    problems = error["details"]["problems"]
    found = {(p["code"], p["node_id"]) for p in problems}
    assert {
        ("missing_end", None),
        ("unknown_module_type", "teleport"),
        ("invalid_config", "hello"),
        ("unreachable_node", "hello"),
        ("unreachable_node", "island"),
        ("edge_into_start", "island"),
    } <= found
    assert all(p["severity"] in {"error", "warning"} for p in problems)

    validated = await server.client.post(f"{API}/flows/{flow_id}/validate", headers=server.admin)
    assert problems == validated.json()["problems"]  # the full list, not the first error

    versions = await server.client.get(f"{API}/flows/{flow_id}/versions", headers=server.admin)
    assert versions.json()["versions"] == []
    assert (await get_flow(server, flow_id))["latest_version"] is None


async def test_a_missing_schedule_reference_blocks_publishing(server: Server) -> None:
    group = await server.client.post(
        f"{API}/skill-groups", json={"name": "Support"}, headers=server.admin
    )
    group_id = group.json()["id"]
    flow_id = await server.create_flow(demo_document("sch_does_not_exist", group_id))
    response = await server.client.post(f"{API}/flows/{flow_id}/publish", headers=server.admin)
    error = assert_error(response, 422, "flow_invalid")
    missing = [p for p in error["details"]["problems"] if p["code"] == "missing_reference"]
    assert len(missing) == 1, error
    assert missing[0]["node_id"] == "hours"
    assert missing[0]["severity"] == "error"
    assert missing[0]["details"]["id"] == "sch_does_not_exist"

    schedule = await server.client.post(
        f"{API}/schedules", json={"name": "Always", "timezone": "UTC"}, headers=server.admin
    )
    assert schedule.status_code == 201, schedule.text
    saved = await save(server, flow_id, demo_document(schedule.json()["id"], group_id), 1)
    assert saved.status_code == 200, saved.text
    published = await server.client.post(f"{API}/flows/{flow_id}/publish", headers=server.admin)
    assert published.status_code == 201, published.text
    assert published.json()["version"] == 1


# -------------------------------------------------------------------------- versions


async def test_publishing_makes_numbered_immutable_versions(
    server: Server, clock: ManualClock
) -> None:
    me = await admin_id(server)
    flow_id = await server.create_flow(message_flow("Version one"))
    first = await server.client.post(
        f"{API}/flows/{flow_id}/publish", json={"note": "launch"}, headers=server.admin
    )
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert v1["flow_id"] == flow_id
    assert v1["version"] == 1
    assert v1["note"] == "launch"
    assert v1["published_by"] == me
    assert v1["published_at"] == "2026-01-05T09:00:00Z"
    assert logic(v1["document"]) == logic(message_flow("Version one"))

    clock.advance(60)
    saved = await save(server, flow_id, message_flow("Version two"), 1)
    assert saved.status_code == 200, saved.text
    frozen = await server.client.get(f"{API}/flows/{flow_id}/versions/1", headers=server.admin)
    assert frozen.status_code == 200, frozen.text
    assert frozen.json() == v1  # saving the draft leaves the published version alone

    second = await server.client.post(f"{API}/flows/{flow_id}/publish", headers=server.admin)
    assert second.status_code == 201, second.text
    v2 = second.json()
    assert (v2["version"], v2["note"], v2["published_at"]) == (2, "", "2026-01-05T09:01:00Z")
    assert v2["document"]["nodes"][1]["config"] == {"text": "Version two"}
    assert (await get_flow(server, flow_id))["latest_version"] == 2

    listed = await server.client.get(f"{API}/flows/{flow_id}/versions", headers=server.admin)
    assert listed.status_code == 200, listed.text
    by_number = {v["version"]: v for v in listed.json()["versions"]}
    assert sorted(by_number) == [1, 2]
    assert (by_number[1]["note"], by_number[1]["published_by"]) == ("launch", me)
    assert by_number[1]["published_at"] == "2026-01-05T09:00:00Z"
    assert (by_number[2]["note"], by_number[2]["published_by"]) == ("", me)
    assert by_number[2]["published_at"] == "2026-01-05T09:01:00Z"
    again = await server.client.get(f"{API}/flows/{flow_id}/versions/1", headers=server.admin)
    assert again.json() == v1

    stale = await server.client.post(
        f"{API}/flows/{flow_id}/publish", json={"revision": 1}, headers=server.admin
    )
    assert assert_error(stale, 409, "revision_conflict")["details"]["current_revision"] == 2
    assert (await get_flow(server, flow_id))["latest_version"] == 2


async def test_an_unknown_version_is_404(server: Server) -> None:
    flow_id = await server.create_flow(message_flow())
    await server.publish(flow_id)
    # 0 and negative numbers name no published version (negatives are the simulator's).
    for number in (2, 99, 0, -1):
        response = await server.client.get(
            f"{API}/flows/{flow_id}/versions/{number}", headers=server.admin
        )
        assert_error(response, 404, "not_found")
        restore = await server.client.post(
            f"{API}/flows/{flow_id}/versions/{number}/restore", headers=server.admin
        )
        assert_error(restore, 404, "not_found")
    assert (await get_flow(server, flow_id))["revision"] == 1


async def test_a_version_number_that_cannot_exist_is_422_not_a_crash(server: Server) -> None:
    flow_id = await server.create_flow(message_flow())
    await server.publish(flow_id)
    # Past 32 bits no column can hold it; 10**20 is past 64 bits: no database can compare it.
    for number in (2**31, -(2**31), 10**20):
        got = await server.client.get(
            f"{API}/flows/{flow_id}/versions/{number}", headers=server.admin
        )
        assert_error(got, 422, "validation_error")
        restore = await server.client.post(
            f"{API}/flows/{flow_id}/versions/{number}/restore", headers=server.admin
        )
        assert_error(restore, 422, "validation_error")
    assert (await get_flow(server, flow_id))["revision"] == 1


async def test_restore_copies_a_version_into_the_draft(server: Server) -> None:
    flow_id = await server.create_flow(message_flow("Published text"))
    await server.publish(flow_id, note="good one")
    draft = message_flow("Experiment")
    draft["nodes"].append({"id": "extra", "type": "message", "config": {"text": "More"}})
    assert (await save(server, flow_id, draft, 1)).status_code == 200

    response = await server.client.post(
        f"{API}/flows/{flow_id}/versions/1/restore", headers=server.admin
    )
    assert response.status_code == 200, response.text
    restored = response.json()
    assert restored["revision"] == 3
    assert logic(restored["document"]) == logic(message_flow("Published text"))
    assert await get_flow(server, flow_id) == restored

    versions = await server.client.get(f"{API}/flows/{flow_id}/versions", headers=server.admin)
    assert [v["version"] for v in versions.json()["versions"]] == [1]
    assert restored["latest_version"] == 1
    stale = await save(server, flow_id, draft, 2)  # the restore was a save
    assert assert_error(stale, 409, "revision_conflict")["details"]["current_revision"] == 3


# ---------------------------------------------------------------------------- delete


async def test_a_bound_flow_cannot_be_deleted_until_unbound(server: Server) -> None:
    flow_id = await server.create_flow(message_flow())
    await server.publish(flow_id)
    web = await new_channel(server, "Web shop")
    app = await new_channel(server, "Mobile app")
    await bind(server, web["id"], flow_id)
    await bind(server, app["id"], flow_id)

    refused = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    error = assert_error(refused, 409, "flow_in_use")
    assert sorted(error["details"]["channels"], key=lambda c: c["name"]) == [
        {"id": app["id"], "name": "Mobile app"},
        {"id": web["id"], "name": "Web shop"},
    ]
    assert "Web shop" in error["message"]
    assert (await get_flow(server, flow_id))["latest_version"] == 1

    unbound = await server.client.delete(f"{API}/channels/{web['id']}/flow", headers=server.admin)
    assert unbound.status_code == 200, unbound.text
    still = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    assert assert_error(still, 409, "flow_in_use")["details"]["channels"] == [
        {"id": app["id"], "name": "Mobile app"}
    ]
    await server.client.delete(f"{API}/channels/{app['id']}/flow", headers=server.admin)
    deleted = await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert_error(
        await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin), 404, "not_found"
    )
    gone = await server.client.get(f"{API}/flows/{flow_id}/versions/1", headers=server.admin)
    assert_error(gone, 404, "not_found")
    listed = await server.client.get(f"{API}/flows", headers=server.admin)
    assert listed.json()["flows"] == []


ASK_EMAIL_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {
            "id": "ask",
            "type": "collect",
            "config": {"text": "Your e-mail?", "variable": "email", "input_type": "email"},
        },
        {"id": "bye", "type": "end", "config": {"text": "Thanks, ${email}"}},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "ask"},
        {"source": "ask", "port": "next", "target": "bye"},
        {"source": "ask", "port": "invalid", "target": "bye"},
        {"source": "ask", "port": "timeout", "target": "bye"},
    ],
}


async def test_deleting_a_flow_never_breaks_a_conversation_in_progress(
    server: Server, sqlite_url: str, clock: ManualClock
) -> None:
    """A conversation is pinned to its version (SPEC §1), on every node (SPEC §8).

    Either the delete is refused while conversations run on the flow, or they finish
    on their version; a second node (nothing cached) serves the customer's reply.
    """
    key = await server.deploy(ASK_EMAIL_FLOW)
    customer = await server.start(key)
    assert texts(customer.first_messages) == ["Your e-mail?"]
    [channel] = (await server.client.get(f"{API}/channels", headers=server.admin)).json()[
        "channels"
    ]
    unbound = await server.client.delete(
        f"{API}/channels/{channel['id']}/flow", headers=server.admin
    )
    assert unbound.status_code == 200, unbound.text
    deleted = await server.client.delete(f"{API}/flows/{channel['flow_id']}", headers=server.admin)
    assert deleted.status_code in (204, 409), deleted.text
    if deleted.status_code == 409:  # refused: the SPEC error format, the flow still there
        assert set(deleted.json()) == {"error"}, deleted.text
        assert (await get_flow(server, channel["flow_id"]))["latest_version"] == 1

    async with running(sqlite_url, clock) as other_node:
        reply = await other_node.client.post(
            f"{API}/conversations/{customer.id}/messages",
            json={"text": "ann@example.com"},
            headers=customer.headers,
        )
    assert reply.status_code == 200, reply.text
    assert texts(reply.json()["messages"]) == ["Thanks, ann@example.com"]


async def test_an_unknown_flow_is_404_everywhere(server: Server) -> None:
    channel = await new_channel(server, "Web")
    missing = "flw_does_not_exist"
    calls: list[tuple[str, str, Any]] = [
        ("GET", f"/flows/{missing}", None),
        ("PUT", f"/flows/{missing}", {"document": message_flow(), "revision": 1}),
        ("DELETE", f"/flows/{missing}", None),
        ("POST", f"/flows/{missing}/validate", None),
        ("POST", f"/flows/{missing}/validate", {"document": message_flow()}),
        ("POST", f"/flows/{missing}/publish", None),
        ("GET", f"/flows/{missing}/versions", None),
        ("GET", f"/flows/{missing}/versions/1", None),
        ("POST", f"/flows/{missing}/versions/1/restore", None),
        ("PUT", f"/channels/{channel['id']}/flow", {"flow_id": missing}),
    ]
    for method, path, body in calls:
        response = await server.client.request(
            method, f"{API}{path}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")
    got = await server.client.get(f"{API}/channels/{channel['id']}", headers=server.admin)
    assert got.json()["flow_id"] is None


# --------------------------------------------------------------------------- modules


async def test_the_module_catalogue_lists_every_module_type(server: Server) -> None:
    response = await server.client.get(f"{API}/modules", headers=server.admin)
    assert response.status_code == 200, response.text
    modules = {m["type"]: m for m in response.json()["modules"]}
    assert set(modules) == {
        "start",
        "service_time",
        "message",
        "menu",
        "collect",
        "condition",
        "set_variable",
        "http_request",
        "chatbot",
        "transfer",
        "survey",
        "end",
    }
    for type_, module in modules.items():
        assert isinstance(module["title"], str) and module["title"], type_
        assert isinstance(module["description"], str) and module["description"], type_
        schema = module["config_schema"]
        assert schema.get("type") == "object", (type_, schema)
        assert "ports" in module, type_
    assert modules["start"]["ports"]["static"] == ["next"]
    assert modules["service_time"]["ports"]["static"] == ["open", "closed"]
    assert "schedule_id" in modules["service_time"]["config_schema"]["properties"]
    assert modules["message"]["ports"]["static"] == ["next"]
    assert "text" in modules["message"]["config_schema"]["required"]
    assert modules["end"]["ports"]["static"] == []
    assert set(modules["menu"]["ports"]["static"]) == {"invalid", "timeout"}
    assert modules["menu"]["ports"]["dynamic"] == {"field": "options", "key": "id"}
    assert set(modules["collect"]["ports"]["static"]) == {"next", "invalid", "timeout"}
    assert modules["condition"]["ports"]["static"] == ["else"]
    assert modules["condition"]["ports"]["dynamic"] == {"field": "cases", "key": "id"}


async def test_saving_keeps_the_layout_and_the_flow_name(server: Server) -> None:
    """Positions round-trip untouched; the document's name follows the flow's."""
    flow_id = await server.create_flow(message_flow(), name="Reception")
    document = message_flow()
    document["name"] = "Something else"
    document["nodes"][1]["position"] = {"x": 12.5, "y": -40}
    response = await save(server, flow_id, document, 1)
    assert response.status_code == 200, response.text
    saved = response.json()["document"]
    assert saved["name"] == "Reception"
    assert saved["nodes"][1]["position"] == {"x": 12.5, "y": -40}
    assert logic(saved) == logic(document)
