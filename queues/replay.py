"""Replay a walk-in day and measure the wait estimates against what really happened.

A scenario (format in the scenarios README) is one day at one centre with the ground truth of
every patient. The replay runs the day through the queue rules as a deterministic event
simulation; at each check-in, before the patient joins, it asks the estimator for the wait, giving
it only what the service would see (a ``CentreSnapshot``: never a consultation length or a
patience), and computes the naive figure most queue systems show. It then scores both against the
actual waits.

Internally times are whole milliseconds since local midnight, so that "the same moment" is exact
and the order of simultaneous events (README rule 5) does not hinge on float rounding.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
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
from queues.ordering import Priority, queue_key

MS_PER_MIN = 60_000
NAIVE_LAST = 10  # the naive figure averages the last ten consultation lengths
WITHIN_MIN = 15.0


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed; the message says where and why."""


# --- scenario -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoctorRota:
    id: str
    shifts: tuple[tuple[float, float], ...]  # minutes since midnight


@dataclass(frozen=True)
class ScenarioPatient:
    """One patient of the day, ground truth included (the replay's eyes only)."""

    id: str
    arrival: float
    arrival_text: str
    priority: Priority
    consult_min: float
    patience_min: float | None


@dataclass(frozen=True)
class Scenario:
    name: str
    date: str
    timezone: str
    opens: float
    closes: float
    turnover_min: float
    doctors: tuple[DoctorRota, ...]
    patients: tuple[ScenarioPatient, ...]
    history_consult_min: tuple[float, ...]


def parse_clock(text: object, where: str, seconds: bool = False) -> float:
    """``HH:MM`` (or ``HH:MM:SS`` when ``seconds``) to minutes since midnight."""
    expected = "HH:MM:SS" if seconds else "HH:MM"
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != (3 if seconds else 2) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ScenarioError(f"{where}: expected a time {expected}, got {text!r}")
    values = [int(p) for p in parts]
    if values[1] > 59 or (seconds and values[2] > 59) or values[0] > 47:
        raise ScenarioError(f"{where}: not a valid time: {text!r}")
    return values[0] * 60 + values[1] + (values[2] / 60 if seconds else 0.0)


def format_clock(minutes: float) -> str:
    total = round(minutes * 60)
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


def _number(value: object, where: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ScenarioError(f"{where}: must be {'positive' if positive else 'at least 0'}")
    return float(value)


def _field(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise ScenarioError(f"{where}: missing field {key!r}")
    return obj[key]


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def parse_scenario(data: object, source: str = "scenario") -> Scenario:
    """Validate decoded JSON; every problem is a ``ScenarioError`` naming the field."""
    top = _object(data, source)
    opens = parse_clock(_field(top, "opens", source), f"{source}: opens")
    closes = parse_clock(_field(top, "closes", source), f"{source}: closes")
    if closes <= opens:
        raise ScenarioError(f"{source}: closes must be after opens")
    doctors: list[DoctorRota] = []
    for i, raw in enumerate(_list(_field(top, "doctors", source), f"{source}: doctors")):
        where = f"{source}: doctors[{i}]"
        doc = _object(raw, where)
        shifts: list[tuple[float, float]] = []
        for k, pair in enumerate(_list(_field(doc, "shifts", where), f"{where}.shifts")):
            spot = f"{where}.shifts[{k}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise ScenarioError(f"{spot}: expected [start, end]")
            start, end = parse_clock(pair[0], spot), parse_clock(pair[1], spot)
            if end <= start:
                raise ScenarioError(f"{spot}: shift ends before it starts")
            shifts.append((start, end))
        doctors.append(
            DoctorRota(_text(_field(doc, "id", where), f"{where}.id"), tuple(sorted(shifts)))
        )
    if len({d.id for d in doctors}) != len(doctors):
        raise ScenarioError(f"{source}: doctor ids must be unique")
    patients: list[ScenarioPatient] = []
    for i, raw in enumerate(_list(_field(top, "patients", source), f"{source}: patients")):
        where = f"{source}: patients[{i}]"
        pat = _object(raw, where)
        arrival_text = _field(pat, "arrival", where)
        priority = _field(pat, "priority", where)
        if priority not in ("urgent", "standard"):
            raise ScenarioError(
                f"{where}.priority: expected 'urgent' or 'standard', got {priority!r}"
            )
        patience = _field(pat, "patience_min", where)
        patients.append(
            ScenarioPatient(
                id=_text(_field(pat, "id", where), f"{where}.id"),
                arrival=parse_clock(arrival_text, f"{where}.arrival", seconds=True),
                arrival_text=arrival_text,
                priority=Priority(priority),
                consult_min=_number(
                    _field(pat, "consult_min", where), f"{where}.consult_min", True
                ),
                patience_min=None
                if patience is None
                else _number(patience, f"{where}.patience_min"),
            )
        )
    if len({p.id for p in patients}) != len(patients):
        raise ScenarioError(f"{source}: patient ids must be unique")
    history = tuple(
        _number(x, f"{source}: history_consult_min[{i}]", True)
        for i, x in enumerate(
            _list(_field(top, "history_consult_min", source), f"{source}: history_consult_min")
        )
    )
    return Scenario(
        name=_text(_field(top, "name", source), f"{source}: name"),
        date=str(top.get("date", "")),
        timezone=str(top.get("timezone", "")),
        opens=opens,
        closes=closes,
        turnover_min=_number(_field(top, "turnover_min", source), f"{source}: turnover_min"),
        doctors=tuple(doctors),
        patients=tuple(patients),
        history_consult_min=history,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one scenario file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: not valid JSON: {exc}") from exc
    return parse_scenario(data, str(path))


# --- results and scores ----------------------------------------------------------------------


@dataclass(frozen=True)
class PatientResult:
    id: str
    priority: Priority
    arrival: float
    arrival_text: str
    called_at: float | None  # None: left unseen, or never called
    predicted: float | None  # None: the estimator expects no call today
    low: float | None
    high: float | None
    naive: float
    after_closing: bool  # reception would have been warned

    @property
    def actual(self) -> float | None:
        return None if self.called_at is None else self.called_at - self.arrival

    def row(self) -> dict[str, Any]:
        """The patient row of the README's replay output."""
        actual = self.actual
        return {
            "id": self.id,
            "priority": self.priority.value,
            "arrival": self.arrival_text,
            "called_at": None if self.called_at is None else format_clock(self.called_at),
            "actual_wait_min": None if actual is None else round(actual, 2),
            "predicted_wait_min": _rounded(self.predicted),
            "low_min": _rounded(self.low),
            "high_min": _rounded(self.high),
            "naive_wait_min": round(self.naive, 2),
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 2)


@dataclass(frozen=True)
class Score:
    """Accuracy of one predictor over the patients who were called."""

    n: int
    mae: float
    bias: float
    within_15: float
    coverage: float | None  # None for a predictor without interval

    def as_dict(self) -> dict[str, Any]:
        return {
            "patients_scored": self.n,
            "mae_min": _figure(self.mae, 3),
            "bias_min": _figure(self.bias, 3),
            "within_15_min": _figure(self.within_15, 4),
            "interval_coverage": _figure(self.coverage, 4),
        }


def _figure(value: float | None, digits: int) -> float | None:
    # No patient called, or no interval: null rather than NaN, which is not JSON.
    return None if value is None or math.isnan(value) else round(value, digits)


@dataclass(frozen=True)
class Summary:
    patients: int
    called: int
    left_unseen: int
    estimator: Score
    naive: Score

    def as_dict(self) -> dict[str, Any]:
        return {
            "patients": self.patients,
            "called": self.called,
            "left_unseen": self.left_unseen,
            "estimator": self.estimator.as_dict(),
            "naive": self.naive.as_dict(),
        }


def _score(
    pairs: Sequence[tuple[float, float]], intervals: Sequence[tuple[float, float]] | None
) -> Score:
    if not pairs:
        return Score(0, math.nan, math.nan, math.nan, None if intervals is None else math.nan)
    errors = [p - a for p, a in pairs]
    coverage = None
    if intervals is not None:
        coverage = fmean(
            1.0 if lo <= a <= hi else 0.0 for (_, a), (lo, hi) in zip(pairs, intervals, strict=True)
        )
    return Score(
        n=len(pairs),
        mae=fmean(abs(e) for e in errors),
        bias=fmean(errors),
        within_15=fmean(1.0 if abs(e) <= WITHIN_MIN else 0.0 for e in errors),
        coverage=coverage,
    )


def summarise(patients: Iterable[PatientResult], left_unseen: int) -> Summary:
    """Score the estimator and the naive figure over the patients who were called.

    Scores use the rounded figures of the output rows, so the JSON is consistent with itself. An
    estimate of "no call today" (null in the rows) for a patient who was called is scored as a
    call at 48:00, the end of the replay's clock: a large error, as it should be.
    """
    rows = list(patients)
    called = [r for r in rows if r.actual is not None]
    est_pairs: list[tuple[float, float]] = []
    intervals: list[tuple[float, float]] = []
    naive_pairs: list[tuple[float, float]] = []
    for r in called:
        row = r.row()
        actual = float(row["actual_wait_min"])
        never = 48 * 60 - r.arrival
        est_pairs.append((_or(row["predicted_wait_min"], never), actual))
        intervals.append((_or(row["low_min"], never), _or(row["high_min"], never)))
        naive_pairs.append((float(row["naive_wait_min"]), actual))
    return Summary(
        patients=len(rows),
        called=len(called),
        left_unseen=left_unseen,
        estimator=_score(est_pairs, intervals),
        naive=_score(naive_pairs, None),
    )


def _or(value: object, default: float) -> float:
    return default if value is None else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    patients: tuple[PatientResult, ...]
    left_unseen: int
    summary: Summary

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "patients": [p.row() for p in self.patients],
            "summary": self.summary.as_dict(),
        }


def pooled_summary(results: Sequence[ScenarioResult]) -> Summary:
    """All patients of all scenarios scored together."""
    return summarise((p for r in results for p in r.patients), sum(r.left_unseen for r in results))


# --- the day itself ---------------------------------------------------------------------------

# Same-moment order (README rule 5): check-ins, consultation ends, doctor-free and shift starts
# (a wake-up at which doctors may call), departures.
_CHECKIN, _END, _WAKE, _DEPART = 0, 1, 2, 3

_Key = tuple[int, Any, Any]  # ordering.queue_key of a waiting patient


def _ms(minutes: float) -> int:
    return round(minutes * MS_PER_MIN)


@dataclass
class _DoctorState:
    id: str
    shifts: tuple[tuple[int, int], ...]
    stays: bool
    in_consult: bool = False
    consult_start: int = 0
    free_from: int | None = None  # end of last consultation + turnover

    def on_shift(self, t: int) -> bool:
        if any(start <= t < end for start, end in self.shifts):
            return True
        return self.stays and t >= max(end for _, end in self.shifts)

    def can_call(self, t: int) -> bool:
        return (
            not self.in_consult
            and (self.free_from is None or t >= self.free_from)
            and self.on_shift(t)
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
                )
                for d in self.doctors
            ),
            today_consult_min=tuple(self.finished),
            history_consult_min=s.history_consult_min,
            checkins_today=tuple(self.checkins),
            left_unseen_today=self.left,
            waits_today_min=tuple(self.waits),
        )

    def naive(self, t: int, key: _Key) -> float:
        """Patients ahead x mean of the last ten consultation lengths (plus turnover) / doctors
        on shift now. Before ten consultations have finished today, the last ones of the history
        fill in; with no doctor on shift the division is by one."""
        ahead = sum(1 for k, _ in self.waiting if k < key)
        recent = (list(self.scenario.history_consult_min) + self.finished)[-NAIVE_LAST:]
        mean = fmean(recent) if recent else 0.0
        on_shift = sum(1 for d in self.doctors if any(a <= t < b for a, b in d.shifts))
        return ahead * (mean + self.scenario.turnover_min) / max(1, on_shift)


def replay(
    scenario: Scenario, estimator: Callable[[CentreSnapshot], CentreEstimate] = estimate
) -> ScenarioResult:
    """Replay the day by the README's rules and score the estimator and the naive figure."""
    closes = _ms(scenario.closes)
    day = _Day(scenario, turnover=_ms(scenario.turnover_min))
    for rota in sorted(scenario.doctors, key=lambda d: d.id):
        if not rota.shifts:
            continue  # not working today
        shifts = tuple((_ms(a), _ms(b)) for a, b in rota.shifts)
        day.doctors.append(_DoctorState(rota.id, shifts, stays=max(b for _, b in shifts) >= closes))
        for start, _ in shifts:
            day.push(start, _WAKE, rota.id)
    by_id = {p.id: p for p in scenario.patients}
    for p in sorted(scenario.patients, key=lambda p: (_ms(p.arrival), p.id)):
        day.push(_ms(p.arrival), _CHECKIN, p.id)
    doctors = {d.id: d for d in day.doctors}
    predictions: dict[str, tuple[float, float, float, float, bool]] = {}

    while day.events:
        t, kind, _, ref = heapq.heappop(day.events)
        if kind == _CHECKIN:
            patient = by_id[ref]
            key = queue_key(patient.priority, _ms(patient.arrival), patient.id)
            result = estimator(day.snapshot(t)).newcomer[patient.priority]
            predictions[ref] = (
                result.wait_min,
                result.low_min,
                result.high_min,
                day.naive(t, key),
                result.after_closing,
            )
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

    rows = tuple(
        PatientResult(
            id=p.id,
            priority=p.priority,
            arrival=p.arrival,
            arrival_text=p.arrival_text,
            called_at=None if p.id not in day.called else day.called[p.id] / MS_PER_MIN,
            predicted=_finite(predictions[p.id][0]),
            low=_finite(predictions[p.id][1]),
            high=_finite(predictions[p.id][2]),
            naive=predictions[p.id][3],
            after_closing=predictions[p.id][4],
        )
        for p in scenario.patients
    )
    return ScenarioResult(scenario.name, rows, day.left, summarise(rows, day.left))


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
