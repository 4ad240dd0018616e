from datetime import date, time

import pytest

from rota.fairness import fairness

from .factories import make_centre, make_doctor, make_shift

LYON = make_centre("lyon", closes=time(22))
CENTRES = {"lyon": LYON}


def test_weekend_holiday_and_late_hours_per_doctor() -> None:
    shifts = [
        make_shift("sat", "d1", LYON, date(2026, 7, 11), 8, 14),
        make_shift("sat2", "d1", LYON, date(2026, 7, 11), 16, 22),  # same day counted once
        make_shift("sun", "d1", LYON, date(2026, 7, 12), 8, 14),
        make_shift("hol", "d1", LYON, date(2026, 7, 14), 14, 21, "1"),
        make_shift("wd", "d2", LYON, date(2026, 7, 15), 8, 20),
        make_shift("out", "d2", LYON, date(2026, 8, 1), 8, 20),  # outside the period
    ]
    doctors = [make_doctor("d1"), make_doctor("d2"), make_doctor("d3")]
    report = fairness(shifts, CENTRES, doctors, date(2026, 7, 1), date(2026, 7, 31))
    d1, d2, d3 = report.loads
    assert (d1.shifts, d1.hours, d1.days_worked) == (4, 25.0, 3)
    assert (d1.weekend_days, d1.holiday_days, d1.late_hours) == (2, 1, 3.0)
    assert (d2.shifts, d2.hours, d2.weekend_days, d2.holiday_days) == (1, 12.0, 0, 0)
    assert (d3.shifts, d3.hours, d3.centre_ids) == (0, 0.0, ())
    assert (report.hours.minimum, report.hours.maximum) == (0.0, 25.0)
    assert report.hours.mean == pytest.approx(37 / 3)
    assert report.weekend_days.maximum == 2
    assert report.holiday_days.stdev == pytest.approx(0.4714, abs=1e-4)


def test_empty_report() -> None:
    report = fairness([], CENTRES, [], date(2026, 7, 1), date(2026, 7, 31))
    assert report.loads == () and report.hours.mean == 0
