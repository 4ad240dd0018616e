"""doctors' presence in consulting rooms

Revision ID: 0012_presence
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:10:00

One row per stretch of a doctor's presence (present or paused) in a room; the wait estimator
and the screens read it (queues/presence.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0012_presence"
down_revision: str | None = "0007_audit_sqlite"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant() -> advanced_alchemy.types.datetime.DateTimeUTC:
    return advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "room_presence",
        sa.Column("id", _id(), nullable=False),
        sa.Column("centre_id", _id(), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("account_id", _id(), nullable=False),
        sa.Column("room_id", _id(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("started_at", _instant(), nullable=False),
        sa.Column("last_seen_at", _instant(), nullable=False),
        sa.Column("ended_at", _instant(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_room_presence_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_account.id"],
            name=op.f("fk_room_presence_account_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["room.id"], name=op.f("fk_room_presence_room_id_room"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_presence")),
    )
    with op.batch_alter_table("room_presence", schema=None) as batch_op:
        batch_op.create_index("ix_room_presence_day", ["centre_id", "service_day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("room_presence", schema=None) as batch_op:
        batch_op.drop_index("ix_room_presence_day")
    op.drop_table("room_presence")
