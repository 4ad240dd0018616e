"""Two CP-SAT searches of one problem racing each other, sharing what proves an optimum.

A plan found by either and a lower bound proved by either are both true of the problem, so
the race is won as soon as the best plan meets the best bound: then both searches stop.
"""

from __future__ import annotations

import math
import threading

from ortools.sat.python import cp_model


class Race:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._solvers: list[cp_model.CpSolver] = []
        self.best = math.inf
        self.bound = -math.inf
        self.over = False

    def enter(self, solver: cp_model.CpSolver) -> None:
        solver.best_bound_callback = self.offer_bound
        with self._lock:
            self._solvers.append(solver)

    def offer_plan(self, objective: float, bound: float) -> bool:
        """Record a plan (and its search's bound); True if it is the best so far."""
        with self._lock:
            better = objective < self.best
            self.best = min(self.best, objective)
            self.bound = max(self.bound, bound)
            self._settle()
            return better

    def offer_bound(self, bound: float) -> None:
        with self._lock:
            self.bound = max(self.bound, bound)
            self._settle()

    def stop(self) -> None:
        with self._lock:
            self._stop_all()

    def _settle(self) -> None:
        if self.best <= self.bound:  # objectives are whole numbers: the best is proven
            self._stop_all()

    def _stop_all(self) -> None:
        self.over = True
        for solver in self._solvers:
            solver.stop_search()
