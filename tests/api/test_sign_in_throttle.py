"""Repeated failed sign-ins are throttled (429) per e-mail, and the window slides."""

from __future__ import annotations

from flowdesk.clock import ManualClock
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Server


async def test_ten_failures_block_the_email_until_the_window_passes(
    server: Server, clock: ManualClock
) -> None:
    async def attempt(password: str) -> int:
        response = await server.client.post(
            "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": password}
        )
        return response.status_code

    assert [await attempt("wrong") for _ in range(10)] == [401] * 10
    blocked = await server.client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"
    assert int(blocked.headers["retry-after"]) > 0
    clock.advance(901)
    assert await attempt(ADMIN_PASSWORD) == 200
