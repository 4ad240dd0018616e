"""Cover needs from a wait target, and what each extra doctor buys.

The cover need of a day is the smallest number of doctors per hour with which the predicted
waits (forecast.waits, the queue's own simulation) meet the centre's target in every hour. It is
searched upwards: start every hour at the load it cannot do with less (arrivals x mean length of
a consultation), simulate, add a doctor to the earliest hour past the target (a queue built up in
an hour spills into the next ones, so the earliest is the one to fix first), and again; then
take back, hour by hour, any doctor the target holds without.

A doctor covers contiguous time: the k-th doctor of the result is on from the first to the last
of a run of hours that need at least k doctors, which is how the rota's cover-need segments
("3 doctors 08:00-14:00") read. Plain, pure Python with no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from forecast.types import DayDemand, HourDemand
from forecast.waits import (
    DEFAULT_BEHAVIOUR,
    DEFAULT_TARGET,
    Behaviour,
    DayPlan,
    DayWaits,
    Span,
    WaitTarget,
    predict_day,
)
from queues.reads import DEFAULT_CONSULT_MIN

# Fewer simulated days while searching than for showing: each step of the search is one
# prediction of the whole day.
SEARCH_RUNS = 20
MAX_DOCTORS = 15  # per hour: past that the target is out of reach with this demand


@dataclass(frozen=True)
class NeedSegment:
    """``doctors`` wanted from ``start`` to ``end`` (minutes since local midnight)."""

    start: float
    end: float
    doctors: int


@dataclass(frozen=True)
class DayCover:
    day: date
    per_hour: tuple[tuple[int, int], ...]  # (hour, doctors)
    segments: tuple[NeedSegment, ...]
    reached: bool  # False: even MAX_DOCTORS in some hour did not meet the target
    waits: DayWaits  # predicted with that cover


@dataclass(frozen=True)
class ExtraDoctor:
    """The day's prediction with ``extra`` more doctors on during ``busy``."""

    extra: int
    p90_min: float | None
    share_within: float | None
    left_unseen: float


@dataclass(frozen=True)
class ExtraDoctors:
    day: date
    busy: tuple[int, int] | None  # (first hour, hour after the last), None: nothing to add
    options: tuple[ExtraDoctor, ...]


def doctors_for(
    per_hour: Sequence[tuple[int, int]], opens: float, closes: float
) -> tuple[tuple[Span, ...], ...]:
    """Shifts of the doctors that give exactly ``per_hour`` (hour, doctors), each doctor on in
    contiguous runs of hours, clipped to the opening."""
    top = max((n for _, n in per_hour), default=0)
    doctors: list[tuple[Span, ...]] = []
    for k in range(1, top + 1):
        spans: list[Span] = []
        for hour, n in per_hour:
            if n < k:
                continue
            start, end = max(opens, hour * 60.0), min(closes, hour * 60.0 + 60.0)
            if spans and spans[-1][1] == start:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        doctors.append(tuple(spans))
    return tuple(doctors)


def segments_of(
    per_hour: Sequence[tuple[int, int]], opens: float, closes: float
) -> tuple[NeedSegment, ...]:
    """Consecutive hours wanting the same number of doctors, as cover-need segments."""
    out: list[NeedSegment] = []
    for hour, n in per_hour:
        start, end = max(opens, hour * 60.0), min(closes, hour * 60.0 + 60.0)
        if end <= start:
            continue
        if out and out[-1].doctors == n and out[-1].end == start:
            out[-1] = NeedSegment(out[-1].start, end, n)
        else:
            out.append(NeedSegment(start, end, n))
    return tuple(out)


def _load(hour: HourDemand, behaviour: Behaviour) -> int:
    """Doctors the hour cannot do without: its work in doctor-hours, rounded down."""
    pool = behaviour.consult_min or (DEFAULT_CONSULT_MIN,)
    work = hour.mean * (sum(pool) / len(pool) + behaviour.turnover_min) / 60.0
    return max(1 if hour.mean > 0 else 0, math.floor(work))


def cover_for_day(
    centre_id: int,
    demand: DayDemand,
    opens: float,
    closes: float,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
    target: WaitTarget = DEFAULT_TARGET,
    runs: int = SEARCH_RUNS,
) -> DayCover:
    """The smallest cover per hour that meets ``target`` with the day's forecast arrivals."""
    counts = {h.hour: _load(h, behaviour) for h in demand.hours}

    def predict(per_hour: tuple[tuple[int, int], ...]) -> DayWaits:
        plan = DayPlan(centre_id, demand, opens, closes, doctors_for(per_hour, opens, closes))
        return predict_day(plan, behaviour, target, runs)

    while True:
        per_hour = tuple(sorted(counts.items()))
        waits = predict(per_hour)
        past = waits.hours_past_target
        if not past:
            reached = True
            break
        # The earliest hour past target that can still take a doctor, or an hour before it.
        fixable = [h for h in sorted(counts) if h <= past[0] and counts[h] < MAX_DOCTORS]
        if not fixable:
            reached = False
            break
        hour = past[0] if past[0] in fixable else fixable[-1]
        counts[hour] += 1
    if reached:
        # A doctor added early for a queue that later ones also shorten may be spare: try each
        # hour once with one less (the same simulated patients, so the target either holds or
        # not); once an hour could not lose one, later removals elsewhere cannot change that.
        for hour in sorted(counts, key=lambda h: (-counts[h], h)):
            if counts[hour] <= (
                1 if any(h.hour == hour and h.mean > 0 for h in demand.hours) else 0
            ):
                continue
            counts[hour] -= 1
            trial = tuple(sorted(counts.items()))
            fewer = predict(trial)
            if fewer.hours_past_target:
                counts[hour] += 1
            else:
                per_hour, waits = trial, fewer
    return DayCover(
        day=demand.day,
        per_hour=per_hour,
        segments=segments_of(per_hour, opens, closes),
        reached=reached,
        waits=waits,
    )


def busiest_of(days: Sequence[DayDemand]) -> DayDemand | None:
    """One day with, at each hour, the busiest of ``days`` at that hour: cover needs are per kind
    of day (weekday, weekend, public holiday), and the need must hold on each of them."""
    if not days:
        return None
    hours: dict[int, HourDemand] = {}
    for day in days:
        for hour in day.hours:
            known = hours.get(hour.hour)
            if known is None or hour.mean > known.mean:
                hours[hour.hour] = hour
    return DayDemand(days[0].day, tuple(hours[h] for h in sorted(hours)))


def busy_hours(waits: DayWaits, how_many: int = 4) -> tuple[int, int] | None:
    """The span from the first to the last hour past target, or around the busiest hours when
    none is: where an extra doctor would go."""
    hours = list(waits.hours_past_target)
    if not hours:
        ranked = sorted(waits.hours, key=lambda h: (-h.arrivals, h.hour))[:how_many]
        hours = [h.hour for h in ranked if h.arrivals > 0]
    if not hours:
        return None
    return min(hours), max(hours) + 1


def what_extra_doctors_buy(
    plan: DayPlan,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
    target: WaitTarget = DEFAULT_TARGET,
    runs: int = SEARCH_RUNS,
    extras: Sequence[int] = (0, 1, 2),
) -> ExtraDoctors:
    """The day's p90 wait, share within target and left-unseen with the draft's doctors and with
    one or two more on from the first to the last busy hour."""
    base = predict_day(plan, behaviour, target, runs)
    busy = busy_hours(base)
    options: list[ExtraDoctor] = []
    for extra in extras:
        if extra and busy is None:
            break
        waits = base
        if extra and busy is not None:
            shift = ((max(plan.opens, busy[0] * 60.0), min(plan.closes, busy[1] * 60.0)),)
            more = DayPlan(
                plan.centre_id,
                plan.demand,
                plan.opens,
                plan.closes,
                plan.doctors + (shift,) * extra,
            )
            waits = predict_day(more, behaviour, target, runs)
        options.append(ExtraDoctor(extra, waits.p90_min, waits.share_within, waits.left_unseen))
    return ExtraDoctors(plan.demand.day, busy, tuple(options))
