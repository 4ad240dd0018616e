"""Tickets and the per-centre service day."""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from queues.ordering import Priority
from queues.states import TicketStatus
from service.db import BigIntAuditBase


class CentreDay(BigIntAuditBase):
    """One service day at one centre: the ticket counter and whether check-in is open."""

    __tablename__ = "centre_day"
    __table_args__ = (UniqueConstraint("centre_id", "service_day", name="uq_centre_day_day"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    # Incremented in the check-in transaction: the row lock serialises check-ins per centre
    # and a rolled-back check-in gives its number back, so numbers stay gapless.
    last_seq_no: Mapped[int] = mapped_column(Integer, default=0)
    checkin_closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Ticket(BigIntAuditBase):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("centre_id", "service_day", "seq_no", name="uq_ticket_seq_no"),
        UniqueConstraint("centre_id", "client_key", name="uq_ticket_client_key"),
        Index("ix_ticket_queue", "centre_id", "service_day", "status"),
    )

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    seq_no: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    priority: Mapped[Priority] = mapped_column(String(16))
    status: Mapped[TicketStatus] = mapped_column(String(20), default=TicketStatus.WAITING)
    # The tablet's idempotency key: a retried check-in returns the same ticket.
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Minimal patient data, erased after the retention period.
    label: Mapped[str | None] = mapped_column(String(40), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)

    checked_in_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # The instant the queue orders by: check-in time, moved earlier to put a patient at
    # the head, later when a late patient is queued again.
    queued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    head_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), nullable=True
    )
    called_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL"), nullable=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class RoomPresence(BigIntAuditBase):
    """One stretch of a doctor's presence in a consulting room, in one state.

    A doctor is present from opening the room on the consulting-room page; pausing, resuming,
    moving to another room and leaving end the stretch (``ended_at``) and the next state opens
    a new one, so the day's rows say when each doctor really was in a room. The page beats
    (``last_seen_at``); a stretch whose page went quiet longer than the presence timeout is
    over at its last beat (queues/presence.py).
    """

    __tablename__ = "room_presence"
    __table_args__ = (Index("ix_room_presence_day", "centre_id", "service_day"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12))  # PresenceState
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
