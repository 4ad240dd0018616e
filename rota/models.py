"""Centres and their consulting rooms (the rota grows these; the queue needs them now)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from advanced_alchemy.types import JsonB
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import BigIntAuditBase

# Opening hours per ISO weekday (1 = Monday ... 7 = Sunday) as lists of ["HH:MM", "HH:MM"].
OpeningHours = dict[str, list[list[str]]]

DEFAULT_OPENING_HOURS: OpeningHours = {str(d): [["08:00", "20:00"]] for d in range(1, 8)}


class Centre(BigIntAuditBase):
    __tablename__ = "centre"

    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    subdivision: Mapped[str | None] = mapped_column(String(16), nullable=True, default=None)
    opening_hours: Mapped[OpeningHours] = mapped_column(JsonB, default=dict)
    # Bumped in the same transaction as every change at this centre: screens use it to
    # notice a missed event and ask for a fresh snapshot.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="centre", lazy="selectin", order_by="Room.position"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service_day(self, at: datetime) -> date:
        """The local date of an instant at this centre: the day a ticket belongs to."""
        return at.astimezone(self.tz).date()

    def opening_on(self, day: date) -> list[tuple[time, time]]:
        """The regular opening intervals on a local day (holidays and exceptions: rota)."""
        intervals = self.opening_hours.get(str(day.isoweekday()), [])
        return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in intervals]


class Room(BigIntAuditBase):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("centre_id", "code", name="uq_room_code"),)

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))  # short, used in URLs and announcements
    name: Mapped[str] = mapped_column(String(100))  # "Cabinet 3"
    position: Mapped[int] = mapped_column(Integer, default=0)

    centre: Mapped[Centre] = relationship(back_populates="rooms", lazy="raise")
