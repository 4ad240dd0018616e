"""Dates and times as managers read them, in French and English, without touching the locale.

The process locale is shared by every request, so day names come from tables here.
"""

from __future__ import annotations

from datetime import datetime

from rota.days import zone

_DAYS_FR = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _when(
    start: datetime, end: datetime, time_zone: str, days: tuple[str, ...], date_format: str
) -> str:
    tz = zone(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    text = f"{days[local_start.weekday()]} {local_start:{date_format} %H:%M}"
    if local_end.date() == local_start.date():
        return f"{text}–{local_end:%H:%M}"
    return f"{text} → {days[local_end.weekday()]} {local_end:{date_format} %H:%M}"


def when_fr(start: datetime, end: datetime, time_zone: str) -> str:
    """'mar. 14/07/2026 08:00–14:00' in the centre's local time."""
    return _when(start, end, time_zone, _DAYS_FR, "%d/%m/%Y")


def when_en(start: datetime, end: datetime, time_zone: str) -> str:
    """'Tue 2026-07-14 08:00–14:00' in the centre's local time."""
    return _when(start, end, time_zone, _DAYS_EN, "%Y-%m-%d")


def hours_text(hours: float) -> str:
    """'7 h 30' — French style, also fine in English messages."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def clock_range(start: datetime, end: datetime, time_zone: str) -> str:
    """'08:00–20:00' in local time."""
    tz = zone(time_zone)
    return f"{start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}"
