"""Planning endpoints: shifts (add, move, remove), patterns, leave, automatic filling.

A change that creates conflicts is answered 409 with the list of conflicts; send it again with
``"accept_warnings": true`` to confirm warnings (errors cannot be confirmed, except the
consequences of leave: see rota.planning).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from msgspec import UNSET
from sqlalchemy import select

from rota import models
from rota.answers import conflict_out, leave_out, shift_out
from rota.bulk import create_pattern, fill
from rota.days import zone
from rota.deps import FromDay, ToDay, checked_period, provide_rota_ops, shift_scope
from rota.domain import LeaveStatus, PlannedShift
from rota.planning import RotaOps, instants, wall
from rota.schemas import (
    FillIn,
    FillOut,
    LeaveChangeOut,
    LeaveDecision,
    LeaveIn,
    LeaveOut,
    PatternCreated,
    PatternIn,
    ShiftChangeOut,
    ShiftIn,
    ShiftMove,
    ShiftOut,
)
from rota.scope import (
    NOT_YOURS,
    doctors_seen,
    planned_slugs,
    require_centre,
    require_whole_doctor,
)
from rota.store import Network, load_network, load_shifts
from service.auth import Principal, admin_only
from service.errors import NotFound
from service.params import PathText, RowId

AcceptWarnings = Annotated[bool, QueryParameter(name="accept_warnings")]


def moved(data: ShiftMove) -> Callable[[Network, PlannedShift], PlannedShift]:
    """The shift as the request wants it: fields not given stay as they are."""

    def change(network: Network, shift: PlannedShift) -> PlannedShift:
        slug = shift.centre_id if data.centre is UNSET else data.centre
        network.centre_row(slug)  # 404 for an unknown centre
        centre = network.centres[slug]
        doctor_id = shift.doctor_id if data.doctor_id is UNSET else str(data.doctor_id)
        if data.room is not UNSET:
            room = data.room
        else:  # room codes belong to a centre: a shift moved elsewhere loses its room
            room = shift.room if slug == shift.centre_id else None
        if data.start is not UNSET or data.end is not UNSET:
            start = shift.start if data.start is UNSET else data.start
            end = shift.end if data.end is UNSET else data.end
            start, end = instants(centre, start, end, None, None, None)
        elif data.day is not UNSET or data.start_time is not UNSET or data.end_time is not UNSET:
            tz = zone(centre.time_zone)
            local_start, local_end = shift.start.astimezone(tz), shift.end.astimezone(tz)
            start, end = instants(
                centre,
                None,
                None,
                local_start.date() if data.day is UNSET else data.day,
                local_start.time() if data.start_time is UNSET else wall(data.start_time),
                local_end.time() if data.end_time is UNSET else wall(data.end_time),
            )
        else:
            start, end = shift.start, shift.end
        return PlannedShift(shift.id, doctor_id, slug, start, end, room)

    return change


class ShiftController(Controller):
    path = "/shifts"
    # Centre managers too, at their own centres (shift_scope checks the centres named).
    guards = [admin_only, shift_scope]
    dependencies = {"ops": Provide(provide_rota_ops, sync_to_thread=False)}

    @get("/")
    async def list_shifts(
        self,
        ops: NamedDependency[RotaOps],
        first_day: FromDay,
        last_day: ToDay,
        centre: FromQuery[str | None] = None,
        doctor_id: FromQuery[int | None] = None,
    ) -> list[ShiftOut]:
        checked_period(first_day, last_day)
        network = await load_network(ops.session)
        start, end = network.day_window(first_day, last_day)
        shifts = await load_shifts(
            ops.session,
            network,
            start,
            end,
            centre_ids=[network.centre_row(centre).id] if centre else None,
            doctor_ids=[network.doctor_row(doctor_id).id] if doctor_id is not None else None,
        )
        centres = network.centres
        return [
            shift_out(s, network)
            for s in sorted(shifts, key=lambda s: (s.start, s.centre_id, s.room or ""))
            if first_day <= centres[s.centre_id].service_day(s.start) <= last_day
        ]

    @post("/", status_code=HTTP_201_CREATED)
    async def add_shift(
        self, ops: NamedDependency[RotaOps], data: JSONBody[ShiftIn]
    ) -> ShiftChangeOut:
        network, shift, accepted = await ops.add_shift(
            data.doctor_id,
            data.centre,
            data.room,
            lambda centre: instants(
                centre, data.start, data.end, data.day, wall(data.start_time), wall(data.end_time)
            ),
            data.accept_warnings,
        )
        return ShiftChangeOut(
            [shift_out(shift, network)], [], [conflict_out(c, network) for c in accepted]
        )

    @patch("/{shift_id:int}")
    async def move_shift(
        self, ops: NamedDependency[RotaOps], shift_id: RowId, data: JSONBody[ShiftMove]
    ) -> ShiftChangeOut:
        if data.dry_run:
            network, shift, found = await ops.preview_move(shift_id, moved(data))
            return ShiftChangeOut(
                [shift_out(shift, network)], [], [], [conflict_out(c, network) for c in found]
            )
        network, shift, accepted = await ops.move_shift(shift_id, moved(data), data.accept_warnings)
        return ShiftChangeOut(
            [shift_out(shift, network)], [], [conflict_out(c, network) for c in accepted]
        )

    @delete("/{shift_id:int}", status_code=HTTP_200_OK)
    async def remove_shift(
        self,
        ops: NamedDependency[RotaOps],
        shift_id: RowId,
        accept_warnings: AcceptWarnings = False,
    ) -> ShiftChangeOut:
        network, accepted = await ops.remove_shifts([shift_id], accept_warnings)
        return ShiftChangeOut([], [shift_id], [conflict_out(c, network) for c in accepted])


class PatternController(Controller):
    path = "/patterns"
    # Centre managers too, for the patterns of their own centres.
    guards = [admin_only]
    dependencies = {"ops": Provide(provide_rota_ops, sync_to_thread=False)}

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self,
        request: Request[Principal, Any, Any],
        ops: NamedDependency[RotaOps],
        data: JSONBody[PatternIn],
    ) -> PatternCreated:
        require_centre(request.user, data.centre)
        return await create_pattern(ops, data)

    @delete("/{pattern_id:int}", status_code=HTTP_200_OK)
    async def remove_future(
        self,
        request: Request[Principal, Any, Any],
        ops: NamedDependency[RotaOps],
        pattern_id: RowId,
        accept_warnings: AcceptWarnings = False,
    ) -> ShiftChangeOut:
        """Removes the pattern's shifts not yet started; past ones stay as worked."""
        pattern = await ops.session.get(models.ShiftPattern, pattern_id)
        if pattern is None:
            raise NotFound(f"Modèle inconnu / unknown pattern: {pattern_id}")
        if not request.user.may_act_at_id(pattern.centre_id):
            raise PermissionDeniedException(NOT_YOURS)
        ids = (
            await ops.session.execute(
                select(models.Shift.id).where(
                    models.Shift.pattern_id == pattern_id, models.Shift.starts_at >= ops.clock()
                )
            )
        ).scalars()
        shift_ids = list(ids)
        network, accepted = await ops.remove_shifts(shift_ids, accept_warnings, pattern_id)
        return ShiftChangeOut([], shift_ids, [conflict_out(c, network) for c in accepted])


class LeaveController(Controller):
    path = "/leave"
    # Centre managers too: they read the leave of their centres' doctors and decide that of
    # the doctors who work only at their centres (rota.scope.require_whole_doctor says why).
    guards = [admin_only]
    dependencies = {"ops": Provide(provide_rota_ops, sync_to_thread=False)}

    @get("/")
    async def list_leave(
        self,
        request: Request[Principal, Any, Any],
        ops: NamedDependency[RotaOps],
        status: FromQuery[LeaveStatus | None] = None,
        doctor_id: FromQuery[int | None] = None,
    ) -> list[LeaveOut]:
        query = select(models.Leave).order_by(models.Leave.starts_at)
        seen = await doctors_seen(ops.session, request.user)
        if seen is not None:
            query = query.where(models.Leave.doctor_id.in_(seen))
        if status is not None:
            query = query.where(models.Leave.status == status.value)
        if doctor_id is not None:
            query = query.where(models.Leave.doctor_id == doctor_id)
        network = await load_network(ops.session)
        return [leave_out(row, network) for row in (await ops.session.execute(query)).scalars()]

    @post("/", status_code=HTTP_201_CREATED)
    async def request_leave(
        self,
        request: Request[Principal, Any, Any],
        ops: NamedDependency[RotaOps],
        data: JSONBody[LeaveIn],
    ) -> LeaveChangeOut:
        await require_whole_doctor(ops.session, request.user, data.doctor_id)
        network, row, conflicts = await ops.create_leave(
            data.doctor_id,
            data.first_day,
            data.last_day,
            data.reason,
            data.approved,
            data.accept_warnings,
        )
        return LeaveChangeOut(
            leave_out(row, network), [conflict_out(c, network) for c in conflicts]
        )

    @post("/{leave_id:int}/{decision:str}", status_code=HTTP_200_OK)
    async def decide(
        self,
        request: Request[Principal, Any, Any],
        ops: NamedDependency[RotaOps],
        leave_id: RowId,
        decision: PathText,
        data: JSONBody[LeaveDecision | None] = None,
    ) -> LeaveChangeOut:
        """decision: approve, reject or cancel."""
        status = DECISIONS.get(decision)
        if status is None:
            raise NotFound(
                f"décision inconnue / unknown decision {decision!r}: approve, reject, cancel"
            )
        leave = await ops.session.get(models.Leave, leave_id)
        if leave is not None:  # else the 404 below
            await require_whole_doctor(ops.session, request.user, leave.doctor_id)
        network, row, conflicts = await ops.decide_leave(
            leave_id, status, data.accept_warnings if data else False
        )
        return LeaveChangeOut(
            leave_out(row, network), [conflict_out(c, network) for c in conflicts]
        )


DECISIONS = {
    "approve": LeaveStatus.APPROVED,
    "reject": LeaveStatus.REJECTED,
    "cancel": LeaveStatus.CANCELLED,
}


@post(
    "/fill",
    guards=[admin_only],
    status_code=HTTP_200_OK,
    dependencies={"ops": Provide(provide_rota_ops, sync_to_thread=False)},
)
async def fill_gaps_handler(
    request: Request[Principal, Any, Any], ops: NamedDependency[RotaOps], data: JSONBody[FillIn]
) -> FillOut:
    """Proposes shifts that close cover gaps (greedy); with ``"apply": true`` writes them.
    A centre manager fills the centre named if it is theirs, else all their centres."""
    checked_period(data.first_day, data.last_day)
    if data.centre is not None:
        require_centre(request.user, data.centre)
    return await fill(ops, data, planned_slugs(request.user))
