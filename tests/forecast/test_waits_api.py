"""Predicted waits of a draft through the real read path and HTTP; the wait target and the
cover needs from it: 4xx on bad input changes nothing, roles and centres are enforced."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forecast.models import WaitTargetRow
from rota import models
from rota.cycle import SolveJob, SolveJobs
from rota.domain import PlannedShift
from rota.problem import PlanChanges
from service.state import shell
from tests.conftest import StaffClients, World, add_centre_manager
from tests.forecast.seeded import MONDAY, add_shift, local, paris_doctors, seed_history

pytestmark = pytest.mark.timeout(240)

TARGET = "/api/forecast/centres/{}/wait-target"
FROM_TARGET = "/api/rota/centres/{}/cover-needs/from-target"


def _past_hours(page: str, day: str) -> set[int]:
    """The hours shown past target in the row of ``day`` of the waits fragment."""
    row = re.search(rf'<tr data-day="{day}"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None, page[:2000]
    return {int(h) for h in re.findall(r'<span class="hour past"[^>]*>(\d+)h', row.group(1))}


async def test_one_doctor_too_few_on_monday_morning_shows_and_adding_one_fixes_it(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    await seed_history(db, world)
    first, second, third = await paris_doctors(db, world, 3)
    # The draft: two doctors all day on Monday 7 December; the morning's ten an hour need three.
    for doctor in (first, second):
        await add_shift(db, world, doctor, MONDAY, 8, 20)
    manager = await clients("manager")
    page = await manager.get("/rota/waits", params={"centre": "paris", "month": "2026-12"})
    assert page.status_code == 200, page.text
    short = _past_hours(page.text, MONDAY.isoformat())
    assert short & {9, 10, 11}, short
    assert not short & {14, 15, 16, 17}  # two doctors are plenty in the afternoon

    # The third doctor, added the way a planner does it, for the morning.
    added = await manager.post(
        "/api/rota/shifts",
        json={
            "doctor_id": third,
            "centre": "paris",
            "day": MONDAY.isoformat(),
            "start_time": "08:00",
            "end_time": "13:00",
            "accept_warnings": True,
        },
    )
    assert added.status_code == 201, added.text
    page = await manager.get("/rota/waits", params={"centre": "paris", "month": "2026-12"})
    assert page.status_code == 200
    assert not _past_hours(page.text, MONDAY.isoformat()) & {8, 9, 10, 11, 12}

    # What each extra doctor buys, for the short day of another Monday of the draft.
    bought = await manager.get("/rota/waits/extra", params={"centre": "paris", "day": "2026-12-14"})
    assert bought.status_code == 200 and 'data-extra="2"' in bought.text


async def _target(db: async_sessionmaker[AsyncSession]) -> list[tuple[int, float, int]]:
    async with db() as session:
        rows = (await session.execute(select(WaitTargetRow))).scalars()
        return sorted((r.centre_id, r.share, r.minutes) for r in rows)


async def test_wait_target_is_set_checked_and_scoped(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    manager = await clients("manager")
    shown = await manager.get(TARGET.format("paris"))
    assert shown.status_code == 200 and shown.json()["default"] is True
    assert shown.json()["share"] == 0.9 and shown.json()["minutes"] == 45

    done = await manager.put(TARGET.format("paris"), json={"share": 0.8, "minutes": 30})
    assert done.status_code == 200, done.text
    assert (await manager.get(TARGET.format("paris"))).json()["default"] is False
    kept = await _target(db)
    for bad in (
        {"share": 0, "minutes": 30},
        {"share": 1.2, "minutes": 30},
        {"share": 0.9, "minutes": 4},
        {"share": 0.9, "minutes": 241},
        {"share": "most", "minutes": 30},
        {"share": 0.9},
        {"share": 0.9, "minutes": 30, "colour": "red"},
    ):
        refused = await manager.put(TARGET.format("paris"), json=bad)
        assert refused.status_code == 400, (bad, refused.text)
        assert refused.json().get("detail")
    assert await _target(db) == kept
    assert (
        await manager.put(TARGET.format("nowhere"), json={"share": 0.9, "minutes": 30})
    ).status_code == 404

    for username in ("reception-paris", "doctor-paris"):
        other = await clients(username)
        assert (
            await other.put(TARGET.format("paris"), json={"share": 0.5, "minutes": 60})
        ).status_code == 403
        assert (await other.get("/rota/waits", params={"centre": "paris"})).status_code == 403
    await add_centre_manager(db, world, "lyon-manager", ["lyon"])
    lyon = await clients("lyon-manager")
    assert (
        await lyon.put(TARGET.format("paris"), json={"share": 0.5, "minutes": 60})
    ).status_code == 403
    assert (await lyon.get("/rota/waits", params={"centre": "paris"})).status_code == 403
    assert (
        await lyon.put(TARGET.format("lyon"), json={"share": 0.95, "minutes": 60})
    ).status_code == 200
    assert await _target(db) == sorted([*kept, (world.centres["lyon"].id, 0.95, 60)])


async def _needs(
    db: async_sessionmaker[AsyncSession], centre_id: int
) -> list[tuple[str, str, str, int]]:
    async with db() as session:
        rows = (
            await session.execute(
                select(models.CoverNeed).where(models.CoverNeed.centre_id == centre_id)
            )
        ).scalars()
        return sorted(
            (r.day_type, f"{r.start_time:%H:%M}", f"{r.end_time:%H:%M}", r.doctors) for r in rows
        )


async def test_cover_needs_from_the_target(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    await seed_history(db, world)
    paris = world.centres["paris"].id
    async with db() as session:
        session.add(
            models.CoverNeed(
                centre_id=paris,
                day_type="weekday",
                start_time=time(8),
                end_time=time(20),
                doctors=1,
            )
        )
        await session.commit()
    before = await _needs(db, paris)
    manager = await clients("manager")

    for bad in ({"month": "2026-13"}, {"month": "December"}, {}, {"month": "2026-12", "x": 1}):
        refused = await manager.post(FROM_TARGET.format("paris"), json=bad)
        assert refused.status_code == 400, (bad, refused.text)
    assert (
        await manager.post(FROM_TARGET.format("nowhere"), json={"month": "2026-12"})
    ).status_code == 404
    for username in ("reception-paris", "doctor-paris"):
        other = await clients(username)
        assert (
            await other.post(FROM_TARGET.format("paris"), json={"month": "2026-12"})
        ).status_code == 403
    await add_centre_manager(db, world, "lyon-manager", ["lyon"])
    lyon = await clients("lyon-manager")
    assert (
        await lyon.post(FROM_TARGET.format("paris"), json={"month": "2026-12"})
    ).status_code == 403
    assert await _needs(db, paris) == before

    applied = await manager.post(FROM_TARGET.format("paris"), json={"month": "2026-12"})
    assert applied.status_code == 200, applied.text
    needs = await _needs(db, paris)
    assert needs != before
    kinds = {kind for kind, *_ in needs}
    assert kinds == {"weekday", "weekend", "public_holiday"}  # December has Christmas
    weekday = {(start, end): n for kind, start, end, n in needs if kind == "weekday"}
    # Monday mornings (ten an hour) need more doctors than the afternoons (four an hour).
    assert weekday[("08:00", "09:00")] > min(weekday.values()) >= 1
    assert applied.json() == [
        {"day_type": k, "start": s, "end": e, "doctors": n} for k, s, e, n in sorted(needs)
    ]


async def test_the_solver_preview_is_judged_when_asked(
    app: Litestar, db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    """The network office ticks "with the solver's proposal": the preview's shifts count."""
    await seed_history(db, world)
    first, second, third = await paris_doctors(db, world, 3)
    for doctor in (first, second):
        await add_shift(db, world, doctor, MONDAY, 8, 20)
    proposal = PlannedShift("new-1", str(third), "paris", local(MONDAY, 8), local(MONDAY, 13))
    job = SolveJob(date(2026, 12, 1))
    job.changes = PlanChanges(added=(proposal,), moved=(), removed=())
    shell(app).part(SolveJobs).jobs[job.month] = job
    manager = await clients("manager")
    query = {"centre": "paris", "month": "2026-12"}
    stored = await manager.get("/rota/waits", params=query)
    previewed = await manager.get("/rota/waits", params={**query, "preview": "true"})
    assert stored.status_code == previewed.status_code == 200
    assert _past_hours(stored.text, MONDAY.isoformat()) & {9, 10, 11}
    assert not _past_hours(previewed.text, MONDAY.isoformat()) & {8, 9, 10, 11, 12}


async def test_the_waits_pages_refuse_bad_queries(clients: StaffClients) -> None:
    manager = await clients("manager")
    for params, status in (
        ({"centre": "paris", "month": "2026-13"}, 400),
        ({"centre": "paris", "month": "soon"}, 400),
        ({"centre": "nowhere", "month": "2026-12"}, 404),
        ({"month": "2026-12"}, 400),
    ):
        answer = await manager.get("/rota/waits", params=params)
        assert answer.status_code == status, (params, answer.text[:300])
    for params, status in (
        ({"centre": "paris", "day": "2026-02-30"}, 400),
        ({"centre": "paris", "day": "9999-12-31"}, 400),
        ({"centre": "paris"}, 400),
        ({"centre": "nowhere", "day": "2026-12-07"}, 404),
    ):
        answer = await manager.get("/rota/waits/extra", params=params)
        assert answer.status_code == status, (params, answer.text[:300])


async def test_cover_needs_are_kept_without_any_forecast(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    """No history anywhere: nothing to size needs on, so they are not wiped to zero."""
    paris = world.centres["paris"].id
    async with db() as session:
        session.add(
            models.CoverNeed(
                centre_id=paris,
                day_type="weekday",
                start_time=time(8),
                end_time=time(20),
                doctors=2,
            )
        )
        await session.commit()
    manager = await clients("manager")
    refused = await manager.post(FROM_TARGET.format("paris"), json={"month": "2026-12"})
    assert refused.status_code == 409 and "forecast" in refused.json()["detail"]
    assert await _needs(db, paris) == [("weekday", "08:00", "20:00", 2)]
