"""The rota as a CP-SAT model: one boolean per doctor and shift they may work.

Hard rules are constraints; soft ones are terms of one weighted objective (see Term). Every
penalty variable is tied to its exact value (max, min, abs equalities rather than one-sided
bounds), so that any plan found, not only a proven optimum, reports its true objective and the
evaluator can check it. The greedy plan is the warm start (a hint: CP-SAT repairs it if it
breaks a rule), and the answer when CP-SAT finds nothing better within the time cap.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from rota.solver.explain import explain_terms, explain_uncovered
from rota.solver.greedy import greedy_plan
from rota.solver.model import (
    Assignment,
    PlanningProblem,
    Progress,
    RunEdges,
    Seniority,
    SolveOptions,
    SolveResult,
    SolveStatus,
    Term,
    WishKind,
)
from rota.solver.prepare import (
    Prepared,
    needs_supervision,
    prepare,
    spans,
    week_key,
    weekend_key,
)
from rota.solver.race import Race
from rota.solver.runs import RunRules, add_run_flow, needs_flow

Expr = cp_model.LinearExprT
FINDING = ("default_lp", "quick_restart")


@dataclass
class _Built:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    shortfalls: list[cp_model.IntVar]
    terms: dict[Term, list[Expr]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[Term, list[Expr]] = field(default_factory=lambda: defaultdict(list))


def _false(model: cp_model.CpModel) -> cp_model.IntVar:
    literal = model.new_bool_var("never")
    model.add(literal == 0)
    return literal


class _Builder:
    def __init__(self, prep: Prepared) -> None:
        self.prep = prep
        self.problem = prep.problem
        self.model = cp_model.CpModel()
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        for d, shifts in enumerate(prep.eligible):
            for s in shifts:
                self.x[(d, s)] = self.model.new_bool_var(f"x_{d}_{s}")
        self.built = _Built(self.model, self.x, [])
        self.on_shift: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for (d, s), var in self.x.items():
            self.on_shift[s].append((d, var))
        self.work: list[list[cp_model.IntVar]] = []
        self.run_rules: list[RunRules] = []

    def penalise(self, term: Term, weight: int, expr: Expr, count: Expr | None = None) -> None:
        if weight == 0:
            return
        self.built.terms[term].append(weight * expr)
        self.built.counts[term].append(expr if count is None else count)

    # --- hard rules -----------------------------------------------------------------------

    def doctor_rules(self, d: int) -> None:
        prep, model = self.prep, self.model
        doctor = prep.doctors[d]
        mine = prep.eligible[d]
        by_day: dict[int, list[int]] = defaultdict(list)
        for s in mine:
            by_day[prep.shift_day[s]].append(s)
        for dd, s in prep.forced:
            if dd == d:
                model.add(self.x[(d, s)] == 1)

        work: list[cp_model.IntVar] = []
        for day in range(prep.days):
            todays = [self.x[(d, s)] for s in by_day.get(day, [])]
            if not todays:
                work.append(_false(model))
                continue
            worked = model.new_bool_var(f"w_{d}_{day}")
            if self.problem.max_shifts_per_day == 1:
                model.add(sum(todays) == worked)  # linear: a tighter relaxation than a max
            else:
                model.add(sum(todays) <= self.problem.max_shifts_per_day)
                model.add_max_equality(worked, todays)
            work.append(worked)
        self.work.append(work)

        for group in prep.overlapping_groups(mine):
            model.add_at_most_one(self.x[(d, s)] for s in group)

        rest_minutes = doctor.min_rest_hours * 60
        ordered = sorted(mine, key=lambda s: prep.shifts[s].start)
        for position, a in enumerate(ordered):
            first = prep.shifts[a]
            for b in ordered[position + 1 :]:
                second = prep.shifts[b]
                gap = (second.start - first.end).total_seconds() / 60
                if gap >= rest_minutes:
                    break
                if gap >= 0 and prep.shift_day[b] > prep.shift_day[a]:
                    model.add_bool_or([~self.x[(d, a)], ~self.x[(d, b)]])

        if doctor.weekly_limit_hours is not None:
            weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
            for s in mine:
                weeks[week_key(prep.shifts[s].day)].append(s)
            for in_week in weeks.values():
                model.add(
                    sum(prep.shifts[s].minutes * self.x[(d, s)] for s in in_week)
                    <= int(doctor.weekly_limit_hours * 60)
                )

        for shift_type, most in doctor.max_shifts_per_type.items():
            of_type = [self.x[(d, s)] for s in mine if prep.shifts[s].shift_type == shift_type]
            if of_type:
                model.add(sum(of_type) <= most)
        total = sum(prep.shifts[s].minutes * self.x[(d, s)] for s in mine)
        model.add(total >= doctor.min_total_minutes)
        if doctor.max_total_minutes is not None:
            model.add(total <= doctor.max_total_minutes)

        self.runs(
            work, doctor.min_consecutive_days, doctor.max_consecutive_days, doctor.min_days_off
        )
        self.successions(d, by_day)

        weekends: dict[date, list[cp_model.IntVar]] = defaultdict(list)
        for day in range(prep.days):
            key = weekend_key(prep.day_date(day))
            if key is not None:
                weekends[key].append(work[day])
        self.weekend_vars: dict[date, cp_model.IntVar] = {}
        worked_weekends = []
        for key, days in weekends.items():
            worked = model.new_bool_var(f"we_{d}_{key}")
            for day_worked in days:
                model.add_implication(day_worked, worked)
            model.add(worked <= sum(days))
            worked_weekends.append(worked)
        if doctor.max_weekends is not None:
            model.add(sum(worked_weekends) <= doctor.max_weekends)
        self.doctor_weekends.append(worked_weekends)

    def runs(
        self,
        work: Sequence[cp_model.IntVar],
        min_on: int,
        max_on: int | None,
        min_off: int,
    ) -> None:
        model, days = self.model, len(work)
        if needs_flow(min_on, max_on, min_off):
            self.run_rules.append(RunRules(work, min_on, max_on, min_off))
        if max_on is not None:
            for first in range(days - max_on):
                model.add(sum(work[first : first + max_on + 1]) <= max_on)
        closed_edges = self.problem.run_edges is RunEdges.CLOSED
        # A run that starts on day i (state on i, other state on i-1) goes on for k more days:
        # three-literal clauses, whose linear relaxation is much tighter than forbidding
        # each too-short pattern whole (and the flow of add_run_flows tighter still).
        for shortest, on in ((min_on, True), (min_off, False)):
            for first in range(days):
                if first == 0 and not closed_edges:
                    continue  # the run may have begun before the period
                starts = [~work[first] if on else work[first]]
                if first > 0:
                    starts.append(work[first - 1] if on else ~work[first - 1])
                for ahead in range(1, shortest):
                    day = first + ahead
                    if day < days:
                        model.add_bool_or([*starts, work[day] if on else ~work[day]])
                    elif closed_edges:
                        model.add_bool_or(starts)  # too close to the end to start a run
                        break

    def add_run_flows(self) -> None:
        """The run rules again, as flows (rota/solver/runs.py): the same plans, a much tighter
        bound, but many more variables, in which CP-SAT's search finds plans slowly."""
        closed = self.problem.run_edges is RunEdges.CLOSED
        for rule in self.run_rules:
            add_run_flow(self.model, rule.work, rule.min_on, rule.max_on, rule.min_off, closed)

    def successions(self, d: int, by_day: dict[int, list[int]]) -> None:
        forbidden = self.problem.forbidden_successions
        if not forbidden:
            return
        shifts = self.prep.shifts
        for day, todays in by_day.items():
            for a in todays:
                for b in by_day.get(day + 1, []):
                    if (shifts[a].shift_type, shifts[b].shift_type) in forbidden:
                        self.model.add_bool_or([~self.x[(d, a)], ~self.x[(d, b)]])

    def supervision(self) -> None:
        prep, model = self.prep, self.model
        seniors_on: dict[tuple[str, date], list[tuple[int, int]]] = defaultdict(list)
        for (d, s), _ in self.x.items():
            if prep.doctors[d].seniority is Seniority.SENIOR:
                shift = prep.shifts[s]
                seniors_on[(shift.centre_id, shift.day)].append((d, s))
        for (d, s), var in self.x.items():
            doctor, shift = prep.doctors[d], prep.shifts[s]
            centre = prep.centres[shift.centre_id]
            if not needs_supervision(doctor, centre):
                continue
            if doctor.seniority is Seniority.INTERN:
                boss = prep.doctor_index[doctor.supervisor_id or ""]
                present = [
                    self.x[(boss, t)] for t in prep.eligible[boss] if spans(prep.shifts[t], shift)
                ]
            else:
                present = [
                    self.x[(e, t)]
                    for e, t in seniors_on[(shift.centre_id, shift.day)]
                    if spans(prep.shifts[t], shift)
                ]
            model.add(var <= sum(present))

    def rooms(self) -> None:
        prep = self.prep
        by_centre_day: dict[tuple[str, date], list[int]] = defaultdict(list)
        for s, shift in enumerate(prep.shifts):
            by_centre_day[(shift.centre_id, shift.day)].append(s)
        for (centre_id, _), shifts in by_centre_day.items():
            rooms = prep.centres[centre_id].rooms
            for group in prep.overlapping_groups(shifts, smallest=1):
                on = [var for s in group for _, var in self.on_shift[s]]
                if len(on) > rooms:
                    self.model.add(sum(on) <= rooms)

    # --- soft terms -----------------------------------------------------------------------

    def cover(self) -> None:
        weight = self.problem.weights.cover
        for n, need in enumerate(self.problem.needs):
            on = [var for s in self.prep.covering[n] for _, var in self.on_shift[s]]
            count = sum(on)
            short = self.model.new_int_var(0, need.doctors, f"short_{n}")
            self.model.add_max_equality(short, [need.doctors - count, 0])
            self.built.shortfalls.append(short)
            self.penalise(Term.COVER_SHORTFALL, weight * need.weight, short)
            if need.over_weight and len(on) > need.doctors:
                over = self.model.new_int_var(0, len(on) - need.doctors, f"over_{n}")
                self.model.add_max_equality(over, [count - need.doctors, 0])
                self.penalise(Term.COVER_EXCESS, weight * need.over_weight, over)

    def wishes(self, d: int) -> None:
        prep, weight = self.prep, self.problem.weights.wishes
        doctor = prep.doctors[d]
        for wish in doctor.wishes:
            if not self.problem.period.contains(wish.day):
                continue
            matching = [
                self.x[(d, s)]
                for s in prep.eligible[d]
                if prep.shifts[s].day == wish.day
                and wish.part in prep.shift_parts[s]
                and (wish.shift_type is None or prep.shifts[s].shift_type == wish.shift_type)
            ]
            worked: Expr
            if not matching:
                worked = 0
            elif len(matching) == 1:
                worked = matching[0]
            else:
                flag = self.model.new_bool_var(f"wish_{d}")
                self.model.add_max_equality(flag, matching)
                worked = flag
            missed = (1 - worked) if wish.kind is WishKind.WORK else worked
            self.penalise(Term.WISHES, weight * wish.weight, missed)

    def targets(self, d: int) -> None:
        prep, weights, model = self.prep, self.problem.weights, self.model
        doctor, mine = prep.doctors[d], prep.eligible[d]
        if doctor.wanted_shifts is not None:
            count = sum(self.x[(d, s)] for s in mine)
            away = model.new_int_var(0, max(len(mine), doctor.wanted_shifts), f"away_{d}")
            model.add_abs_equality(away, count - doctor.wanted_shifts)
            self.penalise(Term.TARGETS, weights.target_shifts, away)
        if doctor.wanted_minutes is not None:
            minutes = sum(prep.shifts[s].minutes * self.x[(d, s)] for s in mine)
            most = max(sum(prep.shifts[s].minutes for s in mine), doctor.wanted_minutes)
            minutes_away = model.new_int_var(0, most, f"minutes_away_{d}")
            model.add_abs_equality(minutes_away, minutes - doctor.wanted_minutes)
            hours_away = model.new_int_var(0, most // 60 + 1, f"hours_away_{d}")
            model.add(60 * hours_away >= minutes_away)  # whole hours, rounded up
            model.add(60 * hours_away <= minutes_away + 59)
            self.penalise(Term.TARGETS, weights.target_hours, hours_away)

    def spread(self, term: Term, weight: int, counts: Sequence[tuple[Expr, int]]) -> None:
        """weight × (largest − smallest) of the doctors' counts (each with its ledger part)."""
        if weight == 0 or len(counts) < 2:
            return
        ceiling = max(offset for _, offset in counts) + self.prep.days + 1
        high = self.model.new_int_var(0, ceiling, f"high_{term}")
        low = self.model.new_int_var(0, ceiling, f"low_{term}")
        self.model.add_max_equality(high, [expr + offset for expr, offset in counts])
        self.model.add_min_equality(low, [expr + offset for expr, offset in counts])
        self.penalise(term, weight, high - low)

    def fairness(self) -> None:
        prep, weights = self.prep, self.problem.weights
        ledger = self.problem.ledger
        weekends, holidays, late = [], [], []
        for d, doctor in enumerate(prep.doctors):
            past = ledger.get(doctor.id)
            mine = prep.eligible[d]
            if any(weekend_key(prep.shifts[s].day) for s in mine):
                weekends.append((sum(self.doctor_weekends[d]), past.weekends if past else 0))
            on_holiday = [self.x[(d, s)] for s in mine if prep.shift_holiday[s]]
            if on_holiday:
                holidays.append((sum(on_holiday), past.public_holidays if past else 0))
            on_late = [self.x[(d, s)] for s in mine if prep.shifts[s].late]
            if on_late:
                late.append((sum(on_late), past.late_shifts if past else 0))
        self.spread(Term.FAIR_WEEKENDS, weights.fair_weekends, weekends)
        self.spread(Term.FAIR_HOLIDAYS, weights.fair_holidays, holidays)
        self.spread(Term.FAIR_LATE, weights.fair_late, late)

    def habits(self, d: int) -> None:
        prep, weights, model = self.prep, self.problem.weights, self.model
        if weights.centres_per_week and len(prep.doctors[d].centre_ids) > 1:
            at: dict[tuple[int, int], dict[str, list[cp_model.IntVar]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for s in prep.eligible[d]:
                shift = prep.shifts[s]
                at[week_key(shift.day)][shift.centre_id].append(self.x[(d, s)])
            for week, centres in at.items():
                if len(centres) < 2:
                    continue
                used = []
                for centre_id, on in centres.items():
                    flag = model.new_bool_var(f"at_{d}_{week}_{centre_id}")
                    model.add_max_equality(flag, on)
                    used.append(flag)
                extra = model.new_int_var(0, len(used) - 1, f"extra_{d}_{week}")
                model.add_max_equality(extra, [sum(used) - 1, 0])
                self.penalise(Term.CENTRES_PER_WEEK, weights.centres_per_week, extra)
        if weights.isolated_days:
            work = self.work[d]
            for day in range(1, prep.days - 1):
                alone = model.new_bool_var(f"alone_{d}_{day}")
                model.add(alone >= work[day] - work[day - 1] - work[day + 1])
                model.add_implication(alone, work[day])
                model.add_implication(alone, ~work[day - 1])
                model.add_implication(alone, ~work[day + 1])
                self.penalise(Term.ISOLATED_DAYS, weights.isolated_days, alone)

    def changes(self) -> None:
        weight = self.problem.weights.changes
        for d, s in self.prep.movable:
            self.penalise(Term.CHANGES, weight, 1 - self.x[(d, s)])

    def build(self) -> _Built:
        self.doctor_weekends: list[list[cp_model.IntVar]] = []
        for d in range(len(self.prep.doctors)):
            self.doctor_rules(d)
        self.supervision()
        self.rooms()
        self.cover()
        for d in range(len(self.prep.doctors)):
            self.wishes(d)
            self.targets(d)
            self.habits(d)
        self.fairness()
        self.changes()
        self.model.minimize(sum(sum(parts) for parts in self.built.terms.values()))
        return self.built


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(
        self, built: _Built, options: SolveOptions, started: float, race: Race | None = None
    ) -> None:
        super().__init__()
        self.built, self.options, self.started, self.race = built, options, started, race
        self.first: float | None = None
        self.solutions = 0
        self.cancelled = False

    def on_solution_callback(self) -> None:
        seconds = time.monotonic() - self.started
        if self.first is None:
            self.first = seconds
        self.solutions += 1
        bound = self.best_objective_bound
        if self.race is not None:
            if not self.race.offer_plan(self.objective_value, bound):
                return  # the other search has a better plan: nothing new to report
            bound = self.race.bound
        if self.options.progress is None:
            return
        progress = Progress(
            seconds=seconds,
            objective=round(self.objective_value),
            bound=round(bound),
            gaps_left=sum(self.value(short) for short in self.built.shortfalls),
            solutions=self.solutions,
        )
        if not self.options.progress(progress):
            self.cancelled = True
            self.stop_search()
            if self.race is not None:
                self.race.stop()


def _hint(built: _Built, prep: Prepared, plan: set[tuple[int, int]]) -> None:
    for pair, var in built.x.items():
        built.model.add_hint(var, pair in plan)


def _plan_from(prep: Prepared, hint: Sequence[Assignment]) -> set[tuple[int, int]]:
    shift_index = {shift.id: s for s, shift in enumerate(prep.shifts)}
    return {
        (prep.doctor_index[a.doctor_id], shift_index[a.shift_id])
        for a in hint
        if a.doctor_id in prep.doctor_index and a.shift_id in shift_index
    }


def assignments_of(prep: Prepared, plan: set[tuple[int, int]]) -> tuple[Assignment, ...]:
    rows = []
    for d, s in sorted(plan, key=lambda p: (prep.shifts[p[1]].start, p[0])):
        shift = prep.shifts[s]
        rows.append(
            Assignment(
                shift.id,
                prep.doctors[d].id,
                shift.centre_id,
                shift.day,
                shift.start,
                shift.end,
                shift.shift_type,
            )
        )
    return tuple(rows)


_STATUS = {
    cp_model.OPTIMAL: SolveStatus.OPTIMAL,
    cp_model.FEASIBLE: SolveStatus.FEASIBLE,
    cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
}


@dataclass
class _Found:
    plan: set[tuple[int, int]]
    values: dict[Term, int]
    counts: dict[Term, int]
    shortfalls: list[int]

    @property
    def objective(self) -> int:
        return sum(self.values.values())


def _read(built: _Built, solver: cp_model.CpSolver) -> _Found:
    """The plan in the solver's answer and its terms, read from the model's own expressions."""

    def total(parts: list[Expr]) -> int:
        return round(sum(solver.value(e) for e in parts))

    return _Found(
        {pair for pair, var in built.x.items() if solver.boolean_value(var)},
        {term: total(parts) for term, parts in built.terms.items()},
        {term: total(parts) for term, parts in built.counts.items()},
        [solver.value(short) for short in built.shortfalls],
    )


def _price(built: _Built, plan: set[tuple[int, int]], seconds: float) -> _Found | None:
    """The model's terms for a given plan: a copy with every choice fixed solves at once.

    CP-SAT may not follow a hint on a large model within its time cap (on the network it
    started from plans worse than the greedy one); pricing the greedy plan this way keeps it as
    the answer to beat, with the same explanations as any other plan.
    """
    fixed = built.model.clone()
    for pair, var in built.x.items():
        fixed.add(var == int(pair in plan))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = 1
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None  # the plan breaks a rule of the model (a fixed shift clashing, say)
    return _read(built, solver)


def _solver(
    options: SolveOptions, seconds: float, workers: int, subsolvers: Sequence[str]
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    solver.parameters.num_workers = max(workers, 1)
    solver.parameters.random_seed = options.seed
    solver.parameters.log_search_progress = options.log
    solver.parameters.subsolvers.extend(subsolvers)
    return solver


def _run(solver: cp_model.CpSolver, built: _Built, watcher: _Watcher) -> cp_model.CpSolverStatus:
    code = solver.solve(built.model, watcher)
    if code == cp_model.MODEL_INVALID:
        raise ValueError(f"Invalid planning model: {built.model.validate()}")
    return code


@dataclass
class _Outcome:
    code: cp_model.CpSolverStatus
    found: _Found | None
    bound: int | None


def _outcome(built: _Built, solver: cp_model.CpSolver, code: cp_model.CpSolverStatus) -> _Outcome:
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Outcome(code, _read(built, solver), round(solver.best_objective_bound))
    return _Outcome(code, None, None)


def _race(
    prep: Prepared,
    compact: _Built,
    plan: set[tuple[int, int]] | None,
    options: SolveOptions,
    seconds: float,
    started: float,
) -> tuple[_Outcome, _Watcher]:
    """The compact model (run rules as clauses: finds plans) against the same model with the
    run rules as flows too (rota/solver/runs.py: proves the bounds), on threads of their own.

    Either alone did worse in our measures: the flow model found no plan for instance 8 of
    the benchmark in 60 s, the compact one proved nothing on instances 4, 5 and 7, and running
    them one after the other left each too little time.
    """
    builder = _Builder(prep)
    flowed = builder.build()
    builder.add_run_flows()
    if plan is not None:
        _hint(flowed, prep, plan)
    race = Race()
    alone = options.num_workers == 1
    # One thread can still take turns between CP-SAT's neighbourhood searches, heuristics and
    # full searches (deterministic for a seed), so the flow search keeps two threads of two
    # cores. Its full searches are two plain ones: the proving kinds run in the flow search,
    # and with all eight taking turns instance 8 ended at 4,561 instead of 2,261 (one run each
    # on a loaded machine).
    finder = _solver(options, seconds, options.num_workers, FINDING if alone else ())
    finder.parameters.interleave_search = alone
    searches = [
        (compact, finder),
        (flowed, _solver(options, seconds, options.flow_workers, options.subsolvers)),
    ]
    watchers = [_Watcher(built, options, started, race) for built, _ in searches]
    codes: list[cp_model.CpSolverStatus] = [cp_model.UNKNOWN, cp_model.UNKNOWN]
    failures: list[BaseException] = []

    def search(which: int) -> None:
        try:
            built, solver = searches[which]
            if race.over:
                return  # the other search proved the optimum before this one began
            codes[which] = _run(solver, built, watchers[which])
            if codes[which] in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                race.stop()  # a search that ends with a proof does not always call back a bound
        except BaseException as error:  # re-raised on the calling thread below
            failures.append(error)
            race.stop()

    for _, solver in searches:
        race.enter(solver)
    other = threading.Thread(target=search, args=(1,), name="rota-solver-flow")
    other.start()
    search(0)
    other.join()
    if failures:
        raise failures[0]
    outcomes = [
        _outcome(built, solver, code) for (built, solver), code in zip(searches, codes, strict=True)
    ]
    if any(o.code == cp_model.INFEASIBLE for o in outcomes):
        return _Outcome(cp_model.INFEASIBLE, None, None), watchers[0]
    found = [o for o in outcomes if o.found is not None]
    watcher = watchers[0]
    watcher.cancelled = any(w.cancelled for w in watchers)
    firsts = [w.first for w in watchers if w.first is not None]
    watcher.first = min(firsts) if firsts else None
    if not found:
        return _Outcome(cp_model.UNKNOWN, None, None), watcher
    best = min(found, key=lambda o: o.found.objective if o.found else 0)
    assert best.found is not None
    bounds = [o.bound for o in found if o.bound is not None]
    if math.isfinite(race.bound):
        bounds.append(round(race.bound))
    bound = max(bounds)
    proven = best.found.objective <= bound or any(o.code == cp_model.OPTIMAL for o in found)
    code = cp_model.OPTIMAL if proven else cp_model.FEASIBLE
    return _Outcome(
        code, best.found, max(bound, best.found.objective) if proven else bound
    ), watcher


def solve(problem: PlanningProblem, options: SolveOptions | None = None) -> SolveResult:
    """Plan ``problem``: the best rota found within the options' time cap.

    When doctors have run limits (consecutive days, days off) and ``options.flow_workers``,
    two searches race (see _race).
    """
    options = options or SolveOptions()
    started = time.monotonic()
    prep = prepare(problem)
    builder = _Builder(prep)
    built = builder.build()
    greedy: _Found | None = None
    greedy_seconds = None
    plan: set[tuple[int, int]] | None = None
    if options.hint is not None:
        plan = _plan_from(prep, options.hint)
        _hint(built, prep, plan)
    elif options.greedy_hint:
        plan = greedy_plan(prep)
        _hint(built, prep, plan)
        greedy = _price(built, plan, options.time_limit_seconds / 4)
        greedy_seconds = time.monotonic() - started
        if greedy is not None and options.progress is not None:
            go_on = options.progress(
                Progress(greedy_seconds, greedy.objective, 0, sum(greedy.shortfalls), 0)
            )
            if not go_on:  # cancelled: the greedy plan is the answer
                return _result(
                    prep,
                    greedy,
                    SolveStatus.FEASIBLE,
                    None,
                    started,
                    greedy_seconds,
                    greedy.objective,
                )

    left = options.time_limit_seconds - (time.monotonic() - started)
    if builder.run_rules and options.flow_workers > 0:
        outcome, watcher = _race(prep, built, plan, options, left, started)
    else:
        watcher = _Watcher(built, options, started)
        solver = _solver(options, left, options.num_workers, options.subsolvers)
        outcome = _outcome(built, solver, _run(solver, built, watcher))
    code, found, bound = outcome.code, outcome.found, outcome.bound
    status = _STATUS.get(code, SolveStatus.UNKNOWN)
    seconds = time.monotonic() - started
    greedy_objective = greedy.objective if greedy is not None else None
    if (
        greedy is not None
        and code != cp_model.INFEASIBLE
        and (found is None or greedy.objective < found.objective)
    ):
        found, status = greedy, SolveStatus.FEASIBLE
    if found is None:
        if status is SolveStatus.UNKNOWN and watcher.cancelled:
            status = SolveStatus.CANCELLED
        return SolveResult(status, (), None, None, seconds, None, greedy_objective=greedy_objective)
    first = _first(watcher.first, greedy_seconds if greedy is not None else None)
    return _result(prep, found, status, bound, started, first, greedy_objective)


def _result(
    prep: Prepared,
    found: _Found,
    status: SolveStatus,
    bound: int | None,
    started: float,
    first: float | None,
    greedy_objective: int | None,
) -> SolveResult:
    return SolveResult(
        status=status,
        assignments=assignments_of(prep, found.plan),
        objective=found.objective,
        bound=bound,
        seconds=time.monotonic() - started,
        seconds_to_first=first,
        terms=explain_terms(found.values, found.counts),
        uncovered=explain_uncovered(prep, found.plan, found.shortfalls),
        greedy_objective=greedy_objective,
    )


def _first(solver_first: float | None, greedy_first: float | None) -> float | None:
    """The first plan is the greedy one when it keeps every hard rule."""
    found = [seconds for seconds in (solver_first, greedy_first) if seconds is not None]
    return min(found) if found else None
