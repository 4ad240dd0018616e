"""The demo network of rota.demo_network written into an empty database, in bulk.

About 26 centres, 350 doctors and a month of rota (12,000 shifts) around ``today``: built in
memory (the greedy filler takes about two seconds), then written with one multi-row insert
per table, so that the embedded `walkin serve` starts in seconds with pages full of data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.convert import hours_json
from rota.days import DayType
from rota.demo_network import DemoNetwork, build_demo_network
from service.accounts import StaffAccount
from service.db import BigIntAuditBase

DAYS_BEFORE = 14
DAYS_AFTER = 16


def demo_first_day(today: date) -> date:
    """The demo rota's first day: two weeks back, and the whole previous month at least (the
    statistics compare a past month's predicted waits with its rota)."""
    previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return min(today - timedelta(days=DAYS_BEFORE), previous_month)


async def _insert(
    session: AsyncSession, table: type[BigIntAuditBase], rows: Sequence[dict[str, Any]]
) -> list[int]:
    if not rows:
        return []
    result = await session.execute(
        insert(table).returning(table.id, sort_by_parameter_order=True), list(rows)
    )
    return list(result.scalars())


async def load_demo_network(
    session: AsyncSession, today: date, *, seed: int = 7, doctor_account: str | None = None
) -> list[models.Centre]:
    """Writes the demo network (without committing) and returns its centres with their rooms;
    ``doctor_account``: the username of a doctor account to link to a senior of the first
    centre (the demo's own doctor)."""
    demo = build_demo_network(
        seed=seed,
        first_day=demo_first_day(today),
        last_day=today + timedelta(days=DAYS_AFTER),
    )
    centre_ids = await _centres(session, demo)
    room_ids = await _rooms(session, demo, centre_ids)
    doctor_ids = await _doctors(session, demo, centre_ids)
    await _needs(session, demo, centre_ids)
    pattern_ids = await _insert(
        session,
        models.ShiftPattern,
        [
            {
                "doctor_id": doctor_ids[p.doctor_id],
                "centre_id": centre_ids[p.centre_id],
                "room_id": room_ids.get((p.centre_id, p.room)) if p.room else None,
                "weekdays": sorted(day + 1 for day in p.weekdays),
                "start_time": p.start_time,
                "end_time": p.end_time,
                "first_day": p.first_day,
                "last_day": p.last_day or demo.last_day,
                "interval_weeks": p.interval_weeks,
                "exception_days": sorted(d.isoformat() for d in p.exception_days),
                "skip_public_holidays": p.skip_public_holidays,
            }
            for p in demo.patterns
        ],
    )
    pattern_of = {p.id: i for p, i in zip(demo.patterns, pattern_ids, strict=True)}
    await session.execute(
        insert(models.Shift),
        [
            {
                "doctor_id": doctor_ids[s.doctor_id],
                "centre_id": centre_ids[s.centre_id],
                "room_id": room_ids.get((s.centre_id, s.room)) if s.room else None,
                "starts_at": s.start,
                "ends_at": s.end,
                # Pattern shifts are named "<pattern id>@<day>" by rota.patterns.
                "pattern_id": pattern_of.get(s.id.partition("@")[0]),
            }
            for s in demo.shifts
        ],
    )
    await session.execute(
        insert(models.Leave),
        [
            {
                "doctor_id": doctor_ids[leave.doctor_id],
                "starts_at": leave.start,
                "ends_at": leave.end,
                "status": leave.status.value,
                "reason": leave.reason,
            }
            for leave in demo.leaves
        ],
    )
    await _availability(session, demo, doctor_ids, today)
    await _next_month_draft(session, demo, centre_ids, doctor_ids, room_ids, today)
    await session.flush()
    rows = await session.execute(
        select(models.Centre).where(models.Centre.id.in_(centre_ids.values()))
    )
    order = {slug: n for n, slug in enumerate(centre_ids)}
    centres = sorted(rows.scalars(), key=lambda c: order[c.slug])
    if doctor_account is not None:
        await _link_demo_doctor(session, centres[0], doctor_account)
    await _offers(session, centres[0], today)
    return centres


# Centres whose next month is drafted already (the first ones, where the demo accounts work).
DRAFTED_CENTRES = 3


async def _next_month_draft(
    session: AsyncSession,
    demo: DemoNetwork,
    centre_ids: dict[str, int],
    doctor_ids: dict[str, int],
    room_ids: dict[tuple[str, str], int],
    today: date,
) -> None:
    """A first draft of next month at the first centres: each day as the same weekday four (or
    eight) weeks before, so that the planning page's predicted waits have a draft to judge
    before the network office solves the month."""
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    drafted = list(centre_ids)[:DRAFTED_CENTRES]
    plans = {centre.id: centre for centre in demo.centres}
    by_day: dict[tuple[str, date], list[Any]] = {}
    for shift in demo.shifts:
        if shift.centre_id in drafted:
            key = (shift.centre_id, plans[shift.centre_id].service_day(shift.start))
            by_day.setdefault(key, []).append(shift)
    rows: list[dict[str, Any]] = []
    day = max(first, demo.last_day + timedelta(days=1))
    while day < following:
        source = day - timedelta(weeks=4)
        while source > demo.last_day:
            source -= timedelta(weeks=4)
        for slug in drafted:
            zone = plans[slug].time_zone
            for shift in by_day.get((slug, source), []):
                start = _moved(shift.start, source, day, zone)
                rows.append(
                    {
                        "doctor_id": doctor_ids[shift.doctor_id],
                        "centre_id": centre_ids[slug],
                        "room_id": room_ids.get((slug, shift.room)) if shift.room else None,
                        "starts_at": start,
                        "ends_at": start + (shift.end - shift.start),
                    }
                )
        day += timedelta(days=1)
    if rows:
        await session.execute(insert(models.Shift), rows)


def _moved(instant: datetime, source: date, day: date, zone: str) -> datetime:
    """The same local wall-clock time on ``day`` as ``instant`` had on ``source``."""
    local = instant.astimezone(ZoneInfo(zone))
    wall = datetime.combine(day + (local.date() - source), local.time(), ZoneInfo(zone))
    return wall.astimezone(UTC)


async def _availability(
    session: AsyncSession, demo: DemoNetwork, doctor_ids: dict[str, int], today: date
) -> None:
    """About one doctor in three has given their availability and wishes for next month (the
    month the planning cycle solves next); the others said nothing yet (any day then)."""
    rng = random.Random(f"availability-{today}")
    first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    words: list[dict[str, Any]] = []
    wishes: list[dict[str, Any]] = []
    for doctor in demo.doctors[::3]:
        doctor_id = doctor_ids[doctor.id]
        for day in days:
            state = rng.choices(("available", "preferred", "unavailable"), (6, 2, 3))[0]
            words.append({"doctor_id": doctor_id, "day": day, "part": "day", "state": state})
        wishes.append(
            {
                "doctor_id": doctor_id,
                "month": first,
                "wanted_shifts": rng.choice((6, 8, 10, 12, 14)),
                "max_weekends": rng.choice((1, 2, 2, 3)),
            }
        )
    await _insert(session, models.Availability, words)
    await _insert(session, models.MonthWish, wishes)


async def _centres(session: AsyncSession, demo: DemoNetwork) -> dict[str, int]:
    rows = []
    for centre in demo.centres:
        weekly = centre.opening.weekly
        rows.append(
            {
                "slug": centre.id,
                "name": centre.name,
                "timezone": centre.time_zone,
                "country": centre.region.country,
                "subdivision": centre.region.subdivision,
                "opening_hours": {str(n + 1): hours_json(weekly[n]) for n in range(7)},
                "event_seq": 0,
                "city": centre.city,
                "address": centre.address,
                "whit_monday_is_holiday": centre.region.whit_monday_is_holiday,
            }
        )
    ids = await _insert(session, models.Centre, rows)
    return {centre.id: i for centre, i in zip(demo.centres, ids, strict=True)}


async def _rooms(
    session: AsyncSession, demo: DemoNetwork, centre_ids: dict[str, int]
) -> dict[tuple[str, str], int]:
    keys = [(c.id, code) for c in demo.centres for code in c.rooms]
    ids = await _insert(
        session,
        models.Room,
        [
            {"centre_id": centre_ids[slug], "code": code, "name": f"Cabinet {code}", "position": n}
            for n, (slug, code) in enumerate(keys)
        ],
    )
    return dict(zip(keys, ids, strict=True))


async def _doctors(
    session: AsyncSession, demo: DemoNetwork, centre_ids: dict[str, int]
) -> dict[str, int]:
    ids = await _insert(
        session,
        models.Doctor,
        [
            {
                "display_name": d.display_name,
                "weekly_limit_hours": d.weekly_limit_hours,
                "min_rest_hours": d.min_rest_hours,
                "active": True,
                "seniority": d.seniority.value,
            }
            for d in demo.doctors
        ],
    )
    doctor_ids = {d.id: i for d, i in zip(demo.doctors, ids, strict=True)}
    supervised = [d for d in demo.doctors if d.supervisor_id is not None]
    if supervised:
        await session.execute(
            update(models.Doctor),
            [
                {"id": doctor_ids[d.id], "supervisor_id": doctor_ids[str(d.supervisor_id)]}
                for d in supervised
            ],
        )
    await session.execute(
        insert(models.DoctorCentre),
        [
            {"doctor_id": doctor_ids[d.id], "centre_id": centre_ids[slug]}
            for d in demo.doctors
            for slug in sorted(d.centre_ids)
        ],
    )
    return doctor_ids


async def _needs(session: AsyncSession, demo: DemoNetwork, centre_ids: dict[str, int]) -> None:
    rows = []
    for slug, needs in demo.cover_needs.items():
        for kind in DayType:
            for segment in needs.segments_for(kind):
                rows.append(
                    {
                        "centre_id": centre_ids[slug],
                        "day_type": kind.value,
                        "start_time": segment.start,
                        "end_time": segment.end,
                        "doctors": segment.doctors,
                    }
                )
    await session.execute(insert(models.CoverNeed), rows)


async def _link_demo_doctor(session: AsyncSession, centre: models.Centre, username: str) -> None:
    """The demo doctor's account becomes a senior of the first centre: their own page shows
    their shifts and next month's availability."""
    account_id = (
        await session.execute(select(StaffAccount.id).where(StaffAccount.username == username))
    ).scalar_one_or_none()
    doctor = (
        await session.execute(
            select(models.Doctor)
            .join(models.DoctorCentre, models.DoctorCentre.doctor_id == models.Doctor.id)
            .where(models.DoctorCentre.centre_id == centre.id, models.Doctor.seniority == "senior")
            .order_by(models.Doctor.id)
            .limit(1)
        )
    ).scalar_one_or_none()
    if account_id is not None and doctor is not None:
        doctor.account_id = account_id


async def _offers(session: AsyncSession, centre: models.Centre, today: date) -> None:
    """Two shift offers at the first centre: a colleague's give-away still open (the demo
    doctor may take it) and one a colleague took, waiting on the managers' rota page."""
    demo_doctor = (
        await session.execute(
            select(models.Doctor.id).where(models.Doctor.account_id.is_not(None)).limit(1)
        )
    ).scalar_one_or_none()
    rows = await session.execute(
        select(models.Shift.id, models.Shift.doctor_id)
        .where(
            models.Shift.centre_id == centre.id,
            models.Shift.starts_at >= datetime.combine(today + timedelta(days=3), time(0), UTC),
        )
        .order_by(models.Shift.starts_at, models.Shift.id)
        .limit(40)
    )
    shifts = [(shift_id, doctor_id) for shift_id, doctor_id in rows.tuples()]
    others = [(s, d) for s, d in shifts if d != demo_doctor]
    if len(others) < 2:
        return
    (open_shift, giver), (taken_shift, second_giver) = others[0], others[1]
    taker = next((d for _, d in others if d not in (giver, second_giver)), None)
    session.add(
        models.ShiftOffer(
            shift_id=open_shift, from_doctor_id=giver, status="open", note="Formation"
        )
    )
    if taker is not None:
        session.add(
            models.ShiftOffer(
                shift_id=taken_shift,
                from_doctor_id=second_giver,
                taker_doctor_id=taker,
                status="taken",
                taken_at=datetime.combine(today, time(8), UTC),
            )
        )
