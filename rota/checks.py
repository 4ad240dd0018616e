"""Conflict checks on a set of shifts, and the conflicts a single change would introduce.

Cost: shifts are grouped and sorted per doctor (and per consulting room), then swept once, so a
month of the whole network is O(n log n). Opening hours are computed once per centre and day.

Rules worth knowing:
- the service day of a shift is the local date of its start at its centre;
- weekly hours add up whole shifts by the ISO week of their service day, in each centre's own
  time zone (a shift belongs to the week in which the doctor starts it, as the centre sees it);
  only the shifts given are counted, so pass full ISO weeks;
- rest is measured between working days: from the last end of one service day to the first
  start of the next, so a split day (08–12 then 16–20) is not a rest problem;
- overlapping shifts of a doctor are reported once per pair with the shift that ends last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rota.conflicts import ConflictKind, RotaConflict, make_conflict
from rota.coverage import CoverGap, CoverNeeds, centre_coverage, gaps_as_conflicts
from rota.days import Interval, opening_intervals
from rota.domain import CentrePlan, DoctorPlan, LeaveSpan, LeaveStatus, PlannedShift
from rota.supervision import check_supervision
from rota.wording import clock_range, hours_text, when_en, when_fr


@dataclass(frozen=True)
class RotaContext:
    """What the checks look up: centres, doctors, leave and (optionally) cover needs."""

    centres: Mapping[str, CentrePlan]
    doctors: Mapping[str, DoctorPlan]
    leaves_by_doctor: Mapping[str, tuple[LeaveSpan, ...]] = field(default_factory=dict)
    cover_needs: Mapping[str, CoverNeeds] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        centres: Iterable[CentrePlan],
        doctors: Iterable[DoctorPlan],
        leaves: Iterable[LeaveSpan] = (),
        cover_needs: Mapping[str, CoverNeeds] | None = None,
    ) -> RotaContext:
        by_doctor: dict[str, list[LeaveSpan]] = defaultdict(list)
        for leave in leaves:
            if leave.blocks_work:
                by_doctor[leave.doctor_id].append(leave)
        return cls(
            centres={centre.id: centre for centre in centres},
            doctors={doctor.id: doctor for doctor in doctors},
            leaves_by_doctor={
                d: tuple(sorted(ls, key=lambda x: x.start)) for d, ls in by_doctor.items()
            },
            cover_needs=dict(cover_needs or {}),
        )

    @property
    def all_leaves(self) -> list[LeaveSpan]:
        return [leave for spans in self.leaves_by_doctor.values() for leave in spans]

    def centre(self, centre_id: str) -> CentrePlan:
        try:
            return self.centres[centre_id]
        except KeyError:
            raise ValueError(f"Centre inconnu : {centre_id!r}") from None

    def doctor(self, doctor_id: str) -> DoctorPlan:
        try:
            return self.doctors[doctor_id]
        except KeyError:
            raise ValueError(f"Médecin inconnu : {doctor_id!r}") from None


class _Lookups:
    """Per-call memo of opening hours (they cost a zone conversion per centre and day)."""

    def __init__(self, context: RotaContext) -> None:
        self.context = context
        self._opening: dict[tuple[str, date], tuple[Interval, ...]] = {}

    def opening(self, centre: CentrePlan, day: date) -> tuple[Interval, ...]:
        key = (centre.id, day)
        found = self._opening.get(key)
        if found is None:
            found = opening_intervals(centre.opening, centre.region, centre.time_zone, day)
            self._opening[key] = found
        return found


def _where_when(shift: PlannedShift, centre: CentrePlan) -> tuple[str, str]:
    room_fr = f" (salle {shift.room})" if shift.room else ""
    room_en = f" (room {shift.room})" if shift.room else ""
    return (
        f"{centre.name}{room_fr} le {when_fr(shift.start, shift.end, centre.time_zone)}",
        f"{centre.name}{room_en} on {when_en(shift.start, shift.end, centre.time_zone)}",
    )


def _check_shift_alone(
    shift: PlannedShift, doctor: DoctorPlan, centre: CentrePlan, day: date, lookups: _Lookups
) -> list[RotaConflict]:
    """Checks that need only the shift itself: attachment, room, opening, leave."""
    # (kind, start, end, French, English); "{where}" is filled in only if something is found,
    # since formatting local times is the costly part and nearly every shift is fine.
    problems: list[tuple[ConflictKind, datetime, datetime, str, str]] = []
    name = doctor.display_name
    if centre.id not in doctor.centre_ids:
        problems.append(
            (
                ConflictKind.NOT_ASSIGNED_TO_CENTRE,
                shift.start,
                shift.end,
                f"{name} n'est pas rattaché(e) au centre {centre.name} : {{where}}",
                f"{name} is not attached to {centre.name}: {{where}}",
            )
        )
    if shift.room is not None and centre.rooms and shift.room not in centre.rooms:
        problems.append(
            (
                ConflictKind.UNKNOWN_ROOM,
                shift.start,
                shift.end,
                f"La salle {shift.room} n'existe pas au centre {centre.name} : {name}, {{where}}",
                f"Room {shift.room} does not exist at {centre.name}: {name}, {{where}}",
            )
        )
    spans = lookups.opening(centre, day)
    if not any(span.contains(shift.start, shift.end) for span in spans):
        if spans:
            hours = ", ".join(clock_range(s.start, s.end, centre.time_zone) for s in spans)
            detail_fr, detail_en = f"ouvert {hours}", f"open {hours}"
        else:
            detail_fr, detail_en = "centre fermé ce jour-là", "centre closed that day"
        problems.append(
            (
                ConflictKind.OUTSIDE_OPENING,
                shift.start,
                shift.end,
                f"Créneau de {name} hors des heures d'ouverture : {{where}} ({detail_fr})",
                f"Shift of {name} outside opening hours: {{where}} ({detail_en})",
            )
        )
    for leave in lookups.context.leaves_by_doctor.get(doctor.id, ()):
        if leave.start >= shift.end:
            break
        if leave.end <= shift.start:
            continue
        approved = leave.status is LeaveStatus.APPROVED
        problems.append(
            (
                ConflictKind.ON_LEAVE if approved else ConflictKind.LEAVE_PENDING,
                max(shift.start, leave.start),
                min(shift.end, leave.end),
                f"{name} est en congé{'' if approved else ' (demande en attente)'} : {{where}}",
                f"{name} is on {'' if approved else 'requested '}leave: {{where}}",
            )
        )
    if not problems:
        return []
    where_fr, where_en = _where_when(shift, centre)
    return [
        make_conflict(
            kind,
            doctor.id,
            centre.id,
            start,
            end,
            french.replace("{where}", where_fr),
            english.replace("{where}", where_en),
            (shift.id,),
        )
        for kind, start, end, french, english in problems
    ]


def _check_doctor(
    doctor: DoctorPlan, shifts: Sequence[PlannedShift], lookups: _Lookups
) -> list[RotaConflict]:
    """All checks of one doctor's shifts, sorted by start."""
    found: list[RotaConflict] = []
    name = doctor.display_name
    latest: PlannedShift | None = None  # the shift ending last so far, for overlaps
    day_end: datetime | None = None  # last end of the current service day
    previous_day_end: datetime | None = None
    current_day: date | None = None
    week_hours: dict[tuple[int, int], float] = defaultdict(float)
    week_span: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    week_shifts: dict[tuple[int, int], list[str]] = defaultdict(list)
    for shift in shifts:
        centre = lookups.context.centre(shift.centre_id)
        day = centre.service_day(shift.start)
        found.extend(_check_shift_alone(shift, doctor, centre, day, lookups))

        if latest is not None and shift.start < latest.end:
            other = lookups.context.centre(latest.centre_id)
            here_fr, here_en = _where_when(shift, centre)
            there_fr, there_en = _where_when(latest, other)
            found.append(
                make_conflict(
                    ConflictKind.DOUBLE_BOOKING,
                    doctor.id,
                    centre.id,
                    shift.start,
                    min(shift.end, latest.end),
                    f"{name} est prévu(e) à deux endroits en même temps : {there_fr} et {here_fr}",
                    f"{name} is planned in two places at once: {there_en} and {here_en}",
                    (latest.id, shift.id),
                )
            )
        if latest is None or shift.end > latest.end:
            latest = shift

        if day != current_day:
            previous_day_end, current_day = day_end, day
            rest = shift.start - previous_day_end if previous_day_end is not None else None
            if rest is not None and timedelta(0) <= rest < doctor.min_rest:
                assert previous_day_end is not None
                rest_hours = rest.total_seconds() / 3600
                here_fr, here_en = _where_when(shift, centre)
                found.append(
                    make_conflict(
                        ConflictKind.REST_TOO_SHORT,
                        doctor.id,
                        None,
                        previous_day_end,
                        shift.start,
                        f"Repos de {hours_text(rest_hours)} seulement pour {name} avant {here_fr} "
                        f"(minimum {hours_text(doctor.min_rest_hours)})",
                        f"Only {hours_text(rest_hours)} rest for {name} before {here_en} "
                        f"(minimum {hours_text(doctor.min_rest_hours)})",
                        (shift.id,),
                    )
                )
            day_end = shift.end
        elif day_end is None or shift.end > day_end:
            day_end = shift.end

        iso_year, iso_week, _ = day.isocalendar()
        week = (iso_year, iso_week)
        week_hours[week] += shift.hours
        week_shifts[week].append(shift.id)
        first, last = week_span.get(week, (shift.start, shift.end))
        week_span[week] = (min(first, shift.start), max(last, shift.end))

    limit = doctor.weekly_limit_hours
    if limit is not None:
        for (iso_year, iso_week), hours in week_hours.items():
            if hours > limit + 1e-9:
                first, last = week_span[(iso_year, iso_week)]
                found.append(
                    make_conflict(
                        ConflictKind.WEEKLY_LIMIT,
                        doctor.id,
                        None,
                        first,
                        last,
                        f"{name} : {hours_text(hours)} prévues la semaine {iso_week} de {iso_year} "
                        f"(limite {hours_text(limit)})",
                        f"{name}: {hours_text(hours)} planned in week {iso_week} of {iso_year} "
                        f"(limit {hours_text(limit)})",
                        tuple(week_shifts[(iso_year, iso_week)]),
                    )
                )
    return found


def _check_rooms(shifts: Iterable[PlannedShift], lookups: _Lookups) -> list[RotaConflict]:
    """Two doctors in the same consulting room at the same time."""
    by_room: dict[tuple[str, str], list[PlannedShift]] = defaultdict(list)
    for shift in shifts:
        if shift.room is not None:
            by_room[(shift.centre_id, shift.room)].append(shift)
    found = []
    for (centre_id, room), room_shifts in by_room.items():
        centre = lookups.context.centre(centre_id)
        latest: PlannedShift | None = None
        for shift in sorted(room_shifts, key=lambda s: (s.start, s.end, s.id)):
            if (
                latest is not None
                and shift.start < latest.end
                and shift.doctor_id != latest.doctor_id
            ):
                start, end = shift.start, min(shift.end, latest.end)
                who = (
                    f"{lookups.context.doctor(latest.doctor_id).display_name} et "
                    f"{lookups.context.doctor(shift.doctor_id).display_name}"
                )
                who_en = who.replace(" et ", " and ")
                found.append(
                    make_conflict(
                        ConflictKind.ROOM_DOUBLE_BOOKING,
                        shift.doctor_id,
                        centre_id,
                        start,
                        end,
                        f"Salle {room} de {centre.name} attribuée deux fois ({who}) le "
                        f"{when_fr(start, end, centre.time_zone)}",
                        f"Room {room} at {centre.name} given twice ({who_en}) on "
                        f"{when_en(start, end, centre.time_zone)}",
                        (latest.id, shift.id),
                    )
                )
            if latest is None or shift.end > latest.end:
                latest = shift
    return found


def _order(conflict: RotaConflict) -> tuple[datetime, str, str, str]:
    return (conflict.start, conflict.kind, conflict.doctor_id or "", conflict.centre_id or "")


def _check_doctors(shifts: Iterable[PlannedShift], lookups: _Lookups) -> list[RotaConflict]:
    """The per-doctor checks of every doctor with shifts among those given."""
    by_doctor: dict[str, list[PlannedShift]] = defaultdict(list)
    for shift in shifts:
        by_doctor[shift.doctor_id].append(shift)
    found: list[RotaConflict] = []
    for doctor_id, doctor_shifts in by_doctor.items():
        doctor_shifts.sort(key=lambda s: (s.start, s.end, s.id))
        found.extend(_check_doctor(lookups.context.doctor(doctor_id), doctor_shifts, lookups))
    return found


def check_shifts(shifts: Iterable[PlannedShift], context: RotaContext) -> list[RotaConflict]:
    """Every conflict in a set of shifts (cover gaps excluded: see rota.coverage), by start."""
    lookups = _Lookups(context)
    all_shifts = list(shifts)
    found = _check_doctors(all_shifts, lookups)
    found.extend(_check_rooms(all_shifts, lookups))
    found.extend(
        check_supervision(all_shifts, context.centres, context.doctors, context.all_leaves)
    )
    found.sort(key=_order)
    return found


@dataclass(frozen=True)
class ShiftChange:
    """A proposed edit. A shift in ``add`` whose id already exists replaces it (a move)."""

    add: tuple[PlannedShift, ...] = ()
    remove: frozenset[str] = frozenset()

    @classmethod
    def adding(cls, shift: PlannedShift) -> ShiftChange:
        return cls(add=(shift,))

    @classmethod
    def moving(cls, shift: PlannedShift) -> ShiftChange:
        return cls(add=(shift,))

    @classmethod
    def removing(cls, shift_id: str) -> ShiftChange:
        return cls(remove=frozenset({shift_id}))


def apply_change(existing: Sequence[PlannedShift], change: ShiftChange) -> list[PlannedShift]:
    """The shifts after a change; ValueError if it removes a shift that does not exist."""
    known = {shift.id for shift in existing}
    missing = change.remove - known
    if missing:
        raise ValueError(f"Créneau(x) inconnu(s) : {', '.join(sorted(missing))}")
    replaced = change.remove | {shift.id for shift in change.add}
    return [s for s in existing if s.id not in replaced] + list(change.add)


def check_change(
    existing: Sequence[PlannedShift], change: ShiftChange, context: RotaContext
) -> list[RotaConflict]:
    """Only the conflicts the change introduces, including cover it takes away.

    Conflicts that were already there and stay identical are not reported, so a manager is
    asked only about what the edit does. Pass the doctors' shifts of the whole ISO weeks around
    the change (and the centres' shifts of the days concerned) so that limits and cover see them.
    """
    after = apply_change(existing, change)
    by_id = {shift.id: shift for shift in existing}
    touched = [by_id[i] for i in change.remove | {s.id for s in change.add} if i in by_id]
    touched += change.add
    doctors = {shift.doctor_id for shift in touched}
    rooms = {(shift.centre_id, shift.room) for shift in touched if shift.room is not None}
    days = {
        (shift.centre_id, context.centre(shift.centre_id).service_day(shift.start))
        for shift in touched
    }
    centres = {centre_id for centre_id, _ in days}

    def relevant(shifts: Sequence[PlannedShift]) -> list[PlannedShift]:
        return [
            s
            for s in shifts
            if s.doctor_id in doctors or (s.centre_id, s.room) in rooms or s.centre_id in centres
        ]

    def conflicts_of(shifts: Sequence[PlannedShift]) -> tuple[list[RotaConflict], list[CoverGap]]:
        subset = relevant(shifts)
        lookups = _Lookups(context)
        found = _check_doctors([s for s in subset if s.doctor_id in doctors], lookups)
        found.extend(_check_rooms([s for s in subset if (s.centre_id, s.room) in rooms], lookups))
        found.extend(
            check_supervision(
                [s for s in subset if s.centre_id in centres],
                context.centres,
                context.doctors,
                context.all_leaves,
            )
        )
        gaps: list[CoverGap] = []
        for centre_id, day in sorted(days):
            needs = context.cover_needs.get(centre_id)
            if needs is not None:
                centre = context.centre(centre_id)
                (cover,) = centre_coverage(centre, subset, needs, day, day, context.all_leaves)
                gaps.extend(cover.gaps)
        return found, gaps

    found_before, gaps_before = conflicts_of(existing)
    found_after, gaps_after = conflicts_of(after)
    before = set(found_before)
    new_gaps = [gap for gap in gaps_after if _worse_than_before(gap, gaps_before)]
    found = [c for c in found_after if c not in before]
    found += gaps_as_conflicts(new_gaps, context.centres)
    return sorted(found, key=_order)


def _worse_than_before(gap: CoverGap, before: Sequence[CoverGap]) -> bool:
    """Whether a gap after a change is short of more doctors, somewhere, than before.

    Comparing gaps as conflicts would call a gap that a new shift only narrowed (08–20 becoming
    14–20) a new one; what matters is whether the shortfall grew at some instant.
    """
    cursor = gap.start
    for old in sorted(before, key=lambda g: g.start):
        if old.centre_id != gap.centre_id or old.end <= cursor or old.planned > gap.planned:
            continue
        if old.start > cursor:
            return True
        cursor = old.end
        if cursor >= gap.end:
            return False
    return cursor < gap.end


def keep_clean(
    existing: Sequence[PlannedShift], proposed: Sequence[PlannedShift], context: RotaContext
) -> tuple[list[PlannedShift], list[RotaConflict]]:
    """The proposed new shifts less those the checker finds a conflict in, and those conflicts.

    For the automatic fill and the solver's proposals: whatever produced them, what a manager
    is offered passes the same checks as a hand edit. A conflict names its shifts in order, so
    the last proposed shift it names (the later one) is dropped, and the rest checked again.
    """
    kept = list(proposed)
    dropped: list[RotaConflict] = []
    for _ in range(len(proposed) + 1):
        new_ids = {shift.id for shift in kept}
        found = [
            c
            for c in check_change(existing, ShiftChange(add=tuple(kept)), context)
            if any(i in new_ids for i in c.shift_ids)
        ]
        if not found:
            break
        culprits = {[i for i in c.shift_ids if i in new_ids][-1] for c in found}
        dropped.extend(found)
        kept = [shift for shift in kept if shift.id not in culprits]
    return kept, dropped
