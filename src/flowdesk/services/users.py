"""Staff accounts and sign-in: argon2 passwords, bearer tokens stored as digests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from flowdesk.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from flowdesk.runtime import Runtime
from flowdesk.security import hash_password, new_staff_token, token_digest, verify_password
from flowdesk.services import KEEP, Keep, desk
from flowdesk.services.tx import transaction
from flowdesk.storage.models import AuthToken, User, new_id

log = structlog.get_logger(__name__)

Role = Literal["admin", "agent"]
Status = Literal["online", "away", "offline"]
MIN_PASSWORD = 8


@dataclass(frozen=True)
class SignIn:
    token: str
    user: User
    expires_at: datetime


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"the password must have at least {MIN_PASSWORD} characters")


async def get_user(session: AsyncSession, user_id: str, *, for_update: bool = False) -> User:
    query = select(User).where(User.id == user_id)
    user = await session.scalar(query.with_for_update() if for_update else query)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def create_user(
    rt: Runtime,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    staff_no: str | None = None,
    max_concurrent: int = 5,
) -> User:
    _check_password(password)
    if max_concurrent < 1:
        raise Invalid("max_concurrent must be at least 1")
    now = rt.clock.now()
    user = User(
        id=new_id("usr"),
        email=email.strip().lower(),
        password_hash=hash_password(password),
        display_name=display_name,
        staff_no=staff_no,
        role=role,
        max_concurrent=max_concurrent,
        status="offline",
        created_at=now,
        updated_at=now,
    )
    try:
        async with rt.db.write() as session:
            session.add(user)
    except IntegrityError as exc:
        raise Conflict(f"a user with email {user.email} exists", code="email_taken") from exc
    return user


async def update_user(
    rt: Runtime,
    user_id: str,
    *,
    display_name: str | None = None,
    staff_no: str | Keep | None = KEEP,
    role: Role | None = None,
    max_concurrent: int | None = None,
    status: Status | None = None,
    password: str | None = None,
) -> User:
    """Change what is given; `staff_no=None` clears the number, leaving it out keeps it."""
    if password is not None:
        _check_password(password)
    async with transaction(rt) as tx:
        session = tx.session
        admin_ids = await _lock_admins(session) if role is not None else []
        user = await get_user(session, user_id, for_update=True)
        more_room = (status == "online" and user.status != "online") or (
            max_concurrent is not None and max_concurrent > user.max_concurrent
        )
        if role is not None and role != user.role and user.role == "admin":
            _keep_an_admin(admin_ids, user.id)
        if staff_no is not KEEP:
            user.staff_no = staff_no
        for attr, value in (
            ("display_name", display_name),
            ("role", role),
            ("max_concurrent", max_concurrent),
            ("status", status),
        ):
            if value is not None:
                setattr(user, attr, value)
        if password is not None:
            user.password_hash = hash_password(password)
            # A new password signs out every session of the old one.
            await session.execute(delete(AuthToken).where(AuthToken.user_id == user.id))
        user.updated_at = tx.now
        if more_room and user.status == "online":
            # The agent can take more now: the queue moves at once, as with PUT /agent/status.
            await desk.drain(tx, await desk.groups_of(tx, user.id))
    return user


async def _lock_admins(session: AsyncSession) -> list[str]:
    """Lock every admin row, in id order, before any other user row.

    Two admins removed at once must not both see the other one remaining; taking
    these locks first and in one order keeps concurrent removals from deadlocking.
    """
    rows = await session.scalars(
        select(User.id).where(User.role == "admin").order_by(User.id).with_for_update()
    )
    return list(rows)


def _keep_an_admin(admin_ids: list[str], leaving_id: str) -> None:
    if not [admin_id for admin_id in admin_ids if admin_id != leaving_id]:
        raise Conflict("Flowdesk needs at least one admin", code="last_admin")


async def delete_user(rt: Runtime, user_id: str) -> None:
    async with rt.db.write() as session:
        admin_ids = await _lock_admins(session)
        user = await get_user(session, user_id, for_update=True)
        if user.role == "admin":
            _keep_an_admin(admin_ids, user.id)
        await session.delete(user)


async def sign_in(rt: Runtime, email: str, password: str, *, client: str = "") -> SignIn:
    """Check the password; repeated failures per e-mail or per client address get 429."""
    email = email.strip().lower()
    keys = (f"email:{email}", f"client:{client}")
    wait = await rt.sign_in_failures.retry_after(*keys)
    if wait is not None:
        raise TooManyRequests(
            f"too many failed sign-ins; try again in {wait} seconds",
            code="too_many_attempts",
            details={"retry_after": wait},
        )
    async with rt.db.read() as session:
        user = await session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password) or user is None:
        await rt.sign_in_failures.fail(*keys)
        raise Unauthorized("wrong email or password", code="invalid_credentials")
    await rt.sign_in_failures.clear(keys[0])
    token = new_staff_token()
    now = rt.clock.now()
    expires_at = now + timedelta(hours=rt.settings.token_ttl_hours)
    async with rt.db.write() as session:
        session.add(
            AuthToken(
                token_hash=token_digest(token),
                user_id=user.id,
                created_at=now,
                expires_at=expires_at,
            )
        )
    return SignIn(token, user, expires_at)


async def sign_out(rt: Runtime, token: str) -> None:
    async with rt.db.write() as session:
        await session.execute(delete(AuthToken).where(AuthToken.token_hash == token_digest(token)))


async def user_for_token(rt: Runtime, token: str) -> User | None:
    """The signed-in user behind a bearer token (one indexed lookup), or None."""
    async with rt.db.read() as session:
        row = await session.execute(
            select(User, AuthToken.expires_at)
            .join(AuthToken, AuthToken.user_id == User.id)
            .where(AuthToken.token_hash == token_digest(token))
        )
        found = row.first()
    if found is None or found[1] <= rt.clock.now():
        return None
    user: User = found[0]
    return user


async def ensure_first_admin(rt: Runtime) -> User | None:
    """Create the admin from settings when the database has no user at all."""
    email, password = rt.settings.admin_email, rt.settings.admin_password
    if not email or password is None:
        return None
    async with rt.db.read() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            return None
    user = await create_user(
        rt,
        email=email,
        password=password.get_secret_value(),
        display_name="Administrator",
        role="admin",
    )
    log.info("first_admin_created", email=user.email)
    return user
