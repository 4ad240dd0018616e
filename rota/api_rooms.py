"""A centre's consulting rooms: where doctors are present and patients are called."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, patch, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET, structs
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.api_centres import room_out
from rota.deps import apply_patch, centre_by_slug
from rota.schemas import RoomIn, RoomOrder, RoomOut, RoomPatch
from service.audit import snapshot
from service.auth import admin_only, centre_scope
from service.changes import Change, change_path
from service.errors import Conflict, DomainError, NotFound
from service.params import PathText
from service.state import shell


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
        return room_out(room)

    @put("/order", status_code=HTTP_200_OK)
    async def order_rooms(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        centre_slug: PathText,
        data: JSONBody[RoomOrder],
    ) -> list[RoomOut]:
        """The rooms in the order given (the order screens, pages and the rota list them)."""
        async with change_path(request, db_session).change() as change:
            centre = await centre_by_slug(db_session, centre_slug)
            known = {room.code: room for room in centre.rooms}
            if len(set(data.codes)) != len(data.codes) or set(data.codes) != set(known):
                raise DomainError(
                    "donnez chaque salle du centre une fois / name every room of the centre "
                    f"once: {', '.join(sorted(known))}"
                )
            await _announce(change, centre)
            before = {code: room.position for code, room in known.items()}
            for position, code in enumerate(data.codes, start=1):
                known[code].position = position
            await change.audit(
                "room_order",
                centre.id,
                "update",
                centre_id=centre.id,
                before={"order": ",".join(sorted(before, key=lambda c: before[c]))},
                after={"order": ",".join(data.codes)},
            )
            answer = [room_out(known[code]) for code in data.codes]
        return answer

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
                apply_patch(room, structs.replace(data, retired=UNSET))
                retired = data.retired
                if retired is not UNSET and retired != (room.retired_at is not None):
                    # Retired, not deleted: tickets, shifts and audit entries keep the room.
                    room.retired_at = shell(request.app).clock() if retired else None
            answer = room_out(room)
        return answer

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
