"""Alembic environment: runs migrations with the synchronous driver for our URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from flowdesk.storage.models import Base

config = context.config
target_metadata = Base.metadata
#: Advisory lock key serialising migrations across nodes (any constant unique to us).
MIGRATION_LOCK = 0x464C4D47  # "FLMG"


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several nodes may start at once: one migrates, the others wait, then find
                # the schema current (the lock ends with the migration's transaction).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            context.run_migrations()


run_migrations_online()
