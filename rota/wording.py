"""Dates and times as managers read them, in French and English, without touching the locale.

The process locale is shared by every request, so day names come from tables here.
"""

from __future__ import annotations

from datetime import datetime

from rota.days import zone

_DAYS_FR = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
_DAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def when_fr(start: datetime, end: datetime, time_zone: str) -> str:
    """'mar. 14/07/2026 08:00–14:00' in the centre's local time."""
    tz = zone(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    text = f"{_DAYS_FR[local_start.weekday()]} {local_start:%d/%m/%Y %H:%M}"
    if local_end.date() == local_start.date():
        return f"{text}–{local_end:%H:%M}"
    return f"{text} → {_DAYS_FR[local_end.weekday()]} {local_end:%d/%m/%Y %H:%M}"


def when_en(start: datetime, end: datetime, time_zone: str) -> str:
    """'Tue 2026-07-14 08:00–14:00' in the centre's local time."""
    tz = zone(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    text = f"{_DAYS_EN[local_start.weekday()]} {local_start:%Y-%m-%d %H:%M}"
    if local_end.date() == local_start.date():
        return f"{text}–{local_end:%H:%M}"
    return f"{text} → {_DAYS_EN[local_end.weekday()]} {local_end:%Y-%m-%d %H:%M}"


def hours_text(hours: float) -> str:
    """'7 h 30' — French style, also fine in English messages."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def clock_range(start: datetime, end: datetime, time_zone: str) -> str:
    """'08:00–20:00' in local time."""
    tz = zone(time_zone)
    return f"{start.astimezone(tz):%H:%M}–{end.astimezone(tz):%H:%M}"
