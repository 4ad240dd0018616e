"""accounts: centre managers' centres, one-time set-up links, last sign-in, session generation

Revision ID: 0008_accounts
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0008_accounts"
down_revision: str | None = "0007_audit_sqlite"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", MOMENT, nullable=True))
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "staff_account_centre",
        sa.Column("account_id", ID, nullable=False),
        sa.Column("centre_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_staff_account_centre_account_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_staff_account_centre_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", "centre_id", name=op.f("pk_staff_account_centre")),
    )
    op.create_index(
        op.f("ix_staff_account_centre_centre_id"), "staff_account_centre", ["centre_id"]
    )
    op.create_table(
        "account_setup",
        sa.Column("id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_account_setup_account_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_setup")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_setup_token_hash")),
    )
    op.create_index(op.f("ix_account_setup_account_id"), "account_setup", ["account_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_account_setup_account_id"), table_name="account_setup")
    op.drop_table("account_setup")
    op.drop_index(op.f("ix_staff_account_centre_centre_id"), table_name="staff_account_centre")
    op.drop_table("staff_account_centre")
    with op.batch_alter_table("staff_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
        batch_op.drop_column("last_login_at")
