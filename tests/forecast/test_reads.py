"""The forecast's and the statistics' read functions on the database (SQLite by default)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forecast.reads import demand_forecasts
from forecast.types import Source
from stats import reads as stats_reads
from stats.figures import Figures
from stats.models import HourStats, figure_values
from tests.conftest import World

pytestmark = pytest.mark.timeout(60)

AS_OF = date(2026, 11, 2)  # a Monday
HOURS = range(8, 20)  # the world's centres open 08:00-20:00


def _row(centre_id: int, day: date, hour: int, standard: int, urgent: int) -> HourStats:
    figures = Figures(arrivals_standard=standard, arrivals_urgent=urgent)
    return HourStats(
        centre_id=centre_id,
        service_day=day,
        hour=hour,
        weekday=day.isoweekday(),
        **figure_values(figures),
    )


async def _seed(db: async_sessionmaker[AsyncSession], world: World) -> None:
    """Ten weeks at Paris (Saturdays twice as busy), then a day after as_of with a crowd that
    no forecast made before it may see; Lyon has three weeks only."""
    async with db() as session:
        paris, lyon = world.centres["paris"].id, world.centres["lyon"].id
        for back in range(1, 71):
            day = AS_OF - timedelta(days=back)
            busy = 2 if day.isoweekday() == 6 else 1
            session.add_all(_row(paris, day, h, 9 * busy, 1 * busy) for h in HOURS)
            if back <= 21:
                session.add_all(_row(lyon, day, h, 18 * busy, 2 * busy) for h in HOURS)
        session.add_all(_row(paris, AS_OF, h, 500, 0) for h in HOURS)
        await session.commit()


async def test_forecasts_train_before_as_of_with_the_open_hours(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _seed(db, world)
    ids = [c.id for c in world.centres.values()]
    async with db() as session:
        found = await demand_forecasts(session, ids, AS_OF, AS_OF + timedelta(days=13), as_of=AS_OF)
    paris = found[world.centres["paris"].id]
    assert paris.source is Source.CENTRE and paris.history_days == 70
    assert len(paris.days) == 14
    monday = paris.days[0]
    assert [h.hour for h in monday.hours] == list(HOURS)
    assert monday.mean == pytest.approx(120, rel=0.1)  # not the crowd of as_of itself
    saturday = paris.day(date(2026, 11, 7))
    assert saturday is not None and saturday.mean == pytest.approx(240, rel=0.1)
    assert all(h.low < h.mean < h.high for h in monday.hours)
    assert monday.hours[0].urgent_share == pytest.approx(0.1, abs=0.02)

    lyon = found[world.centres["lyon"].id]
    assert lyon.source is Source.NETWORK and lyon.history_days == 21
    # The network's shape at Lyon's level: about twice Paris, Saturdays still doubled.
    assert lyon.days[0].mean == pytest.approx(240, rel=0.15)
    lyon_saturday = lyon.day(date(2026, 11, 7))
    assert lyon_saturday is not None and lyon_saturday.mean == pytest.approx(480, rel=0.15)


async def test_stats_reads_give_hourly_arrivals_of_centres_and_the_average_centre(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    await _seed(db, world)
    paris = world.centres["paris"].id
    async with db() as session:
        hours = await stats_reads.hourly_arrivals(
            session, [paris], AS_OF - timedelta(days=7), AS_OF - timedelta(days=1)
        )
        network = await stats_reads.network_hourly_arrivals(
            session, AS_OF - timedelta(days=7), AS_OF - timedelta(days=1)
        )
    assert len(hours[paris]) == 7
    assert hours[paris][AS_OF - timedelta(days=1)][8] == (9, 1)
    # Paris 10, Lyon 20 arrivals at 8 on a Sunday: the average centre has 15.
    sunday = network[AS_OF - timedelta(days=1)][8]
    assert sunday[0] + sunday[1] == pytest.approx(15)


async def test_public_holidays_are_the_centre_region_s(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    """21 July is Belgium's national day, not France's. Each history has Sundays and its own
    country's holidays (Ascension, Whit Monday...) twice as busy: Bruxelles-Midi's 21 July is
    forecast as such a holiday, Paris's as the Tuesday it is."""
    as_of = date(2026, 7, 13)
    paris, brussels = world.centres["paris"].id, world.centres["bruxelles"].id
    async with db() as session:
        for centre_id, country in ((paris, "FR"), (brussels, "BE")):
            own = holidays.country_holidays(country, years=2026)
            for back in range(1, 64):
                day = as_of - timedelta(days=back)
                busy = 2 if day.isoweekday() == 7 or day in own else 1
                session.add_all(_row(centre_id, day, h, 9 * busy, busy) for h in HOURS)
        await session.commit()
        found = await demand_forecasts(
            session, [paris, brussels], date(2026, 7, 21), date(2026, 7, 21), as_of=as_of
        )
    assert found[paris].days[0].mean == pytest.approx(120, rel=0.1)
    assert found[brussels].days[0].mean == pytest.approx(240, rel=0.1)
