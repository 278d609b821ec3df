"""Schedules (service time) through the admin API, `open_now` on the server's clock (SPEC §1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flowdesk.clock import ManualClock
from tests.support import Server, assert_error

API = "/api/v1"
WEEKDAYS_9_TO_6 = [
    {"day": day, "start": "09:00", "end": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri")
]


async def create(server: Server, **body: Any) -> dict[str, Any]:
    response = await server.client.post(f"{API}/schedules", json=body, headers=server.admin)
    assert response.status_code == 201, response.text
    schedule: dict[str, Any] = response.json()
    return schedule


async def open_now(server: Server, schedule_id: str) -> bool:
    response = await server.client.get(f"{API}/schedules/{schedule_id}", headers=server.admin)
    assert response.status_code == 200, response.text
    value: bool = response.json()["open_now"]
    return value


async def list_schedules(server: Server) -> list[dict[str, Any]]:
    response = await server.client.get(f"{API}/schedules", headers=server.admin)
    assert response.status_code == 200, response.text
    schedules: list[dict[str, Any]] = response.json()["schedules"]
    return schedules


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of January 2026 (the 5th is a Monday)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


async def test_create_returns_the_schedule_and_whether_it_is_open_now(server: Server) -> None:
    schedule = await create(
        server,
        name="Office hours",
        timezone="Europe/London",
        weekly=WEEKDAYS_9_TO_6,
        overrides=[
            {"date": "2026-12-25", "closed": True},
            {"date": "2026-12-24", "periods": [{"start": "09:00", "end": "12:00"}]},
        ],
        force_closed=False,
    )
    assert schedule["id"]
    assert schedule["name"] == "Office hours"
    assert schedule["timezone"] == "Europe/London"
    assert [(p["day"], p["start"], p["end"]) for p in schedule["weekly"]] == [
        (p["day"], p["start"], p["end"]) for p in WEEKDAYS_9_TO_6
    ]
    overrides = {o["date"]: o for o in schedule["overrides"]}
    assert overrides["2026-12-25"]["closed"] is True
    assert overrides["2026-12-24"]["periods"] == [{"start": "09:00", "end": "12:00"}]
    assert schedule["force_closed"] is False
    assert schedule["open_now"] is True  # Monday 09:00 in London (UTC in winter)

    got = await server.client.get(f"{API}/schedules/{schedule['id']}", headers=server.admin)
    assert got.json() == schedule
    assert [s["id"] for s in await list_schedules(server)] == [schedule["id"]]


async def test_open_now_follows_the_clock(server: Server, clock: ManualClock) -> None:
    schedule_id = (
        await create(server, name="Office", timezone="Europe/London", weekly=WEEKDAYS_9_TO_6)
    )["id"]
    assert await open_now(server, schedule_id) is True
    clock.set(utc(5, 8, 59))
    assert await open_now(server, schedule_id) is False
    clock.set(utc(5, 17, 59))
    assert await open_now(server, schedule_id) is True
    clock.set(utc(5, 18, 0))  # `end` is exclusive
    assert await open_now(server, schedule_id) is False
    clock.set(utc(10, 12, 0))  # Saturday
    assert await open_now(server, schedule_id) is False
    clock.set(utc(9, 9, 30))  # Friday (the admin's sign-in lasts a week)
    assert await open_now(server, schedule_id) is True
    listed = {s["id"]: s for s in await list_schedules(server)}
    assert listed[schedule_id]["open_now"] is True


async def test_the_time_zone_decides(server: Server) -> None:
    # Monday 09:00 UTC is 18:00 in Tokyo and 04:00 in New York.
    tokyo = await create(server, name="Tokyo", timezone="Asia/Tokyo", weekly=WEEKDAYS_9_TO_6)
    new_york = await create(
        server, name="New York", timezone="America/New_York", weekly=WEEKDAYS_9_TO_6
    )
    tokyo_late = await create(
        server,
        name="Tokyo late",
        timezone="Asia/Tokyo",
        weekly=[{"day": "mon", "start": "12:00", "end": "24:00"}],
    )
    assert tokyo["open_now"] is False
    assert new_york["open_now"] is False
    assert tokyo_late["open_now"] is True


async def test_overrides_and_overnight_periods(server: Server, clock: ManualClock) -> None:
    holiday = await create(
        server,
        name="Holiday today",
        timezone="UTC",
        weekly=WEEKDAYS_9_TO_6,
        overrides=[{"date": "2026-01-05", "closed": True}],
    )
    assert holiday["open_now"] is False
    saturday = await create(
        server,
        name="Saturday special",
        timezone="UTC",
        weekly=WEEKDAYS_9_TO_6,
        overrides=[{"date": "2026-01-10", "periods": [{"start": "10:00", "end": "14:00"}]}],
    )
    night = await create(
        server,
        name="Night desk",
        timezone="UTC",
        weekly=[{"day": "sun", "start": "22:00", "end": "02:00"}],
    )
    assert night["open_now"] is False
    clock.set(utc(5, 1, 30))  # Monday 01:30: Sunday's period runs past midnight
    assert await open_now(server, night["id"]) is True
    clock.set(utc(10, 11, 0))
    assert await open_now(server, saturday["id"]) is True
    clock.set(utc(10, 15, 0))
    assert await open_now(server, saturday["id"]) is False


async def test_force_closed_flips_open_now_and_keeps_the_rest(server: Server) -> None:
    schedule = await create(server, name="Office", timezone="Europe/London", weekly=WEEKDAYS_9_TO_6)
    assert schedule["open_now"] is True
    closed = await server.client.patch(
        f"{API}/schedules/{schedule['id']}", json={"force_closed": True}, headers=server.admin
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["force_closed"] is True
    assert closed.json()["open_now"] is False
    assert closed.json()["weekly"] == schedule["weekly"]
    assert closed.json()["timezone"] == "Europe/London"
    assert closed.json()["name"] == "Office"
    assert await open_now(server, schedule["id"]) is False

    reopened = await server.client.patch(
        f"{API}/schedules/{schedule['id']}",
        json={"force_closed": False, "name": "Office (London)"},
        headers=server.admin,
    )
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["open_now"], reopened.json()["name"]) == (True, "Office (London)")

    moved = await server.client.patch(
        f"{API}/schedules/{schedule['id']}", json={"timezone": "Asia/Tokyo"}, headers=server.admin
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["timezone"], moved.json()["open_now"]) == ("Asia/Tokyo", False)


async def test_invalid_schedules_are_refused(server: Server) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("unknown time zone", {"timezone": "Mars/Olympus_Mons"}),
        ("hour 25", {"weekly": [{"day": "mon", "start": "25:00", "end": "26:00"}]}),
        ("end 25:00", {"weekly": [{"day": "mon", "start": "09:00", "end": "25:00"}]}),
        ("minute 60", {"weekly": [{"day": "mon", "start": "09:60", "end": "18:00"}]}),
        ("start 24:00", {"weekly": [{"day": "mon", "start": "24:00", "end": "18:00"}]}),
        ("unknown day", {"weekly": [{"day": "monday", "start": "09:00", "end": "18:00"}]}),
        ("empty period", {"weekly": [{"day": "mon", "start": "09:00", "end": "09:00"}]}),
        ("bad date", {"overrides": [{"date": "2026-02-30", "closed": True}]}),
        (
            "closed with periods",
            {
                "overrides": [
                    {
                        "date": "2026-12-25",
                        "closed": True,
                        "periods": [{"start": "09:00", "end": "12:00"}],
                    },
                ]
            },
        ),
        (
            "two overrides on one date",
            {
                "overrides": [
                    {"date": "2026-12-25", "closed": True},
                    {"date": "2026-12-25", "closed": True},
                ]
            },
        ),
        ("unknown field", {"holidays": []}),
    ]
    for case, extra in cases:
        response = await server.client.post(
            f"{API}/schedules", json={"name": "Bad", **extra}, headers=server.admin
        )
        assert response.status_code == 422, (case, response.text)
        assert_error(response, 422, "validation_error")
    assert await list_schedules(server) == []

    schedule = await create(server, name="Good", timezone="Europe/Paris", weekly=WEEKDAYS_9_TO_6)
    for bad in (
        {"timezone": "Europe/Nowhere"},
        {"weekly": [{"day": "mon", "start": "25:00", "end": "18:00"}]},
    ):
        refused = await server.client.patch(
            f"{API}/schedules/{schedule['id']}", json=bad, headers=server.admin
        )
        assert_error(refused, 422, "validation_error")
    got = await server.client.get(f"{API}/schedules/{schedule['id']}", headers=server.admin)
    assert got.json() == schedule


async def test_delete_and_unknown_schedules(server: Server) -> None:
    schedule = await create(server, name="Temporary", timezone="UTC")
    deleted = await server.client.delete(f"{API}/schedules/{schedule['id']}", headers=server.admin)
    assert deleted.status_code == 204, deleted.text
    assert await list_schedules(server) == []
    for method, body in (("GET", None), ("PATCH", {"force_closed": True}), ("DELETE", None)):
        response = await server.client.request(
            method, f"{API}/schedules/{schedule['id']}", json=body, headers=server.admin
        )
        assert_error(response, 404, "not_found")
