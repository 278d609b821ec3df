"""Schedules (service time) that `service_time` nodes branch on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.engine.schedule import ScheduleSpec
from flowdesk.errors import Invalid, NotFound
from flowdesk.runtime import Runtime
from flowdesk.storage.models import Schedule, new_id


def parse_spec(raw: dict[str, Any]) -> ScheduleSpec:
    try:
        return ScheduleSpec.model_validate(raw)
    except ValidationError as exc:
        raise Invalid.from_pydantic(exc, "invalid schedule") from exc


async def get_schedule(
    session: AsyncSession, schedule_id: str, *, for_update: bool = False
) -> Schedule:
    query = select(Schedule).where(Schedule.id == schedule_id)
    schedule = await session.scalar(query.with_for_update() if for_update else query)
    if schedule is None:
        raise NotFound(f"schedule {schedule_id} not found")
    return schedule


async def create_schedule(rt: Runtime, *, name: str, spec: dict[str, Any]) -> Schedule:
    parsed = parse_spec(spec)
    now = rt.clock.now()
    async with rt.db.write() as session:
        schedule = Schedule(
            id=new_id("sch"),
            name=name,
            spec=parsed.model_dump(mode="json"),
            created_at=now,
            updated_at=now,
        )
        session.add(schedule)
    return schedule


async def update_schedule(
    rt: Runtime, schedule_id: str, *, name: str | None, changes: dict[str, Any]
) -> Schedule:
    async with rt.db.write() as session:
        schedule = await get_schedule(session, schedule_id, for_update=True)
        if name is not None:
            schedule.name = name
        if changes:
            schedule.spec = parse_spec({**schedule.spec, **changes}).model_dump(mode="json")
        schedule.updated_at = rt.clock.now()
    return schedule


async def delete_schedule(rt: Runtime, schedule_id: str) -> None:
    async with rt.db.write() as session:
        await session.delete(await get_schedule(session, schedule_id, for_update=True))


async def load_specs(session: AsyncSession, ids: set[str]) -> dict[str, ScheduleSpec]:
    """The schedules a flow references, ready for `RunEnv.resources` (one query)."""
    if not ids:
        return {}
    rows = await session.scalars(select(Schedule).where(Schedule.id.in_(ids)))
    return {row.id: ScheduleSpec.model_validate(row.spec) for row in rows}
