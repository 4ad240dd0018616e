"""Time the rota decisions on the demo network: a month, 26 centres, 350 doctors.

Run from the repository root:  python bench/bench_rota_logic.py [--repeat 7] [--seed 7]
Prints the best and median wall time of each step over the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rota.checks import ShiftChange, check_change, check_shifts
from rota.coverage import network_coverage
from rota.demo_network import build_demo_network
from rota.fairness import fairness
from rota.ical import doctor_feed


def timed(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """Best and median milliseconds over the repeats."""
    samples = []
    for _ in range(repeat):
        started = perf_counter()
        action()
        samples.append((perf_counter() - started) * 1000)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = perf_counter()
    network = build_demo_network(seed=args.seed)
    built_ms = (perf_counter() - started) * 1000
    context = network.context()
    shifts = list(network.shifts)
    first, last = network.first_day, network.last_day
    print(
        f"demo network: {len(network.centres)} centres, {len(network.doctors)} doctors, "
        f"{len(shifts)} shifts, {len(network.leaves)} leaves, {first} → {last} "
        f"(built with the greedy filler in {built_ms:.0f} ms)"
    )
    conflicts = check_shifts(shifts, context)
    days = network_coverage(network.centres, shifts, network.cover_needs, first, last)
    gaps = [gap for day in days for gap in day.gaps]
    print(f"conflicts: {len(conflicts)}; centre-days: {len(days)}; cover gaps: {len(gaps)}")

    moved = shifts[len(shifts) // 2]
    change = ShiftChange.moving(
        type(moved)(
            moved.id,
            moved.doctor_id,
            moved.centre_id,
            moved.start + timedelta(hours=1),
            moved.end + timedelta(hours=1),
            moved.room,
        )
    )
    doctor = network.doctors[0]
    steps: list[tuple[str, Callable[[], object]]] = [
        ("conflict checks, whole month", lambda: check_shifts(shifts, context)),
        (
            "coverage view, whole network",
            lambda: network_coverage(network.centres, shifts, network.cover_needs, first, last),
        ),
        (
            "fairness report",
            lambda: fairness(shifts, context.centres, network.doctors, first, last),
        ),
        ("check_change (move one shift)", lambda: check_change(shifts, change, context)),
        (
            "iCal feed of one doctor",
            lambda: doctor_feed(doctor, shifts, context.centres, generated_at=moved.start),
        ),
    ]
    print(f"{'step':<34}{'best ms':>10}{'median ms':>12}")
    for label, action in steps:
        best, median = timed(args.repeat, action)
        print(f"{label:<34}{best:>10.1f}{median:>12.1f}")


if __name__ == "__main__":
    main()
