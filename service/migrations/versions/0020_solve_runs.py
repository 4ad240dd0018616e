"""solve runs: a month's solve shared by the replicas (progress, preview, cancel)

Revision ID: 0020_solve_runs
Revises: 0015_wait_targets
Create Date: 2026-12-01 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020_solve_runs"
down_revision: str | None = "0015_wait_targets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
# As advanced_alchemy's JsonB renders: JSONB on PostgreSQL, JSON elsewhere.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "rota_solve_run",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("run_key", sa.String(length=32), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("heartbeat_at", WHEN, nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("answer", JSON, nullable=False),
        sa.Column("changes", JSON, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_solve_run")),
        sa.UniqueConstraint("month", name=op.f("uq_rota_solve_run_month")),
    )


def downgrade() -> None:
    op.drop_table("rota_solve_run")
