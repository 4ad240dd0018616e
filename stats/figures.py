"""The anonymous figures of a centre's day, hour by hour (pure: tests call it directly).

Counts and sums add up over any period; waits and consultation lengths are kept as fixed-bucket
histograms, so that a median or a 90th percentile over a month or a year is recomputed from the
hours' histograms without keeping a single ticket.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from operator import add
from typing import Protocol
from zoneinfo import ZoneInfo

# Lower edges in minutes; the last bucket is open-ended. Percentiles from these are within half
# a bucket of the exact ones (1-2 min for usual waits, 5-10 min for long ones).
WAIT_EDGES: tuple[int, ...] = (
    *range(0, 60, 2),
    *range(60, 120, 5),
    *range(120, 240, 10),
    *range(240, 481, 30),
)
CONSULT_EDGES: tuple[int, ...] = (*range(0, 60), *range(60, 121, 5))
POSITIONS = 21  # queue positions 0..19 at check-in, then "20 or more"

STANDARD, URGENT = "standard", "urgent"
DONE, NO_SHOW, CANCELLED, LEFT_UNSEEN = "done", "no_show", "cancelled", "left_unseen"


class TicketFacts(Protocol):
    """What the figures read of a ticket (queues.reads.AnonymousTicket has it)."""

    @property
    def priority(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def checked_in_at(self) -> datetime: ...
    @property
    def called_at(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def called_by_id(self) -> int | None: ...
    @property
    def told_wait_min(self) -> float | None: ...
    @property
    def told_high_min(self) -> float | None: ...
    @property
    def joined_position(self) -> int | None: ...


def bucket_of(edges: Sequence[int], minutes: float) -> int:
    return max(0, bisect_right(edges, minutes) - 1)


def quantile(hist: Sequence[int], edges: Sequence[int], q: float) -> float | None:
    """The q-quantile of a histogram, interpolated inside its bucket (None when empty)."""
    total = sum(hist)
    if total == 0:
        return None
    target = q * total
    seen = 0
    for index, count in enumerate(hist):
        if count and seen + count >= target:
            low = edges[index]
            if index + 1 >= len(edges):
                return float(low)  # the open bucket: at least its edge
            width = edges[index + 1] - low
            return round(low + width * (target - seen) / count, 1)
        seen += count
    return float(edges[-1])


def _zeros(size: int) -> list[int]:
    return [0] * size


@dataclass
class Figures:
    """Counts and sums of one hour (or, added up, of any period) at one centre."""

    arrivals_standard: int = 0
    arrivals_urgent: int = 0
    called: int = 0
    seen: int = 0
    left_unseen: int = 0
    no_shows: int = 0
    cancelled: int = 0
    waits: int = 0
    wait_sum_min: float = 0.0
    wait_hist: list[int] = field(default_factory=lambda: _zeros(len(WAIT_EDGES)))
    consults: int = 0
    consult_sum_min: float = 0.0
    consult_hist: list[int] = field(default_factory=lambda: _zeros(len(CONSULT_EDGES)))
    left_positions: list[int] = field(default_factory=lambda: _zeros(POSITIONS))
    # An hour: doctors who called in it (the rooms' presence, once the queue records it,
    # would replace the calls as the source); added up: doctor-hours present.
    doctors_present: int = 0
    planned_doctor_hours: float = 0.0
    told: int = 0  # called patients who had been told a wait at check-in
    told_abs_err_sum: float = 0.0
    told_err_sum: float = 0.0  # actual minus told: positive means waits were longer
    told_above_high: int = 0

    # --- adding up ---------------------------------------------------------------------

    def add(self, other: Figures) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _LISTS:
            mine = getattr(self, name)
            mine[:] = map(add, mine, getattr(other, name))

    @classmethod
    def total(cls, parts: Iterable[Figures]) -> Figures:
        result = cls()
        for part in parts:
            result.add(part)
        return result

    # --- what the pages show -----------------------------------------------------------

    @property
    def arrivals(self) -> int:
        return self.arrivals_standard + self.arrivals_urgent

    @property
    def median_wait_min(self) -> float | None:
        return quantile(self.wait_hist, WAIT_EDGES, 0.5)

    @property
    def p90_wait_min(self) -> float | None:
        return quantile(self.wait_hist, WAIT_EDGES, 0.9)

    @property
    def mean_wait_min(self) -> float | None:
        return round(self.wait_sum_min / self.waits, 1) if self.waits else None

    @property
    def mean_consult_min(self) -> float | None:
        return round(self.consult_sum_min / self.consults, 1) if self.consults else None

    @property
    def median_consult_min(self) -> float | None:
        return quantile(self.consult_hist, CONSULT_EDGES, 0.5)

    @property
    def left_unseen_rate(self) -> float | None:
        return round(self.left_unseen / self.arrivals, 3) if self.arrivals else None

    @property
    def no_show_rate(self) -> float | None:
        return round(self.no_shows / self.called, 3) if self.called else None

    @property
    def seen_per_doctor_hour(self) -> float | None:
        return round(self.seen / self.doctors_present, 2) if self.doctors_present else None

    @property
    def estimate_mae_min(self) -> float | None:
        return round(self.told_abs_err_sum / self.told, 1) if self.told else None

    @property
    def estimate_bias_min(self) -> float | None:
        return round(self.told_err_sum / self.told, 1) if self.told else None

    @property
    def estimate_above_high_share(self) -> float | None:
        return round(self.told_above_high / self.told, 3) if self.told else None


_LISTS = ("wait_hist", "consult_hist", "left_positions")
_COUNTS = tuple(spec.name for spec in fields(Figures) if spec.name not in _LISTS)


@dataclass(frozen=True)
class DoctorFigures:
    """One doctor's day at one centre, from the tickets they called."""

    calls: int = 0
    seen: int = 0
    consults: int = 0
    consult_sum_min: float = 0.0


@dataclass(frozen=True)
class DayFigures:
    hours: dict[int, Figures]  # local hour (0-23) -> figures; only hours with something
    doctors: dict[int, DoctorFigures]  # staff account id -> figures

    def total(self) -> Figures:
        return Figures.total(self.hours.values())


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 60


def _hour(at: datetime, tz: ZoneInfo) -> int:
    return at.astimezone(tz).hour


def planned_hours(
    spans: Iterable[tuple[datetime, datetime]], day: date, tz: ZoneInfo
) -> dict[int, float]:
    """Doctor-hours planned in each local hour of ``day`` (spans: the rota's, UTC)."""
    result: dict[int, float] = {}
    utc = ZoneInfo("UTC")
    start = datetime.combine(day, datetime.min.time(), tz).astimezone(utc)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).astimezone(utc)
    # Real hours, each under the local hour it shows: on the autumn change the repeated hour
    # counts twice under 02h, as its tickets do; in spring 02h has none.
    while start < end:
        stop = start + timedelta(hours=1)
        overlap = sum(
            max(0.0, (min(stop, b) - max(start, a)).total_seconds() / 3600) for a, b in spans
        )
        if overlap:
            hour = start.astimezone(tz).hour
            result[hour] = round(result.get(hour, 0.0) + overlap, 3)
        start = stop
    return result


def present_by_hour(
    stretches: Iterable[tuple[int, datetime, datetime]], tz: ZoneInfo
) -> dict[int, set[int]]:
    """The doctors (account ids) in a consulting room during each local hour, from the day's
    stretches of presence (account, start, end; UTC); a paused doctor is left out."""
    result: dict[int, set[int]] = {}
    utc = ZoneInfo("UTC")
    for account, start, end in stretches:
        # From the local hour it began in, stepping real hours (a time zone's offset may not be
        # whole hours; its changes are).
        local = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        hour_start = local.astimezone(utc)
        while hour_start < end:
            result.setdefault(_hour(hour_start, tz), set()).add(account)
            hour_start += timedelta(hours=1)
    return result


def day_figures(
    tickets: Iterable[TicketFacts],
    tz: ZoneInfo,
    planned: dict[int, float] | None = None,
    present: dict[int, set[int]] | None = None,
) -> DayFigures:
    """The hours and doctors of one centre's day, from its tickets and the rota's plan.

    Arrivals, waits, left-unseen, no-shows and the estimator's accuracy count in the hour of
    check-in; calls in the hour of the call; patients seen and their consultation lengths in
    the hour the consultation ended. The doctors present in an hour are those the consulting-
    room pages saw in a room (``present``, from present_by_hour) and those who called a patient
    then: a doctor calling without the room page still counts.
    """
    hours: dict[int, Figures] = {}
    callers: dict[int, set[int]] = {}
    doctors: dict[int, dict[str, float]] = {}

    def at(hour: int) -> Figures:
        return hours.setdefault(hour, Figures())

    for ticket in tickets:
        joined = at(_hour(ticket.checked_in_at, tz))
        if ticket.priority == URGENT:
            joined.arrivals_urgent += 1
        else:
            joined.arrivals_standard += 1
        if ticket.status == LEFT_UNSEEN:
            joined.left_unseen += 1
            position = ticket.joined_position
            if position is not None:
                joined.left_positions[min(position, POSITIONS - 1)] += 1
        elif ticket.status == NO_SHOW:
            joined.no_shows += 1
        elif ticket.status == CANCELLED:
            joined.cancelled += 1
        wait = minutes_between(ticket.checked_in_at, ticket.called_at or ticket.started_at)
        if wait is not None:
            joined.waits += 1
            joined.wait_sum_min += wait
            joined.wait_hist[bucket_of(WAIT_EDGES, wait)] += 1
            if ticket.told_wait_min is not None:
                error = wait - ticket.told_wait_min
                joined.told += 1
                joined.told_err_sum += error
                joined.told_abs_err_sum += abs(error)
                if ticket.told_high_min is not None and wait > ticket.told_high_min:
                    joined.told_above_high += 1
        mine = doctors.setdefault(ticket.called_by_id, {}) if ticket.called_by_id else None
        called_at = ticket.called_at or ticket.started_at
        if called_at is not None:
            at(_hour(called_at, tz)).called += 1
            if ticket.called_by_id is not None:
                callers.setdefault(_hour(called_at, tz), set()).add(ticket.called_by_id)
            if mine is not None:
                mine["calls"] = mine.get("calls", 0) + 1
        if ticket.status == DONE and ticket.ended_at is not None:
            ended = at(_hour(ticket.ended_at, tz))
            ended.seen += 1
            length = minutes_between(ticket.started_at or ticket.called_at, ticket.ended_at)
            if mine is not None:
                mine["seen"] = mine.get("seen", 0) + 1
            if length is not None:
                ended.consults += 1
                ended.consult_sum_min += length
                ended.consult_hist[bucket_of(CONSULT_EDGES, length)] += 1
                if mine is not None:
                    mine["consults"] = mine.get("consults", 0) + 1
                    mine["consult_sum_min"] = mine.get("consult_sum_min", 0.0) + length
    in_rooms = present or {}
    for hour in set(callers) | set(in_rooms):
        at(hour).doctors_present = len(callers.get(hour, set()) | in_rooms.get(hour, set()))
    for hour, doctor_hours in (planned or {}).items():
        at(hour).planned_doctor_hours = doctor_hours
    for figures in hours.values():
        # Rounded once, here: stored and recomputed figures are then equal to the digit.
        figures.wait_sum_min = round(figures.wait_sum_min, 3)
        figures.consult_sum_min = round(figures.consult_sum_min, 3)
        figures.told_abs_err_sum = round(figures.told_abs_err_sum, 3)
        figures.told_err_sum = round(figures.told_err_sum, 3)
    return DayFigures(
        hours=dict(sorted(hours.items())),
        doctors={
            account: DoctorFigures(
                calls=int(values.get("calls", 0)),
                seen=int(values.get("seen", 0)),
                consults=int(values.get("consults", 0)),
                consult_sum_min=round(values.get("consult_sum_min", 0.0), 3),
            )
            for account, values in sorted(doctors.items())
        },
    )
