"""The Curtois & Qu adapter: the parser's edge cases, and instances solved to their optima."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rota.solver.bench_cli import main as rota_bench
from rota.solver.cpsat import solve
from rota.solver.curtois import (
    InstanceError,
    assignments_from_roster,
    parse_instance,
    read_instance,
    roster_of,
    run_instance,
    search_threads,
    to_problem,
)
from rota.solver.evaluate import evaluate
from rota.solver.model import RunEdges, SolveOptions

# The worktrees and CI's clone sit beside shared/.
BENCHMARK = Path(__file__).resolve().parents[3] / "shared" / "rota-benchmark"
needs_benchmark = pytest.mark.skipif(not BENCHMARK.is_dir(), reason="benchmark files absent")

SMALL = """
# a comment
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
L,600,D|L
SECTION_STAFF
A,D=7|L=2,4800,960,5,1,1,1   # trailing comment
B,D=-0|L=7,4800,0,5,1,1,1
SECTION_DAYS_OFF
A,0,6
B
SECTION_SHIFT_ON_REQUESTS
A,2,D,3
SECTION_SHIFT_OFF_REQUESTS
B,3,L,2
SECTION_COVER
0,D,1,100,1
1,L,-0,100,1
2,D,1,100,1
"""


def test_the_parser_reads_every_section_and_minus_zero() -> None:
    instance = parse_instance(SMALL, "small")
    assert instance.days == 7
    assert instance.lengths == {"D": 480, "L": 600}
    assert instance.forbidden_after == {"D": frozenset(), "L": frozenset({"D", "L"})}
    a, b = instance.staff
    assert a.max_shifts == {"D": 7, "L": 2} and a.min_minutes == 960 and a.max_weekends == 1
    assert b.max_shifts["D"] == 0
    assert instance.days_off == {"A": frozenset({0, 6}), "B": frozenset()}
    assert [c.requirement for c in instance.cover] == [1, 0, 1]
    assert instance.on_requests[0].weight == 3 and instance.off_requests[0].shift == "L"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SMALL.replace("\n7\n", "\nx\n", 1), "not a whole number"),
        ("7\n", "data before any section"),
        ("SECTION_NOPE\n", "unknown section"),
        (SMALL.replace("A,0,6", "A,0,9"), "outside the horizon"),
        (SMALL.replace("0,D,1,100,1", "0,N,1,100,1"), "unknown shift type"),
        (SMALL.replace("L,600,D|L", "L,600,D|X"), "unknown successors"),
        (SMALL.replace("A,2,D,3", "Z,2,D,3"), "unknown employee"),
        (SMALL.replace("A,D=7|L=2,4800,960,5,1,1,1", "A,D=7,4800"), "needs 8 fields"),
    ],
)
def test_the_parser_says_what_is_wrong(broken: str, message: str) -> None:
    with pytest.raises(InstanceError, match=message):
        parse_instance(broken)


def test_the_small_instance_solves_and_the_evaluator_agrees() -> None:
    instance = parse_instance(SMALL, "small")
    problem = to_problem(instance)
    result = solve(problem, SolveOptions(time_limit_seconds=10, num_workers=1))
    assert result.optimal
    roster = roster_of(instance, result.assignments)
    assert roster["A"][0] == "" and roster["A"][6] == ""  # A's days off
    judged = evaluate(problem, assignments_from_roster(instance, roster))
    assert judged.feasible and judged.objective == result.objective


def test_the_evaluator_refuses_a_roster_breaking_the_benchmark_rules() -> None:
    instance = parse_instance(SMALL, "small")
    problem = to_problem(instance)
    # A works its days off, D after L, and a run of 7 days (max 5).
    roster = {"A": ["L", "D", "D", "D", "D", "D", "D"], "B": [""] * 7}
    judged = evaluate(problem, assignments_from_roster(instance, roster))
    assert {"unavailable", "succession", "max_run"} <= {v.rule for v in judged.violations}


@needs_benchmark
def test_the_open_edge_reading_gives_the_published_optimum_of_instance_1() -> None:
    instance = read_instance(BENCHMARK / "Instance1.txt")
    closed = solve(to_problem(instance, RunEdges.CLOSED), SolveOptions(time_limit_seconds=20))
    assert closed.optimal and closed.objective == 807  # not the published 607
    assert run_instance(BENCHMARK / "Instance1.txt", 20)["objective"] == 607


@needs_benchmark
@pytest.mark.timeout(240)
def test_instances_1_to_3_reach_their_proven_optima(tmp_path: Path) -> None:
    # run_instance checks the roster with the evaluator and that its objective is the solver's
    out = tmp_path / "rb.json"
    paths = [str(BENCHMARK / f"Instance{n}.txt") for n in (1, 2, 3)]
    assert rota_bench([*paths, "--time-limit", "50", "--json", str(out)]) == 0
    first, second, third = json.loads(out.read_text())
    assert first["instance"] == "Instance1" and first["objective"] == 607 and first["optimal"]
    assert second["objective"] == 828
    assert third["objective"] == 1001 and third["optimal"]
    assert sorted(second["roster"]) == [chr(ord("A") + i) for i in range(14)]
    assert all(len(days) == 14 for days in second["roster"].values())


@needs_benchmark
def test_the_threads_follow_the_instance_s_size() -> None:
    # The race (one finder, two flow provers) up to instance 7; three plain workers on 8.
    chosen = {n: search_threads(read_instance(BENCHMARK / f"Instance{n}.txt")) for n in (1, 7, 8)}
    assert chosen == {1: (1, 2), 7: (1, 2), 8: (3, 0)}


def test_the_command_refuses_a_missing_file(tmp_path: Path) -> None:
    assert rota_bench([str(tmp_path / "none.txt"), "--time-limit", "1"]) == 2
