"""shift offers: a doctor gives away or swaps a shift, a colleague takes it, a manager approves

Revision ID: 0014_shift_offers
Revises: 0011_patient_phone
Create Date: 2026-12-01 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014_shift_offers"
down_revision: str | None = "0011_patient_phone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(
        name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable
    )


def _foreign(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_shift_offer_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "shift_offer",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("shift_id", BIGINT, nullable=False),
        sa.Column("from_doctor_id", BIGINT, nullable=False),
        sa.Column("swap_shift_id", BIGINT, nullable=True),
        sa.Column("taker_doctor_id", BIGINT, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        _when("taken_at"),
        sa.Column("decided_by_id", BIGINT, nullable=True),
        _when("decided_at"),
        _when("created_at", False),
        _when("updated_at", False),
        _foreign("shift_id", "shift", "CASCADE"),
        _foreign("from_doctor_id", "doctor", "CASCADE"),
        _foreign("swap_shift_id", "shift", "CASCADE"),
        _foreign("taker_doctor_id", "doctor", "SET NULL"),
        _foreign("decided_by_id", "staff_account", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_offer")),
    )
    op.create_index("ix_shift_offer_status", "shift_offer", ["status"])


def downgrade() -> None:
    op.drop_index("ix_shift_offer_status", table_name="shift_offer")
    op.drop_table("shift_offer")
