"""Sign in and out. The bearer token is also set as an HttpOnly session cookie for the console."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from flowdesk.api.deps import CSRF_COOKIE, SESSION_COOKIE, RuntimeDep, StaffDep, bearer_token
from flowdesk.services.users import sign_in, sign_out
from flowdesk.views import iso, user_view

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=500)


@router.post("/login")
async def login(
    body: LoginIn, request: Request, response: Response, rt: RuntimeDep
) -> dict[str, Any]:
    client = request.client.host if request.client else ""
    result = await sign_in(rt, body.email, body.password, client=client)
    secure = rt.settings.environment == "production"
    max_age = rt.settings.token_ttl_hours * 3600
    response.set_cookie(
        SESSION_COOKIE, result.token, httponly=True, samesite="lax", secure=secure, max_age=max_age
    )
    csrf = secrets.token_urlsafe(24)
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=False, samesite="lax", secure=secure, max_age=max_age
    )
    return {
        "token": result.token,
        "user": user_view(result.user),
        "expires_at": iso(result.expires_at),
        "csrf_token": csrf,
    }


@router.post("/logout", status_code=204)
async def logout(request: Request, response: Response, rt: RuntimeDep, _user: StaffDep) -> None:
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    if token:
        await sign_out(rt, token)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me")
async def me(user: StaffDep) -> dict[str, Any]:
    return user_view(user)
