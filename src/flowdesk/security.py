"""Passwords (argon2), staff bearer tokens (random, stored hashed) and customer tokens (JWT)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "no such user" close to "wrong password".
_DUMMY_HASH = _hasher.hash("flowdesk-timing-equaliser")
CUSTOMER_TOKEN_TYPE = "customer"  # noqa: S105 - a claim value, not a secret
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_staff_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What we store for a staff token: a leaked table holds nothing usable."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CustomerClaims:
    conversation_id: str
    channel_id: str
    customer_id: str


def issue_customer_token(
    secret: str, claims: CustomerClaims, *, now: datetime, ttl: timedelta
) -> str:
    """A token that lets one customer read and write one conversation, nothing else."""
    payload = {
        "typ": CUSTOMER_TOKEN_TYPE,
        "sub": claims.conversation_id,
        "ch": claims.channel_id,
        "cus": claims.customer_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(payload, secret, algorithm=JWT_ALGORITHM)


def read_customer_token(secret: str, token: str, *, now: datetime) -> CustomerClaims | None:
    """The claims of a valid customer token unexpired at `now` (the server's clock), or None."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["exp", "sub", "typ"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != CUSTOMER_TOKEN_TYPE or not isinstance(payload["exp"], int):
        return None
    if payload["exp"] <= now.timestamp():
        return None
    return CustomerClaims(
        str(payload["sub"]), str(payload.get("ch", "")), str(payload.get("cus", ""))
    )
