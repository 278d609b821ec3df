"""Request dependencies: the runtime, and who is calling (staff user or customer)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from flowdesk.errors import Forbidden, Unauthorized
from flowdesk.runtime import Runtime
from flowdesk.security import CustomerClaims, read_customer_token
from flowdesk.services.users import user_for_token
from flowdesk.storage.models import User

#: Every integer the API accepts fits a 32-bit column: larger ones are refused with 422, not
#: passed to a database driver that cannot hold them.
MAX_INT = 2**31 - 1
#: Any 32-bit number: those that name no published version (0, the simulator's negative
#: snapshots) are simply not found.
VersionNumber = Annotated[int, Path(ge=-MAX_INT, le=MAX_INT)]

SESSION_COOKIE = "flowdesk_session"
CSRF_COOKIE = "flowdesk_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    # `async` on purpose: FastAPI runs a plain `def` dependency in a worker thread, which
    # would cost every request two thread hand-offs for one attribute read.
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True)
class Caller:
    """Exactly one of `user` (staff) or `customer` is set."""

    user: User | None = None
    customer: CustomerClaims | None = None


def bearer_token(request: Request) -> str | None:
    """The `Authorization: Bearer` value, if any (staff token or customer token)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def looks_like_customer_token(token: str) -> bool:
    return token.count(".") == 2


async def _staff_from_cookie(rt: Runtime, request: Request) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if request.method not in SAFE_METHODS:
        # Cookies ride along on cross-site requests; a write must prove it came from our page.
        sent = request.headers.get(CSRF_HEADER, "")
        expected = request.cookies.get(CSRF_COOKIE, "")
        if not expected or not secrets.compare_digest(sent, expected):
            raise Forbidden("missing or wrong CSRF token", code="csrf_failed")
    return await user_for_token(rt, token)


async def get_caller(request: Request, rt: RuntimeDep) -> Caller:
    token = bearer_token(request)
    if token is not None:
        if looks_like_customer_token(token):
            claims = read_customer_token(
                rt.settings.secret_key.get_secret_value(), token, now=rt.clock.now()
            )
            if claims is None:
                raise Unauthorized("the customer token is invalid or expired")
            return Caller(customer=claims)
        user = await user_for_token(rt, token)
        if user is None:
            raise Unauthorized("the token is invalid or expired; sign in again")
        return Caller(user=user)
    user = await _staff_from_cookie(rt, request)
    if user is not None:
        return Caller(user=user)
    raise Unauthorized("sign in first (Authorization: Bearer <token>)")


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_staff(caller: CallerDep) -> User:
    if caller.user is None:
        raise Forbidden("this endpoint is for staff accounts")
    return caller.user


async def get_admin(user: Annotated[User, Depends(get_staff)]) -> User:
    if user.role != "admin":
        raise Forbidden("this endpoint needs the admin role")
    return user


StaffDep = Annotated[User, Depends(get_staff)]
AdminDep = Annotated[User, Depends(get_admin)]
