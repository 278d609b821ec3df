"""Channels: CRUD and binding a published flow."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from flowdesk.api.deps import AdminDep, RuntimeDep
from flowdesk.runtime import Runtime
from flowdesk.services import channels as svc
from flowdesk.storage.models import Channel
from flowdesk.views import channel_view

router = APIRouter(prefix="/channels", tags=["channels"])


class ChannelCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    type: Literal["web", "api"]
    settings: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class ChannelPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    settings: dict[str, Any] | None = None
    enabled: bool | None = None


class BindIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flow_id: str = Field(min_length=1, max_length=64)


def _view(rt: Runtime, channel: Channel) -> dict[str, Any]:
    public = rt.settings.public_url or f"http://{rt.settings.host}:{rt.settings.port}"
    return channel_view(channel, public.rstrip("/"))


@router.get("")
async def list_channels(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        channels = await session.scalars(
            select(Channel).where(Channel.type != svc.SANDBOX).order_by(Channel.created_at)
        )
        return {"channels": [_view(rt, c) for c in channels]}


@router.post("", status_code=201)
async def create_channel(body: ChannelCreateIn, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    channel = await svc.create_channel(
        rt, name=body.name, type=body.type, settings=body.settings, enabled=body.enabled
    )
    return _view(rt, channel)


@router.get("/{channel_id}")
async def get_channel(channel_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        return _view(rt, await svc.get_channel(session, channel_id))


@router.patch("/{channel_id}")
async def patch_channel(
    channel_id: str, body: ChannelPatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    channel = await svc.update_channel(
        rt, channel_id, name=body.name, settings=body.settings, enabled=body.enabled
    )
    return _view(rt, channel)


@router.delete("/{channel_id}", status_code=204)
async def delete_channel(channel_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_channel(rt, channel_id)


@router.put("/{channel_id}/flow")
async def bind_flow(
    channel_id: str, body: BindIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    return _view(rt, await svc.bind_flow(rt, channel_id, body.flow_id))


@router.delete("/{channel_id}/flow")
async def unbind_flow(channel_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    return _view(rt, await svc.unbind_flow(rt, channel_id))
