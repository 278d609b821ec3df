"""skill groups: the routing URL of the webhook strategy

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 17:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("skill_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("routing_url", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("skill_groups", schema=None) as batch_op:
        batch_op.drop_column("routing_url")
