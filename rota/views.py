"""The managers' views of a period: cover against need, conflicts, fairness."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from rota.answers import day_cover_out
from rota.checks import check_shifts
from rota.conflicts import RotaConflict
from rota.coverage import DayCover, network_coverage
from rota.fairness import Spread, fairness
from rota.schemas import DayCoverOut, FairnessOut, LoadOut, SpreadOut
from rota.store import Period

LONGEST_VIEW_DAYS = 62  # two months of the whole network stays well under a second


def coverage(period: Period, slugs: Collection[str] | None = None) -> list[DayCover]:
    network = period.network
    centres = [c for slug, c in sorted(network.centres.items()) if slugs is None or slug in slugs]
    return network_coverage(
        centres, period.shifts, network.needs, period.first_day, period.last_day, period.leaves
    )


def coverage_out(period: Period, slugs: Collection[str] | None = None) -> list[DayCoverOut]:
    return [day_cover_out(day, period.network) for day in coverage(period, slugs)]


def conflicts(period: Period, slugs: Collection[str] | None = None) -> list[RotaConflict]:
    """Conflicts of the shifts whose service day is in the period (load it with whole weeks,
    so weekly limits see every hour); cover gaps are in the coverage view."""
    centres = period.network.centres
    in_period: set[str] = set()
    for shift in period.shifts:
        day = centres[shift.centre_id].service_day(shift.start)
        if period.first_day <= day <= period.last_day:
            in_period.add(shift.id)
    found = check_shifts(period.shifts, period.context())
    centre_of = {shift.id: shift.centre_id for shift in period.shifts}

    def concerns(conflict: RotaConflict) -> bool:
        if slugs is None:
            return True
        if conflict.centre_id is not None:
            return conflict.centre_id in slugs
        # A doctor's conflict (weekly hours, rest): at the centres of the shifts it names,
        # not at a centre where the doctor does not work that week.
        return any(centre_of.get(i) in slugs for i in conflict.shift_ids)

    return [c for c in found if any(i in in_period for i in c.shift_ids) and concerns(c)]


def _spread(spread: Spread) -> SpreadOut:
    return SpreadOut(
        round(spread.minimum, 2),
        round(spread.maximum, 2),
        round(spread.mean, 2),
        round(spread.stdev, 2),
    )


def fairness_out(
    period: Period, first_day: date, last_day: date, slugs: Collection[str] | None = None
) -> FairnessOut:
    """The active doctors' loads (only those attached to one of `slugs`, if given: their
    hours elsewhere count too, they are the doctor's)."""
    network = period.network
    active = [
        network.doctors[str(i)]
        for i, row in network.doctor_rows.items()
        if row.active and (slugs is None or network.doctors[str(i)].centre_ids & set(slugs))
    ]
    report = fairness(period.shifts, network.centres, active, first_day, last_day)
    return FairnessOut(
        first_day=first_day,
        last_day=last_day,
        hours=_spread(report.hours),
        weekend_days=_spread(report.weekend_days),
        holiday_days=_spread(report.holiday_days),
        doctors=[
            LoadOut(
                doctor_id=int(load.doctor_id),
                doctor=network.doctors[load.doctor_id].display_name,
                shifts=load.shifts,
                hours=round(load.hours, 2),
                days_worked=load.days_worked,
                weekend_days=load.weekend_days,
                holiday_days=load.holiday_days,
                late_hours=round(load.late_hours, 2),
                centres=list(load.centre_ids),
            )
            for load in report.loads
        ],
    )
