"""Charts as server-rendered SVG: no script, readable by screen readers (a title, a
description, each mark titled), and always drawn next to the table that holds its numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 18, 40
BAR, LINE = "#0b5cad", "#c2410c"


def nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at or above ``value`` (an axis' top)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    bars: Sequence[float | None],
    bar_name: str,
    line: Sequence[float | None] | None = None,
    line_name: str = "",
) -> Markup:
    """Bars (e.g. arrivals by hour) with an optional line on the same axis (e.g. planned)."""
    values = [v for v in (*bars, *(line or ())) if v is not None]
    top = nice_ceiling(max(values, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]
    for tick in (0.0, top / 2, top):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"'
            ' class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" class="axis" text-anchor="end">'
            f"{_number(tick)}</text>"
        )
    every = max(1, math.ceil(len(labels) / 16))
    for index, (label, value) in enumerate(zip(labels, bars, strict=True)):
        x = LEFT + index * slot
        if value:
            parts.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{y(value):.1f}" width="{slot * 0.7:.1f}"'
                f' height="{plot_h * value / top:.1f}" fill="{BAR}">'
                f"<title>{escape(label)} · {escape(bar_name)} : {_number(value)}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" class="axis"'
                f' text-anchor="middle">{escape(label)}</text>'
            )
    if line is not None:
        points = [
            (LEFT + index * slot + slot / 2, y(value), labels[index], value)
            for index, value in enumerate(line)
            if value is not None
        ]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="3"/>'
            )
            parts += [
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{LINE}">'
                f"<title>{escape(label)} · {escape(line_name)} : {_number(value)}</title></circle>"
                for px, py, label, value in points
            ]
    parts.append(
        f'<g class="legend"><rect x="{LEFT}" y="{HEIGHT - 14}" width="12" height="12"'
        f' fill="{BAR}"/><text x="{LEFT + 18}" y="{HEIGHT - 4}">{escape(bar_name)}</text>'
    )
    if line is not None:
        parts.append(
            f'<rect x="{LEFT + 260}" y="{HEIGHT - 10}" width="18" height="4" fill="{LINE}"/>'
            f'<text x="{LEFT + 284}" y="{HEIGHT - 4}">{escape(line_name)}</text>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def heatmap(
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[str],
    columns: Sequence[str],
    value: Callable[[int, int], float | None],
    unit: str,
) -> Markup:
    """A grid of rows × columns, darker for larger values; each cell titled with its value."""
    cell_w, cell_h, left, top = 26, 26, 44, 22
    width, height = left + cell_w * len(columns) + 4, top + cell_h * len(rows) + 4
    values = [value(r, c) for r in range(len(rows)) for c in range(len(columns))]
    highest = max((v for v in values if v is not None), default=0.0) or 1.0
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart heatmap" viewBox="0 0 {width} {height}"'
        f' role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]
    for c, column in enumerate(columns):
        if c % 2 == 0:
            parts.append(
                f'<text x="{left + c * cell_w + cell_w / 2}" y="{top - 6}" class="axis"'
                f' text-anchor="middle">{escape(column)}</text>'
            )
    for r, row in enumerate(rows):
        parts.append(
            f'<text x="{left - 6}" y="{top + r * cell_h + 17}" class="axis" text-anchor="end">'
            f"{escape(row)}</text>"
        )
        for c, column in enumerate(columns):
            v = value(r, c)
            # Light to dark blue; an empty cell (closed, no data) stays the page's grey.
            fill = "#eef0f3" if v is None else _blue(v / highest)
            shown = "—" if v is None else f"{_number(round(v, 1))} {unit}"
            parts.append(
                f'<rect x="{left + c * cell_w}" y="{top + r * cell_h}" width="{cell_w - 2}"'
                f' height="{cell_h - 2}" fill="{fill}" rx="3">'
                f"<title>{escape(row)} {escape(column)} : {escape(shown)}</title></rect>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _blue(share: float) -> str:
    share = min(1.0, max(0.0, share))
    low, high = (224, 236, 249), (11, 60, 120)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
