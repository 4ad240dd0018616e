"""Doctors and the centres they are attached to (where they may be planned)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.deps import apply_patch, centre_by_slug
from rota.domain import Seniority
from rota.rpps import rpps_problem
from rota.schemas import DoctorIn, DoctorOut, DoctorPatch
from service.accounts import Role, StaffAccount
from service.audit import snapshot
from service.auth import manager_only
from service.changes import change_path
from service.errors import Conflict, DomainError, NotFound
from service.params import PathText, RowId


async def _doctor(session: AsyncSession, doctor_id: int) -> models.Doctor:
    found = await session.get(models.Doctor, doctor_id)
    if found is None:
        raise NotFound(f"Médecin inconnu / unknown doctor: {doctor_id}")
    return found


async def _set_link(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    doctor_id: int,
    centre_slug: str,
    *,
    attached: bool,
) -> DoctorOut:
    """Attaches or detaches; PUT and DELETE are idempotent, so only a real change is audited."""
    async with change_path(request, session).change() as change:
        doctor = await _doctor(session, doctor_id)
        centre = await centre_by_slug(session, centre_slug)
        link = (
            models.DoctorCentre.doctor_id == doctor.id,
            models.DoctorCentre.centre_id == centre.id,
        )
        if attached:
            found = await session.execute(select(models.DoctorCentre).where(*link))
            changed = found.scalar_one_or_none() is None
            if changed:
                session.add(models.DoctorCentre(doctor_id=doctor.id, centre_id=centre.id))
        else:
            removed = await session.execute(sql_delete(models.DoctorCentre).where(*link))
            changed = bool(getattr(removed, "rowcount", 0))
        if changed:
            action = "attach" if attached else "detach"
            await change.audit("doctor", doctor.id, action, centre_id=centre.id)
        answer = await _doctor_out(session, doctor)
    return answer


async def _doctor_out(session: AsyncSession, doctor: models.Doctor) -> DoctorOut:
    slugs = (
        await session.execute(
            select(models.Centre.slug)
            .join(models.DoctorCentre, models.DoctorCentre.centre_id == models.Centre.id)
            .where(models.DoctorCentre.doctor_id == doctor.id)
            .order_by(models.Centre.slug)
        )
    ).scalars()
    return _doctor_answer(doctor, list(slugs))


def _doctor_answer(doctor: models.Doctor, centre_slugs: list[str]) -> DoctorOut:
    return DoctorOut(
        id=doctor.id,
        display_name=doctor.display_name,
        rpps=doctor.rpps,
        weekly_limit_hours=doctor.weekly_limit_hours,
        min_rest_hours=doctor.min_rest_hours,
        active=doctor.active,
        account_id=doctor.account_id,
        centres=centre_slugs,
        seniority=doctor.seniority,
        supervisor_id=doctor.supervisor_id,
    )


async def _check_account(session: AsyncSession, account_id: int | None) -> None:
    if account_id is None:
        return
    # Like any row a body names: unknown is a 404; an account of another role is a 409.
    account = await session.get(StaffAccount, account_id)
    if account is None:
        raise NotFound(f"Compte lié inconnu / unknown linked account: {account_id}")
    if account.role != Role.DOCTOR:
        raise Conflict(
            "le compte lié doit avoir le rôle médecin / the linked account must have the doctor "
            "role"
        )


async def _check_supervision(
    session: AsyncSession, doctor_id: int | None, seniority: str, supervisor_id: int | None
) -> None:
    """Only an intern has a maître de stage, and it is an active senior; a senior who
    supervises interns stays a senior until they have another."""
    if supervisor_id is not None:
        if seniority != Seniority.INTERN:
            raise DomainError(
                "seul un interne a un maître de stage (supervisor_id: null) / only an intern "
                "has a supervisor"
            )
        if supervisor_id == doctor_id:
            raise DomainError(
                "un interne ne peut être son propre maître de stage / an intern cannot "
                "supervise themself"
            )
        supervisor = await session.get(models.Doctor, supervisor_id)
        if supervisor is None:
            raise DomainError(f"Maître de stage inconnu / unknown supervisor: {supervisor_id}")
        if supervisor.seniority != Seniority.SENIOR or not supervisor.active:
            raise DomainError(
                f"le maître de stage doit être un médecin senior actif / the supervisor must be "
                f"an active senior doctor: {supervisor_id}"
            )
    if doctor_id is not None and seniority != Seniority.SENIOR:
        supervised = (
            await session.execute(
                select(models.Doctor.id).where(models.Doctor.supervisor_id == doctor_id).limit(1)
            )
        ).scalar_one_or_none()
        if supervised is not None:
            raise DomainError(
                f"ce médecin est maître de stage de l'interne {supervised} : donnez-lui d'abord "
                f"un autre maître de stage / this doctor supervises intern {supervised}: give "
                "them another supervisor first"
            )


async def _rpps_free(session: AsyncSession, rpps: str | None, doctor_id: int | None) -> None:
    """A well-formed RPPS number (its check digit: a 400) that no other doctor holds (409)."""
    if rpps is None:
        return
    problem = rpps_problem(rpps)
    if problem is not None:
        raise DomainError(problem)
    holder = (
        await session.execute(select(models.Doctor.id).where(models.Doctor.rpps == rpps))
    ).scalar_one_or_none()
    if holder is not None and holder != doctor_id:
        raise Conflict(f"RPPS {rpps} déjà attribué / already used by doctor {holder}")


class DoctorController(Controller):
    """Doctors' records and attachments are planning data: audited, not announced (today's
    shifts, the live part, change through the shift endpoints)."""

    path = "/doctors"
    guards = [manager_only]

    @get("/")
    async def list_doctors(self, db_session: NamedDependency[AsyncSession]) -> list[DoctorOut]:
        doctors = (
            await db_session.execute(select(models.Doctor).order_by(models.Doctor.display_name))
        ).scalars()
        slugs: dict[int, list[str]] = {}
        for doctor_id, slug in await db_session.execute(
            select(models.DoctorCentre.doctor_id, models.Centre.slug)
            .join(models.Centre, models.Centre.id == models.DoctorCentre.centre_id)
            .order_by(models.Centre.slug)
        ):
            slugs.setdefault(doctor_id, []).append(slug)
        return [_doctor_answer(d, slugs.get(d.id, [])) for d in doctors]

    @post("/", status_code=HTTP_201_CREATED)
    async def create_doctor(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        data: JSONBody[DoctorIn],
    ) -> DoctorOut:
        async with change_path(request, db_session).change() as change:
            await _rpps_free(db_session, data.rpps, None)
            await _check_account(db_session, data.account_id)
            await _check_supervision(db_session, None, data.seniority, data.supervisor_id)
            centres = [await centre_by_slug(db_session, s) for s in sorted(set(data.centres))]
            doctor = models.Doctor(
                display_name=data.display_name,
                rpps=data.rpps,
                weekly_limit_hours=data.weekly_limit_hours,
                min_rest_hours=data.min_rest_hours,
                active=data.active,
                account_id=data.account_id,
                seniority=data.seniority,
                supervisor_id=data.supervisor_id,
            )
            db_session.add(doctor)
            await db_session.flush()
            db_session.add_all(
                models.DoctorCentre(doctor_id=doctor.id, centre_id=c.id) for c in centres
            )
            answer = await _doctor_out(db_session, doctor)
            await change.audit(
                "doctor",
                doctor.id,
                "create",
                after={**snapshot(doctor), "centres": ",".join(answer.centres)},
            )
        return answer

    @get("/{doctor_id:int}")
    async def get_doctor(
        self, db_session: NamedDependency[AsyncSession], doctor_id: RowId
    ) -> DoctorOut:
        return await _doctor_out(db_session, await _doctor(db_session, doctor_id))

    @patch("/{doctor_id:int}")
    async def update_doctor(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        data: JSONBody[DoctorPatch],
    ) -> DoctorOut:
        async with change_path(request, db_session).change() as change:
            doctor = await _doctor(db_session, doctor_id)
            if data.rpps is not UNSET:
                await _rpps_free(db_session, data.rpps, doctor.id)
            if data.account_id is not UNSET:
                await _check_account(db_session, data.account_id)
            if data.seniority is not UNSET or data.supervisor_id is not UNSET:
                await _check_supervision(
                    db_session,
                    doctor.id,
                    doctor.seniority if data.seniority is UNSET else data.seniority,
                    doctor.supervisor_id if data.supervisor_id is UNSET else data.supervisor_id,
                )
            async with change.audited("doctor", doctor, "update"):
                apply_patch(doctor, data)
            answer = await _doctor_out(db_session, doctor)
        return answer

    @delete("/{doctor_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def deactivate_doctor(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
    ) -> None:
        """Deactivates: the doctor's past shifts stay in the history and the exports."""
        async with change_path(request, db_session).change() as change:
            doctor = await _doctor(db_session, doctor_id)
            # A deactivated senior supervises no one: their interns need another maître de stage.
            await _check_supervision(db_session, doctor.id, "inactive", None)
            async with change.audited("doctor", doctor, "deactivate"):
                doctor.active = False

    @put("/{doctor_id:int}/centres/{centre_slug:str}", status_code=HTTP_200_OK)
    async def attach(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        centre_slug: PathText,
    ) -> DoctorOut:
        return await _set_link(request, db_session, doctor_id, centre_slug, attached=True)

    @delete("/{doctor_id:int}/centres/{centre_slug:str}", status_code=HTTP_200_OK)
    async def detach(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        centre_slug: PathText,
    ) -> DoctorOut:
        """Planned shifts there stay, and show as conflicts (not attached) to resolve."""
        return await _set_link(request, db_session, doctor_id, centre_slug, attached=False)
