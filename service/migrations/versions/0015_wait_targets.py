"""wait targets: a centre's share of patients to call within so many minutes

Revision ID: 0015_wait_targets
Revises: 0014_shift_offers
Create Date: 2026-12-01 16:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0015_wait_targets"
down_revision: str | None = "0014_shift_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wait_target",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("centre_id", BIGINT, nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_wait_target_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wait_target")),
        sa.UniqueConstraint("centre_id", name=op.f("uq_wait_target_centre_id")),
    )


def downgrade() -> None:
    op.drop_table("wait_target")
