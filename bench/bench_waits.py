"""Time the predicted waits of a month's draft rota for the whole network (forecast.waits).

The rota page shows, per centre and day of the draft month, the expected median and p90 waits
and the expected left-unseen count; each centre-day is ``predict_day`` at its default number of
simulated days. Goal: a month of 26 centres in seconds, not minutes. Run from the repository root:

    python bench/bench_waits.py                 # 26 centres x 30 days, default runs
    python bench/bench_waits.py --runs 20 --centres 5

The network is generated: 100-250 patients a day per centre, busier mornings and Mondays, and
a draft of morning and afternoon shifts sized to the half-day's load, one more doctor on some
days. Wall time depends on what else the machine runs: the CPU time is printed too.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forecast.types import DayDemand, HourDemand  # importable thanks to the path above
from forecast.waits import DEFAULT_RUNS, Behaviour, DayPlan, predict_day

OPENS, CLOSES = 8 * 60.0, 20 * 60.0
MORNING, EVENING = (OPENS, 14 * 60.0), (14 * 60.0, CLOSES)


def centre_month(centre_id: int, first: date, days: int, rng: random.Random) -> list[DayPlan]:
    per_day = rng.uniform(100, 250)
    plans = []
    for k in range(days):
        day = first + timedelta(days=k)
        level = per_day * (1.2 if day.weekday() == 0 else 0.8 if day.weekday() >= 5 else 1.0)
        shape = [1.3 if h < 12 else 0.9 for h in range(8, 20)]
        scale = level / sum(shape)
        hours = tuple(
            HourDemand(h, s * scale, s * scale * 0.8, s * scale * 1.2, 0.1)
            for h, s in zip(range(8, 20), shape, strict=True)
        )
        # The half-day's load in doctors (13 minutes a patient with the turnover), rounded up,
        # and on some days one more.
        morning = math.ceil(sum(x.mean for x in hours[:6]) * 13 / 60 / 6) + rng.choice((0, 1))
        evening = math.ceil(sum(x.mean for x in hours[6:]) * 13 / 60 / 6) + rng.choice((0, 1))
        doctors = ((MORNING,),) * morning + ((EVENING,),) * evening
        plans.append(DayPlan(centre_id, DayDemand(day, hours), OPENS, CLOSES, doctors))
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=26)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    args = parser.parse_args()
    rng = random.Random(1)
    behaviour = Behaviour(consult_min=tuple(rng.lognormvariate(2.4, 0.45) for _ in range(400)))
    plans = [
        p
        for c in range(1, args.centres + 1)
        for p in centre_month(c, date(2027, 2, 1), args.days, rng)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    per_centre: dict[int, float] = {}
    past = 0
    for plan in plans:
        t = time.perf_counter()
        waits = predict_day(plan, behaviour, runs=args.runs)
        per_centre[plan.centre_id] = per_centre.get(plan.centre_id, 0.0) + time.perf_counter() - t
        past += bool(waits.hours_past_target)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{len(plans)} centre-days ({args.centres} centres x {args.days} days), "
        f"{args.runs} simulated days each: {total:.1f} s in all ({cpu:.1f} s of CPU), "
        f"{1000 * total / len(plans):.0f} ms a centre-day, "
        f"slowest centre's month {max(per_centre.values()):.1f} s; "
        f"{past} centre-days with hours past target"
    )


if __name__ == "__main__":
    main()
