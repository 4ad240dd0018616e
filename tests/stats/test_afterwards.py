"""Afterwards, the truth: a past month's forecast and predicted waits against what happened,
for whom the page is, and what it refuses."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rota import models as rota_models
from stats import afterwards_pages
from stats.demo import demo_day_figures
from stats.job import bulk_insert
from tests.conftest import StaffClients, World, add_centre_manager

pytestmark = pytest.mark.timeout(120)

FIRST = date(2026, 7, 1)
MONTH = date(2026, 10, 1)
HOURS = list(range(8, 20))


async def _seed(db: async_sessionmaker[AsyncSession], world: World) -> None:
    """Paris: four months of generated days (three before October to train on); two doctors
    on every October day, 08:00-20:00 local."""
    paris = world.centres["paris"]
    async with db() as session:
        doctors = [rota_models.Doctor(display_name=f"Dr Vérité {n}") for n in range(2)]
        session.add_all(doctors)
        await session.flush()
        days = []
        day = FIRST
        while day < date(2026, 11, 1):
            if day >= MONTH:
                start = datetime.combine(day, time(8), paris.tz).astimezone(UTC)
                end = datetime.combine(day, time(20), paris.tz).astimezone(UTC)
                session.add_all(
                    rota_models.Shift(
                        doctor_id=d.id, centre_id=paris.id, starts_at=start, ends_at=end
                    )
                    for d in doctors
                )
                spans = [(start, end), (start, end)]
            else:
                spans = []
            rng = random.Random(f"truth:{day}")
            figures = demo_day_figures(rng, day, paris.tz, HOURS, 120, spans)
            days.append((paris.id, day, figures))
            day += timedelta(days=1)
        await bulk_insert(session, days)
        await session.commit()


def _rows(csv: str) -> list[list[str]]:
    return [line.split(";") for line in csv.lstrip("\ufeff").splitlines()[1:]]


async def test_a_past_month_shows_forecast_and_predicted_waits_against_actual(
    db: async_sessionmaker[AsyncSession],
    world: World,
    clients: StaffClients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _seed(db, world)
    manager = await clients("manager")
    page = await manager.get("/stats/afterwards?month=2026-10", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text[:300]
    for text in ("chart-truth-arrivals", "chart-truth-waits", "Paris 11e", "<table"):
        assert text in page.text
    csv = await manager.get("/stats/afterwards/csv?month=2026-10&table=centre_weeks")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = _rows(csv.text)
    assert {row[0] for row in rows} == {"Paris 11e"}  # the others have no figures
    assert [row[1] for row in rows] == [
        "2026-09-28",
        *(f"2026-10-{d:02d}" for d in (5, 12, 19, 26)),
    ]
    assert sum(int(row[2]) for row in rows) == 31  # weeks cut at the month's edges
    forecast = sum(float(row[4]) for row in rows)
    actual = sum(int(row[5]) for row in rows)
    assert forecast == pytest.approx(actual, rel=0.15)  # trained on July to September only
    for row in rows:
        predicted_p90, actual_p90 = row[9], row[10]
        assert predicted_p90 and actual_p90  # both halves filled in
    weeks = _rows((await manager.get("/stats/afterwards/csv?month=2026-10&table=weeks")).text)
    assert len(weeks) == 5
    # Beyond a few centres the page leaves the replay to each centre's own page.
    monkeypatch.setattr(afterwards_pages, "PREDICT_UP_TO", 0)
    network = await manager.get("/stats/afterwards?month=2026-10", headers={"accept": "text/html"})
    assert network.status_code == 200 and "chart-truth-waits" not in network.text
    assert "/stats/afterwards?month=2026-10&amp;centre=paris" in network.text
    quick = _rows(
        (await manager.get("/stats/afterwards/csv?month=2026-10&table=centre_weeks")).text
    )
    assert [row[9] for row in quick] == [""] * 5 and [row[5] for row in quick] == [
        r[5] for r in rows
    ]
    english = await manager.get(
        "/stats/afterwards?month=2026-10&lang=en", headers={"accept": "text/html"}
    )
    assert "Forecast arrivals" in english.text and "Arrivées prévues" not in english.text


async def test_the_page_is_for_managers_of_the_centres_shown(
    db: async_sessionmaker[AsyncSession], world: World, clients: StaffClients
) -> None:
    await _seed(db, world)
    await add_centre_manager(db, world, "gestion-lyon", ["lyon"])
    lyon_manager = await clients("gestion-lyon")
    own = await lyon_manager.get("/stats/afterwards/csv?month=2026-10&table=centre_weeks")
    assert own.status_code == 200 and "Paris" not in own.text
    assert (await lyon_manager.get("/stats/afterwards?centre=paris")).status_code == 403
    assert (await lyon_manager.get("/stats/afterwards?centre=nowhere")).status_code == 404
    reception = await clients("reception-paris")
    assert (await reception.get("/stats/afterwards?month=2026-10")).status_code == 403
    manager = await clients("manager")
    for query, status in (
        ("month=2026-13", 400),
        ("month=soon", 400),
        ("month=2027-01", 400),  # not begun: nothing to compare
        ("month=2026-10&centre=" + "x" * 80, 400),
    ):
        answer = await manager.get(f"/stats/afterwards?{query}")
        assert answer.status_code == status, (query, answer.text[:200])
