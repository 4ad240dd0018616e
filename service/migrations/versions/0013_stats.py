"""statistics that outlive the purge; what a ticket was told at check-in

Revision ID: 0013_stats
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:07:51

Hourly and daily anonymous figures per centre, daily figures per doctor; on the ticket, the
wait shown at check-in (and its upper bound) and the queue position it joined at.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_stats"
down_revision: str | None = "0008_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_day",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "centre_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("arrivals_standard", sa.Integer(), nullable=False),
        sa.Column("arrivals_urgent", sa.Integer(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("left_unseen", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("waits", sa.Integer(), nullable=False),
        sa.Column("wait_sum_min", sa.Float(), nullable=False),
        sa.Column(
            "wait_hist",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("consults", sa.Integer(), nullable=False),
        sa.Column("consult_sum_min", sa.Float(), nullable=False),
        sa.Column(
            "consult_hist",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "left_positions",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("doctors_present", sa.Integer(), nullable=False),
        sa.Column("planned_doctor_hours", sa.Float(), nullable=False),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.Column("told_abs_err_sum", sa.Float(), nullable=False),
        sa.Column("told_err_sum", sa.Float(), nullable=False),
        sa.Column("told_above_high", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_stats_day_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_day")),
        sa.UniqueConstraint("centre_id", "service_day", name="uq_stats_day"),
    )
    with op.batch_alter_table("stats_day", schema=None) as batch_op:
        batch_op.create_index("ix_stats_day_day", ["service_day"], unique=False)

    op.create_table(
        "stats_hour",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "centre_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("arrivals_standard", sa.Integer(), nullable=False),
        sa.Column("arrivals_urgent", sa.Integer(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("left_unseen", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("waits", sa.Integer(), nullable=False),
        sa.Column("wait_sum_min", sa.Float(), nullable=False),
        sa.Column(
            "wait_hist",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("consults", sa.Integer(), nullable=False),
        sa.Column("consult_sum_min", sa.Float(), nullable=False),
        sa.Column(
            "consult_hist",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "left_positions",
            sa.JSON()
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
            .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
            .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("doctors_present", sa.Integer(), nullable=False),
        sa.Column("planned_doctor_hours", sa.Float(), nullable=False),
        sa.Column("told", sa.Integer(), nullable=False),
        sa.Column("told_abs_err_sum", sa.Float(), nullable=False),
        sa.Column("told_err_sum", sa.Float(), nullable=False),
        sa.Column("told_above_high", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_stats_hour_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_hour")),
        sa.UniqueConstraint("centre_id", "service_day", "hour", name="uq_stats_hour"),
    )
    with op.batch_alter_table("stats_hour", schema=None) as batch_op:
        batch_op.create_index("ix_stats_hour_day", ["service_day"], unique=False)

    op.create_table(
        "stats_doctor_day",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "centre_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("consults", sa.Integer(), nullable=False),
        sa.Column("consult_sum_min", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_stats_doctor_day_account_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_stats_doctor_day_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_doctor_day")),
        sa.UniqueConstraint("account_id", "centre_id", "service_day", name="uq_stats_doctor_day"),
    )
    with op.batch_alter_table("stats_doctor_day", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stats_doctor_day_centre", ["centre_id", "service_day"], unique=False
        )

    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("told_wait_min", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("told_high_min", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("joined_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("joined_position")
        batch_op.drop_column("told_high_min")
        batch_op.drop_column("told_wait_min")

    with op.batch_alter_table("stats_doctor_day", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_doctor_day_centre")

    op.drop_table("stats_doctor_day")
    with op.batch_alter_table("stats_hour", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_hour_day")

    op.drop_table("stats_hour")
    with op.batch_alter_table("stats_day", schema=None) as batch_op:
        batch_op.drop_index("ix_stats_day_day")

    op.drop_table("stats_day")
