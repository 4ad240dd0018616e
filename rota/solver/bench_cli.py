"""``walkin rota-bench``: solve Curtois & Qu instances and write their rosters as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rota.solver.curtois import InstanceError, RosterRefused, run_instance
from rota.solver.model import RunEdges


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="walkin rota-bench",
        description="Solve Curtois & Qu benchmark instances with the rota solver.",
    )
    parser.add_argument("instances", nargs="+", type=Path, help="instance files (InstanceN.txt)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="CP-SAT threads of the search that finds plans (default by the instance's size: "
        "one, interleaving neighbourhood search, heuristics and full searches, beside two "
        "flow workers; three and no flow for a large instance)",
    )
    parser.add_argument(
        "--flow-workers",
        type=int,
        default=None,
        help="CP-SAT threads of the racing search on the model with run rules as flows "
        "(an LP worker and a max-SAT core worker: they prove the optima); 0: none",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--edges",
        choices=[edge.value for edge in RunEdges],
        default=RunEdges.OPEN.value,
        help="how minimum runs treat the horizon's edges (open: the published reading)",
    )
    args = parser.parse_args(argv)
    if args.time_limit <= 0:
        parser.error("--time-limit must be positive")
    if (args.workers is not None and args.workers < 1) or (
        args.flow_workers is not None and args.flow_workers < 0
    ):
        parser.error("--workers must be at least 1, --flow-workers at least 0")
    results = []
    for path in args.instances:
        try:
            result = run_instance(
                path,
                args.time_limit,
                args.workers,
                args.seed,
                RunEdges(args.edges),
                args.flow_workers,
            )
        except (OSError, InstanceError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
        except RosterRefused as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        results.append(result)
        proven = "optimal" if result["optimal"] else f"bound {result['bound']}"
        print(
            f"{result['instance']}: {result['objective']} ({proven}) in {result['seconds']} s",
            flush=True,
        )
        if args.json is not None:  # after each instance, so a long run keeps what it did
            args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0
