from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar

from rota.days import holiday_region
from rota.ical import doctor_feed

from .factories import BRUSSELS, FALL_BACK, SPRING_FORWARD, make_centre, make_doctor, make_shift

LYON = make_centre("lyon", name="Lyon Part-Dieu")
BXL = make_centre("bxl", name="Bruxelles Louise", time_zone=BRUSSELS, region=holiday_region("BE"))
CENTRES = {"lyon": LYON, "bxl": BXL}
DOCTOR = make_doctor("d1", "lyon", "bxl", name="Dr Claire Martin")
STAMP = datetime(2026, 3, 1, 9, tzinfo=UTC)
SHIFTS = [
    make_shift("s1", "d1", LYON, SPRING_FORWARD - timedelta(1), 8, 14, "2"),
    make_shift("s2", "d1", LYON, SPRING_FORWARD + timedelta(1), 8, 14, "2"),
    make_shift("s3", "d1", BXL, FALL_BACK, 14, 20),
    make_shift("s4", "d1", BXL, FALL_BACK + timedelta(1), 14, 20),
    make_shift("other", "d2", LYON, SPRING_FORWARD, 8, 14),
]


def parsed() -> Calendar:
    return Calendar.from_ical(doctor_feed(DOCTOR, SHIFTS, CENTRES, generated_at=STAMP))


def test_feed_parses_back_with_one_event_per_shift_of_the_doctor() -> None:
    calendar = parsed()
    events = calendar.events
    assert [str(e["UID"]) for e in events] == [
        "shift-s1@walkin.local",
        "shift-s2@walkin.local",
        "shift-s3@walkin.local",
        "shift-s4@walkin.local",
    ]
    assert str(events[0]["SUMMARY"]) == "Consultations — Lyon Part-Dieu (salle 2)"
    assert str(events[0]["LOCATION"]) == "Lyon Part-Dieu, Lyon Part-Dieu"
    assert all(e.decoded("DTSTAMP") == STAMP for e in events)
    assert str(calendar["X-WR-CALNAME"]) == "Planning — Dr Claire Martin"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=1)
    assert "X-PUBLISHED-TTL" in calendar


def test_local_times_stay_put_across_dst_with_vtimezones() -> None:
    calendar = parsed()
    starts = [e.decoded("DTSTART") for e in calendar.events]
    assert [(s.date(), s.time()) for s in starts] == [
        (date(2026, 3, 28), time(8)),
        (date(2026, 3, 30), time(8)),
        (date(2026, 10, 25), time(14)),
        (date(2026, 10, 26), time(14)),
    ]
    assert [str(s.tzinfo) for s in starts] == ["Europe/Paris"] * 2 + [BRUSSELS] * 2
    assert [s.astimezone(UTC).hour for s in starts] == [7, 6, 13, 13]
    assert [e.decoded("DTEND") - e.decoded("DTSTART") for e in calendar.events] == [
        timedelta(hours=6)
    ] * 4
    assert sorted(str(tz["TZID"]) for tz in calendar.timezones) == [BRUSSELS, "Europe/Paris"]
    text = doctor_feed(DOCTOR, SHIFTS, CENTRES, generated_at=STAMP).decode()
    assert "DTSTART;TZID=Europe/Paris:20260330T080000" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text


def test_feed_is_byte_stable_for_the_same_input() -> None:
    first = doctor_feed(DOCTOR, SHIFTS, CENTRES, generated_at=STAMP)
    assert doctor_feed(DOCTOR, list(reversed(SHIFTS)), CENTRES, generated_at=STAMP) == first


def test_empty_feed_is_still_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(doctor_feed(DOCTOR, [], CENTRES, generated_at=STAMP))
    assert calendar.events == []
