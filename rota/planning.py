"""Rota edits on the database: each is one checked transaction, published after commit.

Every shift, pattern and leave change runs rota.checks.check_change on the rota around it
(the ISO weeks of the doctors involved, the days of the centres involved) and is refused with
its conflicts unless they are all warnings the manager accepted. Leave is the exception to
"errors are always refused": an absence is a fact, not a planning choice, so approving leave
over planned shifts is allowed once confirmed, and those shifts stay as conflicts to resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from rota import models
from rota.answers import ChangeRefused, conflict_out, enforce
from rota.checks import RotaContext, ShiftChange, check_change
from rota.conflicts import ConflictKind, RotaConflict, make_conflict
from rota.convert import leave_to_domain, shift_of
from rota.domain import CentrePlan, LeaveSpan, LeaveStatus, PlannedShift
from rota.store import Network, load_leaves, load_network, load_shifts
from rota.wording import when_en, when_fr
from service.audit import snapshot
from service.changes import Change, ChangeOps
from service.errors import Conflict as StateConflict
from service.errors import DomainError, NotFound

PATTERN_HORIZON = timedelta(weeks=12)  # an open-ended pattern is written this far ahead
LONGEST_SHIFT = timedelta(hours=24)
LONGEST_LEAVE_DAYS = 366


def wall(text: str | None) -> time | None:
    """A local "HH:MM" of a request (already validated by its pattern) as a time."""
    return None if text is None else time.fromisoformat(text)


def instants(
    centre: CentrePlan,
    start: datetime | None,
    end: datetime | None,
    day: date | None,
    start_time: time | None,
    end_time: time | None,
) -> tuple[datetime, datetime]:
    """A shift's UTC instants from instants with an offset, or a local day and times.

    An end time at or before the start time means the next day (an evening into the night).
    """
    if start is not None and end is not None:
        if start.tzinfo is None or end.tzinfo is None:
            raise DomainError(
                "start et end doivent porter un décalage horaire (ex. 2026-05-04T08:00+02:00) "
                "/ start and end need a UTC offset"
            )
        first, last = start.astimezone(UTC), end.astimezone(UTC)
    elif day is not None and start_time is not None and end_time is not None:
        first = centre.instant(day, start_time)
        next_day = day + timedelta(days=1) if end_time <= start_time else day
        last = centre.instant(next_day, end_time)
    else:
        raise DomainError(
            "indiquez start et end, ou day, start_time et end_time / give start and end, "
            "or day, start_time and end_time"
        )
    if last <= first:
        raise DomainError("la fin doit suivre le début / the end must come after the start")
    if last - first > LONGEST_SHIFT:
        raise DomainError("un créneau dure au plus 24 h / a shift lasts at most 24 h")
    return first, last


def days_in_order(first_day: date, last_day: date, longest: int) -> None:
    if last_day < first_day:
        raise DomainError(
            f"période à l'envers : {first_day} après {last_day} / the period ends before it starts"
        )
    if (last_day - first_day).days + 1 > longest:
        raise DomainError(f"période trop longue (max. {longest} jours) / period too long")


def _weeks_around(network: Network, shifts: Iterable[PlannedShift]) -> tuple[datetime, datetime]:
    """UTC bounds of the ISO weeks (and a day of rest each side) of the shifts' service days."""
    days = [network.centres[s.centre_id].service_day(s.start) for s in shifts]
    first, last = min(days), max(days)
    return network.day_window(
        first - timedelta(days=first.weekday() + 1), last + timedelta(days=7 - last.weekday())
    )


def shift_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a shift written by a bulk insert."""
    return {k: v for k, v in row.items() if k not in {"created_by_id", "updated_by_id"}}


def _to_reassign(conflict: RotaConflict, network: Network) -> RotaConflict:
    """What approving leave does to a shift under it, as the manager confirms it: a warning
    that the shift is to reassign, not a refusal (the shift itself then shows as on leave)."""
    doctor = network.doctors[conflict.doctor_id or ""].display_name
    centre = network.centres[conflict.centre_id or ""]
    tz = centre.time_zone
    return make_conflict(
        ConflictKind.SHIFT_UNDER_LEAVE,
        conflict.doctor_id,
        conflict.centre_id,
        conflict.start,
        conflict.end,
        f"Créneau de {doctor} à {centre.name} le {when_fr(conflict.start, conflict.end, tz)} "
        "pendant ce congé : à réattribuer",
        f"{doctor}'s shift at {centre.name} on {when_en(conflict.start, conflict.end, tz)} "
        "falls in this leave: to reassign",
        conflict.shift_ids,
    )


@dataclass
class RotaOps(ChangeOps):
    # Every edit is one change of the shell's change path: behind the write gate, rolled back
    # there on any error, audited in its transaction, announced after commit.

    @property
    def actor_id(self) -> int | None:
        return self.path.actor.account_id if self.path.actor else None

    # --- transaction helpers -----------------------------------------------------------

    async def _lock(
        self,
        change: Change,
        network: Network,
        shifts: Iterable[PlannedShift],
        doctor_ids: Iterable[int] | None = None,
    ) -> None:
        """Lock the shifts' centres (the row lock orders concurrent edits of one centre's
        cover) and bump the sequence of those where a shift falls today (their live state:
        who is on duty now); lock the doctors (by default the shifts' own). Ids sorted
        against deadlocks."""
        shifts = list(shifts)
        if doctor_ids is None:
            doctor_ids = {int(s.doctor_id) for s in shifts}
        centre_ids = sorted({network.centre_row(s.centre_id).id for s in shifts})
        for centre_id in centre_ids:
            await change.lock_centre(centre_id)
        await change.bump(
            network.centre_row(slug).id for slug in self._today_centres(network, shifts)
        )
        await self.session.execute(
            select(models.Doctor.id)
            .where(models.Doctor.id.in_(sorted(set(doctor_ids))))
            .with_for_update()
        )

    @staticmethod
    def _announce(change: Change, network: Network) -> None:
        """One event per centre bumped by the change, sent after commit."""
        for centre_id in change.seqs:
            change.publish(
                centre_id, {"type": "rota.changed", "centre": network.slug_of[centre_id]}
            )

    def _today_centres(self, network: Network, shifts: Iterable[PlannedShift]) -> set[str]:
        """The centres where one of the shifts falls on today's service day or is under way
        (a night begun yesterday): their live state (who is on duty now) changes with these
        shifts, or with leave over them."""
        now = self.clock()
        return {
            s.centre_id
            for s in shifts
            if s.start <= now < s.end
            or network.centres[s.centre_id].service_day(s.start)
            == network.centres[s.centre_id].service_day(now)
        }

    async def _conflicts_of(self, network: Network, change: ShiftChange) -> list[RotaConflict]:
        existing_ids = {int(i) for i in change.remove} | {
            int(s.id) for s in change.add if s.id.isdigit()
        }
        touched = list(change.add)
        if existing_ids:
            rows = await self.session.execute(
                select(models.Shift).where(models.Shift.id.in_(existing_ids))
            )
            touched += [self.shift_value(network, row) for row in rows.scalars()]
        start, end = _weeks_around(network, touched)
        doctor_ids = {int(s.doctor_id) for s in touched}
        centre_ids = {network.centre_row(s.centre_id).id for s in touched}
        existing = await load_shifts(
            self.session, network, start, end, centre_ids=centre_ids, doctor_ids=doctor_ids
        )
        leaves = await load_leaves(self.session, start, end, doctor_ids=doctor_ids)
        return check_change(existing, change, network.context(leaves))

    @staticmethod
    def shift_value(network: Network, row: models.Shift) -> PlannedShift:
        room = network.room_code_of.get(row.room_id) if row.room_id is not None else None
        return shift_of(
            row.id, row.doctor_id, network.slug_of[row.centre_id], room, row.starts_at, row.ends_at
        )

    def _active_doctor(self, network: Network, doctor_id: int) -> models.Doctor:
        doctor = network.doctor_row(doctor_id)
        if not doctor.active:
            raise DomainError(
                f"{doctor.display_name} n'est plus actif(ve) / this doctor is no longer active"
            )
        return doctor

    async def _shift_row(self, shift_id: int) -> models.Shift:
        row = await self.session.get(models.Shift, shift_id, populate_existing=True)
        if row is None:
            raise NotFound(f"Créneau inconnu / unknown shift: {shift_id}")
        return row

    # --- shifts ------------------------------------------------------------------------

    async def add_shift(
        self,
        doctor_id: int,
        slug: str,
        room: str | None,
        times: Callable[[CentrePlan], tuple[datetime, datetime]],
        accept_warnings: bool,
    ) -> tuple[Network, PlannedShift, list[RotaConflict]]:
        network = await load_network(self.session)
        self._active_doctor(network, doctor_id)
        room_id = network.room_id(slug, room)
        start, end = times(network.centres[slug])
        shift = PlannedShift("new", str(doctor_id), slug, start, end, room)
        async with self.path.change() as change:
            await self._lock(change, network, [shift], [doctor_id])
            conflicts = await self._conflicts_of(network, ShiftChange.adding(shift))
            enforce(conflicts, accept_warnings, network)
            row = models.Shift(
                doctor_id=doctor_id,
                centre_id=network.centre_row(slug).id,
                room_id=room_id,
                starts_at=start,
                ends_at=end,
                created_by_id=self.actor_id,
                updated_by_id=self.actor_id,
            )
            self.session.add(row)
            await self.session.flush()
            await change.audit("shift", row.id, "add", centre_id=row.centre_id, after=snapshot(row))
            self._announce(change, network)
        return network, replace(shift, id=str(row.id)), conflicts

    async def move_shift(
        self,
        shift_id: int,
        change: Callable[[Network, PlannedShift], PlannedShift],
        accept_warnings: bool,
    ) -> tuple[Network, PlannedShift, list[RotaConflict]]:
        """``change`` gives the shift as it should be (same id) from the shift as it is."""
        network = await load_network(self.session)
        row = await self._shift_row(shift_id)
        before = self.shift_value(network, row)
        after = change(network, before)
        self._active_doctor(network, int(after.doctor_id))
        room_id = network.room_id(after.centre_id, after.room)
        async with self.path.change() as work:
            await self._lock(work, network, [before, after])
            row = await self._shift_row(shift_id)  # as it is now that we hold the locks
            conflicts = await self._conflicts_of(network, ShiftChange.moving(after))
            enforce(conflicts, accept_warnings, network)
            old = snapshot(row)
            row.doctor_id = int(after.doctor_id)
            row.centre_id = network.centre_row(after.centre_id).id
            row.room_id = room_id
            row.starts_at, row.ends_at = after.start, after.end
            row.updated_by_id = self.actor_id
            await work.audit(
                "shift", row.id, "move", centre_id=row.centre_id, before=old, after=snapshot(row)
            )
            self._announce(work, network)
        return network, after, conflicts

    async def preview_move(
        self, shift_id: int, change: Callable[[Network, PlannedShift], PlannedShift]
    ) -> tuple[Network, PlannedShift, list[RotaConflict]]:
        """What move_shift would find, without writing: the move dialog shows it first."""
        network = await load_network(self.session)
        before = self.shift_value(network, await self._shift_row(shift_id))
        after = change(network, before)
        self._active_doctor(network, int(after.doctor_id))
        network.room_id(after.centre_id, after.room)  # 404 for an unknown room
        return network, after, await self._conflicts_of(network, ShiftChange.moving(after))

    async def remove_shifts(
        self, shift_ids: Sequence[int], accept_warnings: bool, pattern_id: int | None = None
    ) -> tuple[Network, list[RotaConflict]]:
        """Remove shifts; with ``pattern_id``, the future of that pattern (audited even when
        nothing was left to remove)."""
        network = await load_network(self.session)
        rows = [await self._shift_row(shift_id) for shift_id in shift_ids]
        values = [self.shift_value(network, row) for row in rows]
        async with self.path.change() as work:
            await self._lock(work, network, values)
            if values:
                removal = ShiftChange(remove=frozenset(s.id for s in values))
                conflicts = await self._conflicts_of(network, removal)
                enforce(conflicts, accept_warnings, network)
            else:
                conflicts = []
            for row in rows:
                await work.audit(
                    "shift", row.id, "remove", centre_id=row.centre_id, before=snapshot(row)
                )
            if pattern_id is not None:
                await work.audit(
                    "shift_pattern",
                    pattern_id,
                    "remove_future",
                    after={"removed_shifts": len(rows)},
                )
            await self.session.execute(
                delete(models.Shift).where(models.Shift.id.in_(list(shift_ids)))
            )
            self._announce(work, network)
        return network, conflicts

    async def add_shifts(
        self,
        network: Network,
        shifts: Sequence[PlannedShift],
        accept_warnings: bool,
        pattern: models.ShiftPattern | None = None,
    ) -> tuple[list[PlannedShift], list[RotaConflict]]:
        """Write many new shifts at once (a pattern, an automatic fill) after one check."""
        if not shifts:
            return [], []
        async with self.path.change() as change:
            await self._lock(change, network, shifts)
            conflicts = await self._conflicts_of(network, ShiftChange(add=tuple(shifts)))
            enforce(conflicts, accept_warnings, network)
            if pattern is not None:
                self.session.add(pattern)
                await self.session.flush()
                await change.audit(
                    "shift_pattern",
                    pattern.id,
                    "create",
                    centre_id=pattern.centre_id,
                    after=snapshot(pattern),
                )
            rows = [
                {
                    "doctor_id": int(s.doctor_id),
                    "centre_id": network.centre_row(s.centre_id).id,
                    "room_id": network.room_id(s.centre_id, s.room),
                    "starts_at": s.start,
                    "ends_at": s.end,
                    "pattern_id": pattern.id if pattern is not None else None,
                    "created_by_id": self.actor_id,
                    "updated_by_id": self.actor_id,
                }
                for s in shifts
            ]
            ids = (
                await self.session.execute(
                    insert(models.Shift).returning(models.Shift.id, sort_by_parameter_order=True),
                    rows,
                )
            ).scalars()
            written = []
            for shift, row, shift_id in zip(shifts, rows, ids, strict=True):
                written.append(replace(shift, id=str(shift_id)))
                await change.audit(
                    "shift",
                    shift_id,
                    "add",
                    centre_id=network.centre_row(shift.centre_id).id,
                    after=shift_fields(row),
                )
            self._announce(change, network)
        return written, conflicts

    async def apply_plan(
        self,
        network: Network,
        added: Sequence[PlannedShift],
        moved: Sequence[PlannedShift],
        removed: Sequence[str],
    ) -> tuple[list[PlannedShift], list[RotaConflict]]:
        """A reviewed plan in one transaction: every shift checked together, as a hand edit
        is; errors refuse the whole plan, warnings (seen in the preview) are accepted."""
        change_of = ShiftChange(add=(*added, *moved), remove=frozenset(removed))
        if not change_of.add and not change_of.remove:
            return [], []
        rows = {
            row.id: row
            for row in (
                await self.session.execute(
                    select(models.Shift).where(
                        models.Shift.id.in_([int(i) for i in {*removed, *(m.id for m in moved)}])
                    )
                )
            ).scalars()
        }
        if len(rows) != len({*removed, *(m.id for m in moved)}):
            raise StateConflict(
                "le planning a changé depuis le calcul : relancez-le / the rota changed since "
                "the plan was made: solve again"
            )
        before = [self.shift_value(network, row) for row in rows.values()]
        async with self.path.change() as change:
            await self._lock(change, network, [*before, *added, *moved])
            conflicts = await self._conflicts_of(network, change_of)
            enforce(conflicts, True, network)
            written: list[PlannedShift] = []
            for shift in moved:
                row = rows[int(shift.id)]
                old = snapshot(row)
                row.doctor_id = int(shift.doctor_id)
                row.room_id = network.room_id(shift.centre_id, shift.room)
                row.updated_by_id = self.actor_id
                await change.audit(
                    "shift",
                    row.id,
                    "move",
                    centre_id=row.centre_id,
                    before=old,
                    after=snapshot(row),
                )
                written.append(shift)
            for shift_id in removed:
                row = rows[int(shift_id)]
                await change.audit(
                    "shift", row.id, "remove", centre_id=row.centre_id, before=snapshot(row)
                )
                await self.session.delete(row)
            for shift in added:
                row = models.Shift(
                    doctor_id=int(shift.doctor_id),
                    centre_id=network.centre_row(shift.centre_id).id,
                    room_id=network.room_id(shift.centre_id, shift.room),
                    starts_at=shift.start,
                    ends_at=shift.end,
                    created_by_id=self.actor_id,
                    updated_by_id=self.actor_id,
                )
                self.session.add(row)
                await self.session.flush()
                await change.audit(
                    "shift", row.id, "add", centre_id=row.centre_id, after=snapshot(row)
                )
                written.append(replace(shift, id=str(row.id)))
            self._announce(change, network)
        return written, conflicts

    # --- leave -------------------------------------------------------------------------

    async def leave_conflicts(
        self, network: Network, doctor_id: int, before: LeaveSpan | None, after: LeaveSpan
    ) -> list[RotaConflict]:
        """Conflicts the leave change brings to the doctor's planned shifts (which stay)."""
        start, end = network.day_window(
            after.start.date() - timedelta(days=8), after.end.date() + timedelta(days=8)
        )
        shifts = await load_shifts(self.session, network, start, end, doctor_ids=[doctor_id])
        affected = [s for s in shifts if s.start < after.end and s.end > after.start]
        if not affected:
            return []
        others = await load_leaves(self.session, start, end, doctor_ids=[doctor_id])
        others = [leave for leave in others if leave.id != after.id]
        base = [s for s in shifts if s not in affected]
        change = ShiftChange(add=tuple(affected))

        def under(leaves: list[LeaveSpan]) -> set[RotaConflict]:
            # No cover needs: the leave does not change who is planned, only who can come.
            context = RotaContext.build(network.centres.values(), network.doctors.values(), leaves)
            return set(check_change(base, change, context))

        already = under(others + ([before] if before is not None else []))
        found = sorted(under([*others, after]) - already, key=lambda c: (c.start, c.kind))
        return [_to_reassign(c, network) if c.kind is ConflictKind.ON_LEAVE else c for c in found]

    def confirm_leave(self, conflicts: list[RotaConflict], accept: bool, network: Network) -> None:
        if conflicts and not accept:
            raise ChangeRefused([conflict_out(c, network) for c in conflicts], can_accept=True)

    async def create_leave(
        self,
        doctor_id: int,
        first_day: date,
        last_day: date,
        reason: str,
        approved: bool,
        accept_warnings: bool,
    ) -> tuple[Network, models.Leave, list[RotaConflict]]:
        days_in_order(first_day, last_day, LONGEST_LEAVE_DAYS)
        network = await load_network(self.session)
        network.doctor_row(doctor_id)  # 404 for an unknown doctor
        doctor = network.doctors[str(doctor_id)]
        status = LeaveStatus.APPROVED if approved else LeaveStatus.PENDING
        # Whole local days, in the zone they are shown in (rota.answers.leave_out).
        leave = LeaveSpan.for_days(
            "new", doctor.id, first_day, last_day, network.leave_zone(doctor_id), status
        )
        async with self.path.change() as change:
            await self._lock(change, network, [], [doctor_id])
            conflicts = await self.leave_conflicts(network, doctor_id, None, leave)
            self.confirm_leave(conflicts, accept_warnings, network)
            row = models.Leave(
                doctor_id=doctor_id,
                starts_at=leave.start,
                ends_at=leave.end,
                status=status.value,
                reason=reason,
                decided_by_id=self.actor_id if approved else None,
                decided_at=self.clock() if approved else None,
            )
            self.session.add(row)
            await self.session.flush()
            await change.audit("leave", row.id, "create", after=snapshot(row))
            if status is LeaveStatus.APPROVED:
                await self._bump_for_leave(change, network, doctor_id, leave)
        return network, row, conflicts

    async def decide_leave(
        self, leave_id: int, decision: LeaveStatus, accept_warnings: bool
    ) -> tuple[Network, models.Leave, list[RotaConflict]]:
        network = await load_network(self.session)
        allowed = {
            LeaveStatus.APPROVED: {LeaveStatus.PENDING},
            LeaveStatus.REJECTED: {LeaveStatus.PENDING},
            LeaveStatus.CANCELLED: {LeaveStatus.PENDING, LeaveStatus.APPROVED},
        }[decision]
        async with self.path.change() as change:
            row = await self.session.get(models.Leave, leave_id, populate_existing=True)
            if row is None:
                raise NotFound(f"Congé inconnu / unknown leave: {leave_id}")
            await self._lock(change, network, [], [row.doctor_id])
            await self.session.refresh(row)
            old = snapshot(row)
            was_approved = LeaveStatus(row.status) is LeaveStatus.APPROVED
            if LeaveStatus(row.status) not in allowed:
                raise StateConflict(
                    f"Ce congé est déjà « {row.status} » / this leave is already {row.status}"
                )
            conflicts: list[RotaConflict] = []
            if decision is LeaveStatus.APPROVED:
                before = leave_to_domain(row)
                after = replace(before, status=decision)
                conflicts = await self.leave_conflicts(network, row.doctor_id, before, after)
                self.confirm_leave(conflicts, accept_warnings, network)
            row.status = decision.value
            row.decided_by_id = self.actor_id
            row.decided_at = self.clock()
            await change.audit("leave", row.id, decision.value, before=old, after=snapshot(row))
            if was_approved or decision is LeaveStatus.APPROVED:
                await self._bump_for_leave(change, network, row.doctor_id, leave_to_domain(row))
        return network, row, conflicts

    async def _bump_for_leave(
        self, change: Change, network: Network, doctor_id: int, leave: LeaveSpan
    ) -> None:
        """Leave that starts or ends over today's shifts changes who is on duty there now."""
        start, end = network.day_window(
            leave.start.date() - timedelta(days=1), leave.end.date() + timedelta(days=1)
        )
        shifts = await load_shifts(self.session, network, start, end, doctor_ids=[doctor_id])
        over = [s for s in shifts if s.start < leave.end and s.end > leave.start]
        slugs = self._today_centres(network, over)
        if slugs:
            await change.bump(network.centre_row(slug).id for slug in slugs)
            self._announce(change, network)
