"""Tickets and the per-centre service day."""

from __future__ import annotations

from datetime import date, datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
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
    # What the patient was told at check-in (minutes; None: no estimate, or nobody would call)
    # and how many were ahead of them then: anonymous, kept for the estimator's accuracy and
    # the drop-off by position in the statistics.
    told_wait_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    told_high_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    joined_position: Mapped[int | None] = mapped_column(Integer, nullable=True)

    # --- the patient's phone (queues/patient.py) ---
    # SHA-256 of the ticket's link token (the token itself is never stored).
    link_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # Taken from home: "not_arrived" until reception (or the entrance QR code) confirms.
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # When a remote ticket's turn came before its patient arrived: its place is kept for the
    # grace period from then, then released.
    held_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    # Digest of the joining device's cookie, for the per-device cap (erased with the rest).
    device_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # "Your turn is near": when N people are ahead, when the estimate falls under X minutes,
    # when called; by SMS to ``phone`` (kept only with consent) and/or Web Push.
    notify_ahead: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notify_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notify_called: Mapped[bool] = mapped_column(Boolean, default=False)
    push_subscription: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Which "near" messages went already ("ahead", "minutes"): each is sent once.
    notified: Mapped[str] = mapped_column(String(40), default="")


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


class RemoteJoin(BigIntAuditBase):
    """A centre's setting for tickets taken from home (off unless a manager turns it on)."""

    __tablename__ = "remote_join"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Share of the queue (waiting and not arrived) that may be remote tickets.
    max_share: Mapped[float] = mapped_column(Float, default=0.3)
    # A remote ticket whose turn came before its patient arrived keeps its place this long.
    grace_min: Mapped[int] = mapped_column(Integer, default=15)
