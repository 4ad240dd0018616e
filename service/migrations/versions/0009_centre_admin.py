"""centre administration: wait alert threshold, rooms retired without losing history

Revision ID: 0009_centre_admin
Revises: 0008_accounts, 0010_rota_planning, 0012_presence (on its own branch: 0007_audit_sqlite; the
integrator re-chains it)
Create Date: 2026-12-01 13:20:00

`centre.wait_alert_minutes`: the managers' home raises an alert when a patient has waited
longer. `room.retired_at`: a room no longer used keeps its row, so tickets, shifts and audit
entries that name it still resolve; only rooms not retired take calls and shifts.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0009_centre_admin"
down_revision: str | None = "0010_rota_planning"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN works on SQLite too: no table rebuild.
    op.add_column(
        "centre",
        sa.Column("wait_alert_minutes", sa.Integer(), nullable=False, server_default="45"),
    )
    op.add_column(
        "room",
        sa.Column(
            "retired_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("room") as batch_op:
        batch_op.drop_column("retired_at")
    with op.batch_alter_table("centre") as batch_op:
        batch_op.drop_column("wait_alert_minutes")
