"""The centre's consultation lengths for the predicted waits, from the days' histograms."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forecast.reads import centre_behaviour
from rota.models import Centre
from stats import reads as stats_reads
from stats.figures import CONSULT_EDGES, Figures
from stats.models import DayStats, figure_values
from tests.conftest import World

pytestmark = pytest.mark.timeout(60)

AS_OF = date(2026, 11, 24)


def _day(centre_id: int, day: date, lengths: dict[int, int]) -> DayStats:
    figures = Figures()
    for minutes, count in lengths.items():
        figures.consult_hist[CONSULT_EDGES.index(minutes)] += count
    return DayStats(
        centre_id=centre_id, service_day=day, weekday=day.isoweekday(), **figure_values(figures)
    )


async def test_lengths_follow_the_histograms_and_stay_bounded(
    db: async_sessionmaker[AsyncSession], world: World
) -> None:
    paris, lyon = world.centres["paris"].id, world.centres["lyon"].id
    async with db() as session:
        for back in range(1, 11):
            day = AS_OF - timedelta(days=back)
            session.add(_day(paris, day, {10: 60, 20: 20}))  # three in four last 10 minutes
        session.add(_day(lyon, AS_OF - timedelta(days=1), {5: 3}))
        session.add(_day(paris, AS_OF, {90: 1000}))  # the day itself is not history
        await session.commit()
    async with db() as session:
        lengths = await stats_reads.consult_lengths(
            session, paris, AS_OF - timedelta(days=56), AS_OF - timedelta(days=1)
        )
        behaviour = await centre_behaviour(session, await session.get(Centre, lyon), AS_OF)
        nothing = await centre_behaviour(
            session, await session.get(Centre, world.centres["bruxelles"].id), AS_OF
        )
    assert len(lengths) == stats_reads.CONSULT_SAMPLE  # 800 seen, 500 kept in proportion
    assert lengths.count(10.5) == 375 and lengths.count(20.5) == 125
    assert behaviour.consult_min == (5.5, 5.5, 5.5)
    assert nothing.consult_min == ()  # the estimator's default then
