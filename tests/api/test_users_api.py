"""Staff accounts through the admin API (SPEC §1, §7)."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server, assert_error

API = "/api/v1"
PASSWORD = "correct-horse-battery"


def assert_no_password(response: httpx.Response, *passwords: str) -> None:
    """No key that looks like a password, and no password in the raw body."""

    def keys(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [k for k, v in value.items() for k in (k, *keys(v))]
        if isinstance(value, list):
            return [k for item in value for k in keys(item)]
        return []

    assert not [k for k in keys(response.json()) if "password" in k.lower()], response.text
    assert "argon2" not in response.text
    for password in passwords:
        assert password not in response.text


async def create_user(server: Server, **body: Any) -> dict[str, Any]:
    values = {"password": PASSWORD, "display_name": "Alice", **body}
    response = await server.client.post(f"{API}/users", json=values, headers=server.admin)
    assert response.status_code == 201, response.text
    assert_no_password(response, values["password"])
    user: dict[str, Any] = response.json()
    return user


async def list_users(server: Server, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    response = await server.client.get(f"{API}/users", headers=headers or server.admin)
    assert response.status_code == 200, response.text
    assert_no_password(response, PASSWORD, ADMIN_PASSWORD)
    users: list[dict[str, Any]] = response.json()["users"]
    return users


async def me(server: Server, headers: dict[str, str]) -> dict[str, Any]:
    response = await server.client.get(f"{API}/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()
    return user


async def test_user_crud_never_shows_a_password(server: Server) -> None:
    agent = await create_user(
        server,
        email="Alice@Example.COM",
        display_name="Alice",
        staff_no="1001",
        role="agent",
        max_concurrent=3,
    )
    assert agent["id"]
    assert agent["email"] == "alice@example.com"
    assert (agent["display_name"], agent["staff_no"], agent["role"]) == ("Alice", "1001", "agent")
    assert (agent["max_concurrent"], agent["status"]) == (3, "offline")
    defaults = await create_user(server, email="bob@example.com", display_name="Bob")
    assert (defaults["role"], defaults["max_concurrent"], defaults["staff_no"]) == (
        "agent",
        5,
        None,
    )

    got = await server.client.get(f"{API}/users/{agent['id']}", headers=server.admin)
    assert got.status_code == 200, got.text
    assert_no_password(got, PASSWORD)
    assert got.json() == agent
    assert {u["email"] for u in await list_users(server)} == {
        ADMIN_EMAIL,
        "alice@example.com",
        "bob@example.com",
    }

    patched = await server.client.patch(
        f"{API}/users/{agent['id']}",
        json={
            "display_name": "Alice B.",
            "staff_no": "2002",
            "max_concurrent": 8,
            "status": "away",
            "password": "another-long-password",
        },
        headers=server.admin,
    )
    assert patched.status_code == 200, patched.text
    assert_no_password(patched, PASSWORD, "another-long-password")
    body = patched.json()
    assert (body["display_name"], body["staff_no"], body["max_concurrent"], body["status"]) == (
        "Alice B.",
        "2002",
        8,
        "away",
    )
    assert (body["email"], body["role"]) == ("alice@example.com", "agent")
    promoted = await server.client.patch(
        f"{API}/users/{agent['id']}", json={"role": "admin"}, headers=server.admin
    )
    assert promoted.json()["role"] == "admin"
    assert (await server.client.get(f"{API}/users/{agent['id']}", headers=server.admin)).json() == (
        promoted.json()
    )

    deleted = await server.client.delete(f"{API}/users/{agent['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert_error(
        await server.client.get(f"{API}/users/{agent['id']}", headers=server.admin),
        404,
        "not_found",
    )
    assert {u["email"] for u in await list_users(server)} == {ADMIN_EMAIL, "bob@example.com"}


async def test_a_taken_email_is_409(server: Server) -> None:
    await create_user(server, email="carol@example.com")
    for email in ("carol@example.com", "Carol@Example.com", ADMIN_EMAIL):
        response = await server.client.post(
            f"{API}/users",
            json={"email": email, "password": PASSWORD, "display_name": "Carol 2"},
            headers=server.admin,
        )
        assert_error(response, 409, "email_taken")
    assert len(await list_users(server)) == 2


async def test_invalid_user_input_is_422_and_creates_nothing(server: Server) -> None:
    valid = {"email": "dave@example.com", "password": PASSWORD, "display_name": "Dave"}
    for case, change in (
        ("max_concurrent 0", {"max_concurrent": 0}),
        ("max_concurrent negative", {"max_concurrent": -1}),
        ("short password", {"password": "short"}),
        ("seven characters", {"password": "1234567"}),
        ("not an email", {"email": "dave.example.com"}),
        ("unknown role", {"role": "owner"}),
        ("empty display name", {"display_name": ""}),
        ("unknown field", {"is_superuser": True}),
    ):
        response = await server.client.post(
            f"{API}/users", json={**valid, **change}, headers=server.admin
        )
        assert response.status_code == 422, (case, response.text)
        assert_error(response, 422, "validation_error")
    assert [u["email"] for u in await list_users(server)] == [ADMIN_EMAIL]

    user = await create_user(server, email="erin@example.com")
    for change in (
        {"max_concurrent": 0},
        {"password": "short"},
        {"status": "busy"},
        {"role": "root"},
        {"email": "new@example.com"},
    ):
        response = await server.client.patch(
            f"{API}/users/{user['id']}", json=change, headers=server.admin
        )
        assert_error(response, 422, "validation_error")
    got = await server.client.get(f"{API}/users/{user['id']}", headers=server.admin)
    assert got.json() == user
    erin = await server.login("erin@example.com", PASSWORD)  # the password did not change
    assert (await me(server, erin))["email"] == "erin@example.com"


async def test_the_last_admin_can_be_neither_deleted_nor_demoted(server: Server) -> None:
    admin = await me(server, server.admin)
    assert_error(
        await server.client.delete(f"{API}/users/{admin['id']}", headers=server.admin),
        409,
        "last_admin",
    )
    assert_error(
        await server.client.patch(
            f"{API}/users/{admin['id']}", json={"role": "agent"}, headers=server.admin
        ),
        409,
        "last_admin",
    )
    assert (await me(server, server.admin))["role"] == "admin"

    # With a second admin, the first may step down; then the second is the last one.
    await create_user(server, email="second@example.com", role="admin")
    second = await server.login("second@example.com", PASSWORD)
    demoted = await server.client.patch(
        f"{API}/users/{admin['id']}", json={"role": "agent"}, headers=second
    )
    assert demoted.status_code == 200, demoted.text
    assert demoted.json()["role"] == "agent"
    assert_error(await server.client.get(f"{API}/users", headers=server.admin), 403, "forbidden")
    second_id = (await me(server, second))["id"]
    assert_error(
        await server.client.delete(f"{API}/users/{second_id}", headers=second), 409, "last_admin"
    )
    assert_error(
        await server.client.patch(
            f"{API}/users/{second_id}", json={"role": "agent"}, headers=second
        ),
        409,
        "last_admin",
    )
    removed = await server.client.delete(f"{API}/users/{admin['id']}", headers=second)
    assert removed.status_code == 204, removed.text
    assert [(u["email"], u["role"]) for u in await list_users(server, second)] == [
        ("second@example.com", "admin")
    ]
    # The deleted account's sign-in went with it.
    assert_error(
        await server.client.get(f"{API}/auth/me", headers=server.admin), 401, "unauthorized"
    )


async def test_an_agent_cannot_manage_users(server: Server) -> None:
    agent = await create_user(server, email="frank@example.com")
    headers = await server.login("frank@example.com", PASSWORD)
    assert_error(await server.client.get(f"{API}/users", headers=headers), 403, "forbidden")
    assert_error(
        await server.client.get(f"{API}/users/{agent['id']}", headers=headers), 403, "forbidden"
    )
    created = await server.client.post(
        f"{API}/users",
        json={
            "email": "mallory@example.com",
            "password": PASSWORD,
            "display_name": "M",
            "role": "admin",
        },
        headers=headers,
    )
    assert_error(created, 403, "forbidden")
    promoted = await server.client.patch(
        f"{API}/users/{agent['id']}", json={"role": "admin"}, headers=headers
    )
    assert_error(promoted, 403, "forbidden")
    assert [(u["email"], u["role"]) for u in await list_users(server)] == [
        (ADMIN_EMAIL, "admin"),
        ("frank@example.com", "agent"),
    ]


async def test_an_unknown_user_is_404(server: Server) -> None:
    missing = "usr_does_not_exist"
    for method, body in (("GET", None), ("PATCH", {"display_name": "X"}), ("DELETE", None)):
        response = await server.client.request(
            method, f"{API}/users/{missing}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")


async def test_a_staff_number_can_be_cleared_and_is_kept_when_not_sent(server: Server) -> None:
    created = await server.client.post(
        "/api/v1/users",
        json={
            "email": "sam@desk.example.com",
            "password": "agent-password-1",
            "display_name": "Sam",
            "staff_no": "1002",
        },
        headers=server.admin,
    )
    user_id = created.json()["id"]
    renamed = await server.client.patch(
        f"/api/v1/users/{user_id}", json={"display_name": "Samuel"}, headers=server.admin
    )
    assert renamed.json()["staff_no"] == "1002"
    cleared = await server.client.patch(
        f"/api/v1/users/{user_id}", json={"staff_no": None}, headers=server.admin
    )
    assert cleared.json()["staff_no"] is None
