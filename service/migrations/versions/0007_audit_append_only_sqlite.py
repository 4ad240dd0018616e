"""audit log append-only on SQLite too

Revision ID: 0007_audit_sqlite
Revises: 0006
Create Date: 2026-12-01 10:30:00

0004 guards the audit log with a trigger on PostgreSQL only; the embedded SQLite database (the
default install) let any UPDATE or DELETE through. SQLite triggers cannot be shared by both
operations with one body naming it, so there are two. A later migration that rebuilds the
table with batch_alter_table drops them: it must create them again.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_audit_sqlite"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPERATIONS = ("UPDATE", "DELETE")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for operation in OPERATIONS:
        op.execute(
            f"CREATE TRIGGER audit_entry_append_only_{operation.lower()} "
            f"BEFORE {operation} ON audit_entry "
            f"BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: {operation} refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for operation in OPERATIONS:
        op.execute(f"DROP TRIGGER IF EXISTS audit_entry_append_only_{operation.lower()}")
