"""Skill groups (admin only): the agents a transfer routes to, and how (SPEC §1, §5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Self

import httpx2 as httpx
from fastapi import APIRouter
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from flowdesk.api.deps import AdminDep, RuntimeDep
from flowdesk.services import KEEP
from flowdesk.services import skill_groups as svc
from flowdesk.storage.models import SkillGroup, SkillGroupMember, User
from flowdesk.views import iso

router = APIRouter(prefix="/skill-groups", tags=["skill-groups"])

MAX_MEMBERS = 1000
MAX_URL = 2000


def _http_url(value: Any) -> Any:
    if value is None:
        return value
    if not isinstance(value, str):
        raise ValueError("routing_url must be a URL")
    if len(value) > MAX_URL:
        raise ValueError(f"routing_url is longer than {MAX_URL} characters")
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"routing_url is not a valid URL: {exc}") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("routing_url must be an http or https URL with a host")
    return str(url)


StrategyIn = svc.Strategy
RoutingUrl = Annotated[
    str | None,
    BeforeValidator(_http_url),
    Field(
        description="The `webhook` strategy POSTs the conversation here and reads "
        '`{"agent_id": …}` or `{"skill_group_id": …}`; on any failure, longest_idle.',
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
OfferTimeout = Annotated[int, Field(ge=5, le=3600, description="Seconds an agent has to accept.")]
MaxQueue = Annotated[
    int | None,
    Field(ge=0, le=100_000, description="Queue length limit; null = unlimited, 0 = never queue."),
]


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str = Field(min_length=1, max_length=64)
    priority: int = Field(default=3, ge=1, le=5, description="1 is the highest.")


class SkillGroupIn(BaseModel):
    """A skill group: how its agents are picked and offered conversations (SPEC §5)."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    strategy: StrategyIn = "longest_idle"
    reception: svc.Reception = "auto"
    offer_timeout_seconds: OfferTimeout = 30
    max_queue: MaxQueue = None
    members: list[MemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)
    routing_url: RoutingUrl = None


class SkillGroupPatchIn(BaseModel):
    """Any subset of the fields; `members` replaces the list; `max_queue: null` = unlimited;
    `routing_url: null` clears it."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    strategy: StrategyIn | None = None
    reception: svc.Reception | None = None
    offer_timeout_seconds: OfferTimeout | None = None
    max_queue: MaxQueue = None
    members: list[MemberIn] | None = Field(default=None, max_length=MAX_MEMBERS)
    routing_url: RoutingUrl = None

    @model_validator(mode="after")
    def _null_only_for_max_queue(self) -> Self:
        # Only `max_queue` has a meaning for null; elsewhere a null is a client bug, not "keep".
        nulls = sorted(
            name
            for name in self.model_fields_set
            if name not in ("max_queue", "routing_url") and getattr(self, name) is None
        )
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null (leave the field out instead)")
        return self


def skill_group_view(
    group: SkillGroup, members: Sequence[tuple[SkillGroupMember, User]]
) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "strategy": group.strategy,
        "reception": group.reception,
        "offer_timeout_seconds": group.offer_timeout_seconds,
        "max_queue": group.max_queue,
        "routing_url": group.routing_url,
        "members": [
            {
                "user_id": member.user_id,
                "priority": member.priority,
                "display_name": user.display_name,
                "status": user.status,
            }
            for member, user in members
        ],
        "created_at": iso(group.created_at),
        "updated_at": iso(group.updated_at),
    }


def _view(loaded: svc.LoadedSkillGroup) -> dict[str, Any]:
    return skill_group_view(loaded.group, loaded.members)


def _members(members: list[MemberIn]) -> list[svc.Member]:
    return [svc.Member(m.user_id, m.priority) for m in members]


@router.get("")
async def list_skill_groups(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        return {"skill_groups": [_view(g) for g in await svc.list_skill_groups(session)]}


@router.post("", status_code=201)
async def create_skill_group(
    body: SkillGroupIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    loaded = await svc.create_skill_group(
        rt,
        name=body.name,
        strategy=body.strategy,
        reception=body.reception,
        offer_timeout_seconds=body.offer_timeout_seconds,
        max_queue=body.max_queue,
        members=_members(body.members),
        routing_url=body.routing_url,
    )
    return _view(loaded)


@router.get("/{group_id}")
async def get_skill_group(group_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        return _view(await svc.load_skill_group(session, group_id))


@router.patch("/{group_id}")
async def patch_skill_group(
    group_id: str, body: SkillGroupPatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    loaded = await svc.update_skill_group(
        rt,
        group_id,
        name=body.name,
        strategy=body.strategy,
        reception=body.reception,
        offer_timeout_seconds=body.offer_timeout_seconds,
        max_queue=body.max_queue if "max_queue" in body.model_fields_set else KEEP,
        members=_members(body.members) if body.members is not None else None,
        routing_url=body.routing_url if "routing_url" in body.model_fields_set else KEEP,
    )
    return _view(loaded)


@router.delete("/{group_id}", status_code=204)
async def delete_skill_group(group_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_skill_group(rt, group_id)
