"""The forecast's shapes, shared by the demand model, the wait prediction and the pages.

A forecast is per centre and local hour of each service day; it carries its uncertainty (an
80 % interval of arrivals) and says how much of the centre's own history it stood on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Source(StrEnum):
    CENTRE = "centre"  # the centre's own history
    NETWORK = "network"  # too little history: the network's shape scaled to what there is


@dataclass(frozen=True)
class HourDemand:
    """Expected arrivals in one local wall-clock hour of one centre's service day."""

    hour: int  # 0-23, local
    mean: float  # expected arrivals, standard and urgent together
    low: float  # 10th percentile of arrivals
    high: float  # 90th percentile of arrivals
    urgent_share: float  # of the arrivals, the share checked in as urgent


@dataclass(frozen=True)
class DayDemand:
    day: date
    hours: tuple[HourDemand, ...]  # the hours the centre is open that day, in order

    @property
    def mean(self) -> float:
        return sum(hour.mean for hour in self.hours)


@dataclass(frozen=True)
class CentreForecast:
    centre_id: int
    as_of: date  # trained on service days strictly before this one
    days: tuple[DayDemand, ...]  # in order
    history_days: int  # service days of the centre's own history it used
    source: Source

    def day(self, day: date) -> DayDemand | None:
        return next((found for found in self.days if found.day == day), None)
