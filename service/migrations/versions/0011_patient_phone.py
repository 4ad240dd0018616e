"""the patient's phone: ticket links, "your turn is near", joining from home, the outbox

Revision ID: 0011_patient_phone
Revises: 0007_audit_sqlite
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0011_patient_phone"
down_revision: str | None = "0009_centre_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(
        name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable
    )


def _audit_columns() -> list[sa.Column[Any]]:
    return [_when("created_at", False), _when("updated_at", False)]


def _ticket_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False, server_default=sa.false()),
        _when("arrived_at"),
        _when("held_since"),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("notify_ahead", sa.Integer(), nullable=True),
        sa.Column("notify_minutes", sa.Integer(), nullable=True),
        sa.Column("notify_called", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("push_subscription", sa.Text(), nullable=True),
        sa.Column("notified", sa.String(length=40), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        for column in _ticket_columns():
            batch_op.add_column(column)
        batch_op.create_unique_constraint(batch_op.f("uq_ticket_link_hash"), ["link_hash"])

    op.create_table(
        "remote_join",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("centre_id", BIGINT, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("max_share", sa.Float(), nullable=False),
        sa.Column("grace_min", sa.Integer(), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_remote_join_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_join")),
        sa.UniqueConstraint("centre_id", name=op.f("uq_remote_join_centre_id")),
    )

    op.create_table(
        "notification_outbox",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=True),
        sa.Column("body", sa.String(length=160), nullable=False),
        sa.Column("centre_id", BIGINT, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at", False),
        _when("lease_until"),
        sa.Column("leased_by", sa.String(length=64), nullable=True),
        _when("sent_at"),
        sa.Column("provider_ref", sa.String(length=120), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_notification_outbox_centre_id_centre"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notification_outbox_idempotency_key")),
    )
    op.create_index("ix_outbox_due", "notification_outbox", ["status", "next_attempt_at"])

    op.create_table(
        "notification_delivery",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("message_id", BIGINT, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        _when("at", False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["notification_outbox.id"],
            name=op.f("fk_notification_delivery_message_id_notification_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_delivery")),
    )
    op.create_index(
        op.f("ix_notification_delivery_message_id"), "notification_delivery", ["message_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notification_delivery_message_id"), table_name="notification_delivery")
    op.drop_table("notification_delivery")
    op.drop_index("ix_outbox_due", table_name="notification_outbox")
    op.drop_table("notification_outbox")
    op.drop_table("remote_join")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ticket_link_hash"), type_="unique")
        for column in reversed(_ticket_columns()):
            batch_op.drop_column(column.name)
