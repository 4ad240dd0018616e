"""The forecast measured honestly: trained on the past, scored on later weeks it did not see.

Rolling origin on a generated network (forecast.synthetic): every week of the held-back
period is an origin; from each, the model and the "same weekday, last four weeks" baseline
forecast the next four weeks (a rota is planned that far ahead), and each forecast day inside
the held-back period is scored against what the network generated. A third line forecasts
every centre as if it were new (three weeks of its own history: the shape of the network's
other centres).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from forecast.baseline import baseline_forecast
from forecast.demand import forecast_centre
from forecast.school import school_holidays
from forecast.synthetic import (
    SyntheticNetwork,
    generate_network,
    network_average,
)
from forecast.types import CentreForecast

FIRST_DAY = date(2024, 7, 1)  # a Monday: a year and five weeks before the first origin
LAST_DAY = date(2026, 2, 28)
HORIZON_DAYS = 28
NEW_CENTRE_DAYS = 21
MODELS = ("model", "baseline", "new centre")
Pair = tuple[int, int]


@dataclass
class Tally:
    """Errors added up over forecast hours and days."""

    hours: int = 0
    hour_abs_err: float = 0.0
    hour_actual: float = 0.0
    covered: int = 0
    days: int = 0
    day_abs_err: float = 0.0
    day_actual: float = 0.0
    day_err: float = 0.0  # forecast minus actual: positive means the forecast ran high

    def add(self, forecast: CentreForecast, actual: Mapping[date, Mapping[int, Pair]]) -> None:
        for day in forecast.days:
            counts = actual.get(day.day)
            if counts is None:
                continue
            total = 0
            for hour in day.hours:
                seen = sum(counts.get(hour.hour, (0, 0)))
                total += seen
                self.hours += 1
                self.hour_abs_err += abs(hour.mean - seen)
                self.hour_actual += seen
                self.covered += hour.low <= seen <= hour.high
            self.days += 1
            self.day_abs_err += abs(day.mean - total)
            self.day_actual += total
            self.day_err += day.mean - total

    def score(self) -> Score:
        return Score(
            hourly_mae=round(self.hour_abs_err / self.hours, 2) if self.hours else 0.0,
            hourly_wape=round(self.hour_abs_err / self.hour_actual, 4) if self.hour_actual else 0.0,
            daily_mae=round(self.day_abs_err / self.days, 1) if self.days else 0.0,
            daily_wape=round(self.day_abs_err / self.day_actual, 4) if self.day_actual else 0.0,
            daily_bias=round(self.day_err / self.days, 1) if self.days else 0.0,
            interval_coverage=round(self.covered / self.hours, 3) if self.hours else 0.0,
            centre_days=self.days,
        )


@dataclass(frozen=True)
class Score:
    hourly_mae: float
    hourly_wape: float  # absolute errors over actual arrivals
    daily_mae: float
    daily_wape: float
    daily_bias: float
    interval_coverage: float  # share of actual hours inside the 80 % interval
    centre_days: int


@dataclass
class Report:
    first_day: date
    last_day: date
    held_from: date
    weeks_held: int
    origins: int
    centres: int
    seconds: float = 0.0
    by_kind: dict[str, dict[str, Score]] = field(default_factory=dict)
    overall: dict[str, Score] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for key in ("first_day", "last_day", "held_from"):
            data[key] = data[key].isoformat()
        return data


def origins(held_from: date, last_day: date) -> list[date]:
    found, origin = [], held_from
    while origin <= last_day:
        found.append(origin)
        origin += timedelta(days=7)
    return found


def backtest(network: SyntheticNetwork, weeks_held: int) -> Report:
    """Score the model, the baseline and the new-centre fallback on the last ``weeks_held``
    weeks of the network's history (pure: the network is given)."""
    started = time.perf_counter()
    held_from = network.last - timedelta(days=7 * weeks_held - 1)
    if held_from <= network.first + timedelta(days=56):
        raise ValueError("held-back weeks leave less than eight weeks to train on")
    hol = network.holidays()
    schools = school_holidays("FR", network.first, network.last + timedelta(days=HORIZON_DAYS))
    # Each centre's network is the others' average: a new centre is not in it yet.
    others = {
        centre.id: network_average(
            [h for other, h in network.history.items() if other != centre.id]
        )
        for centre in network.centres
    }
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    starts = origins(held_from, network.last)
    for origin in starts:
        last = min(network.last, origin + timedelta(days=HORIZON_DAYS - 1))
        for centre in network.centres:
            history = network.history[centre.id]
            open_hours = {
                origin + timedelta(days=n): centre.hours for n in range((last - origin).days + 1)
            }
            recent = {d: c for d, c in history.items() if 0 < (origin - d).days <= NEW_CENTRE_DAYS}
            forecasts = {
                "model": forecast_centre(
                    centre.id, history, others[centre.id], open_hours, hol, origin, schools
                ),
                "baseline": baseline_forecast(centre.id, history, open_hours, origin),
                "new centre": forecast_centre(
                    centre.id, recent, others[centre.id], open_hours, hol, origin, schools
                ),
            }
            for name, forecast in forecasts.items():
                tallies[(centre.kind.value, name)].add(forecast, history)
                tallies[("all", name)].add(forecast, history)
    report = Report(
        network.first, network.last, held_from, weeks_held, len(starts), len(network.centres)
    )
    kinds = sorted({kind for kind, _ in tallies if kind != "all"})
    report.by_kind = {kind: {m: tallies[(kind, m)].score() for m in MODELS} for kind in kinds}
    report.overall = {m: tallies[("all", m)].score() for m in MODELS}
    report.seconds = round(time.perf_counter() - started, 1)
    return report


def format_report(report: Report) -> str:
    lines = [
        f"network: {report.centres} centres, generated {report.first_day} to {report.last_day}",
        f"held back: {report.weeks_held} weeks from {report.held_from}, {report.origins} weekly"
        f" origins, each forecasting {HORIZON_DAYS} days ahead ({report.seconds} s)",
        "",
        f"{'centres':<9} {'forecast':<11} {'hour MAE':>8} {'hour WAPE':>9} {'day MAE':>8}"
        f" {'day WAPE':>8} {'day bias':>8} {'80% cover':>9}",
    ]
    rows: Sequence[tuple[str, dict[str, Score]]] = [
        *report.by_kind.items(),
        ("all", report.overall),
    ]
    for kind, scores in rows:
        for name, s in scores.items():
            lines.append(
                f"{kind:<9} {name:<11} {s.hourly_mae:>8.2f} {s.hourly_wape:>9.1%}"
                f" {s.daily_mae:>8.1f} {s.daily_wape:>8.1%} {s.daily_bias:>+8.1f}"
                f" {s.interval_coverage:>9.1%}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="walkin forecast-backtest",
        description="score the demand forecast against the same-weekday average on a"
        " generated 26-centre network's held-back weeks",
    )
    parser.add_argument("--weeks-held", type=int, default=26, help="weeks scored (default 26)")
    parser.add_argument("--seed", type=int, default=1, help="the generated network's seed")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.weeks_held <= 60:
        parser.error("--weeks-held must be 1 to 60")
    network = generate_network(FIRST_DAY, LAST_DAY, seed=args.seed)
    report = backtest(network, args.weeks_held)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.as_json(), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
