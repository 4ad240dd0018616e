"""The network as managers set it up: doctors and where they work, centres' hours and rooms,
exceptional days and cover needs."""

from __future__ import annotations

from datetime import date, time

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET, structs
from sqlalchemy import delete as sql_delete
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.convert import centre_to_domain, hours_of
from rota.days import DayType
from rota.deps import centre_by_slug
from rota.schemas import (
    CentreIn,
    CentrePatch,
    CentreRotaOut,
    CoverNeedIn,
    CoverNeedOut,
    DoctorIn,
    DoctorOut,
    DoctorPatch,
    ExceptionalDayIn,
    ExceptionalDayOut,
    RoomIn,
    RoomOut,
    RoomPatch,
)
from service.accounts import Role, StaffAccount
from service.auth import manager_only
from service.errors import Conflict, DomainError, NotFound
from service.params import RowId


async def _doctor(session: AsyncSession, doctor_id: int) -> models.Doctor:
    found = await session.get(models.Doctor, doctor_id)
    if found is None:
        raise NotFound(f"Médecin inconnu / unknown doctor: {doctor_id}")
    return found


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
    )


async def _check_account(session: AsyncSession, account_id: int | None) -> None:
    if account_id is None:
        return
    account = await session.get(StaffAccount, account_id)
    if account is None or account.role != Role.DOCTOR:
        raise DomainError(
            "le compte lié doit exister et avoir le rôle médecin / the linked account must exist "
            "and have the doctor role"
        )


async def _rpps_free(session: AsyncSession, rpps: str | None, doctor_id: int | None) -> None:
    if rpps is None:
        return
    holder = (
        await session.execute(select(models.Doctor.id).where(models.Doctor.rpps == rpps))
    ).scalar_one_or_none()
    if holder is not None and holder != doctor_id:
        raise Conflict(f"RPPS {rpps} déjà attribué / already used by doctor {holder}")


class DoctorController(Controller):
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
        self, db_session: NamedDependency[AsyncSession], data: JSONBody[DoctorIn]
    ) -> DoctorOut:
        await _rpps_free(db_session, data.rpps, None)
        await _check_account(db_session, data.account_id)
        centres = [await centre_by_slug(db_session, slug) for slug in sorted(set(data.centres))]
        doctor = models.Doctor(
            display_name=data.display_name,
            rpps=data.rpps,
            weekly_limit_hours=data.weekly_limit_hours,
            min_rest_hours=data.min_rest_hours,
            active=data.active,
            account_id=data.account_id,
        )
        db_session.add(doctor)
        await db_session.flush()
        db_session.add_all(
            models.DoctorCentre(doctor_id=doctor.id, centre_id=c.id) for c in centres
        )
        await db_session.commit()
        return await _doctor_out(db_session, doctor)

    @get("/{doctor_id:int}")
    async def get_doctor(
        self, db_session: NamedDependency[AsyncSession], doctor_id: RowId
    ) -> DoctorOut:
        return await _doctor_out(db_session, await _doctor(db_session, doctor_id))

    @patch("/{doctor_id:int}")
    async def update_doctor(
        self,
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        data: JSONBody[DoctorPatch],
    ) -> DoctorOut:
        doctor = await _doctor(db_session, doctor_id)
        if data.rpps is not UNSET:
            await _rpps_free(db_session, data.rpps, doctor.id)
        if data.account_id is not UNSET:
            await _check_account(db_session, data.account_id)
        for name, value in structs.asdict(data).items():
            if value is not UNSET:
                setattr(doctor, name, value)
        await db_session.commit()
        return await _doctor_out(db_session, doctor)

    @delete("/{doctor_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def deactivate_doctor(
        self, db_session: NamedDependency[AsyncSession], doctor_id: RowId
    ) -> None:
        """Deactivates: the doctor's past shifts stay in the history and the exports."""
        doctor = await _doctor(db_session, doctor_id)
        doctor.active = False
        await db_session.commit()

    @put("/{doctor_id:int}/centres/{centre_slug:str}", status_code=HTTP_200_OK)
    async def attach(
        self,
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        centre_slug: FromPath[str],
    ) -> DoctorOut:
        doctor = await _doctor(db_session, doctor_id)
        centre = await centre_by_slug(db_session, centre_slug)
        link = (
            await db_session.execute(
                select(models.DoctorCentre).where(
                    models.DoctorCentre.doctor_id == doctor.id,
                    models.DoctorCentre.centre_id == centre.id,
                )
            )
        ).scalar_one_or_none()
        if link is None:  # PUT: attaching twice is fine
            db_session.add(models.DoctorCentre(doctor_id=doctor.id, centre_id=centre.id))
            await db_session.commit()
        return await _doctor_out(db_session, doctor)

    @delete("/{doctor_id:int}/centres/{centre_slug:str}", status_code=HTTP_200_OK)
    async def detach(
        self,
        db_session: NamedDependency[AsyncSession],
        doctor_id: RowId,
        centre_slug: FromPath[str],
    ) -> DoctorOut:
        """Planned shifts there stay, and show as conflicts (not attached) to resolve."""
        doctor = await _doctor(db_session, doctor_id)
        centre = await centre_by_slug(db_session, centre_slug)
        await db_session.execute(
            sql_delete(models.DoctorCentre).where(
                models.DoctorCentre.doctor_id == doctor.id,
                models.DoctorCentre.centre_id == centre.id,
            )
        )
        await db_session.commit()
        return await _doctor_out(db_session, doctor)


def _centre_out(centre: models.Centre) -> CentreRotaOut:
    return CentreRotaOut(
        slug=centre.slug,
        name=centre.name,
        timezone=centre.timezone,
        country=centre.country,
        subdivision=centre.subdivision,
        city=centre.city,
        address=centre.address,
        opening_hours=centre.opening_hours,
        whit_monday_is_holiday=centre.whit_monday_is_holiday,
        public_holiday_hours=centre.public_holiday_hours,
        rooms=[RoomOut(r.code, r.name, r.position) for r in centre.rooms],
    )


def _validated(centre: models.Centre) -> None:
    """Every setting must make a centre the rota logic accepts (zone, region, hours)."""
    try:
        for day, hours in centre.opening_hours.items():
            if day not in {str(d) for d in range(1, 8)}:
                raise ValueError(f"jour {day!r} : utilisez 1 (lundi) à 7 (dimanche)")
            hours_of(hours)
        centre_to_domain(centre)
    except ValueError as exc:
        raise DomainError(f"{exc} / invalid centre settings") from exc


class CentreRotaController(Controller):
    path = "/centres"
    guards = [manager_only]

    @get("/")
    async def list_centres(self, db_session: NamedDependency[AsyncSession]) -> list[CentreRotaOut]:
        rows = await db_session.execute(select(models.Centre).order_by(models.Centre.name))
        return [_centre_out(c) for c in rows.scalars()]

    @post("/", status_code=HTTP_201_CREATED)
    async def create_centre(
        self, db_session: NamedDependency[AsyncSession], data: JSONBody[CentreIn]
    ) -> CentreRotaOut:
        centre = models.Centre(**structs.asdict(data), event_seq=0)
        centre.rooms = []
        _validated(centre)
        db_session.add(centre)
        await db_session.commit()
        return _centre_out(centre)

    @get("/{centre_slug:str}")
    async def get_centre(
        self, db_session: NamedDependency[AsyncSession], centre_slug: FromPath[str]
    ) -> CentreRotaOut:
        return _centre_out(await centre_by_slug(db_session, centre_slug))

    @patch("/{centre_slug:str}")
    async def update_centre(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        data: JSONBody[CentrePatch],
    ) -> CentreRotaOut:
        centre = await centre_by_slug(db_session, centre_slug)
        for name, value in structs.asdict(data).items():
            if value is not UNSET:
                setattr(centre, name, value)
        _validated(centre)
        await db_session.commit()
        return _centre_out(centre)

    # --- rooms ---

    @post("/{centre_slug:str}/rooms", status_code=HTTP_201_CREATED)
    async def add_room(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        data: JSONBody[RoomIn],
    ) -> RoomOut:
        centre = await centre_by_slug(db_session, centre_slug)
        if any(room.code == data.code for room in centre.rooms):
            raise Conflict(f"La salle {data.code} existe déjà / room already exists")
        room = models.Room(
            centre_id=centre.id, code=data.code, name=data.name, position=data.position
        )
        db_session.add(room)
        await db_session.commit()
        return RoomOut(room.code, room.name, room.position)

    @patch("/{centre_slug:str}/rooms/{code:str}")
    async def update_room(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        code: FromPath[str],
        data: JSONBody[RoomPatch],
    ) -> RoomOut:
        room = _room(await centre_by_slug(db_session, centre_slug), code)
        for name, value in structs.asdict(data).items():
            if value is not UNSET:
                setattr(room, name, value)
        await db_session.commit()
        return RoomOut(room.code, room.name, room.position)

    @delete("/{centre_slug:str}/rooms/{code:str}", status_code=HTTP_204_NO_CONTENT)
    async def remove_room(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        code: FromPath[str],
    ) -> None:
        """Shifts in that room keep their doctor and lose the room."""
        room = _room(await centre_by_slug(db_session, centre_slug), code)
        await db_session.delete(room)
        await db_session.commit()

    # --- exceptional days ---

    @get("/{centre_slug:str}/exceptional-days")
    async def list_exceptional_days(
        self, db_session: NamedDependency[AsyncSession], centre_slug: FromPath[str]
    ) -> list[ExceptionalDayOut]:
        centre = await centre_by_slug(db_session, centre_slug)
        rows = await db_session.execute(
            select(models.ExceptionalDay)
            .where(models.ExceptionalDay.centre_id == centre.id)
            .order_by(models.ExceptionalDay.day)
        )
        return [ExceptionalDayOut(r.day, r.hours, r.reason) for r in rows.scalars()]

    @put("/{centre_slug:str}/exceptional-days/{day:date}", status_code=HTTP_200_OK)
    async def set_exceptional_day(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        day: FromPath[date],
        data: JSONBody[ExceptionalDayIn],
    ) -> ExceptionalDayOut:
        """Closed (no hours) or reduced hours that day; planned shifts outside them become
        conflicts to resolve."""
        centre = await centre_by_slug(db_session, centre_slug)
        try:
            hours_of(data.hours)
        except ValueError as exc:
            raise DomainError(f"{exc} / invalid hours") from exc
        row = (
            await db_session.execute(
                select(models.ExceptionalDay).where(
                    models.ExceptionalDay.centre_id == centre.id, models.ExceptionalDay.day == day
                )
            )
        ).scalar_one_or_none()
        if row is None:
            row = models.ExceptionalDay(centre_id=centre.id, day=day)
            db_session.add(row)
        row.hours, row.reason = data.hours, data.reason
        await db_session.commit()
        return ExceptionalDayOut(row.day, row.hours, row.reason)

    @delete("/{centre_slug:str}/exceptional-days/{day:date}", status_code=HTTP_204_NO_CONTENT)
    async def clear_exceptional_day(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        day: FromPath[date],
    ) -> None:
        centre = await centre_by_slug(db_session, centre_slug)
        await db_session.execute(
            sql_delete(models.ExceptionalDay).where(
                models.ExceptionalDay.centre_id == centre.id, models.ExceptionalDay.day == day
            )
        )
        await db_session.commit()

    # --- cover needs ---

    @get("/{centre_slug:str}/cover-needs")
    async def list_cover_needs(
        self, db_session: NamedDependency[AsyncSession], centre_slug: FromPath[str]
    ) -> list[CoverNeedOut]:
        centre = await centre_by_slug(db_session, centre_slug)
        return await _needs_out(db_session, centre)

    @put("/{centre_slug:str}/cover-needs", status_code=HTTP_200_OK)
    async def replace_cover_needs(
        self,
        db_session: NamedDependency[AsyncSession],
        centre_slug: FromPath[str],
        data: JSONBody[list[CoverNeedIn]],
    ) -> list[CoverNeedOut]:
        """The whole set of needs of the centre, replaced at once."""
        centre = await centre_by_slug(db_session, centre_slug)
        for need in data:
            if need.end <= need.start:  # "HH:MM" strings order like the times they name
                raise DomainError(
                    f"besoin {need.start}–{need.end} à l'envers / the need ends before it starts"
                )
        await db_session.execute(
            sql_delete(models.CoverNeed).where(models.CoverNeed.centre_id == centre.id)
        )
        db_session.add_all(
            models.CoverNeed(
                centre_id=centre.id,
                day_type=DayType(need.day_type).value,
                start_time=time.fromisoformat(need.start),
                end_time=time.fromisoformat(need.end),
                doctors=need.doctors,
            )
            for need in data
        )
        await db_session.commit()
        return await _needs_out(db_session, centre)


def _room(centre: models.Centre, code: str) -> models.Room:
    for room in centre.rooms:
        if room.code == code:
            return room
    raise NotFound(f"Salle inconnue / unknown room: {code!r}")


async def _needs_out(session: AsyncSession, centre: models.Centre) -> list[CoverNeedOut]:
    rows = await session.execute(
        select(models.CoverNeed)
        .where(models.CoverNeed.centre_id == centre.id)
        .order_by(models.CoverNeed.day_type, models.CoverNeed.start_time)
    )
    return [
        CoverNeedOut(r.day_type, f"{r.start_time:%H:%M}", f"{r.end_time:%H:%M}", r.doctors)
        for r in rows.scalars()
    ]
