"""Predicted waits of a centre's day under a draft rota.

The day is played many times with the queue's own simulation (``queues.reads.run_day``, the
rules the estimator is scored on): patients arrive as the demand forecast says, each with a
consultation length drawn from the centre's history the way the estimator draws them, and some
leave unseen with the estimator's patience model. The draft's doctors call from the start of
their shifts until their end (those on until closing keep calling while anyone waits).

What is uncertain is sampled per simulated day: the day's level of arrivals (the forecast's 80 %
interval, beyond the Poisson noise of arrivals themselves), the arrivals, their priorities, the
consultation lengths and who leaves. The random stream is seeded from the centre-day and its
demand only, never from the doctors: two drafts of the same day are compared on the same
simulated patients, so one more doctor never makes the prediction worse by luck.

A patient who leaves unseen counts with the time they had waited when they left (a lower bound
of what they would have waited), and never as called within the target. Times are minutes since
local midnight. Plain, pure Python with no I/O.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist, fmean

from forecast.types import DayDemand
from queues.reads import (
    PATIENCE_MIN,
    PRIOR_IMPATIENT,
    TURNOVER_MIN,
    ConsultLengths,
    DoctorRota,
    Priority,
    Scenario,
    ScenarioPatient,
    run_day,
)

# Simulated days per centre-day: the hourly shares within target are stable to a few points and a
# month of 26 centres stays within seconds (bench/bench_waits.py).
DEFAULT_RUNS = 24
# z of the 10th/90th percentile of a normal: the forecast's interval is an 80 % one.
Z80 = 1.2816

Span = tuple[float, float]  # (start, end) minutes since local midnight


@dataclass(frozen=True)
class WaitTarget:
    """``share`` of patients called within ``minutes`` of checking in (e.g. 0.9 within 45)."""

    share: float
    minutes: int

    def __post_init__(self) -> None:
        if not 0 < self.share <= 1:
            raise ValueError("share must be in (0, 1]")
        if not 5 <= self.minutes <= 240:
            raise ValueError("minutes must be between 5 and 240")


DEFAULT_TARGET = WaitTarget(share=0.9, minutes=45)


@dataclass(frozen=True)
class Behaviour:
    """How a centre's patients are served and wait: consultation lengths from its history (the
    estimator's default when empty), turnover between patients, and who leaves unseen."""

    consult_min: tuple[float, ...] = ()
    turnover_min: float = TURNOVER_MIN  # the live estimator's
    impatient_share: float = PRIOR_IMPATIENT
    patience_min: float = PATIENCE_MIN


DEFAULT_BEHAVIOUR = Behaviour()


@dataclass(frozen=True)
class DayPlan:
    """One centre-day to predict: its demand, opening and the draft's doctors."""

    centre_id: int
    demand: DayDemand
    opens: float
    closes: float
    doctors: tuple[tuple[Span, ...], ...]  # each doctor's shifts that day


@dataclass(frozen=True)
class HourWaits:
    hour: int
    arrivals: float  # expected patients checking in during the hour
    doctors: int  # most doctors on shift at once during the hour
    median_min: float | None  # None: nobody expected
    p90_min: float | None
    left_unseen: float  # expected, of the hour's arrivals
    share_within: float | None  # share of the hour's arrivals called within the target
    past_target: bool


@dataclass(frozen=True)
class DayWaits:
    centre_id: int
    day: date
    arrivals: float
    median_min: float | None
    p90_min: float | None
    p90_low: float | None  # 10 % / 90 % of the simulated days' own 90th percentile
    p90_high: float | None
    left_unseen: float
    share_within: float | None
    target: WaitTarget
    hours: tuple[HourWaits, ...]
    runs: int

    @property
    def hours_past_target(self) -> tuple[int, ...]:
        return tuple(h.hour for h in self.hours if h.past_target)


def quantile(ordered: Sequence[float], q: float) -> float:
    """Linear-interpolated quantile of a sorted, non-empty sequence."""
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _seed(plan: DayPlan, behaviour: Behaviour, runs: int) -> int:
    # Not the doctors: drafts of one day meet the same simulated patients (see the docstring).
    text = repr((plan.centre_id, plan.demand, plan.opens, plan.closes, behaviour, runs))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 60:  # normal approximation: Knuth's product underflows and gets slow
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def level_sd(demand: DayDemand) -> float:
    """Log-scale spread of the day's arrival level, shared by its hours: what each hour's 80 %
    interval holds beyond the Poisson noise of its arrivals (an hour's relative variance is
    1/mean + level variance), averaged over the hours by their arrivals."""
    weighted = total = 0.0
    for hour in demand.hours:
        if hour.mean <= 0 or hour.high <= hour.low:
            continue
        relative = ((hour.high - hour.low) / (2 * Z80 * hour.mean)) ** 2
        weighted += hour.mean * max(0.0, relative - 1.0 / hour.mean)
        total += hour.mean
    return math.sqrt(weighted / total) if total else 0.0


def _strata(rng: random.Random, runs: int) -> list[float]:
    """One standard normal draw per simulated day, one from each of ``runs`` equally likely
    slices, in random order. The day-level factors (how busy, how long the consultations) are
    what makes simulated days differ most; drawn plainly, a few unlucky days moved a month's
    p90 by half an hour between two seeds of 24 days, stratified they cover the range evenly."""
    normal = NormalDist()
    draws = [normal.inv_cdf((k + rng.random()) / runs) for k in range(runs)]
    rng.shuffle(draws)
    return draws


def _patients(
    rng: random.Random,
    plan: DayPlan,
    behaviour: Behaviour,
    lengths: ConsultLengths,
    level_z: float,
    consult_z: float,
) -> tuple[list[ScenarioPatient], list[int]]:
    """One simulated day's patients and the hour each arrives in; ``level_z`` and ``consult_z``
    place the day's arrival level and consultation level in their distributions."""
    sd = level_sd(plan.demand)
    level = math.exp(sd * level_z - sd * sd / 2)
    # The estimator's day factor of consultation lengths (ConsultLengths.day_factor), drawn from
    # its stratum rather than by the estimator's own gauss() call.
    consult_factor = lengths.scale * math.exp(lengths.day_sd * consult_z)
    patients: list[ScenarioPatient] = []
    hours: list[int] = []
    for hour in plan.demand.hours:
        start = max(hour.hour * 60.0, plan.opens)
        end = min(hour.hour * 60.0 + 60.0, plan.closes)
        if end <= start:
            continue
        for _ in range(_poisson(rng, hour.mean * level)):
            urgent = rng.random() < hour.urgent_share
            impatient = rng.random() < behaviour.impatient_share
            patience = rng.expovariate(1.0 / behaviour.patience_min) if impatient else None
            patients.append(
                ScenarioPatient(
                    id=f"p{len(patients):05d}",
                    arrival=start + rng.random() * (end - start),
                    arrival_text="",
                    priority=Priority.URGENT if urgent else Priority.STANDARD,
                    consult_min=max(0.5, lengths.sample(rng, consult_factor)),
                    patience_min=patience,
                )
            )
            hours.append(hour.hour)
    return patients, hours


def _on_shift(doctors: Sequence[Sequence[Span]], hour: int) -> int:
    """Most doctors on shift at once within the hour (shift starts or hour start)."""
    start, end = hour * 60.0, hour * 60.0 + 60.0
    moments = {start} | {a for shifts in doctors for a, _ in shifts if start < a < end}
    return max(sum(1 for shifts in doctors if any(a <= t < b for a, b in shifts)) for t in moments)


def predict_day(
    plan: DayPlan,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
    target: WaitTarget = DEFAULT_TARGET,
    runs: int = DEFAULT_RUNS,
) -> DayWaits:
    """Expected waits of the centre-day with the plan's doctors, over ``runs`` simulated days."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    rng = random.Random(_seed(plan, behaviour, runs))
    lengths = ConsultLengths((), behaviour.consult_min)
    rota = tuple(
        DoctorRota(id=f"d{k:03d}", shifts=tuple(sorted(shifts)))
        for k, shifts in enumerate(plan.doctors)
        if shifts
    )
    by_hour: dict[int, list[float]] = {h.hour: [] for h in plan.demand.hours}
    within_by_hour: dict[int, int] = dict.fromkeys(by_hour, 0)
    left_by_hour: dict[int, int] = dict.fromkeys(by_hour, 0)
    day_waits: list[float] = []
    run_p90: list[float] = []
    within = left = 0
    levels, consults = _strata(rng, runs), _strata(rng, runs)
    for level_z, consult_z in zip(levels, consults, strict=True):
        patients, hours = _patients(rng, plan, behaviour, lengths, level_z, consult_z)
        outcome = run_day(
            Scenario(
                name="forecast",
                date=plan.demand.day.isoformat(),
                timezone="",
                opens=plan.opens,
                closes=plan.closes,
                turnover_min=behaviour.turnover_min,
                doctors=rota,
                patients=tuple(patients),
                history_consult_min=(),
            )
        )
        this_run: list[float] = []
        for patient, hour in zip(patients, hours, strict=True):
            called = outcome.called.get(patient.id)
            if called is None:
                # Left, or still waiting when the last doctor went: unseen either way.
                gone = outcome.left_at.get(patient.id, max(plan.closes, patient.arrival))
                wait = max(0.0, gone - patient.arrival)
                left += 1
                left_by_hour[hour] += 1
            else:
                wait = called - patient.arrival
                if wait <= target.minutes:
                    within += 1
                    within_by_hour[hour] += 1
            this_run.append(wait)
            by_hour[hour].append(wait)
        day_waits.extend(this_run)
        if this_run:
            run_p90.append(quantile(sorted(this_run), 0.9))

    hour_rows = []
    for demand_hour in plan.demand.hours:
        waits = sorted(by_hour[demand_hour.hour])
        share = within_by_hour[demand_hour.hour] / len(waits) if waits else None
        hour_rows.append(
            HourWaits(
                hour=demand_hour.hour,
                arrivals=len(waits) / runs,
                doctors=_on_shift(plan.doctors, demand_hour.hour),
                median_min=quantile(waits, 0.5) if waits else None,
                p90_min=quantile(waits, 0.9) if waits else None,
                left_unseen=left_by_hour[demand_hour.hour] / runs,
                share_within=share,
                past_target=share is not None and share < target.share,
            )
        )
    ordered = sorted(day_waits)
    p90s = sorted(run_p90)
    return DayWaits(
        centre_id=plan.centre_id,
        day=plan.demand.day,
        arrivals=len(ordered) / runs,
        median_min=quantile(ordered, 0.5) if ordered else None,
        p90_min=quantile(ordered, 0.9) if ordered else None,
        p90_low=quantile(p90s, 0.1) if p90s else None,
        p90_high=quantile(p90s, 0.9) if p90s else None,
        left_unseen=left / runs,
        share_within=within / len(ordered) if ordered else None,
        target=target,
        hours=tuple(hour_rows),
        runs=runs,
    )


def mean_or_none(values: Sequence[float | None]) -> float | None:
    """Mean of the known values (a week's median wait, say), None when none is known."""
    known = [v for v in values if v is not None]
    return fmean(known) if known else None
