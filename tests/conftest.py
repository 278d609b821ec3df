"""Shared fixtures: real databases (a SQLite file, a fresh PostgreSQL database), the real app."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from flowdesk.clock import ManualClock
from tests.support import Server, running

POSTGRES_URL = os.environ.get(
    "FLOWDESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _admin_conninfo() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'flowdesk.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL, dropped afterwards.

    Unreachable PostgreSQL skips locally but fails on CI (`CI` set): CI must test it.
    """
    name = f"flowdesk_test_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(_admin_conninfo(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL is unreachable at {POSTGRES_URL}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = os.environ.get("FLOWDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis. Unreachable skips locally but fails on CI (`CI` set)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis is unreachable at {REDIS_URL}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on each backend."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def server(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Server]:
    async with running(sqlite_url, clock) as srv:
        yield srv


@pytest.fixture
async def pg_server(postgres_url: str, clock: ManualClock) -> AsyncIterator[Server]:
    async with running(postgres_url, clock) as srv:
        yield srv


@pytest.fixture
async def any_server(database_url: str, clock: ManualClock) -> AsyncIterator[Server]:
    """The app on each backend in turn (SQLite file, then PostgreSQL)."""
    async with running(database_url, clock) as srv:
        yield srv
