from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.schedule import ScheduleSpec, is_open


def spec(timezone: str = "Europe/Berlin", **fields: Any) -> ScheduleSpec:
    return ScheduleSpec.model_validate({"timezone": timezone, **fields})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


WEEKDAYS_9_TO_18 = [{"day": d, "start": "09:00", "end": "18:00"} for d in ("mon", "tue", "wed")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 23, 7, 59), False),  # Mon 08:59 CET (UTC+1)
        (utc(2026, 3, 23, 8, 0), True),  # Mon 09:00 CET
        (utc(2026, 3, 23, 16, 59), True),  # Mon 17:59 CET
        (utc(2026, 3, 23, 17, 0), False),  # Mon 18:00 CET: the end is exclusive
        (utc(2026, 3, 30, 7, 0), True),  # Mon 09:00 CEST (UTC+2), after the DST change
        (utc(2026, 3, 30, 15, 59), True),  # Mon 17:59 CEST
        (utc(2026, 3, 30, 16, 0), False),  # Mon 18:00 CEST
        (utc(2026, 3, 28, 10, 0), False),  # a Saturday
    ],
)
def test_weekly_periods_follow_local_time_across_dst(now: datetime, expected: bool) -> None:
    assert is_open(spec(weekly=WEEKDAYS_9_TO_18), now) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 29, 0, 30), True),  # Sun 01:30 CET
        (utc(2026, 3, 29, 1, 0), True),  # Sun 03:00 CEST: 02:00-03:00 never happened
        (utc(2026, 3, 29, 1, 59), True),  # Sun 03:59 CEST
        (utc(2026, 3, 29, 2, 0), False),  # Sun 04:00 CEST
    ],
)
def test_spring_forward_day(now: datetime, expected: bool) -> None:
    schedule = spec(weekly=[{"day": "sun", "start": "01:00", "end": "04:00"}])
    assert is_open(schedule, now) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 10, 24, 23, 59), False),  # Sun 01:59 CEST
        (utc(2026, 10, 25, 0, 30), True),  # Sun 02:30 CEST, the first time
        (utc(2026, 10, 25, 1, 30), True),  # Sun 02:30 CET, the second time
        (utc(2026, 10, 25, 2, 0), False),  # Sun 03:00 CET
    ],
)
def test_fall_back_day(now: datetime, expected: bool) -> None:
    schedule = spec(weekly=[{"day": "sun", "start": "02:00", "end": "03:00"}])
    assert is_open(schedule, now) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 2, 1, 0), True),  # Mon 09:00 in Shanghai (UTC+8)
        (utc(2026, 3, 1, 23, 0), False),  # Mon 07:00 in Shanghai, still Sunday in UTC
        (utc(2026, 3, 2, 9, 59), True),  # Mon 17:59
        (utc(2026, 3, 2, 10, 0), False),  # Mon 18:00
    ],
)
def test_shanghai(now: datetime, expected: bool) -> None:
    assert is_open(spec("Asia/Shanghai", weekly=WEEKDAYS_9_TO_18), now) is expected


def test_closed_override_wins_over_weekly() -> None:
    schedule = spec(
        "UTC",
        weekly=[{"day": "fri", "start": "09:00", "end": "18:00"}],
        overrides=[{"date": "2026-12-25", "closed": True}],
    )
    assert is_open(schedule, utc(2026, 12, 25, 10, 0)) is False
    assert is_open(schedule, utc(2026, 12, 18, 10, 0)) is True


def test_override_periods_replace_weekly_periods() -> None:
    schedule = spec(
        "UTC",
        weekly=[{"day": "mon", "start": "09:00", "end": "18:00"}],
        overrides=[
            {"date": "2026-03-02", "periods": [{"start": "12:00", "end": "13:00"}]},
            {"date": "2026-03-08", "periods": [{"start": "10:00", "end": "14:00"}]},
        ],
    )
    assert is_open(schedule, utc(2026, 3, 2, 10, 0)) is False
    assert is_open(schedule, utc(2026, 3, 2, 12, 30)) is True
    assert is_open(schedule, utc(2026, 3, 8, 11, 0)) is True  # a Sunday
    assert is_open(schedule, utc(2026, 3, 8, 14, 0)) is False


def test_override_without_periods_is_closed() -> None:
    schedule = spec(
        "UTC",
        weekly=[{"day": "mon", "start": "09:00", "end": "18:00"}],
        overrides=[{"date": "2026-03-02"}],
    )
    assert is_open(schedule, utc(2026, 3, 2, 10, 0)) is False


OVERNIGHT = [{"day": "fri", "start": "22:00", "end": "02:00"}]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 6, 21, 59), False),  # Fri 21:59
        (utc(2026, 3, 6, 22, 0), True),
        (utc(2026, 3, 6, 23, 59), True),
        (utc(2026, 3, 7, 0, 0), True),  # Sat 00:00
        (utc(2026, 3, 7, 1, 59), True),
        (utc(2026, 3, 7, 2, 0), False),
        (utc(2026, 3, 7, 22, 30), False),  # Sat evening: the period is Friday's
    ],
)
def test_overnight_period(now: datetime, expected: bool) -> None:
    assert is_open(spec("UTC", weekly=OVERNIGHT), now) is expected


def test_overnight_spill_survives_a_closed_override_on_the_next_day() -> None:
    schedule = spec("UTC", weekly=OVERNIGHT, overrides=[{"date": "2026-03-07", "closed": True}])
    assert is_open(schedule, utc(2026, 3, 7, 1, 0)) is True


def test_closed_override_on_the_first_day_closes_the_whole_overnight_period() -> None:
    schedule = spec("UTC", weekly=OVERNIGHT, overrides=[{"date": "2026-03-06", "closed": True}])
    assert is_open(schedule, utc(2026, 3, 6, 23, 0)) is False
    assert is_open(schedule, utc(2026, 3, 7, 1, 0)) is False


def test_overnight_override_period_spills_into_the_next_day() -> None:
    schedule = spec(
        "UTC", overrides=[{"date": "2026-12-31", "periods": [{"start": "20:00", "end": "03:00"}]}]
    )
    assert is_open(schedule, utc(2027, 1, 1, 2, 59)) is True
    assert is_open(schedule, utc(2027, 1, 1, 3, 0)) is False


def test_end_at_24_00_runs_to_midnight() -> None:
    schedule = spec("UTC", weekly=[{"day": "mon", "start": "18:00", "end": "24:00"}])
    assert is_open(schedule, datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)) is True
    assert is_open(schedule, utc(2026, 3, 3, 0, 0)) is False


def test_whole_day() -> None:
    schedule = spec("UTC", weekly=[{"day": "mon", "start": "00:00", "end": "24:00"}])
    assert is_open(schedule, utc(2026, 3, 2, 0, 0)) is True
    assert is_open(schedule, utc(2026, 3, 2, 23, 59)) is True
    assert is_open(schedule, utc(2026, 3, 3, 0, 0)) is False


def test_force_closed_wins() -> None:
    schedule = spec("UTC", weekly=WEEKDAYS_9_TO_18, force_closed=True)
    assert is_open(schedule, utc(2026, 3, 2, 10, 0)) is False


def test_naive_now_is_taken_as_utc() -> None:
    schedule = spec("Asia/Shanghai", weekly=WEEKDAYS_9_TO_18)
    assert is_open(schedule, datetime(2026, 3, 2, 1, 0)) is True


def test_round_trips_through_json() -> None:
    schedule = spec(
        weekly=WEEKDAYS_9_TO_18,
        overrides=[{"date": "2026-12-25", "closed": True}],
        force_closed=False,
    )
    assert ScheduleSpec.model_validate(schedule.model_dump(mode="json")) == schedule


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": ""}, "unknown time zone"),
        ({"weekly": [{"day": "mon", "start": "09:00", "end": "09:00"}]}, "same time"),
        ({"weekly": [{"day": "mon", "start": "24:00", "end": "09:00"}]}, "start"),
        ({"weekly": [{"day": "mon", "start": "9:00", "end": "18:00"}]}, "start"),
        ({"weekly": [{"day": "mon", "start": "09:00", "end": "24:01"}]}, "end"),
        ({"weekly": [{"day": "monday", "start": "09:00", "end": "18:00"}]}, "day"),
        (
            {"overrides": [{"date": "2026-12-25", "closed": True}, {"date": "2026-12-25"}]},
            "more than one override",
        ),
        (
            {
                "overrides": [
                    {
                        "date": "2026-12-25",
                        "closed": True,
                        "periods": [{"start": "09:00", "end": "10:00"}],
                    }
                ]
            },
            "either closed or has periods",
        ),
        ({"overrides": [{"date": "2026-02-30", "closed": True}]}, "date"),
        ({"holidays": []}, "holidays"),
    ],
)
def test_invalid_schedules_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScheduleSpec.model_validate({"timezone": "UTC", **fields})
