"""audit log and anonymous daily statistics

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 09:00:00

The audit log is append-only: on PostgreSQL a trigger refuses UPDATE and DELETE on it, whoever
asks (the application has no such path; this stops a mistaken script or a compromised
account with table rights). TRUNCATE is left to the database owner, for test set-up and for a
documented, deliberate retention of the log itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONB = (
    sa.JSON()
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "cockroachdb")
    .with_variant(advanced_alchemy.types.json.ORA_JSONB(), "oracle")
    .with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)

REFUSE_CHANGES = (
    """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
""",
    """
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
""",
)


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", BIGINT_ID, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_username", sa.String(length=80), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.Column("device", sa.String(length=80), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("centre_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "daily_centre_stats",
        sa.Column("id", BIGINT_ID, nullable=False),
        sa.Column("centre_id", BIGINT_ID, nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("by_priority_status", JSONB, nullable=False),
        sa.Column("left_unseen", sa.Integer(), nullable=False),
        sa.Column("mean_wait_min", sa.Float(), nullable=True),
        sa.Column("median_wait_min", sa.Float(), nullable=True),
        sa.Column("mean_consultation_min", sa.Float(), nullable=True),
        sa.Column("median_consultation_min", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["centre_id"],
            ["centre.id"],
            name=op.f("fk_daily_centre_stats_centre_id_centre"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_centre_stats")),
        sa.UniqueConstraint("centre_id", "service_day", name="uq_daily_stats_day"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in REFUSE_CHANGES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    op.drop_table("daily_centre_stats")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))
    op.drop_table("audit_entry")
