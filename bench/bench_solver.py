"""Plan four weeks of the demo network with the rota solver, and judge the plan.

26 centres, 350 doctors (rota/demo_network.py) with seeded seniority (juniors and interns with
their supervisors), unavailable days and half-days, wishes, monthly targets, weekend limits and a
fairness ledger; the demo's leave. Planned from scratch with CP-SAT under a time cap.

Run from the repository root:
    python bench/bench_solver.py [--time-limit 60] [--workers 2] [--seed 7] [--json OUT.json]

Reports: hard conflicts (the solver's evaluator AND the rota checker, rota/checks.py, both must
say 0), cover reached against the most that availability allows, wishes honoured, the spread of
weekends and public holidays between doctors, seconds to the first and to the final plan.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rota.checks import check_shifts
from rota.conflicts import ConflictKind
from rota.days import DayType, day_type, days_between, local_instant, opening_intervals
from rota.demo_network import DemoNetwork, build_demo_network
from rota.domain import PlannedShift
from rota.solver.cpsat import solve
from rota.solver.evaluate import evaluate
from rota.solver.model import (
    Assignment,
    CandidateShift,
    CoverNeed,
    DayPart,
    LedgerEntry,
    Period,
    PlanningProblem,
    Progress,
    Seniority,
    SolveOptions,
    SolverCentre,
    SolverDoctor,
    Unavailability,
    Wish,
    WishKind,
)
from rota.solver.rooms import assign_rooms

FIRST_DAY = date(2026, 5, 4)  # a Monday; May holds public holidays in every region
DAYS = 28
SHIFT = timedelta(hours=6)


def _shifts(network: DemoNetwork) -> list[CandidateShift]:
    """Per open interval: a morning and an afternoon of six hours, and a late one at the end
    when the centre is open more than twelve hours."""
    found = []
    for centre in network.centres:
        for day in days_between(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1)):
            for interval in opening_intervals(centre.opening, centre.region, centre.time_zone, day):
                spans = [(interval.start, min(interval.start + SHIFT, interval.end), "morning")]
                if interval.end - interval.start > SHIFT:
                    spans.append((spans[0][1], min(spans[0][1] + SHIFT, interval.end), "afternoon"))
                if interval.end - interval.start > 2 * SHIFT:
                    spans.append((interval.end - SHIFT, interval.end, "late"))
                for start, end, kind in spans:
                    found.append(
                        CandidateShift(
                            f"{centre.id}:{day}:{kind}",
                            centre.id,
                            day,
                            start,
                            end,
                            kind,
                            late=kind == "late",
                        )
                    )
    return found


def _needs(network: DemoNetwork) -> list[CoverNeed]:
    found = []
    for centre in network.centres:
        wanted = network.cover_needs[centre.id]
        for day in days_between(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1)):
            opening = opening_intervals(centre.opening, centre.region, centre.time_zone, day)
            for segment in wanted.segments_for(day_type(centre.region, day)):
                start = local_instant(day, segment.start, centre.time_zone)
                end = local_instant(day, segment.end, centre.time_zone)
                for interval in opening:
                    clipped = (max(start, interval.start), min(end, interval.end))
                    if clipped[0] < clipped[1] and segment.doctors:
                        found.append(
                            CoverNeed(centre.id, day, *clipped, segment.doctors, weight=100)
                        )
    return found


def _doctors(
    network: DemoNetwork, rng: random.Random
) -> tuple[list[SolverDoctor], dict[str, LedgerEntry]]:
    leave: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for span in network.leaves:
        if span.blocks_work:
            leave[span.doctor_id].append((span.start, span.end))
    # Seniority and maîtres de stage as the demo network has them, which the rota checker
    # judges the plan by (the script once drew its own, and the two disagreed).
    known = {d.id for d in network.doctors}
    doctors, ledger = [], {}
    for d in network.doctors:
        level = Seniority(d.seniority.value)
        supervisor = d.supervisor_id if d.supervisor_id in known else None
        if level is Seniority.INTERN and supervisor is None:
            continue  # as the product's problem builder: no maître de stage, not planned
        days = rng.sample(range(DAYS), 10)
        off = tuple(Unavailability(FIRST_DAY + timedelta(days=i)) for i in days[:3])
        off += tuple(
            Unavailability(
                FIRST_DAY + timedelta(days=i), rng.choice((DayPart.MORNING, DayPart.AFTERNOON))
            )
            for i in days[3:5]
        )
        wishes = tuple(Wish(FIRST_DAY + timedelta(days=i), WishKind.WORK, 2) for i in days[5:8])
        wishes += tuple(Wish(FIRST_DAY + timedelta(days=i), WishKind.OFF, 4) for i in days[8:10])
        limit = d.weekly_limit_hours or 48
        doctors.append(
            SolverDoctor(
                id=d.id,
                centre_ids=frozenset(d.centre_ids),
                seniority=level,
                supervisor_id=supervisor,
                weekly_limit_hours=d.weekly_limit_hours,
                min_rest_hours=d.min_rest_hours,
                max_weekends=2 if rng.random() < 0.3 else None,
                unavailable=off,
                leave=tuple(leave[d.id]),
                wishes=wishes,
                wanted_shifts=int(limit / 6 * 4 * rng.uniform(0.5, 0.8))
                if rng.random() < 0.35
                else None,
            )
        )
        ledger[d.id] = LedgerEntry(rng.randint(0, 4), rng.randint(0, 2), rng.randint(0, 6))
    return doctors, ledger


def build_problem(seed: int) -> tuple[DemoNetwork, PlanningProblem]:
    network = build_demo_network(
        seed=seed, first_day=FIRST_DAY, last_day=FIRST_DAY + timedelta(days=DAYS - 1)
    )
    rng = random.Random(seed + 1)
    doctors, ledger = _doctors(network, rng)
    holidays = {
        c.id: frozenset(
            day
            for day in days_between(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS))
            if day_type(c.region, day) is DayType.PUBLIC_HOLIDAY
        )
        for c in network.centres
    }
    problem = PlanningProblem(
        period=Period(FIRST_DAY, DAYS, "Europe/Paris"),
        centres=tuple(
            SolverCentre(c.id, c.time_zone, len(c.rooms), holidays[c.id]) for c in network.centres
        ),
        doctors=tuple(doctors),
        shifts=tuple(_shifts(network)),
        needs=tuple(_needs(network)),
        ledger=ledger,
    )
    return network, problem


def availability_bound(problem: PlanningProblem) -> int:
    """The most doctor-segments availability allows: per need, no more than the doctors
    attached, free (no leave, no unavailability) and with a covering shift, nor the rooms."""
    rooms = {c.id: c.rooms for c in problem.centres}
    total = 0
    for need in problem.needs:
        covering = [
            s
            for s in problem.shifts
            if s.centre_id == need.centre_id and s.start <= need.start and s.end >= need.end
        ]
        free = 0
        for doctor in problem.doctors:
            if need.centre_id not in doctor.centre_ids:
                continue
            if any(a < need.end and need.start < b for a, b in doctor.leave):
                continue
            if (
                any(u.day == need.day and u.part is DayPart.WHOLE_DAY for u in doctor.unavailable)
                or not covering
            ):
                continue
            free += 1
        total += min(need.doctors, free, rooms[need.centre_id])
    return total


def cover_reached(problem: PlanningProblem, plan: tuple[Assignment, ...]) -> int:
    at: dict[str, list[Assignment]] = defaultdict(list)
    for a in plan:
        at[a.centre_id].append(a)
    return sum(
        min(
            need.doctors,
            sum(1 for a in at[need.centre_id] if a.start <= need.start and a.end >= need.end),
        )
        for need in problem.needs
    )


def _share(wishes: Counter[tuple[str, bool]], kind: str) -> str:
    kept, missed = wishes[(kind, True)], wishes[(kind, False)]
    return f"{kept}/{kept + missed}"


def judge(
    network: DemoNetwork, problem: PlanningProblem, plan: tuple[Assignment, ...]
) -> dict[str, Any]:
    judged = evaluate(problem, plan)
    rooms = assign_rooms(plan, {c.id: c.rooms for c in network.centres})
    shifts = [
        PlannedShift(
            f"p{n}",
            a.doctor_id,
            a.centre_id,
            a.start.astimezone(UTC),
            a.end.astimezone(UTC),
            rooms[a],
        )
        for n, a in enumerate(plan)
    ]
    # The checker's doctors, with the attachments the solver was given (interns follow their
    # supervisor's centres).
    attached = {d.id: d.centre_ids for d in problem.doctors}
    context = replace(
        network.context(),
        doctors={d.id: replace(d, centre_ids=attached[d.id]) for d in network.doctors},
    )
    conflicts = Counter(
        c.kind.value
        for c in check_shifts(shifts, context)
        if c.kind is not ConflictKind.UNDER_COVER
    )
    wishes: Counter[tuple[str, bool]] = Counter()
    mine: dict[str, set[date]] = defaultdict(set)
    for a in plan:
        mine[a.doctor_id].add(a.day)
    for doctor in problem.doctors:
        for wish in doctor.wishes:
            kept = (wish.day in mine[doctor.id]) == (wish.kind is WishKind.WORK)
            wishes[(wish.kind.value, kept)] += 1
    weekends = {
        d.id: len(
            {day - timedelta(days=day.weekday() - 5) for day in mine[d.id] if day.weekday() >= 5}
        )
        + problem.ledger[d.id].weekends
        for d in problem.doctors
    }
    holiday_days = {c.id: c.public_holidays for c in problem.centres}
    holidays = {
        d.id: sum(1 for a in plan if a.doctor_id == d.id and a.day in holiday_days[a.centre_id])
        + problem.ledger[d.id].public_holidays
        for d in problem.doctors
    }
    return {
        "evaluator_violations": len(judged.violations),
        "checker_conflicts": dict(conflicts),
        "objective_by_evaluator": judged.objective,
        "cover_reached": cover_reached(problem, plan),
        "cover_needed": sum(n.doctors for n in problem.needs),
        "cover_bound": availability_bound(problem),
        "wishes_to_work_kept": _share(wishes, "work"),
        "wishes_off_kept": _share(wishes, "off"),
        "weekends_spread_with_ledger": max(weekends.values()) - min(weekends.values()),
        "holidays_spread_with_ledger": max(holidays.values()) - min(holidays.values()),
        "supervision_violations": sum(1 for v in judged.violations if v.rule == "supervision"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    started = time.monotonic()
    network, problem = build_problem(args.seed)
    built = time.monotonic() - started
    print(
        f"problem: {len(problem.centres)} centres, {len(problem.doctors)} doctors, "
        f"{len(problem.shifts)} candidate shifts, {len(problem.needs)} needs, "
        f"built in {built:.1f} s",
        flush=True,
    )

    def report(progress: Progress) -> bool:
        print(
            f"  {progress.seconds:6.1f} s  objective {progress.objective}  bound {progress.bound}"
            f"  doctors short {progress.gaps_left}",
            flush=True,
        )
        return True

    result = solve(
        problem,
        SolveOptions(
            time_limit_seconds=args.time_limit,
            num_workers=args.workers,
            seed=args.seed,
            progress=report,
        ),
    )
    figures: dict[str, Any] = {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "greedy_objective": result.greedy_objective,
        "seconds_to_first_plan": round(result.seconds_to_first or 0, 1),
        "seconds_to_final_plan": round(result.seconds, 1),
        "assignments": len(result.assignments),
        "uncovered_needs": len(result.uncovered),
        "uncovered_by_reason": dict(Counter(u.reason.value for u in result.uncovered)),
        "terms": {t.term.value: t.penalty for t in result.terms},
    }
    figures.update(judge(network, problem, result.assignments))
    for key, value in figures.items():
        print(f"{key}: {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    if figures["evaluator_violations"] or figures["checker_conflicts"]:
        raise SystemExit("hard conflicts in the plan")


if __name__ == "__main__":
    main()
