"""HTTP handlers of the queue: thin, they validate, call QueueOps and shape the answer."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queues.models import Ticket
from queues.schemas import (
    ActionRequest,
    CallNextRequest,
    CentreOut,
    CheckInRequest,
    CheckinStateOut,
    MoveToHeadRequest,
    PriorityRequest,
    QueueOut,
    RoomOut,
    TicketOut,
)
from queues.service import QueueOps, active_tickets
from queues.states import Action, TicketStatus
from rota.models import Centre, Room
from service.audit import actor_of
from service.auth import Principal, centre_scope, staff_only
from service.errors import NotFound


async def provide_centre(
    centre_slug: FromPath[str], db_session: NamedDependency[AsyncSession]
) -> Centre:
    centre = (
        await db_session.execute(select(Centre).where(Centre.slug == centre_slug))
    ).scalar_one_or_none()
    if centre is None:
        raise NotFound(f"no centre {centre_slug!r} / centre inconnu")
    return centre


def provide_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> QueueOps:
    state = request.app.state
    return QueueOps(
        db_session, state["write_gate"], state["event_bus"], state["clock"], actor_of(request)
    )


def room_by_code(centre: Centre, code: str) -> Room:
    for room in centre.rooms:
        if room.code == code:
            return room
    raise NotFound(f"no room {code!r} at {centre.name} / salle inconnue")


def ticket_out(ticket: Ticket, centre: Centre, position: int | None = None) -> TicketOut:
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
        position=position,
    )


def centre_out(centre: NamedDependency[Centre]) -> CentreOut:
    return CentreOut(
        slug=centre.slug,
        name=centre.name,
        timezone=centre.timezone,
        opening_hours=centre.opening_hours,
        rooms=[RoomOut(code=r.code, name=r.name) for r in centre.rooms],
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
}


class CentreQueueController(Controller):
    path = "/api/centres/{centre_slug:str}"
    tags = ["queue"]
    guards = [staff_only, centre_scope]
    dependencies = {
        "centre": Provide(provide_centre),
        "ops": Provide(provide_ops, sync_to_thread=False),
    }

    @get("/")
    async def centre_detail(self, centre: NamedDependency[Centre]) -> CentreOut:
        return centre_out(centre)

    @get("/queue")
    async def queue(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> QueueOut:
        day = centre.service_day(ops.clock())
        tickets = await active_tickets(ops.session, centre, day)
        day_state = await ops.day_state(centre, day)
        position = 0
        rows: list[TicketOut] = []
        for ticket in tickets:
            if ticket.status == TicketStatus.WAITING:
                position += 1
                rows.append(ticket_out(ticket, centre, position))
            else:
                rows.append(ticket_out(ticket, centre))
        return QueueOut(
            centre=centre.slug,
            service_day=day,
            checkin_open=not day_state.checkin_closed,
            seq=centre.event_seq,
            tickets=rows,
        )

    @post("/tickets", status_code=HTTP_201_CREATED)
    async def check_in(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        data: JSONBody[CheckInRequest],
    ) -> Response[TicketOut]:
        ticket, created = await ops.check_in(
            centre, data.priority, data.client_key, data.label, data.phone
        )
        # A retry with the same client key is answered 200 with the ticket already given.
        return Response(
            ticket_out(ticket, centre), status_code=HTTP_201_CREATED if created else HTTP_200_OK
        )

    @get("/tickets/{ticket_id:int}")
    async def ticket(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: FromPath[int],
    ) -> TicketOut:
        found = await ops.session.get(Ticket, ticket_id)
        if found is None or found.centre_id != centre.id:
            raise NotFound(f"no ticket {ticket_id} at this centre / ticket inconnu")
        return ticket_out(found, centre)

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
        ticket_id: FromPath[int],
        action_name: FromPath[str],
        request: Request[Principal, Any, Any],
        data: JSONBody[ActionRequest | None] = None,
    ) -> TicketOut:
        action = TICKET_ACTIONS.get(action_name)
        if action is None:
            raise NotFound(f"unknown action {action_name!r}; one of: {', '.join(TICKET_ACTIONS)}")
        room = room_by_code(centre, data.room) if data and data.room else None
        ticket = await ops.act(
            centre, ticket_id, action, room=room, caller_id=request.user.account_id
        )
        return ticket_out(ticket, centre)

    @post("/tickets/{ticket_id:int}/priority", status_code=HTTP_200_OK)
    async def set_priority(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: FromPath[int],
        data: JSONBody[PriorityRequest],
    ) -> TicketOut:
        return ticket_out(await ops.set_priority(centre, ticket_id, data.priority), centre)

    @post("/tickets/{ticket_id:int}/move-to-head", status_code=HTTP_200_OK)
    async def move_to_head(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[QueueOps],
        ticket_id: FromPath[int],
        data: JSONBody[MoveToHeadRequest],
    ) -> TicketOut:
        return ticket_out(await ops.move_to_head(centre, ticket_id, data.reason), centre)

    @post("/checkin/close", status_code=HTTP_200_OK)
    async def close_checkin(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> CheckinStateOut:
        day = await ops.set_checkin_open(centre, False)
        return CheckinStateOut(centre.slug, day.service_day, not day.checkin_closed)

    @post("/checkin/open", status_code=HTTP_200_OK)
    async def open_checkin(
        self, centre: NamedDependency[Centre], ops: NamedDependency[QueueOps]
    ) -> CheckinStateOut:
        day = await ops.set_checkin_open(centre, True)
        return CheckinStateOut(centre.slug, day.service_day, not day.checkin_closed)


@get("/api/centres", tags=["queue"], guards=[staff_only])
async def list_centres(db_session: NamedDependency[AsyncSession]) -> list[CentreOut]:
    centres = (await db_session.execute(select(Centre).order_by(Centre.name))).scalars().all()
    return [centre_out(c) for c in centres]
