"""Replay a walk-in day through the queue rules of the scenarios README.

The replay runs the day (``queues.scenario``) as a deterministic event simulation; at each
check-in, before the patient joins, it asks the estimator for the wait, giving it only what the
service would see (a ``CentreSnapshot``: never a consultation length or a patience), and computes
the naive figure most queue systems show. ``queues.scoring`` then scores both against the actual
waits.

Internally times are whole milliseconds since local midnight, so that "the same moment" is exact
and the order of simultaneous events (README rule 5) does not hinge on float rounding.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from queues.estimator import (
    CentreEstimate,
    CentreSnapshot,
    CheckIn,
    Consultation,
    DoctorDay,
    WaitingPatient,
    estimate,
)
from queues.ordering import queue_key
from queues.scenario import Scenario, ScenarioPatient
from queues.scoring import PatientResult, ScenarioResult, summarise

MS_PER_MIN = 60_000
NAIVE_LAST = 10  # the naive figure averages the last ten consultation lengths


@dataclass(frozen=True)
class Prediction:
    """What a patient is told at check-in (None: no call expected today), and the naive figure."""

    wait_min: float | None
    low_min: float | None
    high_min: float | None
    naive_min: float
    after_closing: bool  # reception would have been warned


# Same-moment order (README rule 5): check-ins, consultation ends, doctor-free and starts of
# present intervals (a wake-up at which doctors may call), departures.
_CHECKIN, _END, _WAKE, _DEPART = 0, 1, 2, 3

_Key = tuple[int, Any, Any]  # ordering.queue_key of a waiting patient


def _ms(minutes: float) -> int:
    return round(minutes * MS_PER_MIN)


@dataclass
class _DoctorState:
    id: str
    shifts: tuple[tuple[int, int], ...]  # the rota: all the estimator is told
    present: tuple[tuple[int, int], ...]  # when the doctor really calls (README rules 2-3)
    stays: bool  # present until closing or later: keeps calling while anyone waits
    in_consult: bool = False
    consult_start: int = 0
    free_from: int | None = None  # end of last consultation + turnover

    def is_present(self, t: int) -> bool:
        # A plain loop: this runs for every doctor at every event of a day (forecast.waits plays
        # thousands of days for a month's rota), where any() over a generator costs twice as much.
        for start, end in self.present:
            if start <= t < end:
                return True
        return self.stays and t >= self.present[-1][1]

    def presence_so_far(self, t: int) -> tuple[tuple[float, float], ...]:
        """What the service would know of presence at ``t`` (README, "presence so far"): the
        intervals begun by now, an interval under way by its start only (infinite end)."""
        seen: list[tuple[float, float]] = []
        for k, (start, end) in enumerate(self.present):
            if start > t:
                break
            # The doctor who stays after closing is still in the room past the interval's end.
            over = end <= t and not (self.stays and k == len(self.present) - 1)
            seen.append((start / MS_PER_MIN, end / MS_PER_MIN if over else math.inf))
        return tuple(seen)

    def can_call(self, t: int) -> bool:
        return (
            not self.in_consult
            and (self.free_from is None or t >= self.free_from)
            and self.is_present(t)
        )


@dataclass
class _Day:
    scenario: Scenario
    turnover: int = 0
    doctors: list[_DoctorState] = field(default_factory=list)
    waiting: list[tuple[_Key, ScenarioPatient]] = field(default_factory=list)
    called: dict[str, int] = field(default_factory=dict)
    finished: list[float] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    checkins: list[CheckIn] = field(default_factory=list)
    left: int = 0
    left_at: dict[str, int] = field(default_factory=dict)
    events: list[tuple[int, int, int, str]] = field(default_factory=list)
    seq: int = 0

    def push(self, t: int, kind: int, ref: str) -> None:
        # seq keeps insertion order among equal (time, kind), e.g. check-ins sorted by id.
        heapq.heappush(self.events, (t, kind, self.seq, ref))
        self.seq += 1

    def call(self, t: int) -> None:
        """Doctors able to call now call the next patients, in order of doctor id."""
        for doc in self.doctors:
            if not self.waiting:
                return
            if doc.can_call(t):
                _, patient = self.waiting.pop(0)
                self.called[patient.id] = t
                self.waits.append((t - _ms(patient.arrival)) / MS_PER_MIN)
                doc.in_consult, doc.consult_start = True, t
                self.push(t + _ms(patient.consult_min), _END, doc.id)

    def snapshot(self, t: int) -> CentreSnapshot:
        s = self.scenario
        return CentreSnapshot(
            now=t / MS_PER_MIN,
            opens=s.opens,
            closes=s.closes,
            turnover_min=s.turnover_min,
            waiting=tuple(
                WaitingPatient(p.id, p.priority, _ms(p.arrival) / MS_PER_MIN)
                for _, p in self.waiting
            ),
            consultations=tuple(
                Consultation(d.id, d.consult_start / MS_PER_MIN)
                for d in self.doctors
                if d.in_consult
            ),
            doctors=tuple(
                DoctorDay(
                    d.id,
                    tuple((a / MS_PER_MIN, b / MS_PER_MIN) for a, b in d.shifts),
                    None if d.free_from is None else d.free_from / MS_PER_MIN,
                    present=d.presence_so_far(t),
                )
                for d in self.doctors
            ),
            presence_known=True,
            today_consult_min=tuple(self.finished),
            history_consult_min=s.history_consult_min,
            checkins_today=tuple(self.checkins),
            left_unseen_today=self.left,
            waits_today_min=tuple(self.waits),
        )

    def naive(self, t: int, key: _Key) -> float:
        """Patients ahead x mean of the last ten consultation lengths (plus turnover) / doctors
        present now, as a queue system counting open rooms would (on shift, for doctors without
        v2 ``present``). Before ten consultations have finished today, the last ones of the
        history fill in; with no doctor present the division is by one."""
        ahead = sum(1 for k, _ in self.waiting if k < key)
        recent = (list(self.scenario.history_consult_min) + self.finished)[-NAIVE_LAST:]
        mean = fmean(recent) if recent else 0.0
        present = sum(1 for d in self.doctors if any(a <= t < b for a, b in d.present))
        return ahead * (mean + self.scenario.turnover_min) / max(1, present)


@dataclass(frozen=True)
class DayOutcome:
    """What happened in a replayed day: when each patient was called (minutes since midnight)
    and how many left unseen. Patients neither called nor gone were still waiting at the end."""

    called: dict[str, float]
    left_unseen: int
    left_at: dict[str, float]  # patients who left unseen, by id: when they left


# Told at each check-in, before the patient joins: the day so far, the moment, the patient.
_OnCheckin = Callable[["_Day", int, ScenarioPatient, _Key], None]


def _run(scenario: Scenario, on_checkin: _OnCheckin | None) -> _Day:
    """The queue rules of the README as an event simulation; ``on_checkin`` looks on."""
    closes = _ms(scenario.closes)
    day = _Day(scenario, turnover=_ms(scenario.turnover_min))
    for rota in sorted(scenario.doctors, key=lambda d: d.id):
        if not rota.shifts and not rota.calling_spans:
            continue  # not working today
        shifts = tuple((_ms(a), _ms(b)) for a, b in rota.shifts)
        # present: [] keeps a doctor of the rota in the snapshots, but no interval lets them call.
        present = tuple((_ms(a), _ms(b)) for a, b in rota.calling_spans)
        stays = bool(present) and present[-1][1] >= closes
        day.doctors.append(_DoctorState(rota.id, shifts, present, stays))
        for start, _ in present:
            day.push(start, _WAKE, rota.id)
    by_id = {p.id: p for p in scenario.patients}
    for p in sorted(scenario.patients, key=lambda p: (_ms(p.arrival), p.id)):
        day.push(_ms(p.arrival), _CHECKIN, p.id)
    doctors = {d.id: d for d in day.doctors}

    while day.events:
        t, kind, _, ref = heapq.heappop(day.events)
        if kind == _CHECKIN:
            patient = by_id[ref]
            key = queue_key(patient.priority, _ms(patient.arrival), patient.id)
            if on_checkin is not None:
                on_checkin(day, t, patient, key)
            day.checkins.append(CheckIn(_ms(patient.arrival) / MS_PER_MIN, patient.priority))
            day.waiting.append((key, patient))
            day.waiting.sort(key=lambda item: item[0])
            if patient.patience_min is not None:
                day.push(_ms(patient.arrival) + _ms(patient.patience_min), _DEPART, ref)
            day.call(t)
        elif kind == _END:
            doc = doctors[ref]
            doc.in_consult = False
            day.finished.append((t - doc.consult_start) / MS_PER_MIN)
            doc.free_from = t + day.turnover
            day.push(doc.free_from, _WAKE, ref)
        elif kind == _WAKE:
            day.call(t)
        elif ref not in day.called and any(p.id == ref for _, p in day.waiting):
            day.waiting = [(k, p) for k, p in day.waiting if p.id != ref]
            day.left += 1
            day.left_at[ref] = t
    return day


def run_day(scenario: Scenario) -> DayOutcome:
    """Play the day by the README's rules, with no estimator asked: the same simulation the
    replay scores the estimator on, for whoever needs the waits a day would cause (the forecast's
    predicted waits for a draft rota)."""
    day = _run(scenario, None)
    return DayOutcome(
        called={key: t / MS_PER_MIN for key, t in day.called.items()},
        left_unseen=day.left,
        left_at={key: t / MS_PER_MIN for key, t in day.left_at.items()},
    )


def replay(
    scenario: Scenario, estimator: Callable[[CentreSnapshot], CentreEstimate] = estimate
) -> ScenarioResult:
    """Replay the day by the README's rules and score the estimator and the naive figure."""
    predictions: dict[str, Prediction] = {}

    def ask(day: _Day, t: int, patient: ScenarioPatient, key: _Key) -> None:
        result = estimator(day.snapshot(t)).newcomer[patient.priority]
        predictions[patient.id] = Prediction(
            _finite(result.wait_min),
            _finite(result.low_min),
            _finite(result.high_min),
            day.naive(t, key),
            result.after_closing,
        )

    day = _run(scenario, ask)
    rows = tuple(_result(p, day.called.get(p.id), predictions[p.id]) for p in scenario.patients)
    return ScenarioResult(scenario.name, rows, day.left, summarise(rows, day.left))


def _result(patient: ScenarioPatient, called_ms: int | None, told: Prediction) -> PatientResult:
    return PatientResult(
        id=patient.id,
        priority=patient.priority,
        arrival=patient.arrival,
        arrival_text=patient.arrival_text,
        called_at=None if called_ms is None else called_ms / MS_PER_MIN,
        predicted=told.wait_min,
        low=told.low_min,
        high=told.high_min,
        naive=told.naive_min,
        after_closing=told.after_closing,
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
