"""The planning problem the solver works on, and the plan it returns: plain frozen data.

No database and no web framework here: the rota feature builds a :class:`PlanningProblem` from
its tables, the public benchmark adapter builds one from a text file, and both read the same
:class:`SolveResult` back. Instants are timezone-aware; a shift's ``day`` is the local service
day of its centre (a night shift belongs to the day it starts). Weights are integers because
CP-SAT optimises integer objectives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

# A shift touches the morning if it overlaps [00:00, MIDDAY) local, the afternoon if it
# overlaps [MIDDAY, 24:00): the half-days of availability and wishes.
MIDDAY = time(13, 0)


def _require_aware(what: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must carry a time zone: {value.isoformat()}")


class Seniority(StrEnum):
    SENIOR = "senior"
    JUNIOR = "junior"  # needs any senior on duty at the centre (if the centre says so)
    INTERN = "intern"  # needs their own supervisor (maître de stage) there for the whole shift


class DayPart(StrEnum):
    WHOLE_DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"


class WishKind(StrEnum):
    WORK = "work"  # "I would like to work then": a penalty if not worked
    OFF = "off"  # "I would rather not work then": a penalty if worked


class RunEdges(StrEnum):
    """How minimum run lengths treat runs that touch the first or last day of the period.

    OPEN: such a run may be shorter than the minimum (it continues outside the period).
    CLOSED: the period's edges are hard ends; every run must reach the minimum.
    """

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Period:
    """The days planned: ``first_day`` and the ``days`` after it, local to ``time_zone``."""

    first_day: date
    days: int
    time_zone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("A period has at least one day")

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def day(self, index: int) -> date:
        return self.first_day + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.first_day).days

    def contains(self, day: date) -> bool:
        return 0 <= self.index(day) < self.days


@dataclass(frozen=True)
class SolverCentre:
    """A centre as the solver sees it: rooms (doctors at once), holidays, supervision rules."""

    id: str
    time_zone: str = "Europe/Paris"
    rooms: int = 1
    public_holidays: frozenset[date] = frozenset()
    intern_needs_supervisor: bool = True  # an intern's maître de stage on duty, whole shift
    junior_needs_senior: bool = True  # a junior's shift needs a senior there, whole shift

    def __post_init__(self) -> None:
        if self.rooms < 0:
            raise ValueError(f"Centre {self.id}: rooms cannot be negative")


@dataclass(frozen=True)
class CandidateShift:
    """A shift that may be worked: inside the centre's opening hours by construction.

    ``late`` marks an evening or night shift for the fairness of late shifts.
    """

    id: str
    centre_id: str
    day: date
    start: datetime
    end: datetime
    shift_type: str = "day"
    label: str = ""
    late: bool = False

    def __post_init__(self) -> None:
        _require_aware(f"Shift {self.id} start", self.start)
        _require_aware(f"Shift {self.id} end", self.end)
        if self.end <= self.start:
            raise ValueError(f"Shift {self.id}: the end must come after the start")

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True)
class CoverNeed:
    """``doctors`` wanted at a centre over [start, end); a doctor covers it if their shift spans
    the whole window. With ``shift_type`` set only shifts of that type count (the benchmark's
    per-shift-type cover). ``weight`` per doctor short, ``over_weight`` per doctor too many."""

    centre_id: str
    day: date
    start: datetime
    end: datetime
    doctors: int
    weight: int = 100
    over_weight: int = 0
    shift_type: str | None = None

    def __post_init__(self) -> None:
        _require_aware("Cover need start", self.start)
        _require_aware("Cover need end", self.end)
        if self.end <= self.start:
            raise ValueError("A cover need ends after it starts")
        if self.doctors < 0 or self.weight < 0 or self.over_weight < 0:
            raise ValueError("Cover needs and their weights cannot be negative")


@dataclass(frozen=True)
class Unavailability:
    """A day or half-day on which the doctor cannot work (hard)."""

    day: date
    part: DayPart = DayPart.WHOLE_DAY


@dataclass(frozen=True)
class Wish:
    """A soft wish on a day or half-day, optionally about one shift type; ``weight`` is the
    penalty if it is not honoured."""

    day: date
    kind: WishKind
    weight: int = 1
    part: DayPart = DayPart.WHOLE_DAY
    shift_type: str | None = None

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError("A wish's weight cannot be negative")


@dataclass(frozen=True)
class SolverDoctor:
    """A doctor's hard limits (their own settings and contract) and soft wishes.

    Minutes and day counts are over the whole period; ``None`` means no limit.
    """

    id: str
    centre_ids: frozenset[str]
    seniority: Seniority = Seniority.SENIOR
    supervisor_id: str | None = None  # for an intern: their maître de stage
    weekly_limit_hours: float | None = 48.0  # per ISO week of the local day
    min_rest_hours: float = 11.0  # from the last end of one working day to the next start
    max_shifts_per_type: Mapping[str, int] = field(default_factory=dict)
    min_total_minutes: int = 0
    max_total_minutes: int | None = None
    min_consecutive_days: int = 1
    max_consecutive_days: int | None = None
    min_days_off: int = 1  # shortest run of consecutive days off
    max_weekends: int | None = None  # a weekend counts if Saturday or Sunday is worked
    unavailable: tuple[Unavailability, ...] = ()
    leave: tuple[tuple[datetime, datetime], ...] = ()  # [start, end) spans, aware
    wishes: tuple[Wish, ...] = ()
    wanted_shifts: int | None = None  # monthly target, soft
    wanted_minutes: int | None = None  # monthly target, soft

    def __post_init__(self) -> None:
        if self.seniority is Seniority.INTERN and self.supervisor_id is None:
            raise ValueError(f"Intern {self.id} needs a supervisor")
        if self.max_total_minutes is not None and self.max_total_minutes < self.min_total_minutes:
            raise ValueError(f"Doctor {self.id}: min total minutes above the max")
        for start, end in self.leave:
            _require_aware(f"Leave of {self.id}", start)
            if end <= start:
                raise ValueError(f"Leave of {self.id}: the end must come after the start")


@dataclass(frozen=True)
class ExistingShift:
    """A shift already in the rota. Fixed: kept as it is; movable: a hint the solver may
    change at the cost of ``Weights.changes``. It matches a candidate with the same centre,
    start and end; a fixed one without a match is added as its own candidate."""

    id: str
    doctor_id: str
    centre_id: str
    day: date
    start: datetime
    end: datetime
    shift_type: str = "day"
    fixed: bool = True
    late: bool = False


@dataclass(frozen=True)
class LedgerEntry:
    """What a doctor already worked in earlier months, for fairness across months."""

    weekends: int = 0
    public_holidays: int = 0
    late_shifts: int = 0


@dataclass(frozen=True)
class Weights:
    """Multipliers of the soft terms. Cover shortfall should dominate: it is the point."""

    cover: int = 1  # times each need's own weight per doctor short (or over)
    wishes: int = 1  # times each wish's own weight
    target_shifts: int = 20  # per shift away from a doctor's wanted number
    target_hours: int = 5  # per hour away from a doctor's wanted minutes
    fair_weekends: int = 30  # per weekend of the busiest doctor above the least busy
    fair_holidays: int = 30
    fair_late: int = 10
    centres_per_week: int = 15  # per extra centre a doctor works at in one week
    isolated_days: int = 10  # per working day with days off on both sides
    changes: int = 50  # per movable existing shift not kept

    def __post_init__(self) -> None:
        if any(value < 0 for value in self.__dict__.values()):
            raise ValueError("Weights cannot be negative")

    @classmethod
    def cover_and_wishes(cls, cover: int = 1, wishes: int = 1) -> Weights:
        """Only cover and wishes count (the public benchmark's objective); the network's
        targets, fairness and tidiness terms are off."""
        off = {name: 0 for name in cls.__dataclass_fields__ if name not in ("cover", "wishes")}
        return cls(cover=cover, wishes=wishes, **off)


@dataclass(frozen=True)
class PlanningProblem:
    period: Period
    centres: tuple[SolverCentre, ...]
    doctors: tuple[SolverDoctor, ...]
    shifts: tuple[CandidateShift, ...]
    needs: tuple[CoverNeed, ...] = ()
    existing: tuple[ExistingShift, ...] = ()
    ledger: Mapping[str, LedgerEntry] = field(default_factory=dict)
    # (type worked on one day, type that may not be worked the next day)
    forbidden_successions: frozenset[tuple[str, str]] = frozenset()
    max_shifts_per_day: int = 1  # per doctor and local day
    run_edges: RunEdges = RunEdges.OPEN
    weights: Weights = Weights()

    def __post_init__(self) -> None:
        for kind, items in (
            ("centre", self.centres),
            ("doctor", self.doctors),
            ("shift", self.shifts),
        ):
            ids = [item.id for item in items]
            if len(ids) != len(set(ids)):
                raise ValueError(f"Two {kind}s share an id")
        centre_ids = {centre.id for centre in self.centres}
        doctor_ids = {doctor.id for doctor in self.doctors}
        for shift in self.shifts:
            if shift.centre_id not in centre_ids:
                raise ValueError(f"Shift {shift.id}: unknown centre {shift.centre_id}")
        for doctor in self.doctors:
            if doctor.supervisor_id is not None and doctor.supervisor_id not in doctor_ids:
                raise ValueError(f"Doctor {doctor.id}: unknown supervisor {doctor.supervisor_id}")
        for existing in self.existing:
            if existing.doctor_id not in doctor_ids or existing.centre_id not in centre_ids:
                raise ValueError(f"Existing shift {existing.id}: unknown doctor or centre")


# --- The answer -----------------------------------------------------------------------------


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven best for the objective
    FEASIBLE = "feasible"  # a plan, not proven best (time cap or cancel)
    INFEASIBLE = "infeasible"  # the hard rules cannot all hold (e.g. fixed shifts clash)
    UNKNOWN = "unknown"  # no plan found in the time given
    CANCELLED = "cancelled"  # stopped by the progress callback before any plan


class Term(StrEnum):
    """The soft terms of the objective, in the order of their importance."""

    COVER_SHORTFALL = "cover_shortfall"
    COVER_EXCESS = "cover_excess"
    WISHES = "wishes"
    TARGETS = "targets"
    FAIR_WEEKENDS = "fair_weekends"
    FAIR_HOLIDAYS = "fair_holidays"
    FAIR_LATE = "fair_late"
    CENTRES_PER_WEEK = "centres_per_week"
    ISOLATED_DAYS = "isolated_days"
    CHANGES = "changes"


@dataclass(frozen=True)
class TermValue:
    """One term's share of the objective: ``penalty`` (weighted, summed into the objective)
    from ``count`` units (doctors short, wishes missed, weekends of spread...)."""

    term: Term
    penalty: int
    count: int
    explanation: str  # French
    explanation_en: str


class UncoveredReason(StrEnum):
    NO_ONE_AVAILABLE = "no_one_available"  # nobody attached, free and not on leave
    LIMITS = "limits"  # some were free, but their limits (hours, rest, runs...) were used up
    SUPERVISION = "supervision"  # only juniors or interns were free, without a senior


@dataclass(frozen=True)
class Uncovered:
    centre_id: str
    day: date
    start: datetime
    end: datetime
    missing: int
    reason: UncoveredReason
    explanation: str  # French
    explanation_en: str


@dataclass(frozen=True)
class Assignment:
    shift_id: str
    doctor_id: str
    centre_id: str
    day: date
    start: datetime
    end: datetime
    shift_type: str


@dataclass(frozen=True)
class Progress:
    """What the solver has so far; the callback's answer False cancels the solve."""

    seconds: float
    objective: int
    bound: int
    gaps_left: int  # doctors still short over all needs in the best plan so far
    solutions: int


ProgressCallback = Callable[[Progress], bool]


@dataclass(frozen=True)
class SolveOptions:
    """How to solve. Runs repeat exactly for a seed only under ``num_workers=1`` and no
    ``flow_workers`` (several workers race each other against the wall clock)."""

    time_limit_seconds: float = 60.0
    num_workers: int = 2
    seed: int = 0
    hint: tuple[Assignment, ...] | None = None  # None: the greedy plan is the warm start
    greedy_hint: bool = True
    progress: ProgressCallback | None = None
    log: bool = False
    # CP-SAT's full-problem workers; empty: its default portfolio for ``num_workers``. With
    # two cores the default is one LP worker plus interleaved heuristics, which finds plans
    # but proves little; ("max_lp", "core") proves the benchmark's optima.
    subsolvers: tuple[str, ...] = ()
    # With run limits: threads for a second search, on the model with the run rules as flows
    # too, that races the first (see cpsat._race; ``subsolvers`` are its workers); 0: none.
    flow_workers: int = 0


@dataclass(frozen=True)
class SolveResult:
    status: SolveStatus
    assignments: tuple[Assignment, ...]
    objective: int | None
    bound: int | None
    seconds: float
    seconds_to_first: float | None  # when the first plan was found
    terms: tuple[TermValue, ...] = ()
    uncovered: tuple[Uncovered, ...] = ()
    greedy_objective: int | None = None  # the warm start's objective, when a greedy ran

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL
