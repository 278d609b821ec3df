from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from flowdesk.engine.module import Reference
from flowdesk.engine.modules.service_time import ServiceTimeConfig, ServiceTimeModule
from flowdesk.engine.schedule import ScheduleSpec

# The `clock` fixture starts on Monday 2026-03-02 10:00 UTC.
OFFICE = ScheduleSpec.model_validate(
    {"timezone": "Europe/Berlin", "weekly": [{"day": "mon", "start": "09:00", "end": "18:00"}]}
)


def resources(schedule: Any) -> dict[str, Any]:
    return {"resources": {"schedule": {"office": schedule}}}


def test_open_schedule_leaves_by_open(branch: Any) -> None:
    conversation = branch("service_time", {"schedule_id": "office"}, **resources(OFFICE))
    conversation.start()
    assert conversation.exit_port == "open"


def test_the_clock_decides(branch: Any, clock: Any) -> None:
    clock.advance(8 * 3600)  # 18:00 UTC = 19:00 in Berlin
    conversation = branch("service_time", {"schedule_id": "office"}, **resources(OFFICE))
    conversation.start()
    assert conversation.exit_port == "closed"


def test_force_closed_leaves_by_closed(branch: Any) -> None:
    closed = OFFICE.model_copy(update={"force_closed": True})
    conversation = branch("service_time", {"schedule_id": "office"}, **resources(closed))
    conversation.start()
    assert conversation.exit_port == "closed"


def test_missing_schedule_counts_as_closed(branch: Any) -> None:
    conversation = branch("service_time", {"schedule_id": "gone"}, **resources(OFFICE))
    conversation.start()
    assert conversation.exit_port == "closed"


def test_schedule_given_as_a_mapping_is_read(branch: Any) -> None:
    raw = OFFICE.model_dump(mode="json")
    conversation = branch("service_time", {"schedule_id": "office"}, **resources(raw))
    conversation.start()
    assert conversation.exit_port == "open"


def test_unreadable_schedule_counts_as_closed(branch: Any) -> None:
    conversation = branch(
        "service_time", {"schedule_id": "office"}, **resources({"timezone": "Nowhere"})
    )
    conversation.start()
    assert conversation.exit_port == "closed"


def test_static_analysis() -> None:
    module = ServiceTimeModule()
    config = module.parse_config({"schedule_id": "office"})
    assert module.ports(config) == ["open", "closed"]
    assert list(module.references(config)) == [Reference("schedule", "office", "schedule_id")]


@pytest.mark.parametrize("config", [{}, {"schedule_id": ""}, {"schedule_id": "a", "x": 1}])
def test_invalid_configs_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ServiceTimeConfig.model_validate(config)
