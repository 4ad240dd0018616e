"""Who will really call for the rest of the day: the rota, corrected by what the day shows.

The rota is a plan. Doctors arrive late, take a break nobody announced, leave early or do not
come, and the rooms show it long before anyone edits the rota. For each simulated day the
estimator draws, per doctor, the spans in which they will call from now on:

- present now: calling until the end of their shift (past it, ``OVERTIME_MIN`` more: they are
  still here, so not leaving this minute), with a small chance of leaving early unannounced;
  later shifts as the rota says, with the day's lateness;
- paused (said so on the page) or gone quiet in the middle of a shift: back after a break, a
  chance that shrinks the longer the break lasts (an early departure looks the same at first);
- not here yet though their shift has begun: late, or not coming. Both are weighed by how late
  they already are against the day's lateness, so the doctor who is 30 minutes late counts for
  less and less, and for nothing long before the rota is edited;
- shifts still to come: on time or late by the day's lateness, or not coming at all.

The day's lateness is learned from today's arrivals (each doctor's first presence against the
start of their shift, with those still missing counted as late at least so far), starting from
a prior worth a few doctors. Plain, pure Python: the estimator hands in its random stream.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

INF = math.inf

Spans = tuple[tuple[float, float], ...]

# Arriving within this many minutes of the shift's start is being on time.
GRACE_MIN = 5.0
# Prior of the day's lateness: share of doctors late, worth PRIOR_DOCTORS doctors; how late.
PRIOR_LATE_SHARE = 0.2
PRIOR_LATE_MEAN_MIN = 30.0
PRIOR_DOCTORS = 3.0
# A doctor on the rota who does not come at all today.
ABSENT_SHARE = 0.06
# A doctor present past the end of their shift is expected to stay this much longer at least.
OVERTIME_MIN = 20.0
# Leaving before the end of the shift without a word: the chance per doctor and shift.
EARLY_LEAVE_SHARE = 0.08
# A gap in presence in the middle of a shift: a break of mean BREAK_MEAN_MIN (exponential) with
# this prior chance, else the doctor has left for the day. Said "pause" on the page: a break.
BREAK_SHARE = 0.7
PAUSE_BREAK_SHARE = 0.95
BREAK_MEAN_MIN = 20.0


@dataclass(frozen=True)
class Lateness:
    """The day's lateness: the share of doctors who arrive late, and the mean delay of those."""

    late_share: float
    late_mean_min: float

    def arrival_delay(self, rng: random.Random) -> float:
        if rng.random() >= self.late_share:
            return 0.0
        return GRACE_MIN + rng.expovariate(1.0 / self.late_mean_min)

    def chance_coming(self, late_by: float) -> float:
        """Chance that a doctor not here ``late_by`` minutes after their shift began comes."""
        if late_by <= GRACE_MIN:
            return 1.0 - ABSENT_SHARE
        late = (
            (1.0 - ABSENT_SHARE)
            * self.late_share
            * math.exp(-(late_by - GRACE_MIN) / self.late_mean_min)
        )
        return late / (late + ABSENT_SHARE)


def learn_lateness(
    arrivals: list[float], missing: list[float], prior_share: float = PRIOR_LATE_SHARE
) -> Lateness:
    """The day's lateness from the delays of the doctors who came (minutes after their shift
    began) and how late those still missing already are (censored: late at least that much)."""
    late = [d - GRACE_MIN for d in arrivals if d > GRACE_MIN]
    still = [m - GRACE_MIN for m in missing if m > GRACE_MIN]
    count = len(late) + len(still)
    share = (count + prior_share * PRIOR_DOCTORS) / (len(arrivals) + len(still) + PRIOR_DOCTORS)
    # Exponential delays with censoring: total time late over the number who arrived late.
    mean = (sum(late) + sum(still) + PRIOR_LATE_MEAN_MIN * PRIOR_DOCTORS * prior_share) / (
        len(late) + PRIOR_DOCTORS * prior_share
    )
    return Lateness(min(0.9, share), max(5.0, mean))


def first_arrival_delay(shifts: Spans, present: Spans) -> float | None:
    """How late the doctor came to the first shift of the day they came to (None: not come)."""
    if not present:
        return None
    arrived = present[0][0]
    for start, end in shifts:
        if arrived < end:
            return max(0.0, arrived - start)
    return None


def later_shifts(
    rng: random.Random, shifts: Spans, after: float, lateness: Lateness
) -> list[tuple[float, float]]:
    """Shifts beginning after ``after``, each started late by the day's lateness."""
    out = []
    for start, end in shifts:
        if start >= after:
            begin = start + lateness.arrival_delay(rng)
            if begin < end:
                out.append((begin, end))
    return out


def _maybe_early(rng: random.Random, start: float, end: float) -> float:
    if end < INF and rng.random() < EARLY_LEAVE_SHARE:
        return start + rng.random() * (end - start)
    return end


def calling_spans(
    rng: random.Random,
    now: float,
    closes: float,
    shifts: Spans,
    present: Spans,
    paused_since: float | None,
    lateness: Lateness,
) -> tuple[Spans, bool]:
    """One draw of the spans (from ``now`` on) in which the doctor calls, and whether they stay
    after closing while anyone waits (their last span reaches closing)."""
    shifts = tuple(sorted(shifts))
    here = bool(present) and present[-1][1] == INF
    spans: list[tuple[float, float]] = []
    if here:
        current_end = next((end for _, end in shifts if end > now), None)
        if current_end is None:
            # Past the rota (or not on it): still here, so staying a while, or to closing
            # when nobody planned them at all (a stand-in).
            current_end = now + OVERTIME_MIN if shifts else closes
        spans.append((now, _maybe_early(rng, now, current_end)))
        spans += later_shifts(rng, shifts, current_end, lateness)
    elif present:
        gone_at = present[-1][1] if paused_since is None else paused_since
        ongoing = next(((s, e) for s, e in shifts if s <= now < e), None)
        if ongoing is not None and gone_at >= ongoing[0]:
            # Gone quiet in this shift: a break, or they left.
            share = PAUSE_BREAK_SHARE if paused_since is not None else BREAK_SHARE
            away = max(0.0, now - gone_at)
            back = share * math.exp(-away / BREAK_MEAN_MIN)
            if rng.random() < back / (back + 1.0 - share):
                begin = now + rng.expovariate(1.0 / BREAK_MEAN_MIN)
                if begin < ongoing[1]:
                    spans.append((begin, _maybe_early(rng, begin, ongoing[1])))
            spans += later_shifts(rng, shifts, ongoing[1], lateness)
        else:
            spans += later_shifts(rng, shifts, now, lateness)
    else:
        begun = [(s, e) for s, e in shifts if s <= now]
        if begun:
            late_by = now - begun[0][0]
            if rng.random() >= lateness.chance_coming(late_by):
                return (), False
            ongoing = next(((s, e) for s, e in begun if now < e), None)
            if ongoing is not None:
                # Memoryless delays: from now, as long again as the day's late doctors take.
                begin = (
                    now + rng.expovariate(1.0 / lateness.late_mean_min)
                    if late_by > GRACE_MIN
                    else now + rng.random() * (GRACE_MIN - late_by)
                )
                if begin < ongoing[1]:
                    spans.append((begin, _maybe_early(rng, begin, ongoing[1])))
            spans += later_shifts(rng, shifts, now, lateness)
        else:
            if rng.random() < ABSENT_SHARE:
                return (), False
            spans += later_shifts(rng, shifts, now, lateness)
    spans = [(a, b) for a, b in spans if b > a]
    stays = bool(spans) and spans[-1][1] >= closes
    return tuple(spans), stays
