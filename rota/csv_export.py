"""One centre's month of shifts as CSV, for spreadsheets and payroll of the doctors' fees.

Defaults suit French spreadsheet software: ``;`` between cells and a decimal comma. Any text
cell starting with = + - @ (or a tab / carriage return) is prefixed with a quote so that a
spreadsheet shows it instead of evaluating it as a formula (CSV injection). Hours are real
elapsed time, so a shift across a DST change counts one hour more or less than its wall times.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date

from rota.days import zone
from rota.domain import CentrePlan, DoctorPlan, PlannedShift

HEADER = ("date", "début", "fin", "médecin", "salle", "heures")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def centre_month_csv(
    centre: CentrePlan,
    shifts: Iterable[PlannedShift],
    doctors: Mapping[str, DoctorPlan],
    year: int,
    month: int,
    *,
    delimiter: str = ";",
    decimal_comma: bool = True,
) -> str:
    """Shifts of the centre whose service day is in the month, by start then room."""
    tz = zone(centre.time_zone)
    rows = []
    for shift in shifts:
        if shift.centre_id != centre.id:
            continue
        local_start, local_end = shift.start.astimezone(tz), shift.end.astimezone(tz)
        day = local_start.date()
        if (day.year, day.month) != (year, month):
            continue
        doctor = doctors.get(shift.doctor_id)
        hours = f"{shift.hours:.2f}"
        rows.append(
            (
                (shift.start, shift.room or "", shift.id),
                (
                    day.isoformat(),
                    local_start.strftime("%H:%M"),
                    local_end.strftime("%H:%M"),
                    safe_cell(doctor.display_name if doctor else shift.doctor_id),
                    safe_cell(shift.room or ""),
                    hours.replace(".", ",") if decimal_comma else hours,
                ),
            )
        )
    rows.sort(key=lambda row: row[0])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(cells for _, cells in rows)
    return out.getvalue()


def csv_filename(centre: CentrePlan, year: int, month: int) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in centre.name.lower()).strip("-")
    return f"planning-{slug}-{date(year, month, 1):%Y-%m}.csv"


def as_excel_bytes(text: str) -> bytes:
    """UTF-8 with a byte-order mark, without which Excel misreads accented names."""
    return text.encode("utf-8-sig")
