"""Schedules (service time)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from flowdesk.api.deps import AdminDep, RuntimeDep
from flowdesk.engine.schedule import ScheduleSpec, is_open
from flowdesk.runtime import Runtime
from flowdesk.services import schedules as svc
from flowdesk.storage.models import Schedule
from flowdesk.views import schedule_view

router = APIRouter(prefix="/schedules", tags=["schedules"])


class ScheduleIn(BaseModel):
    """A schedule; `timezone`, `weekly`, `overrides`, `force_closed` as in SPEC §1."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    weekly: list[dict[str, Any]] = Field(default_factory=list)
    overrides: list[dict[str, Any]] = Field(default_factory=list)
    force_closed: bool = False


class SchedulePatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    weekly: list[dict[str, Any]] | None = None
    overrides: list[dict[str, Any]] | None = None
    force_closed: bool | None = None


def _view(rt: Runtime, schedule: Schedule) -> dict[str, Any]:
    return schedule_view(
        schedule, is_open(ScheduleSpec.model_validate(schedule.spec), rt.clock.now())
    )


@router.get("")
async def list_schedules(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        rows = await session.scalars(select(Schedule).order_by(Schedule.name))
        return {"schedules": [_view(rt, s) for s in rows]}


@router.post("", status_code=201)
async def create_schedule(body: ScheduleIn, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    spec = body.model_dump(exclude={"name"})
    return _view(rt, await svc.create_schedule(rt, name=body.name, spec=spec))


@router.get("/{schedule_id}")
async def get_schedule(schedule_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        return _view(rt, await svc.get_schedule(session, schedule_id))


@router.patch("/{schedule_id}")
async def patch_schedule(
    schedule_id: str, body: SchedulePatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    changes = body.model_dump(exclude={"name"}, exclude_none=True)
    return _view(rt, await svc.update_schedule(rt, schedule_id, name=body.name, changes=changes))


@router.delete("/{schedule_id}", status_code=204)
async def delete_schedule(schedule_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_schedule(rt, schedule_id)
