"""Which centres a planner may plan: network managers every one, centre managers their own.

The checks run before any write, so a refusal (403) changes nothing.
"""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from service.auth import Principal

NOT_YOURS = "not your centre / ce centre n'est pas le vôtre"


def planned_slugs(principal: Principal) -> frozenset[str] | None:
    """The centres the principal plans; None: the whole network."""
    return None if principal.network_wide else principal.centre_slugs


def require_centre(principal: Principal, slug: str) -> None:
    if not principal.may_act_at(slug):
        raise PermissionDeniedException(NOT_YOURS)


async def doctor_centre_ids(session: AsyncSession, doctor_id: int) -> set[int]:
    rows = await session.execute(
        select(models.DoctorCentre.centre_id).where(models.DoctorCentre.doctor_id == doctor_id)
    )
    return set(rows.scalars())


async def require_whole_doctor(session: AsyncSession, principal: Principal, doctor_id: int) -> None:
    """Leave is the doctor's, not a centre's: approving it takes the doctor off the rota of
    every centre they are attached to (and its conflicts land there). So a centre manager
    decides a doctor's leave only when every one of the doctor's centres is theirs; a doctor
    shared with another manager's centre is the network office's call, as is one attached to
    no centre at all (no centre manager answers for them). An unknown doctor is left to the
    handler's 404."""
    if principal.network_wide:
        return
    if await session.get(models.Doctor, doctor_id) is None:
        return
    centres = await doctor_centre_ids(session, doctor_id)
    if not centres or not centres <= principal.centre_ids:
        raise PermissionDeniedException(
            "this doctor works at centres that are not yours: the network office decides / "
            "ce médecin exerce dans des centres qui ne sont pas les vôtres : le réseau décide"
        )


async def doctors_seen(session: AsyncSession, principal: Principal) -> set[int] | None:
    """The doctors whose leave a planner sees: those attached to one of their centres (None:
    every doctor)."""
    if principal.network_wide:
        return None
    rows = await session.execute(
        select(models.DoctorCentre.doctor_id).where(
            models.DoctorCentre.centre_id.in_(principal.centre_ids)
        )
    )
    return set(rows.scalars())


async def doctors_decided(session: AsyncSession, principal: Principal) -> set[int] | None:
    """The doctors whose leave a planner decides (see require_whole_doctor; None: all)."""
    if principal.network_wide:
        return None
    rows = await session.execute(
        select(models.DoctorCentre.doctor_id, models.DoctorCentre.centre_id)
    )
    centres: dict[int, set[int]] = {}
    for doctor_id, centre_id in rows.all():
        centres.setdefault(int(doctor_id), set()).add(int(centre_id))
    return {d for d, ids in centres.items() if ids <= principal.centre_ids}
