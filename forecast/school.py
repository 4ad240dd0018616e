"""School holidays by zone, from the `holidays` package (France's zones A, B and C).

A centre does not record its school zone; the demand model takes the zone whose holidays its
history follows. Other countries get none: their school effect is left to the season.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays

FRENCH_ZONES = ("Zone A", "Zone B", "Zone C")


@lru_cache(maxsize=32)
def _zone_days(zone: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays("FR", subdiv=zone, years=year, categories=("school",))
    except NotImplementedError:  # a year or a zone the package does not know
        return frozenset()
    return frozenset(calendar)


def school_holidays(country: str, first: date, last: date) -> dict[str, frozenset[date]]:
    """Zone -> its school-holiday days in [first, last] (empty outside France)."""
    if country.upper() != "FR":
        return {}
    return {
        zone: frozenset(
            day
            for year in range(first.year, last.year + 1)
            for day in _zone_days(zone, year)
            if first <= day <= last
        )
        for zone in FRENCH_ZONES
    }
