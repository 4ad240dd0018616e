"""join the display-token branch (0002) with the rota and audit line (0003, 0004)

Both branches start from 0001; a merge revision keeps every existing database valid: one at
0004 gets 0002 applied on upgrade, one at 0002 gets 0003 and 0004.

Revision ID: 0005
Revises: 0002, 0004
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0002", "0004")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
