"""The database handle: async engines, write and read transactions, migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout and foreign
keys on. Every write transaction starts with `BEGIN IMMEDIATE`, so a
read-modify-write can never interleave with another writer; in-process writers
are serialised by a lock first so they queue instead of spinning on `SQLITE_BUSY`.
PostgreSQL uses ordinary transactions plus `SELECT … FOR UPDATE` where a row
must be held (see `lock_for_update`).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

BUSY_TIMEOUT_MS = 10_000


def async_url(url: str) -> str:
    """Pick our async driver for a `sqlite:///…` or `postgresql://…` URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


def sync_url(url: str) -> str:
    """The same database through a synchronous driver (for Alembic)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")


class InlineSqliteConnection(aiosqlite.Connection):
    """aiosqlite without the thread hop per call: each statement runs in the event loop.

    aiosqlite sends every call (cursor, execute, fetch, close) to a worker thread and
    back; a customer turn makes dozens, and each hand-off costs far more than the
    microseconds SQLite takes to answer from its page cache. Running them inline is safe
    here because this process serialises its writers with `Database._write_lock` (so a
    statement never waits on another writer of ours) and WAL readers never wait at all.
    The thread is still used to open the connection.
    """

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def _inline_connector(path: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    def connector() -> sqlite3.Connection:
        # The connection is made on aiosqlite's thread and then used from the loop's.
        return sqlite3.connect(path, check_same_thread=False, isolation_level=None)

    async def connect() -> aiosqlite.Connection:
        return await InlineSqliteConnection(connector, iter_chunk_size=64)

    return connect


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the driver so we can say BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """Owns the engines. `write()` and `read()` hand out sessions inside a transaction."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 20) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        target = async_url(url)
        if self.is_sqlite:
            path = make_url(url).database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            connect = _inline_connector(path or ":memory:")
            self.write_engine = create_async_engine(
                target, echo=echo, pool_size=1, max_overflow=0, async_creator=connect
            )
            self.read_engine = create_async_engine(
                target, echo=echo, pool_size=pool_size, max_overflow=0, async_creator=connect
            )
            for engine, begin in (
                (self.write_engine, "BEGIN IMMEDIATE"),
                (self.read_engine, "BEGIN"),
            ):
                event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
                event.listen(
                    engine.sync_engine,
                    "begin",
                    lambda conn, stmt=begin: conn.exec_driver_sql(stmt),
                )
        else:
            # No overflow: an overflow connection is closed when it is returned, so under load
            # connections were opened and closed continuously (a PostgreSQL backend forked for
            # a few requests each). Past `pool_size`, requests wait for a connection instead.
            self.write_engine = create_async_engine(
                target, echo=echo, pool_size=pool_size, max_overflow=0, pool_pre_ping=True
            )
            self.read_engine = self.write_engine
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A read-write transaction, committed when the block exits without error."""
        if self._write_lock is not None:
            async with self._write_lock, self._write_sessions() as session, session.begin():
                yield session
        else:
            async with self._write_sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only view (a consistent snapshot on both backends)."""
        async with self._read_sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the schema (synchronously; call from a thread when a loop runs)."""
    from alembic import command

    if make_url(url).get_backend_name() == "sqlite":
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
