"""Staff sign-in, bearer tokens, the console's session cookie and CSRF (SPEC §7)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from flowdesk.app import create_app
from flowdesk.clock import ManualClock
from flowdesk.storage.models import User
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server, assert_error, make_settings, running

AGENT_EMAIL = "agent@test.local"
AGENT_PASSWORD = "agent-password-1"

MINIMAL_FLOW: dict[str, Any] = {
    "schema_version": 1,
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "bye", "type": "end", "config": {"text": "Bye"}},
    ],
    "edges": [{"source": "start", "port": "next", "target": "bye"}],
}


@asynccontextmanager
async def fresh_client(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app with an empty cookie jar (the fixture's holds the admin's)."""
    transport = httpx.ASGITransport(app=server.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://flowdesk.test") as client:
        yield client


async def create_agent(server: Server) -> dict[str, Any]:
    response = await server.client.post(
        "/api/v1/users",
        json={
            "email": AGENT_EMAIL,
            "password": AGENT_PASSWORD,
            "display_name": "Alice",
            "role": "agent",
        },
        headers=server.admin,
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


def cookie_attributes(response: httpx.Response, name: str) -> tuple[str, set[str]]:
    """The value and the lower-cased attribute names/pairs of one Set-Cookie header."""
    for header in response.headers.get_list("set-cookie"):
        first, *attributes = [part.strip() for part in header.split(";")]
        cookie_name, _, value = first.partition("=")
        if cookie_name == name:
            return value, {a.lower() for a in attributes}
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


async def test_login_returns_token_and_user_and_sets_session_and_csrf_cookies(
    server: Server,
) -> None:
    async with fresh_client(server) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    token = body["token"]
    assert isinstance(token, str) and len(token) >= 32
    assert body["user"]["email"] == ADMIN_EMAIL
    assert body["user"]["role"] == "admin"
    assert not any("password" in key for key in body["user"])
    assert ADMIN_PASSWORD not in response.text

    session_value, session_attrs = cookie_attributes(response, "flowdesk_session")
    assert session_value == token
    assert "httponly" in session_attrs
    assert "samesite=lax" in session_attrs
    csrf_value, csrf_attrs = cookie_attributes(response, "flowdesk_csrf")
    assert csrf_value and csrf_value == body["csrf_token"]
    assert "httponly" not in csrf_attrs  # the console's script must read it
    assert "samesite=lax" in csrf_attrs

    me = await server.client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["email"] == ADMIN_EMAIL


async def test_wrong_password_and_unknown_email_are_the_same_401(server: Server) -> None:
    async with fresh_client(server) as client:
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "not-the-password"}
        )
        unknown = await client.post(
            "/api/v1/auth/login", json={"email": "nobody@test.local", "password": ADMIN_PASSWORD}
        )
        assert not client.cookies  # no session for a failed sign-in
    wrong_error = assert_error(wrong, 401, "invalid_credentials")
    unknown_error = assert_error(unknown, 401, "invalid_credentials")
    assert wrong_error == unknown_error  # nothing tells which accounts exist
    assert "token" not in wrong.json()


async def test_no_token_a_garbage_token_or_an_expired_one_is_401(
    server: Server, clock: ManualClock
) -> None:
    async with fresh_client(server) as client:
        assert_error(await client.get("/api/v1/flows"), 401, "unauthorized")
        assert_error(await client.get("/api/v1/auth/me"), 401, "unauthorized")
        for value in (
            "Bearer not-a-real-token",
            "Bearer a.b.c",  # shaped like a customer token, not signed by us
            "Basic YWRtaW46YWRtaW4=",
            "Bearer ",
        ):
            response = await client.get("/api/v1/flows", headers={"authorization": value})
            assert_error(response, 401, "unauthorized")
        created = await client.post(
            "/api/v1/flows", json={"name": "x"}, headers={"authorization": "Bearer nope"}
        )
        assert_error(created, 401, "unauthorized")
    flows = await server.client.get("/api/v1/flows", headers=server.admin)
    assert flows.json()["flows"] == []

    clock.advance(server.rt.settings.token_ttl_hours * 3600 + 1)
    expired = await server.client.get("/api/v1/auth/me", headers=server.admin)
    assert_error(expired, 401, "unauthorized")


async def test_an_agent_token_on_admin_endpoints_is_403(server: Server) -> None:
    await create_agent(server)
    agent = await server.login(AGENT_EMAIL, AGENT_PASSWORD)
    me = await server.client.get("/api/v1/auth/me", headers=agent)
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "agent"
    for method, path, body in (
        ("GET", "/api/v1/flows", None),
        ("POST", "/api/v1/flows", {"name": "Mine"}),
        ("GET", "/api/v1/modules", None),
        ("GET", "/api/v1/channels", None),
        ("GET", "/api/v1/users", None),
        ("GET", "/api/v1/schedules", None),
        ("GET", "/api/v1/conversations", None),
    ):
        response = await server.client.request(method, path, json=body, headers=agent)
        assert_error(response, 403, "forbidden")
    flows = await server.client.get("/api/v1/flows", headers=server.admin)
    assert flows.json()["flows"] == []  # the refused POST created nothing


async def test_a_customer_token_on_admin_endpoints_is_403(server: Server) -> None:
    key = await server.deploy(MINIMAL_FLOW)
    customer = await server.start(key)
    for path in ("/api/v1/flows", "/api/v1/users", "/api/v1/auth/me"):
        assert_error(await server.client.get(path, headers=customer.headers), 403, "forbidden")
    response = await server.client.post(
        "/api/v1/flows", json={"name": "Sneaky"}, headers=customer.headers
    )
    assert_error(response, 403, "forbidden")


async def test_logout_revokes_only_that_token(server: Server) -> None:
    second = await server.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert (await server.client.get("/api/v1/auth/me", headers=second)).status_code == 200
    out = await server.client.post("/api/v1/auth/logout", headers=second)
    assert out.status_code == 204, out.text
    assert_error(await server.client.get("/api/v1/auth/me", headers=second), 401, "unauthorized")
    assert_error(await server.client.get("/api/v1/flows", headers=second), 401, "unauthorized")
    # The other sign-in of the same admin is untouched.
    assert (await server.client.get("/api/v1/auth/me", headers=server.admin)).status_code == 200


async def test_cookie_session_reads_freely_but_writes_need_the_csrf_header(
    server: Server,
) -> None:
    async with fresh_client(server) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]
        assert client.cookies.get("flowdesk_csrf") == csrf

        listed = await client.get("/api/v1/flows")  # no Authorization: the cookie signs in
        assert listed.status_code == 200, listed.text
        assert (await client.get("/api/v1/auth/me")).json()["email"] == ADMIN_EMAIL

        no_header = await client.post("/api/v1/flows", json={"name": "Forged"})
        assert_error(no_header, 403, "csrf_failed")
        wrong_header = await client.post(
            "/api/v1/flows", json={"name": "Forged"}, headers={"x-csrf-token": csrf + "x"}
        )
        assert_error(wrong_header, 403, "csrf_failed")
        assert (await client.get("/api/v1/flows")).json()["flows"] == []

        created = await client.post(
            "/api/v1/flows", json={"name": "Real"}, headers={"x-csrf-token": csrf}
        )
        assert created.status_code == 201, created.text
        names = [f["name"] for f in (await client.get("/api/v1/flows")).json()["flows"]]
        assert names == ["Real"]

        # Signing out with the cookie is a write too.
        assert_error(await client.post("/api/v1/auth/logout"), 403, "csrf_failed")
        out = await client.post("/api/v1/auth/logout", headers={"x-csrf-token": csrf})
        assert out.status_code == 204, out.text
        assert_error(await client.get("/api/v1/auth/me"), 401, "unauthorized")


async def test_the_first_admin_comes_from_settings_once(
    server: Server, sqlite_url: str, clock: ManualClock
) -> None:
    users = (await server.client.get("/api/v1/users", headers=server.admin)).json()["users"]
    assert [(u["email"], u["role"]) for u in users] == [(ADMIN_EMAIL, "admin")]
    # A restart with other admin settings neither adds an admin nor resets the password:
    # `running` signs in with the original password.
    other = SecretStr("another-password-2")
    async with running(sqlite_url, clock, admin_password=other) as again:
        users = (await again.client.get("/api/v1/users", headers=again.admin)).json()["users"]
    assert [u["email"] for u in users] == [ADMIN_EMAIL]


async def test_no_admin_is_created_without_admin_settings(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'empty.db'}", admin_email=None, admin_password=None
    )
    app = create_app(settings, clock=ManualClock(), run_scheduler=False)
    async with app.router.lifespan_context(app):
        rt = app.state.runtime
        async with rt.db.read() as session:
            count = await session.scalar(select(func.count()).select_from(User))
        assert count == 0
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as client:
            response = await client.post(
                "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
        assert_error(response, 401, "invalid_credentials")


async def test_a_password_change_revokes_the_old_sign_ins(server: Server) -> None:
    agent_user = await create_agent(server)
    agent = await server.login(AGENT_EMAIL, AGENT_PASSWORD)
    changed = await server.client.patch(
        f"/api/v1/users/{agent_user['id']}",
        json={"password": "brand-new-password"},
        headers=server.admin,
    )
    assert changed.status_code == 200, changed.text
    assert_error(await server.client.get("/api/v1/auth/me", headers=agent), 401, "unauthorized")
    old = await server.client.post(
        "/api/v1/auth/login", json={"email": AGENT_EMAIL, "password": AGENT_PASSWORD}
    )
    assert_error(old, 401, "invalid_credentials")
    fresh = await server.login(AGENT_EMAIL, "brand-new-password")
    assert (await server.client.get("/api/v1/auth/me", headers=fresh)).status_code == 200
    # Changing another user's password leaves the admin signed in.
    assert (await server.client.get("/api/v1/auth/me", headers=server.admin)).status_code == 200
