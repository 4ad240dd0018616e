"""The monthly planning cycle: availability open → solve → review → published.

Solving runs the CP-SAT solver in a worker thread under a time cap on the replica that was
asked; its progress (objective, bound, gaps left) and at the end its preview are mirrored every
second into the month's models.SolveRun, so that any replica answers, cancels or applies it,
and a restart keeps a finished preview. A preview is a proposal: nothing is written to the rota
until it is applied. The cycle's state and what was published are in models.PlanningCycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota.checks import RotaContext, ShiftChange, keep_clean
from rota.conflicts import RotaConflict
from rota.domain import CentrePlan, PlannedShift
from rota.models import SolveRun
from rota.problem import PlanChanges, plan_changes
from rota.solver import model as solver
from rota.solver.cpsat import solve
from rota.wording import when_en, when_fr
from service.changes import ChangePath, Clock
from service.db import WriteGate

log = logging.getLogger("walkin.rota")

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]
# How often the solving replica writes its progress (and reads a cancel asked elsewhere).
MIRROR_EVERY_S = 1.0
# A running solve not heard from for this long: its replica stopped (restart, crash).
STALE_AFTER = timedelta(seconds=30)
# The API's answer about a job, as the handler that started it renders it (names included).
Render = Callable[["SolveJob"], dict[str, Any]]


class CycleStatus(StrEnum):
    OPEN = "open"  # doctors give their availability and wishes
    REVIEW = "review"  # a plan was applied; the manager checks it before publishing
    PUBLISHED = "published"  # doctors were told; later edits show as a diff


@dataclass(frozen=True)
class Solving:
    """What a solve of a month works from."""

    problem: solver.PlanningProblem
    existing: Sequence[PlannedShift]  # the rota's shifts of the period now
    context: RotaContext  # for the checker that judges the proposal
    rooms: Mapping[str, tuple[str, ...]]  # room codes by centre
    seconds: float  # the time cap


def new_run_key() -> str:
    return uuid.uuid4().hex


@dataclass
class SolveJob:
    month: date
    run_key: str = field(default_factory=new_run_key)
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
    """This replica's solves, one per month (a new solve of a month replaces the previous one),
    each mirrored into its models.SolveRun row while it runs and once at its end."""

    def __init__(self, sessions: SessionFactory, gate: WriteGate, clock: Clock) -> None:
        self.jobs: dict[date, SolveJob] = {}
        self.sessions = sessions
        self.gate = gate
        self.clock = clock

    def get(self, month: date) -> SolveJob | None:
        return self.jobs.get(month)

    def start(self, solving: Solving, run_key: str, render: Render) -> SolveJob:
        """Solves in the background; the month's SolveRun row (``run_key``) must exist."""
        month = solving.problem.period.first_day
        previous = self.jobs.get(month)
        if previous is not None:
            previous.cancelled = True
        job = SolveJob(month, run_key)
        self.jobs[month] = job
        job.task = asyncio.create_task(self._run_mirrored(job, render, solving))
        return job

    async def _run_mirrored(self, job: SolveJob, render: Render, solving: Solving) -> None:
        mirror = asyncio.create_task(self._mirror_while_running(job, render))
        try:
            await _run(job, solving)
        finally:
            mirror.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await mirror
            # The preview reaches the other replicas; shielded: an app stopping mid-write
            # leaves the row as it was (seen as interrupted), never half written.
            await asyncio.shield(self._mirror(job, render, final=True))

    async def _mirror_while_running(self, job: SolveJob, render: Render) -> None:
        while True:
            await asyncio.sleep(MIRROR_EVERY_S)
            if not await self._mirror(job, render, final=False):
                job.cancelled = True  # another solve of the month replaced this one
                return

    async def _mirror(self, job: SolveJob, render: Render, final: bool) -> bool:
        """Writes the job's state to its row; False when the row is another run's now."""
        try:
            async with (
                self.sessions() as session,
                ChangePath(session, self.gate, None, self.clock).change(),
            ):
                row = await solve_run(session, job.month)
                if row is None or row.run_key != job.run_key:
                    return False
                if row.cancel_requested:
                    job.cancelled = True  # asked on another replica
                answer = render(job)
                if final:
                    answer["running"] = False
                    row.running = False
                    row.changes = changes_to_json(job.changes) if job.changes else None
                row.answer = answer
                row.heartbeat_at = self.clock()
                return True
        except Exception as exc:  # the database away: this replica still answers from memory
            log.warning("solve of %s not mirrored: %s", job.month, type(exc).__name__)
            return True


async def solve_run(session: AsyncSession, month: date) -> SolveRun | None:
    found = await session.execute(select(SolveRun).where(SolveRun.month == month))
    return found.scalar_one_or_none()


def interrupted(row: SolveRun, now: datetime) -> bool:
    """A solve said to run whose replica has not written for a while has stopped."""
    return row.running and now - row.heartbeat_at > STALE_AFTER


def _shift_json(shift: PlannedShift) -> list[str | None]:
    return [
        shift.id,
        shift.doctor_id,
        shift.centre_id,
        shift.start.isoformat(),
        shift.end.isoformat(),
        shift.room,
    ]


def _shift_of(fields: Any) -> PlannedShift:
    shift_id, doctor, centre, start, end, room = fields
    return PlannedShift(
        shift_id,
        doctor,
        centre,
        datetime.fromisoformat(start),
        datetime.fromisoformat(end),
        room,
    )


def changes_to_json(changes: PlanChanges) -> dict[str, list[Any]]:
    return {
        "added": [_shift_json(s) for s in changes.added],
        "moved": [[_shift_json(a), _shift_json(b)] for a, b in changes.moved],
        "removed": [_shift_json(s) for s in changes.removed],
    }


def changes_from_json(stored: Mapping[str, Sequence[Any]]) -> PlanChanges:
    return PlanChanges(
        tuple(_shift_of(s) for s in stored["added"]),
        tuple((_shift_of(a), _shift_of(b)) for a, b in stored["moved"]),
        tuple(_shift_of(s) for s in stored["removed"]),
    )


async def _run(job: SolveJob, solving: Solving) -> None:
    problem, existing, context = solving.problem, solving.existing, solving.context
    options = solver.SolveOptions(
        time_limit_seconds=solving.seconds, num_workers=2, progress=job.on_progress
    )
    try:
        result = await anyio.to_thread.run_sync(solve, problem, options, abandon_on_cancel=True)
        job.result = result
        if result.status not in (solver.SolveStatus.OPTIMAL, solver.SolveStatus.FEASIBLE):
            # No plan (cancelled first, infeasible, out of time): nothing to preview; an empty
            # plan would read as "remove every shift".
            job.error = f"aucun plan / no plan: {result.status.value}"
            return
        changes = plan_changes(problem, result.assignments, existing, solving.rooms)
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
