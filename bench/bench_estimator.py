"""Time ``queues.estimator.estimate`` on realistic centre snapshots.

The service re-estimates on every queue change and on a timer, for queues of up to ~60 waiting;
the goal is well under 50 ms for 40 waiting and 5 doctors. Run from the repository root:

    python bench/bench_estimator.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queues import estimator  # importable thanks to the path above
from queues.ordering import Priority

NOW = 14 * 60.0 + 7


def make_snapshot(n_waiting: int, n_doctors: int, seed: int) -> estimator.CentreSnapshot:
    """A mid-afternoon centre: a mix of full-day, morning-to-evening and lunch-gap rotas, most
    doctors in consultation, a day's worth of history, check-ins and finished consultations."""
    rng = random.Random(seed)
    rotas = [
        ((8 * 60.0, 20 * 60.0),),
        ((8 * 60.0, 14 * 60.0 + 30),),
        ((8 * 60.0, 12 * 60.0 + 30), (13 * 60.0 + 30, 20 * 60.0)),
        ((14 * 60.0, 20 * 60.0),),
        ((10 * 60.0, 18 * 60.0),),
    ]
    doctors = tuple(
        estimator.DoctorDay(f"d{i + 1}", rotas[i % len(rotas)], free_from=NOW - rng.uniform(0, 5))
        for i in range(n_doctors)
    )
    consultations = tuple(
        estimator.Consultation(d.doctor_id, NOW - rng.uniform(0, 15))
        for d in doctors[: max(1, n_doctors - 1)]
    )
    waiting = tuple(
        estimator.WaitingPatient(
            f"A{i:03d}",
            Priority.URGENT if rng.random() < 0.05 else Priority.STANDARD,
            NOW - 90 + i * 90 / max(1, n_waiting),
        )
        for i in range(n_waiting)
    )
    history = tuple(round(rng.lognormvariate(2.45, 0.5), 2) for _ in range(300))
    today = tuple(round(rng.lognormvariate(2.35, 0.5), 2) for _ in range(90))
    checkins = tuple(
        estimator.CheckIn(
            8 * 60.0 + i * 2.5, Priority.URGENT if rng.random() < 0.05 else Priority.STANDARD
        )
        for i in range(150)
    )
    return estimator.CentreSnapshot(
        now=NOW,
        opens=8 * 60.0,
        closes=20 * 60.0,
        turnover_min=1.0,
        waiting=waiting,
        consultations=consultations,
        doctors=doctors,
        today_consult_min=today,
        history_consult_min=history,
        checkins_today=checkins,
        left_unseen_today=9,
        waits_today_min=tuple(rng.uniform(0, 60) for _ in range(95)),
    )


def main() -> int:
    print(f"{'waiting':>7} {'doctors':>7} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
    for n_waiting, n_doctors in ((0, 3), (10, 3), (40, 5), (60, 5), (60, 8)):
        timings: list[float] = []
        for seed in range(30):
            snap = make_snapshot(n_waiting, n_doctors, seed)
            start = time.perf_counter()
            estimator.estimate(snap)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(
            f"{n_waiting:7d} {n_doctors:7d} {statistics.median(timings):10.1f} "
            f"{timings[int(0.9 * (len(timings) - 1))]:8.1f} {timings[-1]:8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
