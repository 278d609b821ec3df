"""Staff accounts (admin only)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from flowdesk.api.deps import AdminDep, RuntimeDep
from flowdesk.services import users as svc
from flowdesk.storage.models import User
from flowdesk.views import user_view

router = APIRouter(prefix="/users", tags=["users"])

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=EMAIL, max_length=320)
    password: str = Field(min_length=8, max_length=500)
    display_name: str = Field(min_length=1, max_length=100)
    staff_no: str | None = Field(default=None, max_length=50)
    role: Literal["admin", "agent"] = "agent"
    max_concurrent: int = Field(default=5, ge=1, le=100)


class UserPatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, min_length=1, max_length=100)
    staff_no: str | None = Field(default=None, max_length=50)
    role: Literal["admin", "agent"] | None = None
    max_concurrent: int | None = Field(default=None, ge=1, le=100)
    status: Literal["online", "away", "offline"] | None = None
    password: str | None = Field(default=None, min_length=8, max_length=500)


@router.get("")
async def list_users(rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        rows = await session.scalars(select(User).order_by(User.created_at))
        return {"users": [user_view(u) for u in rows]}


@router.post("", status_code=201)
async def create_user(body: UserCreateIn, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    user = await svc.create_user(rt, **body.model_dump())
    return user_view(user)


@router.get("/{user_id}")
async def get_user(user_id: str, rt: RuntimeDep, _admin: AdminDep) -> dict[str, Any]:
    async with rt.db.read() as session:
        return user_view(await svc.get_user(session, user_id))


@router.patch("/{user_id}")
async def patch_user(
    user_id: str, body: UserPatchIn, rt: RuntimeDep, _admin: AdminDep
) -> dict[str, Any]:
    user = await svc.update_user(rt, user_id, **body.model_dump(exclude_unset=True))
    return user_view(user)


@router.delete("/{user_id}", status_code=204)
async def delete_user(user_id: str, rt: RuntimeDep, _admin: AdminDep) -> None:
    await svc.delete_user(rt, user_id)
