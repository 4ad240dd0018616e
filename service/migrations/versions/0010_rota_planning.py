"""rota planning: seniority and supervision, availability and wishes, planning cycles,
notices to doctors

Revision ID: 0010_rota_planning
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:10:00

Existing doctors are seniors without a maître de stage; existing centres apply both
supervision rules (they bind nobody until a junior or intern is planned).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_rota_planning"
down_revision: str | None = "0012_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
# As advanced_alchemy's JsonB renders: JSONB on PostgreSQL, JSON elsewhere.
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _base(table: str) -> list[Any]:
    return [
        sa.Column("id", ROW_ID, nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


TABLES = ("rota_notice", "planning_cycle", "month_wish", "availability")


def upgrade() -> None:
    with op.batch_alter_table("doctor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seniority", sa.String(length=8), nullable=False, server_default="senior")
        )
        batch_op.add_column(sa.Column("supervisor_id", ROW_ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_doctor_supervisor_id_doctor"),
            "doctor",
            ["supervisor_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("centre", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "interns_need_supervisor", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )
        batch_op.add_column(
            sa.Column("juniors_need_senior", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "availability",
        *_base("availability"),
        sa.Column("doctor_id", ROW_ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("part", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        _fk("availability", "doctor_id", "doctor", "CASCADE"),
        sa.UniqueConstraint("doctor_id", "day", "part", name="uq_availability"),
    )
    op.create_index("ix_availability_day", "availability", ["day"])
    op.create_table(
        "month_wish",
        *_base("month_wish"),
        sa.Column("doctor_id", ROW_ID, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("wanted_shifts", sa.Integer(), nullable=True),
        sa.Column("wanted_hours", sa.Float(), nullable=True),
        sa.Column("max_weekends", sa.Integer(), nullable=True),
        _fk("month_wish", "doctor_id", "doctor", "CASCADE"),
        sa.UniqueConstraint("doctor_id", "month", name="uq_month_wish"),
    )
    op.create_table(
        "planning_cycle",
        *_base("planning_cycle"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published", JSON, nullable=False),
        sa.Column("published_at", INSTANT, nullable=True),
        sa.UniqueConstraint("month", name="uq_planning_cycle_month"),
    )
    op.create_table(
        "rota_notice",
        *_base("rota_notice"),
        sa.Column("doctor_id", ROW_ID, nullable=False),
        sa.Column("cycle_id", ROW_ID, nullable=True),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("message_en", sa.String(length=2000), nullable=False),
        sa.Column("read_at", INSTANT, nullable=True),
        _fk("rota_notice", "doctor_id", "doctor", "CASCADE"),
        _fk("rota_notice", "cycle_id", "planning_cycle", "SET NULL"),
    )
    op.create_index("ix_rota_notice_doctor", "rota_notice", ["doctor_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    with op.batch_alter_table("centre", schema=None) as batch_op:
        batch_op.drop_column("juniors_need_senior")
        batch_op.drop_column("interns_need_supervisor")
    with op.batch_alter_table("doctor", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_doctor_supervisor_id_doctor"), type_="foreignkey")
        batch_op.drop_column("supervisor_id")
        batch_op.drop_column("seniority")
