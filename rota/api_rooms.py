"""A centre's consulting rooms: where doctors are present and patients are called."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.deps import apply_patch, centre_by_slug
from rota.schemas import RoomIn, RoomOut, RoomPatch
from service.audit import snapshot
from service.auth import admin_only, centre_scope
from service.changes import Change, change_path
from service.errors import Conflict, NotFound
from service.params import PathText


def _room(centre: models.Centre, code: str) -> models.Room:
    for room in centre.rooms:
        if room.code == code:
            return room
    raise NotFound(f"Salle inconnue / unknown room: {code!r}")


async def _announce(change: Change, centre: models.Centre) -> None:
    """Rooms are part of the centre's live state (calls go to a room): one event."""
    await change.bump_one(centre.id)
    change.publish(centre.id, {"type": "rooms.changed", "centre": centre.slug})


class RoomController(Controller):
    path = "/centres/{centre_slug:str}/rooms"
    guards = [admin_only, centre_scope]

    @post("/", status_code=HTTP_201_CREATED)
    async def add_room(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[RoomIn],
    ) -> RoomOut:
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            if any(room.code == data.code for room in centre.rooms):
                raise Conflict(f"La salle {data.code} existe déjà / room already exists")
            await _announce(change, centre)
            room = models.Room(
                centre_id=centre.id, code=data.code, name=data.name, position=data.position
            )
            db_session.add(room)
            await db_session.flush()
            await change.audit("room", room.id, "add", centre_id=centre.id, after=snapshot(room))
        return RoomOut(room.code, room.name, room.position)

    @patch("/{code:str}")
    async def update_room(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        code: PathText,
        data: JSONBody[RoomPatch],
    ) -> RoomOut:
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            room = _room(centre, code)
            await _announce(change, centre)
            async with change.audited("room", room, "update", centre_id=centre.id):
                apply_patch(room, data)
        return RoomOut(room.code, room.name, room.position)

    @delete("/{code:str}", status_code=HTTP_204_NO_CONTENT)
    async def remove_room(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        code: PathText,
    ) -> None:
        """Shifts in that room keep their doctor and lose the room."""
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            room = _room(centre, code)
            await _announce(change, centre)
            await change.audit(
                "room", room.id, "remove", centre_id=centre.id, before=snapshot(room)
            )
            await db_session.delete(room)
