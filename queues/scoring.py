"""Scores of a replayed day: how close the estimator and the naive figure came to the actual waits.

The rows and figures here are the replay output of the scenarios README.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from queues.ordering import Priority
from queues.scenario import format_clock

WITHIN_MIN = 15.0
NEVER_CALLED_AT = 48 * 60.0  # the end of the replay's clock, in minutes


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
        never = NEVER_CALLED_AT - r.arrival
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


def _or(value: float | None, default: float) -> float:
    return default if value is None else float(value)


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
