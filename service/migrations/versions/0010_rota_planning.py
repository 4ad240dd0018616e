"""rota planning: seniority and supervision of doctors, supervision rules of centres

Revision ID: 0010_rota_planning
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:10:00

Existing doctors are seniors without a maître de stage; existing centres apply both
supervision rules (they bind nobody until a junior or intern is planned).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_rota_planning"
down_revision: str | None = "0012_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


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


def downgrade() -> None:
    with op.batch_alter_table("centre", schema=None) as batch_op:
        batch_op.drop_column("juniors_need_senior")
        batch_op.drop_column("interns_need_supervisor")
    with op.batch_alter_table("doctor", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_doctor_supervisor_id_doctor"), type_="foreignkey")
        batch_op.drop_column("supervisor_id")
        batch_op.drop_column("seniority")
