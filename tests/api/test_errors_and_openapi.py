"""The error format, OpenAPI, health checks; PostgreSQL: a smoke run and concurrent admins.

SPEC §7 (errors, OpenAPI) and §8 (health, several nodes on one PostgreSQL).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy import select

from flowdesk.storage.models import User
from tests.support import ADMIN_EMAIL, Server, assert_error, texts

API = "/api/v1"

HELLO_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "hello", "type": "message", "config": {"text": "Hello from ${ClientAppName}"}},
        {
            "id": "ask",
            "type": "collect",
            "config": {"text": "Your e-mail?", "variable": "email", "input_type": "email"},
        },
        {"id": "bye", "type": "end", "config": {"text": "Thanks, ${email}"}},
    ],
    "edges": [
        {"source": "start", "port": "next", "target": "hello"},
        {"source": "hello", "port": "next", "target": "ask"},
        {"source": "ask", "port": "next", "target": "bye"},
        {"source": "ask", "port": "invalid", "target": "bye"},
        {"source": "ask", "port": "timeout", "target": "bye"},
    ],
}


async def test_every_kind_of_error_has_the_spec_shape(server: Server) -> None:
    flow_id = await server.create_flow(HELLO_FLOW)
    await server.publish(flow_id)
    channel = await server.client.post(
        f"{API}/channels", json={"name": "App", "type": "api"}, headers=server.admin
    )
    channel_id = channel.json()["id"]
    await server.client.put(
        f"{API}/channels/{channel_id}/flow", json={"flow_id": flow_id}, headers=server.admin
    )
    bad = {"authorization": "Bearer nope"}
    cases: list[tuple[str, str, Any, dict[str, str], int, str]] = [
        ("GET", "/flows", None, bad, 401, "unauthorized"),
        (
            "POST",
            "/auth/login",
            {"email": "x@y.z", "password": "p"},
            {},
            401,
            "invalid_credentials",
        ),
        ("GET", "/flows/flw_missing", None, server.admin, 404, "not_found"),
        ("GET", "/nothing-here", None, server.admin, 404, "not_found"),
        ("DELETE", "/modules", None, server.admin, 405, "method_not_allowed"),
        ("DELETE", f"/flows/{flow_id}", None, server.admin, 409, "flow_in_use"),
        (
            "PUT",
            f"/flows/{flow_id}",
            {"document": HELLO_FLOW, "revision": 9},
            server.admin,
            409,
            "revision_conflict",
        ),
        ("POST", "/flows", {"name": ""}, server.admin, 422, "validation_error"),
        (
            "POST",
            "/flows",
            {"name": "x", "document": {"edges": 1}},
            server.admin,
            422,
            "invalid_document",
        ),
        ("POST", "/channels/no-such-key/conversations", {}, {}, 404, "not_found"),
    ]
    for method, path, body, headers, status, code in cases:
        response = await server.client.request(method, API + path, json=body, headers=headers)
        error = assert_error(response, status, code)
        if status == 422:
            assert isinstance(error["details"], list) and error["details"], error
        if code in ("flow_in_use", "revision_conflict"):
            assert isinstance(error["details"], dict), error


async def test_a_malformed_json_body_is_422_validation_error(server: Server) -> None:
    for path, headers in (("/flows", server.admin), ("/auth/login", {})):
        response = await server.client.post(
            API + path,
            content=b'{"name": "unterminated',
            headers={**headers, "content-type": "application/json"},
        )
        error = assert_error(response, 422, "validation_error")
        assert error["details"], error
    not_an_object = await server.client.post(
        f"{API}/flows", json=["name", "x"], headers=server.admin
    )
    assert_error(not_an_object, 422, "validation_error")
    missing = await server.client.post(f"{API}/flows", headers=server.admin)
    assert_error(missing, 422, "validation_error")
    flows = await server.client.get(f"{API}/flows", headers=server.admin)
    assert flows.json()["flows"] == []


async def test_out_of_range_numbers_in_the_query_are_422_not_a_crash(server: Server) -> None:
    huge = 10**20  # past 64 bits
    for query in (f"offset={huge}", f"limit={huge}", "offset=-1"):
        response = await server.client.get(f"{API}/conversations?{query}", headers=server.admin)
        assert_error(response, 422, "validation_error")


async def test_unknown_routes_and_wrong_methods_answer_in_the_error_format(
    server: Server,
) -> None:
    for path in (f"{API}/no-such-thing", f"{API}/flows/x/y/z", "/no-such-page.php"):
        assert_error(await server.client.get(path, headers=server.admin), 404, "not_found")
    for method, path in (
        ("DELETE", "/modules"),
        ("PATCH", "/flows"),
        ("PUT", "/auth/login"),
        ("POST", "/schedules/sch_x"),
    ):
        response = await server.client.request(method, API + path, headers=server.admin)
        assert_error(response, 405, "method_not_allowed")


async def test_a_405_names_the_allowed_methods(server: Server) -> None:
    # RFC 9110 §15.5.6: a 405 response MUST carry an Allow header.
    response = await server.client.delete(f"{API}/modules", headers=server.admin)
    assert response.status_code == 405
    assert "GET" in response.headers.get("allow", ""), dict(response.headers)


async def test_the_openapi_document_describes_the_api(server: Server) -> None:
    response = await server.client.get(f"{API}/openapi.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"get", "post"} <= set(paths[f"{API}/flows"])
    assert "post" in paths[f"{API}/channels/{{key}}/conversations"]
    for path in (
        f"{API}/auth/login",
        f"{API}/modules",
        f"{API}/flows/{{flow_id}}/publish",
        f"{API}/flows/{{flow_id}}/versions/{{number}}/restore",
        f"{API}/channels/{{channel_id}}/flow",
        f"{API}/schedules",
        f"{API}/users/{{user_id}}",
    ):
        assert path in paths, path


async def test_health_and_readiness(server: Server) -> None:
    alive = await server.client.get("/healthz")
    assert alive.status_code == 200, alive.text
    assert alive.json() == {"status": "ok"}
    ready = await server.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.json()["database"] == "sqlite"


@pytest.mark.postgres
async def test_postgres_smoke_create_publish_bind_and_converse(pg_server: Server) -> None:
    server = pg_server
    ready = await server.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["database"] == "postgresql"

    flow_id = await server.create_flow(HELLO_FLOW, name="Reception")
    version = await server.publish(flow_id, note="first")
    assert (version["version"], version["note"]) == (1, "first")
    channel = await server.client.post(
        f"{API}/channels", json={"name": "Postgres app", "type": "api"}, headers=server.admin
    )
    assert channel.status_code == 201, channel.text
    bound = await server.client.put(
        f"{API}/channels/{channel.json()['id']}/flow",
        json={"flow_id": flow_id},
        headers=server.admin,
    )
    assert bound.status_code == 200, bound.text
    flow = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert flow.json()["channels"] == [{"id": channel.json()["id"], "name": "Postgres app"}]

    customer = await server.start(channel.json()["key"], customer_id="pg-customer")
    assert texts(customer.first_messages) == ["Hello from Postgres app", "Your e-mail?"]
    assert customer.conversation["flow_version"] == 1
    assert texts(await customer.say("pg@example.com")) == ["Thanks, pg@example.com"]
    state = await customer.state()
    assert (state["state"], state["end_reason"]) == ("ended", "flow_end")
    assert_error(
        await server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin),
        409,
        "flow_in_use",
    )


@pytest.mark.postgres
async def test_a_nul_character_in_ids_and_texts_is_answered_not_a_crash(
    any_server: Server,
) -> None:
    """PostgreSQL text cannot hold NUL, so it is refused at the edge on every backend:
    422 in a body (malformed input), 404 in a path (it names nothing that exists)."""
    server = any_server
    login = await server.client.post(
        f"{API}/auth/login", json={"email": "admin\u0000@test.local", "password": "x"}
    )
    assert_error(login, 422, "validation_error")
    quoted = await server.client.post(
        f"{API}/auth/login", json={"email": "admin\\u0000@test.local", "password": "x"}
    )
    assert_error(quoted, 401, "invalid_credentials")  # the text `\u0000` is not a NUL
    start = await server.client.post(f"{API}/channels/key%00/conversations", json={})
    assert_error(start, 404, "not_found")
    for path in ("/flows/flw%00", "/channels/chn%00", "/users/usr%00", "/schedules/sch%00"):
        response = await server.client.get(API + path, headers=server.admin)
        assert_error(response, 404, "not_found")


# ---------------------------------------- two admins writing at once (PostgreSQL)
#
# Several nodes share one PostgreSQL (SPEC §8), so two admins' requests can interleave.
# An outside transaction holds the row lock; the requests queue behind it in a known
# order and run when it is released, which makes each race repeatable.


@asynccontextmanager
async def rows_held(database_url: str, table: str, ids: list[str]) -> AsyncIterator[None]:
    """Hold `FOR UPDATE` locks on some rows from outside the app until the block ends."""
    locker = await psycopg.AsyncConnection.connect(database_url)
    async with locker, locker.transaction():
        await locker.execute(
            sql.SQL("SELECT 1 FROM {} WHERE id = ANY(%s) FOR UPDATE").format(sql.Identifier(table)),
            [ids],
        )
        yield


async def until_waiting(database_url: str, count: int, tasks: list[asyncio.Task[Any]]) -> None:
    """Until `count` sessions wait on a lock (or every task has finished anyway)."""
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as probe:
        for _ in range(500):
            cursor = await probe.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            row = await cursor.fetchone()
            if (row is not None and row[0] >= count) or all(t.done() for t in tasks):
                return
            await asyncio.sleep(0.01)
    raise AssertionError(f"{count} requests never queued on the held lock")


async def race(
    server: Server,
    table: str,
    row_ids: list[str],
    *requests: Coroutine[Any, Any, httpx.Response],
) -> list[httpx.Response]:
    """Send `requests` in this order while the rows are locked, then let them through."""
    url = server.rt.settings.database_url
    tasks: list[asyncio.Task[httpx.Response]] = []
    async with rows_held(url, table, row_ids):
        for request in requests:
            tasks.append(asyncio.create_task(request))
            await until_waiting(url, len(tasks), tasks)
    return list(await asyncio.gather(*tasks))


def flow_saying(text: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": 1,
        "nodes": [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "message", "config": {"text": text}},
            {"id": "bye", "type": "end"},
        ],
        "edges": [
            {"source": "start", "port": "next", "target": "hello"},
            {"source": "hello", "port": "next", "target": "bye"},
        ],
    }
    return document


@pytest.mark.postgres
async def test_two_saves_of_one_revision_cannot_both_win(pg_server: Server) -> None:
    server = pg_server
    flow_id = await server.create_flow(flow_saying("Base"))
    path = f"{API}/flows/{flow_id}"
    first, second = await race(
        server,
        "flows",
        [flow_id],
        server.client.put(
            path, json={"document": flow_saying("Alice"), "revision": 1}, headers=server.admin
        ),
        server.client.put(
            path, json={"document": flow_saying("Bob"), "revision": 1}, headers=server.admin
        ),
    )
    assert first.status_code == 200, first.text
    assert assert_error(second, 409, "revision_conflict")["details"]["current_revision"] == 2
    flow = (await server.client.get(path, headers=server.admin)).json()
    assert flow["revision"] == 2
    assert flow["document"]["nodes"][1]["config"] == {"text": "Alice"}


@pytest.mark.postgres
async def test_two_publishes_at_once_get_distinct_version_numbers(pg_server: Server) -> None:
    server = pg_server
    flow_id = await server.create_flow(flow_saying("Hi"))
    publish = f"{API}/flows/{flow_id}/publish"
    first, second = await race(
        server,
        "flows",
        [flow_id],
        server.client.post(publish, json={"note": "a"}, headers=server.admin),
        server.client.post(publish, json={"note": "b"}, headers=server.admin),
    )
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    flow = await server.client.get(f"{API}/flows/{flow_id}", headers=server.admin)
    assert flow.json()["latest_version"] == 2


@pytest.mark.postgres
async def test_binding_a_flow_while_it_is_deleted_is_404_not_a_crash(pg_server: Server) -> None:
    server = pg_server
    flow_id = await server.create_flow(flow_saying("Hi"))
    await server.publish(flow_id)
    channel = await server.client.post(
        f"{API}/channels", json={"name": "App", "type": "api"}, headers=server.admin
    )
    channel_id = channel.json()["id"]
    deleted, bound = await race(
        server,
        "flows",
        [flow_id],
        server.client.delete(f"{API}/flows/{flow_id}", headers=server.admin),
        server.client.put(
            f"{API}/channels/{channel_id}/flow", json={"flow_id": flow_id}, headers=server.admin
        ),
    )
    assert deleted.status_code == 204, deleted.text
    assert_error(bound, 404, "not_found")
    got = await server.client.get(f"{API}/channels/{channel_id}", headers=server.admin)
    assert got.json()["flow_id"] is None


@pytest.mark.postgres
async def test_two_settings_patches_at_once_both_stick(pg_server: Server) -> None:
    server = pg_server
    created = await server.client.post(
        f"{API}/channels", json={"name": "Web", "type": "web"}, headers=server.admin
    )
    path = f"{API}/channels/{created.json()['id']}"
    title, offline = await race(
        server,
        "channels",
        [created.json()["id"]],
        server.client.patch(path, json={"settings": {"title": "Help"}}, headers=server.admin),
        server.client.patch(
            path, json={"settings": {"offline_text": "Back at 9"}}, headers=server.admin
        ),
    )
    assert (title.status_code, offline.status_code) == (200, 200), (title.text, offline.text)
    settings = (await server.client.get(path, headers=server.admin)).json()["settings"]
    assert (settings["title"], settings["offline_text"]) == ("Help", "Back at 9")


@pytest.mark.postgres
async def test_two_schedule_patches_at_once_both_stick(pg_server: Server) -> None:
    server = pg_server
    created = await server.client.post(
        f"{API}/schedules",
        json={
            "name": "Office",
            "timezone": "UTC",
            "weekly": [{"day": "mon", "start": "09:00", "end": "18:00"}],
        },
        headers=server.admin,
    )
    assert created.status_code == 201, created.text
    path = f"{API}/schedules/{created.json()['id']}"
    moved, closed = await race(
        server,
        "schedules",
        [created.json()["id"]],
        server.client.patch(path, json={"timezone": "Asia/Tokyo"}, headers=server.admin),
        server.client.patch(path, json={"force_closed": True}, headers=server.admin),
    )
    assert (moved.status_code, closed.status_code) == (200, 200), (moved.text, closed.text)
    schedule = (await server.client.get(path, headers=server.admin)).json()
    assert (schedule["timezone"], schedule["force_closed"]) == ("Asia/Tokyo", True)


@pytest.mark.postgres
async def test_two_admins_removed_at_once_leave_one_admin(pg_server: Server) -> None:
    server = pg_server
    first = (await server.client.get(f"{API}/auth/me", headers=server.admin)).json()
    second = await server.client.post(
        f"{API}/users",
        json={
            "email": "second@example.com",
            "password": "second-password",
            "display_name": "Second",
            "role": "admin",
        },
        headers=server.admin,
    )
    assert second.status_code == 201, second.text
    ids = [first["id"], second.json()["id"]]
    removed_second, removed_first = await race(
        server,
        "users",
        ids,
        server.client.delete(f"{API}/users/{ids[1]}", headers=server.admin),
        server.client.delete(f"{API}/users/{ids[0]}", headers=server.admin),
    )
    assert removed_second.status_code == 204, removed_second.text
    assert_error(removed_first, 409, "last_admin")
    async with server.rt.db.read() as session:
        admins = list(await session.scalars(select(User.email).where(User.role == "admin")))
    assert admins == [ADMIN_EMAIL]
