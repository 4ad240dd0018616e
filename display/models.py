"""Display tokens (one per paired screen) and pending pairings."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import BigIntAuditBase


class DisplayToken(BigIntAuditBase):
    """A screen's credential: it may read one centre's feed, nothing else.

    Only a SHA-256 of the random token is kept: a leaked table does not let anyone in.
    """

    __tablename__ = "display_token"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class DisplayPairing(BigIntAuditBase):
    """A short code shown on a TV, confirmed by staff, then claimed once by that TV.

    The code is what a person reads and types; the claim secret stays in the TV's page, so
    someone who only saw the code cannot collect the token.
    """

    __tablename__ = "display_pairing"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    claim_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centre.id", ondelete="CASCADE"), nullable=True
    )
    label: Mapped[str | None] = mapped_column(String(80), nullable=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
