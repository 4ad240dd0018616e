"""The forecast's table: each centre's wait target (the rota's cover needs can follow from it)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from service.db import BigIntAuditBase


class WaitTargetRow(BigIntAuditBase):
    """``share`` of a centre's patients called within ``minutes`` (e.g. 0.9 within 45). A centre
    without a row has the network's default (forecast.waits.DEFAULT_TARGET)."""

    __tablename__ = "wait_target"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), unique=True)
    share: Mapped[float] = mapped_column(Float)
    minutes: Mapped[int] = mapped_column(Integer)
