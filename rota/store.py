"""Reading the rota from the database in a handful of queries, as plain rota values.

A view of a whole month loads its shifts in one query of plain columns (no ORM objects:
about 12,000 rows for the demo network), so that the decision modules get the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.checks import RotaContext
from rota.convert import (
    centre_slugs_by_doctor,
    centre_to_domain,
    cover_needs_of,
    doctor_to_domain,
    leave_to_domain,
    shift_of,
)
from rota.coverage import CoverNeeds
from rota.domain import CentrePlan, DoctorPlan, LeaveSpan, LeaveStatus, PlannedShift
from service.errors import NotFound


@dataclass(frozen=True)
class Network:
    """Centres, rooms, doctors and cover needs: what every rota decision looks up."""

    centres: dict[str, CentrePlan]  # by slug
    centre_rows: dict[str, models.Centre]  # by slug
    slug_of: dict[int, str]  # centre id → slug
    room_code_of: dict[int, str]  # room id → code
    doctors: dict[str, DoctorPlan]  # by str(id)
    doctor_rows: dict[int, models.Doctor]
    needs: dict[str, CoverNeeds]  # by slug; centres without needs are absent

    def centre_row(self, slug: str) -> models.Centre:
        found = self.centre_rows.get(slug)
        if found is None:
            raise NotFound(f"Centre inconnu / unknown centre: {slug!r}")
        return found

    def doctor_row(self, doctor_id: int) -> models.Doctor:
        found = self.doctor_rows.get(doctor_id)
        if found is None:
            raise NotFound(f"Médecin inconnu / unknown doctor: {doctor_id}")
        return found

    def room_id(self, slug: str, code: str | None) -> int | None:
        """The id of a room by its code at a centre; NotFound for an unknown centre or room."""
        centre = self.centre_row(slug)
        if code is None:
            return None
        for room in centre.rooms:
            if room.code == code:
                return room.id
        raise NotFound(f"Salle {code!r} inconnue au centre {slug} / unknown room")

    def leave_zone(self, doctor_id: int | str) -> str:
        """The zone a doctor's leave days are read in, when asked for and when shown: that of
        their centres (all of a network's centres but the overseas ones share it; the first by
        name otherwise); Paris for a doctor attached nowhere yet."""
        doctor = self.doctors.get(str(doctor_id))
        zones = sorted(self.centres[slug].time_zone for slug in doctor.centre_ids) if doctor else []
        return zones[0] if zones else "Europe/Paris"

    def context(self, leaves: Iterable[LeaveSpan] = ()) -> RotaContext:
        return RotaContext.build(self.centres.values(), self.doctors.values(), leaves, self.needs)

    def day_window(self, first_day: date, last_day: date) -> tuple[datetime, datetime]:
        """UTC bounds safely around local days first..last in every zone (±14 h)."""
        return (
            datetime.combine(first_day, time(0), UTC) - timedelta(days=1),
            datetime.combine(last_day, time(0), UTC) + timedelta(days=2),
        )


async def load_network(session: AsyncSession) -> Network:
    centre_rows = (await session.execute(select(models.Centre))).scalars().all()
    slug_of = {row.id: row.slug for row in centre_rows}
    exceptions: dict[int, list[models.ExceptionalDay]] = defaultdict(list)
    for exception in (await session.execute(select(models.ExceptionalDay))).scalars():
        exceptions[exception.centre_id].append(exception)
    needs: dict[int, list[models.CoverNeed]] = defaultdict(list)
    for need in (await session.execute(select(models.CoverNeed))).scalars():
        needs[need.centre_id].append(need)
    doctor_rows = (await session.execute(select(models.Doctor))).scalars().all()
    attachments = await session.execute(
        select(models.DoctorCentre.doctor_id, models.DoctorCentre.centre_id)
    )
    slugs = centre_slugs_by_doctor(attachments.tuples(), slug_of)
    return Network(
        centres={row.slug: centre_to_domain(row, exceptions[row.id]) for row in centre_rows},
        centre_rows={row.slug: row for row in centre_rows},
        slug_of=slug_of,
        room_code_of={room.id: room.code for row in centre_rows for room in row.rooms},
        doctors={str(d.id): doctor_to_domain(d, slugs.get(d.id, ())) for d in doctor_rows},
        doctor_rows={d.id: d for d in doctor_rows},
        needs={slug_of[c]: cover_needs_of(rows) for c, rows in needs.items()},
    )


async def load_shifts(
    session: AsyncSession,
    network: Network,
    start: datetime,
    end: datetime,
    *,
    centre_ids: Collection[int] | None = None,
    doctor_ids: Collection[int] | None = None,
) -> list[PlannedShift]:
    """Shifts overlapping [start, end); with both filters, those matching either."""
    s = models.Shift
    query = select(s.id, s.doctor_id, s.centre_id, s.room_id, s.starts_at, s.ends_at).where(
        s.starts_at < end, s.ends_at > start
    )
    if centre_ids is not None and doctor_ids is not None:
        query = query.where(s.centre_id.in_(centre_ids) | s.doctor_id.in_(doctor_ids))
    elif centre_ids is not None:
        query = query.where(s.centre_id.in_(centre_ids))
    elif doctor_ids is not None:
        query = query.where(s.doctor_id.in_(doctor_ids))
    slug_of, room_of = network.slug_of, network.room_code_of
    # Through the connection, not the ORM session: plain rows come back about twice as fast.
    connection = await session.connection()
    return [
        shift_of(i, d, slug_of[c], room_of.get(r) if r is not None else None, a, b)
        for i, d, c, r, a, b in (await connection.execute(query)).tuples()
    ]


BLOCKING = (LeaveStatus.APPROVED.value, LeaveStatus.PENDING.value)


async def load_leaves(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    *,
    doctor_ids: Collection[int] | None = None,
    statuses: Collection[str] = BLOCKING,
) -> list[LeaveSpan]:
    query = select(models.Leave).where(
        models.Leave.starts_at < end,
        models.Leave.ends_at > start,
        models.Leave.status.in_(statuses),
    )
    if doctor_ids is not None:
        query = query.where(models.Leave.doctor_id.in_(doctor_ids))
    return [leave_to_domain(row) for row in (await session.execute(query)).scalars()]


@dataclass(frozen=True)
class Period:
    """The rota of local days first..last: shifts (plus margins for rest and weeks), leave."""

    network: Network
    first_day: date
    last_day: date
    shifts: list[PlannedShift]
    leaves: list[LeaveSpan]

    def context(self) -> RotaContext:
        return self.network.context(self.leaves)


async def load_period(
    session: AsyncSession,
    first_day: date,
    last_day: date,
    *,
    whole_weeks: bool = False,
    network: Network | None = None,
) -> Period:
    """With whole_weeks, shifts cover the ISO weeks around the days, for weekly limits."""
    network = network or await load_network(session)
    first, last = first_day, last_day
    if whole_weeks:
        first = first_day - timedelta(days=first_day.weekday() + 1)  # and the Sunday before
        last = last_day + timedelta(days=6 - last_day.weekday())
    start, end = network.day_window(first, last)
    shifts = await load_shifts(session, network, start, end)
    leaves = await load_leaves(session, start, end)
    return Period(network, first_day, last_day, shifts, leaves)
