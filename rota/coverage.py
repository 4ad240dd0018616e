"""Planned cover against the need, per centre, local day and segment.

A need is "N doctors from 08:00 to 14:00 on weekdays" in the centre's local time. Segments are
clipped to the centre's opening on that day (a closed day needs nobody; reduced hours shorten
segments). Cover counts planned shifts at the centre, whatever other problems they have, less
the doctor's approved leave (the one leave rule of rota.on_duty.present_spans): a shift under
leave stays planned, and shows as a conflict, but nobody covers with it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rota.conflicts import ConflictKind, RotaConflict, make_conflict
from rota.days import DayType, day_type, days_between, opening_intervals
from rota.domain import CentrePlan, LeaveSpan, LeaveStatus, PlannedShift
from rota.on_duty import present_spans
from rota.wording import when_en, when_fr


@dataclass(frozen=True, order=True)
class CoverSegment:
    """A part of a day with the number of doctors wanted, local wall-clock times."""

    start: time
    end: time
    doctors: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"Segment invalide : {self.start:%H:%M}–{self.end:%H:%M}")
        if self.doctors < 0:
            raise ValueError("Le nombre de médecins demandé ne peut pas être négatif")


@dataclass(frozen=True)
class CoverNeeds:
    weekday: tuple[CoverSegment, ...] = ()
    weekend: tuple[CoverSegment, ...] = ()
    public_holiday: tuple[CoverSegment, ...] = ()

    def segments_for(self, kind: DayType) -> tuple[CoverSegment, ...]:
        if kind is DayType.PUBLIC_HOLIDAY:
            return self.public_holiday
        return self.weekend if kind is DayType.WEEKEND else self.weekday


@dataclass(frozen=True)
class CoverGap:
    """A span with fewer doctors planned than needed (constant shortfall over the span)."""

    centre_id: str
    day: date
    start: datetime
    end: datetime
    needed: int
    planned: int

    @property
    def missing(self) -> int:
        return self.needed - self.planned


@dataclass(frozen=True)
class SegmentCover:
    centre_id: str
    day: date
    start: datetime
    end: datetime
    needed: int
    planned_min: int  # fewest doctors present at any moment of the segment
    planned_max: int
    doctor_ids: tuple[str, ...]  # everyone with a shift overlapping the segment
    gaps: tuple[CoverGap, ...]


@dataclass(frozen=True)
class DayCover:
    centre_id: str
    day: date
    day_type: DayType
    segments: tuple[SegmentCover, ...]

    @property
    def gaps(self) -> tuple[CoverGap, ...]:
        return tuple(gap for segment in self.segments for gap in segment.gaps)

    @property
    def is_covered(self) -> bool:
        return all(not segment.gaps for segment in self.segments)


class _Presence:
    """Step function "how many shifts are running" at one centre, plus lookup of shifts."""

    def __init__(self, shifts: Sequence[PlannedShift]) -> None:
        deltas: dict[datetime, int] = defaultdict(int)
        for shift in shifts:
            deltas[shift.start] += 1
            deltas[shift.end] -= 1
        self.times = sorted(deltas)
        self.counts: list[int] = []
        running = 0
        for instant in self.times:
            running += deltas[instant]
            self.counts.append(running)
        self.shifts = sorted(shifts, key=lambda shift: shift.start)
        self.starts = [shift.start for shift in self.shifts]
        self.longest = max((shift.duration for shift in shifts), default=timedelta(0))

    def steps(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
        """(from, to, count) pieces covering [start, end)."""
        index = bisect_right(self.times, start) - 1
        pieces = []
        cursor = start
        while cursor < end:
            count = self.counts[index] if index >= 0 else 0
            following = self.times[index + 1] if index + 1 < len(self.times) else end
            piece_end = min(following, end)
            pieces.append((cursor, piece_end, count))
            cursor = piece_end
            index += 1
        return pieces

    def overlapping(self, start: datetime, end: datetime) -> list[PlannedShift]:
        first = bisect_left(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return [shift for shift in self.shifts[first:last] if shift.end > start]


def _segment_cover(
    centre_id: str, day: date, start: datetime, end: datetime, needed: int, presence: _Presence
) -> SegmentCover:
    pieces = presence.steps(start, end)
    gaps: list[CoverGap] = []
    for piece_start, piece_end, count in pieces:
        if count >= needed:
            continue
        previous = gaps[-1] if gaps else None
        if previous is not None and previous.end == piece_start and previous.planned == count:
            gaps[-1] = CoverGap(centre_id, day, previous.start, piece_end, needed, count)
        else:
            gaps.append(CoverGap(centre_id, day, piece_start, piece_end, needed, count))
    counts = [count for _, _, count in pieces]
    doctors = sorted({shift.doctor_id for shift in presence.overlapping(start, end)})
    return SegmentCover(
        centre_id, day, start, end, needed, min(counts), max(counts), tuple(doctors), tuple(gaps)
    )


def present_shifts(
    shifts: Iterable[PlannedShift], leaves: Iterable[LeaveSpan]
) -> list[PlannedShift]:
    """The shifts as they cover: each cut to its parts outside the doctor's approved leave."""
    away: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for leave in leaves:
        if leave.status is LeaveStatus.APPROVED:
            away[leave.doctor_id].append((leave.start, leave.end))
    present: list[PlannedShift] = []
    for shift in shifts:
        spans = away.get(shift.doctor_id)
        if not spans:
            present.append(shift)
            continue
        for start, end in present_spans(shift.start, shift.end, spans):
            present.append(
                PlannedShift(shift.id, shift.doctor_id, shift.centre_id, start, end, shift.room)
            )
    return present


def centre_coverage(
    centre: CentrePlan,
    shifts: Iterable[PlannedShift],
    needs: CoverNeeds,
    first_day: date,
    last_day: date,
    leaves: Iterable[LeaveSpan] = (),
) -> list[DayCover]:
    """Cover of one centre per local day; shifts of other centres are ignored."""
    here = [shift for shift in shifts if shift.centre_id == centre.id]
    presence = _Presence(present_shifts(here, leaves))
    days = []
    for day in days_between(first_day, last_day):
        kind = day_type(centre.region, day)
        open_spans = opening_intervals(centre.opening, centre.region, centre.time_zone, day)
        segments = []
        for segment in sorted(needs.segments_for(kind)):
            wanted_start = centre.instant(day, segment.start)
            wanted_end = centre.instant(day, segment.end)
            for span in open_spans:
                start, end = max(wanted_start, span.start), min(wanted_end, span.end)
                if start < end:
                    segments.append(
                        _segment_cover(centre.id, day, start, end, segment.doctors, presence)
                    )
        days.append(DayCover(centre.id, day, kind, tuple(segments)))
    return days


def network_coverage(
    centres: Iterable[CentrePlan],
    shifts: Iterable[PlannedShift],
    needs: Mapping[str, CoverNeeds],
    first_day: date,
    last_day: date,
    leaves: Iterable[LeaveSpan] = (),
) -> list[DayCover]:
    """Cover of every centre that has needs, per local day, grouped by centre."""
    by_centre: dict[str, list[PlannedShift]] = defaultdict(list)
    for shift in present_shifts(shifts, leaves):
        by_centre[shift.centre_id].append(shift)
    result: list[DayCover] = []
    for centre in centres:
        centre_needs = needs.get(centre.id)
        if centre_needs is not None:
            result.extend(
                centre_coverage(
                    centre, by_centre.get(centre.id, ()), centre_needs, first_day, last_day
                )
            )
    return result


def gaps_as_conflicts(
    gaps: Iterable[CoverGap], centres: Mapping[str, CentrePlan]
) -> list[RotaConflict]:
    conflicts = []
    for gap in gaps:
        centre = centres[gap.centre_id]
        tz = centre.time_zone
        conflicts.append(
            make_conflict(
                ConflictKind.UNDER_COVER,
                None,
                gap.centre_id,
                gap.start,
                gap.end,
                f"{centre.name} : {gap.planned} médecin(s) prévu(s) pour {gap.needed} demandé(s) "
                f"le {when_fr(gap.start, gap.end, tz)} (il en manque {gap.missing})",
                f"{centre.name}: {gap.planned} doctor(s) planned, {gap.needed} needed "
                f"on {when_en(gap.start, gap.end, tz)} ({gap.missing} missing)",
            )
        )
    return conflicts
