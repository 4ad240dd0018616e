"""Staff sessions in the database (they outlive a Redis restart)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 22:51:27.706764
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_store",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column(
            "expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_store")),
        sa.UniqueConstraint("key", "namespace", name="uq_session_store_key_namespace"),
    )
    with op.batch_alter_table("session_store", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_store_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("session_store", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_store_expires_at"))

    op.drop_table("session_store")
