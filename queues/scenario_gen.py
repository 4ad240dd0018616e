"""Deterministic generator of walk-in day scenarios (the scenarios README format).

The wait estimator must hold on days it was not tuned on, so it is tuned on generated days of one
set of seeds and checked on others. Each seed gives one day: a load of 60-260 patients, a rota
(lunch gaps, late starts, a doctor leaving at midday, shift changes, 22:00 closing), Sunday and
holiday surges, urgent cases, impatient patients, and consultation lengths drawn from a skewed
(lognormal) law whose mean today differs from the centre's history. With ``--presence``
(format v2) the doctors also depart from the rota: late starts, unannounced breaks, early
departures and absences, in their ``present`` intervals.

    python -m queues.scenario_gen OUTDIR --seed N --count K [--presence]

writes K files for seeds N, N+1, ... N+K-1; the same arguments always give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import sys
from pathlib import Path
from typing import Any

KINDS = (
    "weekday",
    "busy-weekday",
    "sunday-surge",
    "holiday-surge",
    "late-closing",
    "short-staffed",
)


def _clock(minutes: float, seconds: bool = False) -> str:
    total = round(minutes * 60) if seconds else round(minutes) * 60
    text = f"{total // 3600:02d}:{total // 60 % 60:02d}"
    return f"{text}:{total % 60:02d}" if seconds else text


def _lognormal(rng: random.Random, mean: float, sigma: float) -> float:
    return rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)


def _rota(rng: random.Random, kind: str, opens: int, closes: int) -> list[list[tuple[int, int]]]:
    """Shifts (minutes) per doctor. Someone always works until closing."""
    mid = rng.choice((12 * 60, 13 * 60, 14 * 60))
    patterns: list[list[tuple[int, int]]] = [
        [(opens, closes)],  # the doctor who closes the centre
    ]
    extra = {
        "weekday": 2,
        "busy-weekday": 3,
        "sunday-surge": 3,
        "holiday-surge": 4,
        "late-closing": 3,
        "short-staffed": 1,
    }[kind] + rng.randint(0, 1)
    choices = [
        "morning",
        "afternoon",
        "lunch-gap",
        "late-start",
        "leaves-midday",
        "evening",
        "full",
    ]
    for _ in range(extra):
        pick = rng.choice(choices)
        if pick == "morning":
            patterns.append([(opens, mid)])
        elif pick == "afternoon":
            patterns.append([(mid, closes)])
        elif pick == "lunch-gap":
            lunch = rng.choice((12 * 60, 12 * 60 + 30, 13 * 60))
            patterns.append([(opens, lunch), (lunch + rng.choice((45, 60, 90)), closes)])
        elif pick == "late-start":
            patterns.append([(opens + rng.choice((30, 60, 90, 120, 150)), closes)])
        elif pick == "leaves-midday":
            patterns.append([(opens, rng.choice((10 * 60 + 30, 11 * 60, 11 * 60 + 30, 12 * 60)))])
        elif pick == "evening":
            start = closes - rng.choice((240, 300, 360))
            patterns.append([(start, closes)])
        else:
            patterns.append([(opens + rng.choice((0, 0, 60)), closes - rng.choice((0, 0, 120)))])
    # The rota's "closing" doctor is not always the first by id.
    rng.shuffle(patterns)
    return patterns


def _arrival_profile(kind: str, t: float, opens: int, closes: int) -> float:
    """Relative arrival intensity over the day: morning and early-evening peaks on weekdays,
    a long late-morning surge on Sundays and holidays."""
    hour = t / 60
    if kind in ("sunday-surge", "holiday-surge"):
        return (
            0.6
            + 1.2 * math.exp(-(((hour - 10.5) / 2.0) ** 2))
            + 0.5 * math.exp(-(((hour - 17) / 1.5) ** 2))
        )
    base = (
        0.7
        + 0.8 * math.exp(-(((hour - 8.8) / 1.2) ** 2))
        + 0.7 * math.exp(-(((hour - 18) / 1.3) ** 2))
    )
    if closes > 20 * 60 and hour > 20:
        base *= 0.7
    return base


# Format v2: how the day's doctors depart from the rota (each a share of doctors).
LATE_SHARE = 0.2  # arrive 10-60 minutes late
BREAK_SHARE = 0.15  # an unannounced break of 15-45 minutes in a long shift
EARLY_LEAVE_SHARE = 0.1  # leave 30-120 minutes before the end of their last shift
ABSENT_SHARE = 0.06  # do not come at all (never the only doctor of the day)


def _presence(rng: random.Random, shifts: list[list[tuple[int, int]]]) -> list[list[list[int]]]:
    """When each doctor is really in the room (minutes): the rota, with late starts,
    unannounced breaks, early departures and absences."""
    out: list[list[list[int]]] = []
    for k, pattern in enumerate(shifts):
        spans = [[start, end] for start, end in pattern]
        if len(shifts) > 1 and k > 0 and rng.random() < ABSENT_SHARE:
            out.append([])
            continue
        if rng.random() < LATE_SHARE:
            spans[0][0] = min(spans[0][1] - 15, spans[0][0] + rng.randint(10, 60))
        elif rng.random() < 0.5:
            spans[0][0] += rng.randint(0, 4)  # on time, give or take
        if rng.random() < BREAK_SHARE:
            long = [i for i, (a, b) in enumerate(spans) if b - a >= 180]
            if long:
                i = rng.choice(long)
                a, b = spans[i]
                at = rng.randint(a + 60, b - 90)
                spans[i : i + 1] = [[a, at], [at + rng.randint(15, 45), b]]
        if rng.random() < EARLY_LEAVE_SHARE:
            a, b = spans[-1]
            spans[-1][1] = max(a + 15, b - rng.randint(30, 120))
        out.append(spans)
    return out


def generate(seed: int, presence: bool = False) -> dict[str, Any]:
    """One scenario, fully determined by ``seed`` (and, in format v2 with ``presence``, the
    doctors' real presence, drawn from its own stream so the rest of the day is the same)."""
    rng = random.Random(f"walkin-scenario-{seed}")
    kind = KINDS[rng.randrange(len(KINDS))]
    opens = 8 * 60 if rng.random() < 0.85 else 9 * 60
    closes = 22 * 60 if kind == "late-closing" or rng.random() < 0.15 else 20 * 60
    turnover = rng.choice((0.5, 1.0, 1.0, 1.5, 2.0))
    shifts = _rota(rng, kind, opens, closes)

    hist_mean = rng.uniform(10.0, 16.0)
    sigma = rng.uniform(0.4, 0.6)
    # Today's level differs from the history: more minor ailments on surge days, say.
    day_mean = hist_mean * math.exp(rng.gauss(-0.05 if "surge" in kind else 0.0, 0.15))
    history = [round(max(2.0, _lognormal(rng, hist_mean, sigma)), 2) for _ in range(300)]

    # Load: aim at a share of the doctors' capacity, then clip the day to 60-260 patients.
    doctor_min = sum(end - start for pattern in shifts for start, end in pattern)
    capacity = doctor_min / (day_mean + turnover)
    load = rng.uniform(0.75, 1.0) if "surge" not in kind else rng.uniform(0.9, 1.1)
    if kind == "short-staffed":
        load = rng.uniform(0.85, 1.05)
    target = min(260, max(60, round(capacity * load)))

    urgent_share = rng.uniform(0.02, 0.06) if "surge" not in kind else rng.uniform(0.05, 0.12)
    impatient_share = rng.uniform(0.15, 0.45)
    patience_median = rng.uniform(30.0, 100.0)

    # Given their number, the arrivals of a Poisson day are independent draws from its profile.
    last = closes - 15
    peak = max(_arrival_profile(kind, t, opens, closes) for t in range(opens, last))
    arrivals: list[float] = []
    while len(arrivals) < target:
        t = rng.uniform(opens, last)
        if rng.random() * peak < _arrival_profile(kind, t, opens, closes):
            arrivals.append(round(t * 60) / 60)
    arrivals.sort()

    patients = []
    for i, arrival in enumerate(arrivals, start=1):
        urgent = rng.random() < urgent_share
        length = _lognormal(rng, day_mean * (1.25 if urgent else 1.0), sigma)
        impatient = not urgent and rng.random() < impatient_share
        patience = round(_lognormal(rng, patience_median, 0.8), 1) if impatient else None
        patients.append(
            {
                "id": f"p{i:03d}",
                "arrival": _clock(arrival, seconds=True),
                "priority": "urgent" if urgent else "standard",
                "consult_min": round(max(1.5, length), 2),
                "patience_min": max(1.0, patience) if patience is not None else None,
            }
        )

    day = dt.date(2026, 1, 5) + dt.timedelta(days=seed % 364)
    if kind == "sunday-surge":
        day += dt.timedelta(days=6 - day.weekday())
    doctors: list[dict[str, Any]] = [
        {"id": f"d{k}", "shifts": [[_clock(a), _clock(b)] for a, b in pattern]}
        for k, pattern in enumerate(shifts, start=1)
    ]
    if presence:
        real = _presence(random.Random(f"walkin-presence-{seed}"), shifts)
        for entry, spans in zip(doctors, real, strict=True):
            entry["present"] = [[_clock(a), _clock(b)] for a, b in spans]
    return {
        "name": f"gen-{seed:04d}-{kind}" + ("-presence" if presence else ""),
        "date": day.isoformat(),
        "timezone": "Europe/Paris",
        "opens": _clock(opens),
        "closes": _clock(closes),
        "turnover_min": turnover,
        "doctors": doctors,
        "patients": patients,
        "history_consult_min": history,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m queues.scenario_gen", description="Write generated walk-in day scenarios."
    )
    parser.add_argument("outdir", type=Path, help="directory to write the scenario files into")
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the first scenario (default 1)"
    )
    parser.add_argument("--count", type=int, default=10, help="number of scenarios (default 10)")
    parser.add_argument(
        "--presence",
        action="store_true",
        help="format v2: doctors late, on unannounced breaks, leaving early or absent",
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    args.outdir.mkdir(parents=True, exist_ok=True)
    for seed in range(args.seed, args.seed + args.count):
        scenario = generate(seed, args.presence)
        path = args.outdir / f"{scenario['name']}.json"
        path.write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
        print(f"{path}  {len(scenario['patients'])} patients, {len(scenario['doctors'])} doctors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
