"""``walkin simulate``: replay scenario days and compare the wait estimates with the actual waits.

    walkin simulate SCENARIO.json [SCENARIO.json ...] [--json FILE]
    python -m queues.simulate SCENARIO.json [...] [--json FILE]

Prints, per scenario and over all patients pooled, the estimator's and the naive figure's mean
absolute error, bias, share within 15 minutes and (estimator only) 80 % interval coverage, and
writes the replay output of the scenarios README with ``--json``. A bad scenario file is reported
with exit code 2 before anything is replayed.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from queues.replay import replay
from queues.scenario import Scenario, ScenarioError, load_scenario
from queues.scoring import ScenarioResult, Score, Summary, pooled_summary

EXIT_BAD_INPUT = 2
EXIT_CANNOT_WRITE = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="walkin simulate",
        description="Replay walk-in days and measure the wait estimates against actual waits.",
    )
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO.json", help="scenario files")
    parser.add_argument("--json", metavar="FILE", type=Path, help="write the replay output here")
    return parser


def _share(value: float | None) -> str:
    return "   -" if value is None or math.isnan(value) else f"{value * 100:3.0f}%"


def _figures(score: Score, interval: bool) -> str:
    if score.n == 0:
        return f"{'-':>6} {'-':>6} {'-':>5}" + (f" {'-':>5}" if interval else "")
    text = f"{score.mae:6.1f} {score.bias:+6.1f} {_share(score.within_15):>5}"
    return text + (f" {_share(score.coverage):>5}" if interval else "")


def format_table(results: Sequence[ScenarioResult], overall: Summary) -> str:
    """The per-scenario and overall comparison, as printed by the command."""
    width = max([len("overall"), *(len(r.name) for r in results)])
    head = (
        f"{'scenario':<{width}} {'pat':>4} {'seen':>4} {'left':>4} | "
        f"{'estimator: MAE':>14} {'bias':>6} {'<=15':>5} {'in80':>5} | "
        f"{'naive: MAE':>10} {'bias':>6} {'<=15':>5}"
    )
    lines = [head, "-" * len(head)]

    def line(name: str, summary: Summary) -> str:
        return (
            f"{name:<{width}} {summary.patients:4d} {summary.called:4d} {summary.left_unseen:4d} | "
            f"{'':>8}{_figures(summary.estimator, True)} | "
            f"{'':>4}{_figures(summary.naive, False)}"
        )

    lines.extend(line(r.name, r.summary) for r in results)
    lines.append("-" * len(head))
    lines.append(line("overall", overall))
    lines.append(
        "MAE and bias in minutes (bias: predicted minus actual), over patients who were called;\n"
        "<=15: share within 15 min; in80: share inside the estimator's 80 % interval."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    scenarios: list[Scenario] = []
    try:
        for path in args.scenarios:
            scenarios.append(load_scenario(path))
    except ScenarioError as exc:
        print(f"walkin simulate: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    results = [replay(scenario) for scenario in scenarios]
    print(format_table(results, pooled_summary(results)))
    if args.json is not None:
        try:
            args.json.write_text(
                json.dumps([r.as_dict() for r in results], indent=1) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            print(f"walkin simulate: error: cannot write {args.json}: {exc}", file=sys.stderr)
            return EXIT_CANNOT_WRITE
    return 0


if __name__ == "__main__":
    sys.exit(main())
