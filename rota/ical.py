"""A doctor's shifts as an iCalendar feed (RFC 5545) to subscribe to from any calendar app.

Events carry local times with the centre's TZID and a VTIMEZONE, so a 08:00–14:00 shift shows
08:00–14:00 on both sides of a DST change, whatever the reader's zone. UIDs derive from shift
ids, so an edited shift updates the same event instead of duplicating it. Calendar apps poll
subscribed feeds on their own schedule (Google: every 8–24 h) whatever REFRESH-INTERVAL says:
tell doctors that a last-minute change may reach their phone late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from rota.days import zone
from rota.domain import CentrePlan, DoctorPlan, PlannedShift
from rota.wording import hours_text

PRODUCT_ID = "-//walkin//rota//FR"


def shift_uid(shift: PlannedShift, domain: str) -> str:
    return f"shift-{shift.id}@{domain}"


def doctor_feed(
    doctor: DoctorPlan,
    shifts: Iterable[PlannedShift],
    centres: Mapping[str, CentrePlan],
    *,
    generated_at: datetime,
    domain: str = "walkin.local",
    refresh: timedelta = timedelta(hours=1),
    calendar_name: str | None = None,
) -> bytes:
    """The doctor's shifts (others in ``shifts`` are ignored) as an .ics document.

    ``generated_at`` becomes every DTSTAMP (pass the time of the request, or the last change,
    so the output is reproducible); ``domain`` makes UIDs globally unique.
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at doit porter un fuseau horaire")
    stamp = generated_at.astimezone(UTC)
    mine = sorted(
        (shift for shift in shifts if shift.doctor_id == doctor.id),
        key=lambda shift: (shift.start, shift.id),
    )
    name = calendar_name or f"Planning — {doctor.display_name}"
    # Calendar.new also writes X-WR-CALNAME; a fixed UID keeps the feed byte-stable.
    calendar = Calendar.new(
        prodid=PRODUCT_ID, name=name, refresh_interval=refresh, uid=f"rota-{doctor.id}@{domain}"
    )
    # RFC 7986 requires VALUE=DURATION on REFRESH-INTERVAL; icalendar leaves it out.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    first_day: date | None = None
    last_day: date | None = None
    for shift in mine:
        centre = centres[shift.centre_id]
        local_start = shift.start.astimezone(zone(centre.time_zone))
        local_end = shift.end.astimezone(zone(centre.time_zone))
        room = f" (salle {shift.room})" if shift.room else ""
        event = Event.new(
            uid=shift_uid(shift, domain),
            start=local_start,
            end=local_end,
            stamp=stamp,
            summary=f"Consultations — {centre.name}{room}",
            location=centre.location,
            description=(
                f"{doctor.display_name} — {centre.name}{room} : "
                f"{local_start:%H:%M}–{local_end:%H:%M} ({hours_text(shift.hours)})"
            ),
        )
        event.add("STATUS", "CONFIRMED")
        event.add("TRANSP", "OPAQUE")
        calendar.add_component(event)
        first_day = local_start.date() if first_day is None else min(first_day, local_start.date())
        last_day = local_end.date() if last_day is None else max(last_day, local_end.date())
    if first_day is not None and last_day is not None:
        # Transitions only around the shifts keep the VTIMEZONE small.
        calendar.add_missing_timezones(
            first_date=first_day - timedelta(days=366), last_date=last_day + timedelta(days=366)
        )
    document: bytes = calendar.to_ical()
    return document
