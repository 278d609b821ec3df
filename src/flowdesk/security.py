"""Passwords (argon2), staff bearer tokens (random, stored hashed) and customer tokens (JWT)."""

from __future__ import annotations

import functools
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
#: Customer tokens whose signature was checked, kept per process (a customer sends many
#: messages with one token; HMAC and JSON decoding were ~3% of a customer turn).
VERIFIED_TOKEN_CACHE_SIZE = 8192


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
    verified = _verified_customer_token(secret, token)
    if verified is None or verified[1] <= now.timestamp():
        return None
    return verified[0]


@functools.lru_cache(maxsize=VERIFIED_TOKEN_CACHE_SIZE)
def _verified_customer_token(secret: str, token: str) -> tuple[CustomerClaims, int] | None:
    """Signature and shape checked once per token (a customer sends many messages with one);
    the expiry is checked against the clock on every use by the caller."""
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
    claims = CustomerClaims(
        str(payload["sub"]), str(payload.get("ch", "")), str(payload.get("cus", ""))
    )
    return claims, payload["exp"]
