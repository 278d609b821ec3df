"""human desk

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:52:47.755808
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_events")),
    )
    with op.batch_alter_table("agent_events", schema=None) as batch_op:
        batch_op.create_index("ix_agent_events_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "skill_groups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("strategy", sa.String(length=20), nullable=False),
        sa.Column("reception", sa.String(length=10), nullable=False),
        sa.Column("offer_timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("max_queue", sa.Integer(), nullable=True),
        sa.Column("round_robin_last", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_groups")),
    )
    op.create_table(
        "skill_group_members",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["skill_groups.id"],
            name=op.f("fk_skill_group_members_group_id_skill_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_skill_group_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_skill_group_members")),
    )
    with op.batch_alter_table("skill_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_skill_group_members_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="3"))
        batch_op.add_column(sa.Column("offered_to", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_agent_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("rating_agent_id", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column(
                "desk",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=False,
                server_default="{}",
            )
        )
        batch_op.create_index(
            batch_op.f("ix_conversations_offered_to"), ["offered_to"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_assigned_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_assigned_at")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_offered_to"))
        batch_op.drop_column("desk")
        batch_op.drop_column("rating_agent_id")
        batch_op.drop_column("last_agent_id")
        batch_op.drop_column("offer_expires_at")
        batch_op.drop_column("offered_to")
        batch_op.drop_column("priority")

    with op.batch_alter_table("skill_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_group_members_user_id"))

    op.drop_table("skill_group_members")
    op.drop_table("skill_groups")
    with op.batch_alter_table("agent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_agent_events_user_id_id")

    op.drop_table("agent_events")
