"""The monthly planning cycle: availability open → solve → review → published.

Solving runs the CP-SAT solver in a worker thread under a time cap; its progress (objective,
bound, gaps left) and its result live in the app's :class:`SolveJobs` until the manager applies
or solves again: a preview is a proposal, nothing is written until it is applied. The cycle's
state and what was published are in the database (models.PlanningCycle).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

import anyio.to_thread

from rota.checks import RotaContext, ShiftChange, keep_clean
from rota.conflicts import RotaConflict
from rota.domain import CentrePlan, PlannedShift
from rota.problem import PlanChanges, plan_changes
from rota.solver import model as solver
from rota.solver.cpsat import solve
from rota.wording import when_en, when_fr


class CycleStatus(StrEnum):
    OPEN = "open"  # doctors give their availability and wishes
    REVIEW = "review"  # a plan was applied; the manager checks it before publishing
    PUBLISHED = "published"  # doctors were told; later edits show as a diff


@dataclass
class SolveJob:
    month: date
    started: float = field(default_factory=time.monotonic)
    progress: solver.Progress | None = None
    result: solver.SolveResult | None = None
    changes: PlanChanges | None = None
    refused: list[RotaConflict] = field(default_factory=list)  # proposals the checker refused
    error: str | None = None
    cancelled: bool = False
    task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def on_progress(self, progress: solver.Progress) -> bool:
        # Called from the solver's thread: a plain attribute write; False stops the search.
        self.progress = progress
        return not self.cancelled


class SolveJobs:
    """The app's solves, one per month (a new solve of a month replaces the previous one)."""

    def __init__(self) -> None:
        self.jobs: dict[date, SolveJob] = {}

    def get(self, month: date) -> SolveJob | None:
        return self.jobs.get(month)

    def start(
        self,
        problem: solver.PlanningProblem,
        existing: Sequence[PlannedShift],
        context: RotaContext,
        rooms: Mapping[str, tuple[str, ...]],
        seconds: float,
    ) -> SolveJob:
        month = problem.period.first_day
        previous = self.jobs.get(month)
        if previous is not None:
            previous.cancelled = True
        job = SolveJob(month)
        self.jobs[month] = job
        job.task = asyncio.create_task(_run(job, problem, existing, context, rooms, seconds))
        return job


async def _run(
    job: SolveJob,
    problem: solver.PlanningProblem,
    existing: Sequence[PlannedShift],
    context: RotaContext,
    rooms: Mapping[str, tuple[str, ...]],
    seconds: float,
) -> None:
    options = solver.SolveOptions(
        time_limit_seconds=seconds, num_workers=2, progress=job.on_progress
    )
    try:
        result = await anyio.to_thread.run_sync(solve, problem, options, abandon_on_cancel=True)
        job.result = result
        if result.status not in (solver.SolveStatus.OPTIMAL, solver.SolveStatus.FEASIBLE):
            # No plan (cancelled first, infeasible, out of time): nothing to preview; an empty
            # plan would read as "remove every shift".
            job.error = f"aucun plan / no plan: {result.status.value}"
            return
        changes = plan_changes(problem, result.assignments, existing, rooms)
        # The checker judges the proposal like a hand edit (rota.checks.keep_clean): the
        # moves and removals first, then the new shifts on top of them.
        base = [s for s in existing if s.id not in {r.id for r in changes.removed}]
        moved = {after.id: after for _, after in changes.moved}
        base = [moved.get(s.id, s) for s in base]
        kept, refused = await anyio.to_thread.run_sync(keep_clean, base, changes.added, context)
        job.changes = PlanChanges(tuple(kept), changes.moved, changes.removed)
        job.refused = refused
    except Exception as exc:  # shown on the page; the rota is untouched
        job.error = f"{type(exc).__name__}: {exc}"


def plan_as_change(changes: PlanChanges) -> ShiftChange:
    return ShiftChange(
        add=(*changes.added, *(after for _, after in changes.moved)),
        remove=frozenset(shift.id for shift in changes.removed),
    )


# --- publishing -------------------------------------------------------------------------------

Snapshot = dict[str, list[str]]  # shift id → [doctor id, centre, start ISO, end ISO]


def snapshot_of(shifts: Sequence[PlannedShift]) -> Snapshot:
    return {
        s.id: [s.doctor_id, s.centre_id, s.start.isoformat(), s.end.isoformat()] for s in shifts
    }


@dataclass(frozen=True)
class DoctorChanges:
    doctor_id: str
    added: tuple[PlannedShift, ...]
    removed: tuple[PlannedShift, ...]


def changes_by_doctor(
    before: Snapshot, after: Sequence[PlannedShift], known: Mapping[str, PlannedShift]
) -> list[DoctorChanges]:
    """What each doctor gains and loses between a publication and now (a moved shift is lost
    by one and gained by the other; new times are a loss and a gain). ``known``: shifts of
    the old snapshot still readable (the rest are rebuilt from the snapshot)."""
    now = snapshot_of(after)
    gained: dict[str, list[PlannedShift]] = defaultdict(list)
    lost: dict[str, list[PlannedShift]] = defaultdict(list)
    by_id = {s.id: s for s in after}
    for shift_id, fields in before.items():
        if now.get(shift_id) != fields:
            doctor, centre, start, end = fields
            old = known.get(shift_id) or PlannedShift(
                shift_id, doctor, centre, datetime.fromisoformat(start), datetime.fromisoformat(end)
            )
            lost[doctor].append(old)
    for shift_id, fields in now.items():
        if before.get(shift_id) != fields:
            gained[fields[0]].append(by_id[shift_id])
    doctors = sorted(set(gained) | set(lost))
    return [
        DoctorChanges(
            d,
            tuple(sorted(gained.get(d, []), key=lambda s: s.start)),
            tuple(sorted(lost.get(d, []), key=lambda s: s.start)),
        )
        for d in doctors
    ]


def notice_text(
    change: DoctorChanges, centres: Mapping[str, CentrePlan], month_label: str
) -> tuple[str, str]:
    """The in-app notice of a publication, French and English."""

    def lines(shifts: Sequence[PlannedShift], sign: str, english: bool) -> list[str]:
        out = []
        for s in shifts:
            centre = centres[s.centre_id]
            when = (when_en if english else when_fr)(s.start, s.end, centre.time_zone)
            out.append(f"{sign} {centre.name} {when}")
        return out

    fr = [f"Planning de {month_label} publié :"]
    fr += lines(change.added, "+", False) + lines(change.removed, "−", False)
    en = [f"Rota of {month_label} published:"]
    en += lines(change.added, "+", True) + lines(change.removed, "−", True)
    return "\n".join(fr), "\n".join(en)
