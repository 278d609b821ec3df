"""Service time (SPEC §1): weekly opening periods, dated overrides, an emergency switch.

`is_open` is a pure function of a schedule and an instant, so business-hours
branching is tested with fixed clocks, across time zones and DST changes.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_START_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_END_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"


def _minutes(hh_mm: str) -> int:
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


class Period(BaseModel):
    """An opening period within a day, `start` inclusive, `end` exclusive, local time.

    An `end` before `start` runs past midnight into the next day; `"24:00"` is midnight.
    """

    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=_START_PATTERN, description="Opening time, HH:MM (00:00-23:59).")
    end: str = Field(
        pattern=_END_PATTERN,
        description="Closing time, HH:MM or 24:00; before `start` means past midnight.",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Period:
        if self.start == self.end:
            raise ValueError(f"a period cannot start and end at the same time ({self.start})")
        return self

    @property
    def start_minute(self) -> int:
        return _minutes(self.start)

    @property
    def end_minute(self) -> int:
        return _minutes(self.end)

    @property
    def overnight(self) -> bool:
        return self.end_minute < self.start_minute


class WeeklyPeriod(Period):
    """A period repeated every week on `day`."""

    day: Weekday = Field(description="Day of the week the period starts on.")


class Override(BaseModel):
    """A date whose opening replaces the weekly periods: closed, or these periods."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="The local date this override applies to (YYYY-MM-DD).")
    closed: bool = Field(default=False, description="Closed all day.")
    periods: list[Period] = Field(
        default_factory=list, max_length=20, description="Opening periods on this date."
    )

    @model_validator(mode="after")
    def _closed_or_periods(self) -> Override:
        if self.closed and self.periods:
            raise ValueError("an override is either closed or has periods, not both")
        return self


class ScheduleSpec(BaseModel):
    """When human service is open: weekly periods, overrides by date and `force_closed`."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(description="IANA time zone the periods are in, e.g. Europe/Berlin.")
    weekly: list[WeeklyPeriod] = Field(
        default_factory=list, max_length=200, description="Opening periods of each weekday."
    )
    overrides: list[Override] = Field(
        default_factory=list, max_length=1000, description="Dates that replace the weekly periods."
    )
    force_closed: bool = Field(
        default=False, description="Emergency switch: closed regardless of periods."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin'"
            ) from None
        return value

    @field_validator("overrides")
    @classmethod
    def _unique_dates(cls, value: list[Override]) -> list[Override]:
        seen: set[dt.date] = set()
        for override in value:
            if override.date in seen:
                raise ValueError(f"date {override.date.isoformat()} has more than one override")
            seen.add(override.date)
        return value

    def periods_on(self, day: dt.date) -> list[Period]:
        """The periods that start on local date `day`: its override's, else the weekday's."""
        for override in self.overrides:
            if override.date == day:
                return [] if override.closed else list(override.periods)
        weekday = WEEKDAYS[day.weekday()]
        return [period for period in self.weekly if period.day == weekday]


def is_open(spec: ScheduleSpec, now_utc: datetime) -> bool:
    """Whether the schedule is open at the instant `now_utc` (a naive value is taken as UTC)."""
    if spec.force_closed:
        return False
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=UTC)
    local = now_utc.astimezone(ZoneInfo(spec.timezone))
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    today = local.date()
    for period in spec.periods_on(today):
        if period.overnight:
            if minute >= period.start_minute:
                return True
        elif period.start_minute <= minute < period.end_minute:
            return True
    # Yesterday's overnight periods spill into today whatever today's own opening is.
    return any(
        period.overnight and minute < period.end_minute
        for period in spec.periods_on(today - timedelta(days=1))
    )
