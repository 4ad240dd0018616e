"""HTTP handlers of the queue: thin, they validate, call QueueOps and shape the answer."""

from __future__ import annotations

import logging
import math
from contextlib import suppress
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.reads import BadPhone, to_e164
from queues.estimator import CentreEstimate, WaitEstimate
from queues.live import EstimateCache
from queues.models import Ticket
from queues.ordering import Priority
from queues.schemas import (
    ActionRequest,
    CallNextRequest,
    CentreOut,
    CheckInRequest,
    CheckinStateOut,
    EstimateOut,
    MoveToHeadRequest,
    MyDayOut,
    PriorityRequest,
    QueueOut,
    RoomOut,
    TicketOut,
)
from queues.service import (
    PatientOptions,
    QueueOps,
    active_tickets,
    missed_tickets,
    tickets_called_by,
)
from queues.states import Action, TicketStatus
from rota.models import Centre, Room
from rota.reads import provide_centre
from service.accounts import Role
from service.auth import Principal, centre_scope, requires_role, staff_only
from service.changes import change_path
from service.errors import DomainError, NotFound
from service.params import PathText, RowId
from service.state import shell

log = logging.getLogger("walkin.queues")


def provide_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> QueueOps:
    return QueueOps(change_path(request, db_session), shell(request.app).settings.secret_key)


def provide_centre_ops(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    centre: NamedDependency[Centre],
) -> QueueOps:
    """The queue's operations for a centre route. It takes the centre (unused) so that
    Litestar resolves the two one after the other: dependencies of the same level are run in
    an anyio task group, two task starts on every request for two dependencies that share one
    database session anyway."""
    del centre
    return provide_ops(request, db_session)


def room_by_code(centre: Centre, code: str) -> Room:
    for room in centre.rooms_in_use:  # a retired room takes no calls
        if room.code == code:
            return room
    raise NotFound(f"no room {code!r} at {centre.name} / salle inconnue")


def ticket_out(ticket: Ticket, centre: Centre, link: str | None = None) -> TicketOut:
    rooms = {room.id: room.code for room in centre.rooms}
    return TicketOut(
        id=ticket.id,
        number=ticket.number,
        priority=ticket.priority,
        status=TicketStatus(ticket.status),
        service_day=ticket.service_day,
        checked_in_at=ticket.checked_in_at,
        label=ticket.label,
        phone=ticket.phone,
        room=rooms.get(ticket.room_id) if ticket.room_id is not None else None,
        called_at=ticket.called_at,
        call_count=ticket.call_count,
        started_at=ticket.started_at,
        ended_at=ticket.ended_at,
        head_reason=ticket.head_reason,
        remote=ticket.remote,
        arrived_at=ticket.arrived_at,
        # Tickets from before links existed have none (their digest was never stored).
        link=f"/t/{link}" if link and ticket.link_hash else None,
    )


def estimate_out(value: WaitEstimate) -> EstimateOut:
    def whole(minutes: float) -> int | None:
        return None if math.isinf(minutes) else round(minutes)

    return EstimateOut(
        wait_min=whole(value.wait_min),
        low_min=whole(value.low_min),
        high_min=whole(value.high_min),
        after_closing=value.after_closing,
    )


# A newcomer's predicted wait may come from an estimate this recent: check-ins come in bursts
# and simulating the day for each one would make the desk wait.
CHECKIN_ESTIMATE_TOLERANCE = timedelta(seconds=30)


async def estimates_now(
    request: Request[Any, Any, Any],
    ops: QueueOps,
    centre: Centre,
    tolerate: timedelta | None = None,
) -> CentreEstimate:
    cache = shell(request.app).part(EstimateCache)
    return await cache.get(ops.session, centre, ops.clock(), tolerate)


async def _estimate_after_commit(
    request: Request[Any, Any, Any], ops: QueueOps, centre: Centre, ticket: Ticket
) -> EstimateOut | None:
    """The check-in is committed: a failing estimate must not turn it into an error answer
    (the desk would retry, or worse, tell the patient no ticket was given). Without it the
    answer simply carries no estimate; the queue view shows one at its next refresh."""
    try:
        estimates = await estimates_now(request, ops, centre, CHECKIN_ESTIMATE_TOLERANCE)
    except Exception:
        log.exception("estimate after check-in failed at centre %s", centre.id)
        with suppress(Exception):
            await ops.session.rollback()
        return None
    value = estimates.waiting.get(str(ticket.id)) or estimates.newcomer[Priority(ticket.priority)]
    return estimate_out(value)


async def _estimate_before_check_in(
    request: Request[Any, Any, Any], ops: QueueOps, centre: Centre, priority: Priority
) -> WaitEstimate | None:
    """The newcomer's wait the desk is about to show, kept on the ticket for the statistics.
    The answer's estimate after commit reuses this one (it is under 30 s old), so the ticket
    keeps exactly what was shown; failing, the check-in goes ahead without it."""
    try:
        estimates = await estimates_now(request, ops, centre, CHECKIN_ESTIMATE_TOLERANCE)
    except Exception:
        log.exception("estimate before check-in failed at centre %s", centre.id)
        with suppress(Exception):
            await ops.session.rollback()
            # The rollback expired the centre: load it again here, in async code, or the
            # check-in's first use of it would try lazy I/O outside the event loop.
            await ops.session.refresh(centre)
        return None
    return estimates.newcomer[priority]


def centre_out(centre: Centre) -> CentreOut:
    return CentreOut(
        slug=centre.slug,
        name=centre.name,
        timezone=centre.timezone,
        opening_hours=centre.opening_hours,
        rooms=[RoomOut(code=r.code, name=r.name) for r in centre.rooms_in_use],
    )


# Path names of the actions a ticket accepts (call-next has its own route).
TICKET_ACTIONS: dict[str, Action] = {
    "call": Action.CALL,
    "recall": Action.RECALL,
    "start": Action.START,
    "finish": Action.FINISH,
    "no-show": Action.NO_SHOW,
    "cancel": Action.CANCEL,
    "left-unseen": Action.LEFT_UNSEEN,
    "requeue": Action.REQUEUE,
    "release": Action.RELEASE,
    "arrive": Action.ARRIVE,
}
# What a doctor does from the consulting room, and releasing a patient they called by mistake
# (undoing their own call); the rest of a ticket's life (cancel, left unseen, requeue,
# priority, moves) and closing check-in belong to the desk.
# (Confirming a remote patient's arrival, "arrive", is the desk's too.)
DOCTOR_ACTIONS = frozenset(
    {Action.CALL, Action.RECALL, Action.START, Action.FINISH, Action.NO_SHOW, Action.RELEASE}
)
desk_only = requires_role(Role.MANAGER, Role.CENTRE_MANAGER, Role.RECEPTION)


class CentreQueueController(Controller):
    path = "/api/centres/{centre_slug:str}"
    tags = ["queue"]
    guards = [staff_only, centre_scope]
    dependencies = {
        "centre": Provide(provide_centre),
        "ops": Provide(provide_centre_ops, sync_to_thread=False),
    }

    @get("/")
    async def centre_detail(self, centre: NamedDependency[Centre]) -> CentreOut:
        return centre_out(centre)

    @get("/queue")
    async def queue(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        request: Request[Any, Any, Any],
    ) -> QueueOut:
        day = centre.service_day(ops.clock())
        tickets = await active_tickets(ops.session, centre, day)
        day_state = await ops.day_state(centre, day)
        estimates = await estimates_now(request, ops, centre)
        position = 0
        rows: list[TicketOut] = []
        for ticket in tickets:
            row = ticket_out(ticket, centre)
            if ticket.status in (TicketStatus.WAITING, TicketStatus.NOT_ARRIVED):
                position += 1
                row.position = position
                if (value := estimates.waiting.get(str(ticket.id))) is not None:
                    row.estimate = estimate_out(value)
            rows.append(row)
        return QueueOut(
            centre=centre.slug,
            service_day=day,
            checkin_open=not day_state.checkin_closed,
            seq=centre.event_seq,
            tickets=rows,
            newcomer={p.value: estimate_out(v) for p, v in estimates.newcomer.items()},
        )

    @get("/my-day")
    async def my_day(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        request: Request[Principal, Any, Any],
    ) -> MyDayOut:
        day = centre.service_day(ops.clock())
        tickets = await tickets_called_by(ops.session, centre, day, request.user.account_id)
        return MyDayOut(
            centre=centre.slug,
            service_day=day,
            seen=sum(1 for t in tickets if t.status == TicketStatus.DONE),
            tickets=[ticket_out(t, centre) for t in tickets],
        )

    @get("/missed")
    async def missed(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> list[TicketOut]:
        day = centre.service_day(ops.clock())
        return [ticket_out(t, centre) for t in await missed_tickets(ops.session, centre, day)]

    @post(
        "/tickets",
        status_code=HTTP_201_CREATED,
        responses={
            HTTP_200_OK: ResponseSpec(
                data_container=TicketOut,
                description="A retry with the same client_key: the ticket already given",
            )
        },
    )
    async def check_in(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        data: JSONBody[CheckInRequest],
        request: Request[Any, Any, Any],
    ) -> Response[TicketOut]:
        phone = None
        if data.phone is not None:
            try:
                phone = to_e164(data.phone, centre.country)
            except BadPhone as exc:
                raise DomainError(str(exc)) from exc
        patient = PatientOptions(
            phone=phone,
            notify_ahead=data.notify_ahead if phone else None,
            notify_minutes=data.notify_minutes if phone else None,
            notify_called=phone is not None,
        )
        told = await _estimate_before_check_in(request, ops, centre, data.priority)
        ticket, created = await ops.check_in(
            centre, data.priority, data.client_key, data.label, told=told, patient=patient
        )
        row = ticket_out(ticket, centre, ops.link_of(ticket))
        if ticket.status == TicketStatus.WAITING:
            # Told at the desk, with a warning when the patient would be seen after closing:
            # the ticket's own estimate, or (from a recent estimate made before it joined) the
            # newcomer's, which is what the patient was about to face.
            row.estimate = await _estimate_after_commit(request, ops, centre, ticket)
        # A retry with the same client key is answered 200 with the ticket already given.
        return Response(row, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/tickets/{ticket_id:int}")
    async def ticket(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: RowId,
    ) -> TicketOut:
        found = await ops.session.get(Ticket, ticket_id)
        if found is None or found.centre_id != centre.id:
            raise NotFound(f"no ticket {ticket_id} at this centre / ticket inconnu")
        return ticket_out(found, centre, ops.link_of(found))

    @post("/call-next", status_code=HTTP_200_OK)
    async def call_next(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        data: JSONBody[CallNextRequest],
        request: Request[Principal, Any, Any],
    ) -> TicketOut:
        room = room_by_code(centre, data.room)
        ticket = await ops.call_next(centre, room, request.user.account_id)
        return ticket_out(ticket, centre)

    @post("/tickets/{ticket_id:int}/{action_name:str}", status_code=HTTP_200_OK)
    async def act(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: RowId,
        action_name: PathText,
        request: Request[Principal, Any, Any],
        data: JSONBody[ActionRequest | None] = None,
    ) -> TicketOut:
        action = TICKET_ACTIONS.get(action_name)
        if action is None:
            raise NotFound(f"unknown action {action_name!r}; one of: {', '.join(TICKET_ACTIONS)}")
        if request.user.role is Role.DOCTOR and action not in DOCTOR_ACTIONS:
            raise PermissionDeniedException(
                f"{action_name} is done at reception / action réservée à l'accueil"
            )
        room = room_by_code(centre, data.room) if data and data.room else None
        ticket = await ops.act(
            centre, ticket_id, action, room=room, caller_id=request.user.account_id
        )
        return ticket_out(ticket, centre)

    @post("/tickets/{ticket_id:int}/priority", status_code=HTTP_200_OK, guards=[desk_only])
    async def set_priority(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: RowId,
        data: JSONBody[PriorityRequest],
    ) -> TicketOut:
        return ticket_out(await ops.set_priority(centre, ticket_id, data.priority), centre)

    @post("/tickets/{ticket_id:int}/move-to-head", status_code=HTTP_200_OK, guards=[desk_only])
    async def move_to_head(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: RowId,
        data: JSONBody[MoveToHeadRequest],
    ) -> TicketOut:
        return ticket_out(await ops.move_to_head(centre, ticket_id, data.reason), centre)

    @post("/checkin/close", status_code=HTTP_200_OK, guards=[desk_only])
    async def close_checkin(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> CheckinStateOut:
        day = await ops.set_checkin_open(centre, False)
        return CheckinStateOut(centre.slug, day.service_day, not day.checkin_closed)

    @post("/checkin/open", status_code=HTTP_200_OK, guards=[desk_only])
    async def open_checkin(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> CheckinStateOut:
        day = await ops.set_checkin_open(centre, True)
        return CheckinStateOut(centre.slug, day.service_day, not day.checkin_closed)


@get("/api/centres", tags=["queue"], guards=[staff_only])
async def list_centres(db_session: NamedDependency[AsyncSession]) -> list[CentreOut]:
    centres = (await db_session.execute(select(Centre).order_by(Centre.name))).scalars().all()
    return [centre_out(c) for c in centres]
