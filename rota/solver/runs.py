"""Runs of working days and days off as a flow through run states, one layer per day.

A doctor's days are a path through states "working, k days in a row" and "off, j days in a
row"; each allowed step (one more day of the same, or a switch once the run is long enough) is
an arc. Flow conservation is a network matrix, so its linear relaxation is the convex hull of
the day patterns that keep the run rules: an LP can no longer spread a fraction of work over
every day and pay a fraction of each request. On instance 5 of the benchmark (optimum 1,143)
the clauses alone left the bound at 846 after 60 s (deterministic time 131), the flow took it
to 1,135 in 60 s (deterministic time 37), both on a loaded machine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class RunState:
    working: bool
    length: int  # days of this run so far, capped where longer no longer matters
    edge: bool = False  # the run began on the period's first day: open edges waive its minimum


@dataclass(frozen=True)
class RunRules:
    """One doctor's run limits over their day literals."""

    work: Sequence[cp_model.IntVar]
    min_on: int
    max_on: int | None
    min_off: int


def needs_flow(min_on: int, max_on: int | None, min_off: int) -> bool:
    """Only rules on run lengths give the flow anything to say."""
    return min_on > 1 or max_on is not None or min_off > 1


def _steps(state: RunState, min_on: int, max_on: int | None, min_off: int) -> list[RunState]:
    top_on = max_on if max_on is not None else max(min_on, 1)
    top_off = max(min_off, 1)
    if state.working:
        steps = []
        if state.length < top_on:
            steps.append(RunState(True, state.length + 1, state.edge))
        elif max_on is None:
            steps.append(state)  # "at least the minimum": stays
        if state.edge or state.length >= min_on:
            steps.append(RunState(False, 1))
        return steps
    if state.edge:  # off since before the period: may start work on any day
        return [state, RunState(True, 1)]
    steps = [RunState(False, min(state.length + 1, top_off))]
    if state.length >= top_off:
        steps.append(RunState(True, 1))
    return steps


def add_run_flow(
    model: cp_model.CpModel,
    work: Sequence[cp_model.IntVar],
    min_on: int,
    max_on: int | None,
    min_off: int,
    closed_edges: bool,
) -> None:
    """Constrain ``work`` (one literal a day) to runs between the limits, as a flow.

    Open edges: the first run may have begun before the period and the last may go on after
    it, so neither is held to its minimum (the reading of the benchmark's published optima).
    """
    if not work:
        return
    first = (RunState(True, 1, not closed_edges), RunState(False, 1, not closed_edges))
    layers: list[dict[RunState, cp_model.IntVar]] = [
        {state: model.new_bool_var("run_state") for state in first}
    ]
    for _ in range(len(work) - 1):
        arriving: dict[RunState, list[cp_model.IntVar]] = defaultdict(list)
        for state, here in layers[-1].items():
            leaving = []
            for step in _steps(state, min_on, max_on, min_off):
                arc = model.new_bool_var("run_step")
                leaving.append(arc)
                arriving[step].append(arc)
            model.add(sum(leaving) == here)
        layer = {}
        for state, into in arriving.items():
            layer[state] = model.new_bool_var("run_state")
            model.add(sum(into) == layer[state])
        layers.append(layer)
    for day, layer in enumerate(layers):
        model.add_exactly_one(layer.values())
        model.add(sum(var for state, var in layer.items() if state.working) == work[day])
    if closed_edges:  # the last run ends with the period: it must be long enough
        for state, var in layers[-1].items():
            if state.length < (min_on if state.working else max(min_off, 1)):
                model.add(var == 0)
