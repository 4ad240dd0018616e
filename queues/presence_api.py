"""HTTP handlers of presence: the consulting-room page beats and leaves; staff read who is in."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from sqlalchemy.ext.asyncio import AsyncSession

from queues.presence import (
    BEAT_S,
    PRESENCE_TIMEOUT_S,
    PresenceAnswer,
    PresenceOps,
    present_now,
)
from queues.schemas import DoctorPresenceOut, PresenceOut, PresenceRequest
from rota.models import Centre, Room
from rota.reads import provide_centre
from service.accounts import Role
from service.auth import Principal, centre_scope, requires_role, staff_only
from service.changes import change_path
from service.errors import NotFound
from service.state import shell

# Presence is a doctor's: the desk does not call patients from a room.
doctor_only = requires_role(Role.DOCTOR)


def provide_presence_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> PresenceOps:
    return PresenceOps(change_path(request, db_session))


def _room(centre: Centre, code: str) -> Room:
    for room in centre.rooms:
        if room.code == code:
            return room
    raise NotFound(f"no room {code!r} at {centre.name} / salle inconnue")


def _out(answer: PresenceAnswer) -> PresenceOut:
    return PresenceOut(answer.state, answer.room, answer.since, BEAT_S, PRESENCE_TIMEOUT_S)


class PresenceController(Controller):
    path = "/api/centres/{centre_slug:str}/presence"
    tags = ["presence"]
    guards = [staff_only, centre_scope]
    dependencies = {
        "centre": Provide(provide_centre),
        "ops": Provide(provide_presence_ops, sync_to_thread=False),
    }

    @get("/")
    async def doctors_in_rooms(
        self,
        centre: NamedDependency[Centre],
        db_session: NamedDependency[AsyncSession],
        request: Request[Any, Any, Any],
    ) -> list[DoctorPresenceOut]:
        """The doctors in a room now (present or paused), by name."""
        found = await present_now(db_session, [centre.id], shell(request.app).clock())
        return [
            DoctorPresenceOut(d.doctor_id, d.display_name, d.room, d.room_name, d.state, d.since)
            for d in found[centre.id]
        ]

    @post("/", status_code=HTTP_200_OK, guards=[doctor_only])
    async def beat(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[PresenceOps],
        data: JSONBody[PresenceRequest],
        request: Request[Principal, Any, Any],
    ) -> PresenceOut:
        """The consulting-room page is open in this room: present, or paused (not calling).
        Send it every ``beat_s`` seconds; after ``timeout_s`` without one the doctor is gone."""
        room = _room(centre, data.room)
        return _out(await ops.beat(centre, request.user.account_id, room, data.state))

    @post("/leave", status_code=HTTP_200_OK, guards=[doctor_only])
    async def leave(
        self,
        centre: NamedDependency[Centre],
        ops: NamedDependency[PresenceOps],
        request: Request[Principal, Any, Any],
    ) -> PresenceOut:
        """The doctor leaves the room; leaving twice changes nothing."""
        return _out(await ops.leave(centre, request.user.account_id))
