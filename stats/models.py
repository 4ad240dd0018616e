"""The statistics tables: anonymous, kept for good (the purge does not touch them)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from advanced_alchemy.base import BigIntBase
from advanced_alchemy.types import JsonB
from sqlalchemy import Date, Float, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stats.figures import DoctorFigures, Figures


class FigureColumns:
    """The columns of stats.figures.Figures, shared by the hour and day tables."""

    arrivals_standard: Mapped[int] = mapped_column(Integer, default=0)
    arrivals_urgent: Mapped[int] = mapped_column(Integer, default=0)
    called: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    left_unseen: Mapped[int] = mapped_column(Integer, default=0)
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    waits: Mapped[int] = mapped_column(Integer, default=0)
    wait_sum_min: Mapped[float] = mapped_column(Float, default=0.0)
    wait_hist: Mapped[list[int]] = mapped_column(JsonB)
    consults: Mapped[int] = mapped_column(Integer, default=0)
    consult_sum_min: Mapped[float] = mapped_column(Float, default=0.0)
    consult_hist: Mapped[list[int]] = mapped_column(JsonB)
    left_positions: Mapped[list[int]] = mapped_column(JsonB)
    doctors_present: Mapped[int] = mapped_column(Integer, default=0)
    planned_doctor_hours: Mapped[float] = mapped_column(Float, default=0.0)
    told: Mapped[int] = mapped_column(Integer, default=0)
    told_abs_err_sum: Mapped[float] = mapped_column(Float, default=0.0)
    told_err_sum: Mapped[float] = mapped_column(Float, default=0.0)
    told_above_high: Mapped[int] = mapped_column(Integer, default=0)

    def figures(self) -> Figures:
        return Figures(**{spec.name: getattr(self, spec.name) for spec in fields(Figures)})


def figure_values(figures: Figures) -> dict[str, Any]:
    return {spec.name: getattr(figures, spec.name) for spec in fields(Figures)}


class HourStats(FigureColumns, BigIntBase):
    """One local hour of one centre's service day."""

    __tablename__ = "stats_hour"
    __table_args__ = (
        UniqueConstraint("centre_id", "service_day", "hour", name="uq_stats_hour"),
        Index("ix_stats_hour_day", "service_day"),
    )

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    hour: Mapped[int] = mapped_column(Integer)  # local wall-clock hour, 0-23
    weekday: Mapped[int] = mapped_column(Integer)  # ISO 1 = Monday: the heatmap groups on it


class DayStats(FigureColumns, BigIntBase):
    """One centre's service day: its hours added up (what period pages read)."""

    __tablename__ = "stats_day"
    __table_args__ = (
        UniqueConstraint("centre_id", "service_day", name="uq_stats_day"),
        Index("ix_stats_day_day", "service_day"),
    )

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    weekday: Mapped[int] = mapped_column(Integer)


class DoctorDayStats(BigIntBase):
    """One doctor's day at one centre, from the patients they called (no patient in it)."""

    __tablename__ = "stats_doctor_day"
    __table_args__ = (
        UniqueConstraint("account_id", "centre_id", "service_day", name="uq_stats_doctor_day"),
        Index("ix_stats_doctor_day_centre", "centre_id", "service_day"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id", ondelete="CASCADE"))
    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"))
    service_day: Mapped[date] = mapped_column(Date)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    consults: Mapped[int] = mapped_column(Integer, default=0)
    consult_sum_min: Mapped[float] = mapped_column(Float, default=0.0)

    def figures(self) -> DoctorFigures:
        return DoctorFigures(self.calls, self.seen, self.consults, self.consult_sum_min)
