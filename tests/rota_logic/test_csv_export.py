import csv
import io
from datetime import date

import pytest

from rota.csv_export import HEADER, as_excel_bytes, centre_month_csv, csv_filename, safe_cell

from .factories import SPRING_FORWARD, make_centre, make_doctor, make_shift

LYON = make_centre("lyon", name="Lyon Part-Dieu", rooms=("1", "2", "=SUM(A1)"))


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Dr Émile Zola", "Dr Émile Zola"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_are_quoted(raw: str, safe: str) -> None:
    assert safe_cell(raw) == safe


def test_one_row_per_shift_of_the_month_in_local_time() -> None:
    doctors = {
        "d1": make_doctor("d1", name="Dr Claire Martin"),
        "d2": make_doctor("d2", name="=cmd|' /C calc'!A0"),
    }
    shifts = [
        make_shift("b", "d2", LYON, date(2026, 3, 30), 14, 20, "=SUM(A1)"),
        make_shift("a", "d1", LYON, SPRING_FORWARD, 8, 14, "1"),
        make_shift("night", "d1", LYON, SPRING_FORWARD, 1, 4, "2"),  # loses an hour
        make_shift("april", "d1", LYON, date(2026, 4, 1), 8, 14, "1"),
        make_shift("elsewhere", "d1", make_centre("nice"), SPRING_FORWARD, 8, 14),
    ]
    text = centre_month_csv(LYON, shifts, doctors, 2026, 3)
    assert text.endswith("\r\n")
    assert rows(text) == [
        list(HEADER),
        ["2026-03-29", "01:00", "04:00", "Dr Claire Martin", "2", "2,00"],
        ["2026-03-29", "08:00", "14:00", "Dr Claire Martin", "1", "6,00"],
        ["2026-03-30", "14:00", "20:00", "'=cmd|' /C calc'!A0", "'=SUM(A1)", "6,00"],
    ]
    plain = centre_month_csv(LYON, shifts, doctors, 2026, 4, delimiter=",", decimal_comma=False)
    assert plain.splitlines()[1] == "2026-04-01,08:00,14:00,Dr Claire Martin,1,6.00"


def test_file_name_and_excel_encoding() -> None:
    assert csv_filename(LYON, 2026, 3) == "planning-lyon-part-dieu-2026-03.csv"
    assert as_excel_bytes("é").startswith(b"\xef\xbb\xbf")
