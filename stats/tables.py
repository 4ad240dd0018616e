"""Tables: what each chart shows, as rows, for the page and for its CSV file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Cell = str | int | float | None


@dataclass
class Table:
    id: str
    caption: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # first cell's link, per row

    def csv(self) -> str:
        """Excel-friendly CSV: semicolons (French locale), raw numbers with a dot."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(["" if cell is None else cell for cell in row])
        return "\ufeff" + out.getvalue()  # the BOM makes Excel read UTF-8


def number_format(lang: str) -> Callable[[Cell], str]:
    """How a cell reads on the page: French decimal comma, a dash for no figure."""

    def shown(cell: Cell) -> str:
        if cell is None:
            return "—"
        if isinstance(cell, float):
            text = f"{cell:.1f}" if abs(cell) < 1000 else f"{cell:,.0f}".replace(",", " ")
            return text.replace(".", ",") if lang == "fr" else text
        if isinstance(cell, int) and abs(cell) >= 10000:
            return f"{cell:,}".replace(",", " " if lang == "fr" else ",")
        return str(cell)

    return shown


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def pick(tables: Sequence[Table], wanted: str | None) -> Table:
    for table in tables:
        if table.id == wanted:
            return table
    return tables[0]
