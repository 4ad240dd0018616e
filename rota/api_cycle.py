"""The planning cycle of a month, for managers: solve (in the background), follow, cancel,
apply the reviewed plan in one transaction, publish to the doctors."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import conflict_out, shift_out
from rota.checks import check_shifts
from rota.cycle import (
    CycleStatus,
    SolveJob,
    SolveJobs,
    Solving,
    changes_by_doctor,
    changes_from_json,
    interrupted,
    new_run_key,
    notice_text,
    snapshot_of,
    solve_run,
)
from rota.deps import provide_rota_ops
from rota.domain import PlannedShift
from rota.planning import RotaOps
from rota.problem import DayWord, MonthTarget, PlanChanges, build_problem, month_bounds
from rota.schemas import (
    AppliedOut,
    CycleOut,
    DoctorDiffOut,
    MovedOut,
    SolveIn,
    SolveOut,
    TermOut,
    UncoveredOut,
)
from rota.solver import model as solver
from rota.store import Network, load_network, load_period
from rota.wording import clock_range
from service.auth import manager_only
from service.errors import Conflict, DomainError, NotFound
from service.state import shell

MonthText = Annotated[str, Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
_MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def month_of(text: str) -> date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise DomainError(f"mois attendu AAAA-MM / month expected as YYYY-MM: {text!r}")
    month = date(int(text[:4]), int(text[5:]), 1)
    if not 2000 <= month.year <= 2199:
        raise DomainError(f"mois hors planning / month out of range: {text}")
    return month


async def cycle_row(session: AsyncSession, month: date) -> models.PlanningCycle | None:
    found = await session.execute(
        select(models.PlanningCycle).where(models.PlanningCycle.month == month)
    )
    return found.scalar_one_or_none()


async def month_shifts(session: AsyncSession, network: Network, month: date) -> list[PlannedShift]:
    first, last = month_bounds(month)
    period = await load_period(session, first, last, network=network)
    centres = network.centres
    return [s for s in period.shifts if first <= centres[s.centre_id].service_day(s.start) <= last]


def _solve_out(job: SolveJob, network: Network) -> SolveOut:
    result, progress, changes = job.result, job.progress, job.changes
    uncovered = []
    for gap in result.uncovered if result else ():
        centre = network.centres[gap.centre_id]
        uncovered.append(
            UncoveredOut(
                centre=gap.centre_id,
                centre_name=centre.name,
                day=gap.day,
                local=clock_range(gap.start, gap.end, centre.time_zone),
                missing=gap.missing,
                reason=gap.reason.value,
                explanation=gap.explanation,
                explanation_en=gap.explanation_en,
            )
        )
    return SolveOut(
        running=job.running,
        status=result.status.value if result else None,
        seconds=round(result.seconds if result else (progress.seconds if progress else 0.0), 1),
        objective=result.objective if result else (progress.objective if progress else None),
        bound=result.bound if result else (progress.bound if progress else None),
        gaps_left=progress.gaps_left if progress else None,
        solutions=progress.solutions if progress else 0,
        error=job.error,
        added=[shift_out(s, network) for s in changes.added] if changes else [],
        moved=[
            MovedOut(shift_out(before, network), shift_out(after, network))
            for before, after in (changes.moved if changes else ())
        ],
        removed=[shift_out(s, network) for s in changes.removed] if changes else [],
        uncovered=uncovered,
        refused=[conflict_out(c, network) for c in job.refused],
        terms=[
            TermOut(t.term.value, t.penalty, t.count, t.explanation, t.explanation_en)
            for t in (result.terms if result else ())
        ],
    )


def _own_job(
    request: Request[Any, Any, Any], month: date, row: models.SolveRun | None
) -> SolveJob | None:
    """This replica's job of the month while it is still the month's run (not applied or
    replaced on another replica: then it is forgotten here too)."""
    jobs = shell(request.app).part(SolveJobs)
    job = jobs.get(month)
    if job is not None and (row is None or row.run_key != job.run_key):
        job.cancelled = True
        jobs.jobs.pop(month, None)
        return None
    return job


async def _solve_now(
    request: Request[Any, Any, Any], ops: RotaOps, network: Network, month: date
) -> SolveOut | None:
    """The month's solve: this replica's own if it runs it (freshest), else as the solving
    replica last wrote it; one said to run but silent for long is shown as interrupted."""
    job = _own_job(request, month, row := await solve_run(ops.session, month))
    if job is not None:
        return _solve_out(job, network)
    if row is None:
        return None
    try:
        answer = msgspec.convert(row.answer, SolveOut)
    except msgspec.ValidationError:  # written by another version of the service
        return no_solve("calcul illisible : relancez-le / unreadable solve: solve again")
    if interrupted(row, ops.clock()):
        return msgspec.structs.replace(
            answer,
            running=False,
            error="calcul interrompu (serveur arrêté) : relancez-le / "
            "solve interrupted (its server stopped): solve again",
        )
    return answer


def no_solve(error: str | None) -> SolveOut:
    return SolveOut(False, None, 0.0, None, None, None, 0, error, [], [], [], [], [], [])


def _diff_out(
    network: Network, before: dict[str, list[str]], now: list[PlannedShift]
) -> list[DoctorDiffOut]:
    out = []
    for change in changes_by_doctor(before, now, {}):
        doctor = network.doctors.get(change.doctor_id)
        out.append(
            DoctorDiffOut(
                doctor_id=int(change.doctor_id),
                doctor=doctor.display_name if doctor else change.doctor_id,
                added=[shift_out(s, network) for s in change.added],
                removed=[shift_out(s, network) for s in change.removed],
            )
        )
    return out


def month_label(month: date, english: bool = False) -> str:
    return f"{month:%B %Y}" if english else f"{_MONTHS_FR[month.month - 1]} {month.year}"


async def _preview(
    request: Request[Any, Any, Any], ops: RotaOps, month: date
) -> PlanChanges | None:
    """The finished preview of the month, from this replica or as its solver wrote it."""
    job = _own_job(request, month, run := await solve_run(ops.session, month))
    if job is not None:
        return None if job.running else job.changes
    if run is None or run.running or run.changes is None:
        return None
    try:
        return changes_from_json(run.changes)
    except (KeyError, TypeError, ValueError):  # written by another version of the service
        return None


class CycleController(Controller):
    path = "/cycles"
    # The network office's: one cycle solves the whole network at once (a doctor shared by
    # two centres is planned in one model), so it cannot be split by centre manager.
    guards = [manager_only]
    dependencies = {"ops": Provide(provide_rota_ops, sync_to_thread=False)}

    @get("/{month:str}")
    async def get_cycle(
        self, request: Request[Any, Any, Any], ops: NamedDependency[RotaOps], month: MonthText
    ) -> CycleOut:
        first = month_of(month)
        network = await load_network(ops.session)
        row = await cycle_row(ops.session, first)
        solve_now = await _solve_now(request, ops, network, first)
        since: list[DoctorDiffOut] = []
        if row is not None and row.status == CycleStatus.PUBLISHED:
            since = _diff_out(
                network, row.published, await month_shifts(ops.session, network, first)
            )
        return CycleOut(
            month=first,
            status=row.status if row else CycleStatus.OPEN.value,
            published_at=row.published_at if row else None,
            solve=solve_now,
            since_published=since,
        )

    @post("/{month:str}/solve", status_code=HTTP_202_ACCEPTED)
    async def start_solve(
        self,
        request: Request[Any, Any, Any],
        ops: NamedDependency[RotaOps],
        month: MonthText,
        data: JSONBody[SolveIn | None] = None,
    ) -> CycleOut:
        """Starts solving the month in the background; follow it with GET, stop it with
        /cancel. The rota is not touched until the plan is applied."""
        first = month_of(month)
        first_day, last_day = month_bounds(first)
        session = ops.session
        network = await load_network(session)
        period = await load_period(session, first_day, last_day, whole_weeks=True, network=network)
        earlier_first, _ = month_bounds(first_day - timedelta(days=1))
        earlier = await load_period(
            session, earlier_first, first_day - timedelta(days=1), network=network
        )
        words = [
            DayWord(str(w.doctor_id), w.day, solver.DayPart(w.part), w.state)
            for w in (
                await session.execute(
                    select(models.Availability).where(
                        models.Availability.day >= first_day, models.Availability.day <= last_day
                    )
                )
            ).scalars()
        ]
        targets = [
            MonthTarget(str(w.doctor_id), w.wanted_shifts, w.wanted_hours, w.max_weekends)
            for w in (
                await session.execute(
                    select(models.MonthWish).where(models.MonthWish.month == first)
                )
            ).scalars()
        ]
        context = period.context()
        active = [network.doctors[str(i)] for i, r in network.doctor_rows.items() if r.active]
        problem = build_problem(
            first,
            sorted(network.centres.values(), key=lambda c: c.id),
            active,
            network.needs,
            period.shifts,
            period.leaves,
            words,
            targets,
            check_shifts(period.shifts, context),
            earlier.shifts,
        )
        run_key = new_run_key()
        async with ops.path.change() as change:
            row = await cycle_row(session, first)
            if row is None:
                row = models.PlanningCycle(month=first, status=CycleStatus.OPEN.value)
                session.add(row)
                await session.flush()
            await change.audit("planning_cycle", row.id, "solve", after={"month": month})
            status = row.status
            # The run every replica sees; a solve of the month running elsewhere finds its
            # key gone at its next write and stops.
            run = await solve_run(session, first) or models.SolveRun(month=first)
            run.run_key, run.running, run.cancel_requested = run_key, True, False
            run.heartbeat_at, run.changes = ops.clock(), None
            run.answer = msgspec.to_builtins(_solve_out(SolveJob(first, run_key), network))
            run.answer["running"] = True
            session.add(run)
        rooms = {slug: centre.rooms for slug, centre in network.centres.items()}
        seconds = (data or SolveIn()).time_limit_seconds

        def render(job: SolveJob) -> dict[str, Any]:
            return dict(msgspec.to_builtins(_solve_out(job, network)))

        # Started after the commit: a refused audit leaves no solve running.
        job = (
            shell(request.app)
            .part(SolveJobs)
            .start(Solving(problem, period.shifts, context, rooms, seconds), run_key, render)
        )
        return CycleOut(first, status, None, _solve_out(job, network), [])

    @post("/{month:str}/cancel", status_code=HTTP_200_OK)
    async def cancel_solve(
        self, request: Request[Any, Any, Any], ops: NamedDependency[RotaOps], month: MonthText
    ) -> CycleOut:
        """Stops the search: the best plan so far stays as the preview."""
        first = month_of(month)
        job = shell(request.app).part(SolveJobs).get(first)
        # Idempotent: a solve already over stays as it is.
        async with ops.path.change() as change:
            run = await solve_run(ops.session, first)
            row = await cycle_row(ops.session, first)
            if run is None or row is None:
                raise NotFound(f"aucun calcul pour {month} / no solve of {month}")
            await change.audit("planning_cycle", row.id, "cancel_solve")
            status = row.status
            # The replica solving it reads this within a second.
            run.cancel_requested = True
        if job is not None and job.run_key == run.run_key:
            job.cancelled = True
        network = await load_network(ops.session)
        return CycleOut(first, status, None, await _solve_now(request, ops, network, first), [])

    @post("/{month:str}/apply", status_code=HTTP_200_OK)
    async def apply_plan(
        self, request: Request[Any, Any, Any], ops: NamedDependency[RotaOps], month: MonthText
    ) -> AppliedOut:
        """Writes the previewed plan in one transaction, every shift through the checker."""
        first = month_of(month)
        changes = await _preview(request, ops, first)
        if changes is None:
            raise Conflict(
                "aucun plan à appliquer : calculez d'abord / no plan to apply: solve first"
            )
        network = await load_network(ops.session)
        written, accepted = await ops.apply_plan(
            network,
            changes.added,
            [after for _, after in changes.moved],
            [s.id for s in changes.removed],
        )
        async with ops.path.change() as change:
            row = await cycle_row(ops.session, first)
            if row is not None and row.status != CycleStatus.PUBLISHED:
                async with change.audited("planning_cycle", row, "review"):
                    row.status = CycleStatus.REVIEW.value
            run = await solve_run(ops.session, first)
            if run is not None:
                await ops.session.delete(run)  # applied: nothing left to preview
        shell(request.app).part(SolveJobs).jobs.pop(first, None)
        return AppliedOut(
            len(written), len(changes.removed), [conflict_out(c, network) for c in accepted]
        )

    @post("/{month:str}/publish", status_code=HTTP_200_OK)
    async def publish(
        self, request: Request[Any, Any, Any], ops: NamedDependency[RotaOps], month: MonthText
    ) -> CycleOut:
        """Tells each doctor what changed for them since the last publication (an in-app
        notice) and keeps what was published, to show later edits as a diff."""
        first = month_of(month)
        network = await load_network(ops.session)
        now = await month_shifts(ops.session, network, first)
        async with ops.path.change() as change:
            row = await cycle_row(ops.session, first)
            if row is None:
                row = models.PlanningCycle(month=first, status=CycleStatus.OPEN.value)
                ops.session.add(row)
                await ops.session.flush()
            before = dict(row.published or {})
            told = 0
            for doctor_change in changes_by_doctor(before, now, {}):
                if int(doctor_change.doctor_id) not in network.doctor_rows:
                    continue
                french, english = notice_text(doctor_change, network.centres, month_label(first))
                english = english.replace(month_label(first), month_label(first, english=True))
                ops.session.add(
                    models.RotaNotice(
                        doctor_id=int(doctor_change.doctor_id),
                        cycle_id=row.id,
                        message=french[:2000],
                        message_en=english[:2000],
                    )
                )
                told += 1
            async with change.audited("planning_cycle", row, "publish"):
                row.status = CycleStatus.PUBLISHED.value
                row.published = snapshot_of(now)
                row.published_at = ops.clock()
            await change.audit("planning_cycle", row.id, "notify", after={"doctors": told})
            answer = CycleOut(first, row.status, row.published_at, None, [])
        return answer
