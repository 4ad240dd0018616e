"""The notification outbox: messages written in the transaction of the change that causes
them, and the record of every attempt to deliver them."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import BigIntAuditBase


class OutboxStatus:
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"
    FAILED = "failed"  # given up: permanent refusal or out of attempts


class OutboxMessage(BigIntAuditBase):
    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    # The same key twice is one message: a retried change never sends twice, and the
    # provider is given the key so that a resend after a crash is dropped there too.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # "sms" or "push"
    # E.164 number or Web Push subscription (JSON); erased once the message is settled.
    recipient: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str] = mapped_column(String(160))
    centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("centre.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    leased_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    provider_ref: Mapped[str | None] = mapped_column(String(120), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class DeliveryAttempt(BigIntAuditBase):
    """One try at handing a message to its provider, and how it went."""

    __tablename__ = "notification_delivery"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("notification_outbox.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))  # "sent", "retry", "failed"
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
