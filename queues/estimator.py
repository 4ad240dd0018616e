"""Wait-time estimator that follows the rota and what happens in the rooms.

"People ahead x mean consultation / doctors on duty" is wrong exactly when it matters: just
before a shift change, when a doctor leaves for lunch, after an urgent case, near closing. This
module simulates the rest of the day many times instead, following the same rules as the queue
itself (see the scenarios README): each doctor calls the next patient when free, present and past
the turnover; doctors present until closing keep calling while anyone waits; the others stop at
the end of their presence. What is uncertain is sampled:

- who will call, and when (``queues.attendance``: the rota corrected by presence so far, when
  the snapshot knows it; the rota alone otherwise);

- the length of every future consultation, and the remainder of the ones under way (conditioned
  on how long they have already lasted), from the centre's history rescaled to today's level;
- how far today's level itself may still be off (one factor per simulated day, narrower as more
  consultations finish today);
- urgent arrivals that will jump ahead of standard patients;
- patients ahead who leave unseen.

Quantiles of the simulated call times give the estimate: the median (it minimises the absolute
error) and the 10 % / 90 % quantiles as the 80 % interval.

Plain, pure Python with no I/O. The random stream is seeded from the snapshot itself, so the same
snapshot always gives the same estimate, in the replay and in the service alike. All times are
minutes since local midnight.
"""

from __future__ import annotations

import hashlib
import math
import random
from array import array
from bisect import bisect_right
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from statistics import fmean, pstdev

from queues.attendance import Lateness, calling_spans, first_arrival_delay, learn_lateness
from queues.ordering import Priority, in_call_order

INF = math.inf

# Number of simulated days per estimate: 320 keeps the interval's quantiles stable to a minute or
# so, and a 40-patient, 5-doctor snapshot takes ~10 ms (bench/bench_estimator.py).
DEFAULT_RUNS = 320

# Work per estimate, in patient calls simulated: a long queue gets fewer simulated days (at
# least MIN_RUNS), so an estimate's cost stays bounded at any queue size. 320 days of 60
# waiting fit; 2,500 waiting get 64 days, whose quantiles are still within a few minutes of
# waits that are then hours long.
WORK_BUDGET = DEFAULT_RUNS * 60
MIN_RUNS = 64

# Quantiles of the simulated call times that bound the 80 % interval. With presence (doctors who
# may come late, break or leave) 0.12/0.88 covered 81 % of patients on generated training days
# (seeds 1-10 and, format v2, 101-116) with the worst days at 65-69 %; 0.10/0.90 covers 84 %,
# none below 68 %, for the same error.
INTERVAL_LOW = 0.10

# Consultation length used when a centre has neither history nor finished consultations today.
DEFAULT_CONSULT_MIN = 12.0
# Spread (log scale) of a day's mean consultation length around the centre's history: how much
# days differ. With the spread of single consultations it sets how fast today's finished
# consultations take over from the history (a normal-normal update of the day's level).
DAY_LEVEL_SD = 0.2
# Urgent arrivals: prior of PRIOR_URGENT urgent check-ins per PRIOR_URGENT_MIN minutes, updated
# with today's check-ins.
PRIOR_URGENT = 1.0
PRIOR_URGENT_MIN = 150.0
# Leaving unseen: some patients are impatient and leave after a patience of mean PATIENCE_MIN
# (exponential); the others stay. The share of impatient patients starts from PRIOR_IMPATIENT,
# worth PRIOR_IMPATIENT_WEIGHT patients kept waiting long, and follows today's departures. A
# patient who has already waited long without leaving is less likely to be one of the impatient.
PATIENCE_MIN = 75.0
PRIOR_IMPATIENT = 0.25
PRIOR_IMPATIENT_WEIGHT = 10.0


@dataclass(frozen=True, slots=True)
class WaitingPatient:
    """A patient in the queue. Field names match ``ordering.Queued``."""

    key: str
    priority: Priority
    arrived_at: float


@dataclass(frozen=True, slots=True)
class Consultation:
    """A consultation under way: which doctor, and since when."""

    doctor_id: str
    started: float


@dataclass(frozen=True, slots=True)
class DoctorDay:
    """One doctor's day at the centre.

    ``shifts`` are ``(start, end)`` pairs as the rota says (calls happen within ``[start, end)``).
    ``free_from`` is the end of the doctor's last consultation plus the turnover, or None if the
    doctor has not called anyone yet today.
    """

    doctor_id: str
    shifts: tuple[tuple[float, float], ...]
    free_from: float | None = None
    # Presence so far (when the snapshot's ``presence_known``): the stretches in the room that
    # have begun, ``(start, end)``, ``end`` infinite for the one under way; ``paused_since``
    # when the doctor said they pause (the service knows it; a replay never does).
    present: tuple[tuple[float, float], ...] = ()
    paused_since: float | None = None
    # False for a doctor whose presence the service cannot see (on the rota without an account
    # to open a room with): they call as the rota says.
    tracked: bool = True


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A check-in earlier today (the patient may since have been called or have left)."""

    arrived_at: float
    priority: Priority


@dataclass(frozen=True, slots=True)
class CentreSnapshot:
    """Everything the estimator may know about a centre at ``now``.

    Only what the service itself sees: no consultation length or patience of anyone still to be
    seen. ``today_consult_min`` are the lengths of today's finished consultations and
    ``waits_today_min`` the waits (call minus check-in) of the patients called so far today.
    """

    now: float
    opens: float
    closes: float
    turnover_min: float
    waiting: tuple[WaitingPatient, ...]
    consultations: tuple[Consultation, ...]
    doctors: tuple[DoctorDay, ...]
    today_consult_min: tuple[float, ...]
    history_consult_min: tuple[float, ...]
    checkins_today: tuple[CheckIn, ...]
    left_unseen_today: int
    waits_today_min: tuple[float, ...] = ()
    # Whether the doctors' ``present`` stretches are known. Without it, doctors call as the
    # rota says (the estimate of a centre where nobody reports presence).
    presence_known: bool = False


@dataclass(frozen=True, slots=True)
class WaitEstimate:
    """Minutes until the patient is called: point estimate and 80 % interval.

    ``wait_min`` is ``math.inf`` when, in most simulated days, no doctor on the rota calls the
    patient at all (nobody stays until the queue is empty).
    """

    wait_min: float
    low_min: float
    high_min: float
    call_at: float  # now + wait_min, minutes since midnight
    after_closing: bool  # the expected call comes after closing time: reception should warn
    p_after_closing: float  # share of simulated days in which the call comes after closing


@dataclass(frozen=True, slots=True)
class CentreEstimate:
    """Estimates for everyone waiting (by ticket key) and for a newcomer of each priority."""

    now: float
    waiting: dict[str, WaitEstimate]
    newcomer: dict[Priority, WaitEstimate]


@dataclass(frozen=True, slots=True)
class _Doctor:
    shifts: tuple[tuple[float, float], ...]  # sorted by start
    stays: bool  # last shift ends at or after closing: keeps calling while anyone waits

    def next_call(self, t: float) -> float:
        """Earliest moment at or after ``t`` at which this doctor may call someone."""
        for start, end in self.shifts:
            if t < end:
                return t if t >= start else start
        return t if self.stays else INF


class ConsultLengths:
    """Consultation lengths: the history's shape, scaled to today's estimated level."""

    def __init__(self, today: tuple[float, ...], history: tuple[float, ...]) -> None:
        pool = sorted(x for x in history if x > 0) or sorted(x for x in today if x > 0)
        if not pool:
            pool = [DEFAULT_CONSULT_MIN]
        self.pool = pool
        self.n = len(pool)
        base = fmean(pool)
        spread = pstdev(pool) / base if len(pool) > 1 else 0.5
        # Weight of the history, in consultations of today: few when days differ much.
        prior = max(1.0, (spread / DAY_LEVEL_SD) ** 2)
        done = [x for x in today if x > 0]
        level = (sum(done) + prior * base) / (len(done) + prior)
        self.scale = level / base
        self.level = level
        self.day_sd = DAY_LEVEL_SD * math.sqrt(prior / (len(done) + prior))

    def day_factor(self, rng: random.Random) -> float:
        return self.scale * math.exp(rng.gauss(0.0, self.day_sd))

    def sample(self, rng: random.Random, factor: float) -> float:
        return self.pool[int(rng.random() * self.n)] * factor

    def remaining(self, rng: random.Random, elapsed: float, factor: float) -> float:
        """Remaining length of a consultation that has lasted ``elapsed`` minutes so far."""
        first = bisect_right(self.pool, elapsed / factor)
        if first < self.n:
            return self.pool[first + int(rng.random() * (self.n - first))] * factor - elapsed
        # Longer than anything seen: it should end soon, but nobody knows exactly when.
        return rng.expovariate(1.0 / max(1.0, 0.25 * self.level * factor))


# The seed reads this many of the longest parts of a snapshot in full (then their sizes and
# sums): bounded work at any queue length, and two different snapshots still seed apart.
SEED_ITEMS = 200


def _seed(snapshot: CentreSnapshot) -> int:
    def part(items: tuple[object, ...]) -> str:
        return repr((len(items), items[:SEED_ITEMS], items[-SEED_ITEMS:]))

    # repr() of frozen dataclasses of floats and strings is stable across processes, unlike hash().
    text = repr(
        (
            snapshot.now,
            snapshot.opens,
            snapshot.closes,
            snapshot.turnover_min,
            part(snapshot.waiting),
            snapshot.consultations,
            snapshot.doctors,
            part(snapshot.today_consult_min),
            sum(snapshot.today_consult_min),
            part(snapshot.history_consult_min),
            part(snapshot.checkins_today),
            snapshot.left_unseen_today,
            part(snapshot.waits_today_min),
            sum(snapshot.waits_today_min),
            snapshot.presence_known,
        )
    )
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _urgent_rate(snapshot: CentreSnapshot) -> float:
    """Expected urgent check-ins per minute for the rest of the day."""
    urgent = sum(1 for c in snapshot.checkins_today if Priority(c.priority) is Priority.URGENT)
    open_min = max(0.0, min(snapshot.now, snapshot.closes) - snapshot.opens)
    return (urgent + PRIOR_URGENT) / (open_min + PRIOR_URGENT_MIN)


def _impatient_share(snapshot: CentreSnapshot) -> float:
    """Share of patients who would leave if kept waiting long enough, from today's departures.

    A patient at risk for ``w`` minutes leaves with probability ``share * (1 - exp(-w / P))``.
    At risk are those called (for their wait), those still waiting (so far: when waits grow, they
    carry the recent exposure) and those who left (for a patience of about ``P``).
    """
    exposure = (
        sum(-math.expm1(-w / PATIENCE_MIN) for w in snapshot.waits_today_min)
        + sum(
            -math.expm1(-max(0.0, snapshot.now - p.arrived_at) / PATIENCE_MIN)
            for p in snapshot.waiting
        )
        + snapshot.left_unseen_today * -math.expm1(-1.0)
    )
    share = (snapshot.left_unseen_today + PRIOR_IMPATIENT * PRIOR_IMPATIENT_WEIGHT) / (
        exposure + PRIOR_IMPATIENT_WEIGHT
    )
    return min(0.95, share)


def _leave_chance(share: float, waited: float) -> float:
    """Chance that a patient who has waited ``waited`` minutes is one of the impatient."""
    still = share * math.exp(-max(0.0, waited) / PATIENCE_MIN)
    return still / (still + 1.0 - share)


def _quantile(ordered: list[float], q: float) -> float:
    """Linear-interpolated quantile of an already sorted, non-empty list."""
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    a, b = ordered[low], ordered[high]
    if a == INF or b == INF:
        return INF if pos - low > 0 or a == INF else a
    return a + (b - a) * (pos - low)


def _summarise(now: float, closes: float, simulated: Sequence[float]) -> WaitEstimate:
    calls = sorted(simulated)
    median = _quantile(calls, 0.5)
    after = sum(1 for t in calls if t > closes) / len(calls)
    return WaitEstimate(
        wait_min=median - now,
        low_min=_quantile(calls, INTERVAL_LOW) - now,
        high_min=_quantile(calls, 1.0 - INTERVAL_LOW) - now,
        call_at=median,
        after_closing=median > closes,
        p_after_closing=after,
    )


def runs_for(waiting: int) -> int:
    """Simulated days for a queue of ``waiting``: all of them up to the work budget."""
    return max(MIN_RUNS, min(DEFAULT_RUNS, WORK_BUDGET // max(1, waiting + 1)))


def _day_lateness(snapshot: CentreSnapshot) -> Lateness:
    """How late doctors are today: the delays of those who came, and of those still missing."""
    arrivals: list[float] = []
    missing: list[float] = []
    for doctor in snapshot.doctors:
        if not doctor.tracked:
            continue
        shifts = tuple(sorted(doctor.shifts))
        delay = first_arrival_delay(shifts, doctor.present)
        if delay is not None:
            arrivals.append(delay)
        elif shifts and shifts[0][0] <= snapshot.now and not doctor.present:
            missing.append(snapshot.now - shifts[0][0])
    return learn_lateness(arrivals, missing)


def estimate(snapshot: CentreSnapshot, runs: int = DEFAULT_RUNS) -> CentreEstimate:
    """Estimate the wait of everyone in the queue and of a newcomer of each priority."""
    steps = estimate_steps(snapshot, runs)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: CentreEstimate = done.value
            return result


# Simulated calls, or summarised patients, between two pauses of ``estimate_steps``: under
# 1 ms each, so that a slice of the live estimate (queues/live.py) stays near its SLICE_S.
CALLS_PER_STEP = 300
SUMMARIES_PER_STEP = 150


def estimate_steps(
    snapshot: CentreSnapshot, runs: int = DEFAULT_RUNS
) -> Generator[None, None, CentreEstimate]:
    """``estimate`` in small steps: it pauses (yields) after every simulated day and every
    ``CALLS_PER_STEP`` calls, so that an event loop can serve between steps (queues/live.py)
    whatever the queue's length; the result is the generator's return value."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    now = snapshot.now
    turnover = snapshot.turnover_min
    rng = random.Random(_seed(snapshot))
    queue = in_call_order(snapshot.waiting)
    yield
    n = len(queue)
    n_urgent = sum(1 for p in queue if Priority(p.priority) is Priority.URGENT)

    rota = sorted(snapshot.doctors, key=lambda d: d.doctor_id)  # simultaneous calls: by id
    rota_doctors = [
        _Doctor(
            tuple(sorted(d.shifts)),
            bool(d.shifts) and max(e for _, e in d.shifts) >= snapshot.closes,
        )
        for d in rota
    ]
    doctors = rota_doctors
    started = {c.doctor_id: c.started for c in snapshot.consultations}
    unknown = set(started) - {d.doctor_id for d in rota}
    if unknown:
        raise ValueError(f"consultations by doctors not in the rota: {sorted(unknown)}")

    lateness = _day_lateness(snapshot) if snapshot.presence_known else None
    lengths = ConsultLengths(snapshot.today_consult_min, snapshot.history_consult_min)
    urgent_rate = _urgent_rate(snapshot)
    share = _impatient_share(snapshot)
    yield
    leave_chance = [_leave_chance(share, now - p.arrived_at) for p in queue]
    yield
    closes = snapshot.closes

    # calls[i]: simulated call times of queue[i]; then the urgent and the standard newcomer.
    # Arrays, not lists: the collector does not scan them (thousands of lists for a long queue
    # made its full passes long enough to block an event loop).
    calls = [array("d") for _ in range(n + 2)]
    urgent_new, standard_new = n, n + 1
    for _ in range(runs):
        factor = lengths.day_factor(rng)
        if lateness is not None:
            # Who really calls, drawn afresh each simulated day (queues/attendance.py).
            doctors = [
                _Doctor(
                    *calling_spans(rng, now, closes, d.shifts, d.present, d.paused_since, lateness)
                )
                if d.tracked
                else planned
                for d, planned in zip(rota, rota_doctors, strict=True)
            ]
        ready: list[float] = []
        for doc, day in zip(doctors, rota, strict=True):
            if day.doctor_id in started:
                elapsed = max(0.0, now - started[day.doctor_id])
                free = now + lengths.remaining(rng, elapsed, factor) + turnover
            else:
                free = now if day.free_from is None else max(now, day.free_from)
            ready.append(doc.next_call(free))
        leaves = [
            now + rng.expovariate(1.0 / PATIENCE_MIN) if rng.random() < chance else INF
            for chance in leave_chance
        ]
        if n > CALLS_PER_STEP:
            yield
        next_urgent = now + rng.expovariate(urgent_rate) if now < closes else INF
        urgent_pending = 0
        head = 0  # queue[:head] are called or gone
        urgent_new_call = INF
        simulated = 0
        # Someone (at least the standard newcomer) waits until the loop ends, so every doctor calls
        # as soon as allowed and the call times do not depend on who is called. Each patient is
        # called at the first call after everyone ahead is called or gone; a patient who left in
        # this simulated day gets the time they would have been called had they stayed.
        while ready:  # no doctor on the rota today: nobody is ever called
            j = 0
            t = ready[0]
            for k in range(1, len(ready)):
                if ready[k] < t:
                    j, t = k, ready[k]
            if t == INF:
                break
            simulated += 1
            if simulated % CALLS_PER_STEP == 0:
                yield
            ready[j] = doctors[j].next_call(t + lengths.sample(rng, factor) + turnover)
            while next_urgent <= t:
                urgent_pending += 1
                next_urgent += rng.expovariate(urgent_rate)
                if next_urgent >= closes:
                    next_urgent = INF
            while head < n_urgent and leaves[head] < t:
                calls[head].append(t)
                head += 1
            if head < n_urgent:
                calls[head].append(t)
                head += 1
                continue
            if urgent_new_call == INF:
                urgent_new_call = t
            if urgent_pending:
                urgent_pending -= 1
                continue
            while head < n and leaves[head] < t:
                calls[head].append(t)
                head += 1
            if head < n:
                calls[head].append(t)
                head += 1
                continue
            calls[standard_new].append(t)
            break
        calls[urgent_new].append(urgent_new_call)
        for i in range(head, n):
            calls[i].append(INF)
        if len(calls[standard_new]) < len(calls[urgent_new]):
            calls[standard_new].append(INF)
        yield

    waiting: dict[str, WaitEstimate] = {}
    for i, p in enumerate(queue):
        waiting[p.key] = _summarise(now, closes, calls[i])
        if i % SUMMARIES_PER_STEP == SUMMARIES_PER_STEP - 1:
            yield
    return CentreEstimate(
        now=now,
        waiting=waiting,
        newcomer={
            Priority.URGENT: _summarise(now, closes, calls[urgent_new]),
            Priority.STANDARD: _summarise(now, closes, calls[standard_new]),
        },
    )
