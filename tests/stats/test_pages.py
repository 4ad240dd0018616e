"""The statistics pages and their CSV files, for whom they are, and bad periods refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models as rota_models
from service.accounts import Role
from service.db import WriteGate
from stats import job
from tests.conftest import StaffClients, World, staff_account
from tests.stats.replayed import replayed_tickets, scenario
from tests.stats.test_job import DAY, NOW

pytestmark = pytest.mark.timeout(120)


async def _seed(db: async_sessionmaker[AsyncSession], world: World) -> tuple[int, int]:
    """The replayed Sunday at Paris, called by two doctors of the rota; the statistics run."""
    centre = world.centres["paris"]
    async with db() as session:
        accounts = [staff_account(f"dr-{n}", Role.DOCTOR, centre) for n in range(2)]
        session.add_all(accounts)
        await session.flush()
        doctors = [
            rota_models.Doctor(display_name=f"Dr Stat {n}", account_id=a.id, rpps=f"1000000000{n}")
            for n, a in enumerate(accounts)
        ]
        session.add_all(doctors)
        await session.flush()
        session.add(
            rota_models.Shift(
                doctor_id=doctors[0].id,
                centre_id=centre.id,
                starts_at=datetime(2026, 10, 11, 6, 0, tzinfo=UTC),
                ends_at=datetime(2026, 10, 11, 14, 0, tzinfo=UTC),
            )
        )
        session.add_all(replayed_tickets(scenario(), centre.id, DAY, [a.id for a in accounts]))
        await session.commit()
        ids = doctors[0].id, doctors[1].id
    await job.run(db, NOW, WriteGate(enabled=False))
    return ids


async def test_manager_reads_every_page_with_charts_tables_and_csv(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    first, _ = await _seed(db, world)
    manager = await clients("manager")
    html = {"accept": "text/html"}
    pages = {
        "/stats/network?from=2026-10-01&to=2026-10-31": ["Paris 11e", "chart-heatmap-arrivals"],
        "/stats/centres/paris?day=2026-10-11": ["chart-arrivals", "chart-waits"],
        "/stats/centres/paris?month=2026-10": ["chart-days", "Dr Stat 0"],
        "/stats/estimates?from=2026-10-01&to=2026-10-31": ["chart-estimates", "Paris 11e"],
        f"/stats/doctors/{first}?month=2026-10": ["Dr Stat 0", "RPPS", "data-print"],
    }
    for path, expected in pages.items():
        answer = await manager.get(path, headers=html)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert "<svg" in answer.text and "<title" in answer.text and "<table" in answer.text
        for text in expected:
            assert text in answer.text, (path, text)
    arrivals = len(scenario().patients)
    csv = await manager.get("/stats/network/csv?table=centres&from=2026-10-01&to=2026-10-31")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    paris = next(line for line in csv.text.splitlines() if line.startswith("Paris 11e"))
    assert paris.split(";")[1] == str(arrivals)
    hours = await manager.get("/stats/centres/paris/csv?table=hours&day=2026-10-11")
    rows = [line.split(";") for line in hours.text.splitlines()[1:]]
    assert sum(int(row[1]) for row in rows) == arrivals
    statement = await manager.get(f"/stats/doctors/{first}/csv?month=2026-10")
    assert statement.status_code == 200
    assert "2026-10-11;Paris 11e;08:00;16:00;8.0" in statement.text  # the shift, local times


async def test_who_may_read_what(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    first, second = await _seed(db, world)
    desk = await clients("reception-paris")
    managers_only = ("/stats/network", "/stats/centres/paris", "/stats/estimates")
    for path in (*managers_only, "/stats/network/csv"):
        assert (await desk.get(path)).status_code == 403, path
    assert (await desk.get(f"/stats/doctors/{first}")).status_code == 403
    doctor = await clients("dr-0")
    mine = await doctor.get("/stats/doctors/me?month=2026-10")
    assert mine.status_code == 303
    assert mine.headers["location"] == f"/stats/doctors/{first}?month=2026-10"
    assert (await doctor.get(f"/stats/doctors/{first}?month=2026-10")).status_code == 200
    assert (await doctor.get(f"/stats/doctors/{second}")).status_code == 403
    assert (await doctor.get(f"/stats/doctors/{second}/csv")).status_code == 403
    assert (await doctor.get("/stats/network")).status_code == 403
    anonymous = await clients()
    page = await anonymous.get("/stats/network", headers={"accept": "text/html"})
    assert page.status_code == 303
    csv = await anonymous.get("/stats/network/csv")  # a download link: sign in, then back
    assert csv.status_code == 303 and csv.headers["location"].startswith("/login?next=")


async def test_bad_periods_are_refused_with_a_message(clients: StaffClients) -> None:
    manager = await clients("manager")
    for path in (
        "/stats/network?from=2026-13-01",
        "/stats/network?from=2026-10-31&to=2026-10-01",
        "/stats/network?from=2020-01-01&to=2026-10-01",
        "/stats/centres/paris?month=2026-1x",
        "/stats/centres/paris?day=yesterday",
        "/stats/doctors/1?month=13-2026",
    ):
        answer = await manager.get(path)
        assert answer.status_code == 400, (path, answer.status_code)
    assert (await manager.get("/stats/centres/nowhere")).status_code == 404
    assert (await manager.get("/stats/doctors/999999")).status_code == 404


async def test_a_finished_day_is_recomputed_on_request_idempotently(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    await _seed(db, world)
    manager = await clients("manager")
    path = "/api/stats/centres/paris/days/2026-10-11/recompute"
    answer = await manager.post(path)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["changed"] is False  # the job had stored these figures already
    assert body["arrivals"] == len(scenario().patients)
    # Not a date: no such route (Litestar matches typed path parameters while routing).
    refused = await manager.post("/api/stats/centres/paris/days/2026-13-01/recompute")
    assert refused.status_code == 404, refused.text
    for unfinished in ("2026-11-24", "2027-01-01"):  # today, the future
        refused = await manager.post(f"/api/stats/centres/paris/days/{unfinished}/recompute")
        assert refused.status_code == 409, (unfinished, refused.text)
    desk = await clients("reception-paris")
    assert (await desk.post(path)).status_code == 403


async def test_the_pages_speak_english_when_asked(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    await _seed(db, world)
    manager = await clients("manager")
    page = await manager.get(
        "/stats/centres/paris?day=2026-10-11&lang=en", headers={"accept": "text/html"}
    )
    assert page.status_code == 200
    assert (
        'lang="en"' in page.text and "Arrivals by hour against the doctors on the rota" in page.text
    )
    assert "12.5" not in page.text or "12,5" not in page.text  # one decimal mark per language


def test_a_centre_manager_reads_only_their_centres() -> None:
    from service.auth import Principal
    from stats.access import allowed_centres

    def who(role: Role, centre_id: int | None, centres: frozenset[int]) -> Principal:
        return Principal(
            account_id=1,
            username="u",
            display_name="U",
            role=role,
            centre_id=centre_id,
            centre_slug=None,
            centre_ids=centres,
        )

    assert allowed_centres(who(Role.MANAGER, None, frozenset())) is None
    assert allowed_centres(who(Role.DOCTOR, 3, frozenset({3}))) == {3}
    assert allowed_centres(who(Role.CENTRE_MANAGER, None, frozenset({3, 5}))) == {3, 5}
    assert allowed_centres(who(Role.RECEPTION, None, frozenset())) == frozenset()
