"""Shift offers over HTTP: the doctors' side under /api/rota/me/offers, the managers' under
/api/rota/offers (a centre manager sees and decides the offers of their own centres)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rota import models
from rota.answers import shift_out
from rota.api_mine import NO_DOCTOR, my_doctor
from rota.offer_ops import OfferOps, OfferView
from rota.offers import OfferStatus
from rota.schemas import OfferIn, OfferOut, OfferTakeIn
from rota.store import Network, load_network
from service.accounts import Role
from service.auth import Principal, requires_role
from service.changes import change_path
from service.params import RowId

# Offers of shifts begun longer ago than this are no longer listed.
LISTED_AFTER_START = timedelta(days=7)


def provide_offer_ops(
    request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
) -> OfferOps:
    return OfferOps(change_path(request, db_session))


def offer_out(view: OfferView, network: Network) -> OfferOut:
    row = view.row
    taker = network.doctor_rows.get(row.taker_doctor_id) if row.taker_doctor_id else None
    return OfferOut(
        id=row.id,
        kind="swap" if view.swap_shift is not None else "give",
        status=view.status.value,
        shift=shift_out(view.shift, network),
        swap_shift=shift_out(view.swap_shift, network) if view.swap_shift else None,
        from_doctor_id=row.from_doctor_id,
        from_doctor=network.doctor_row(row.from_doctor_id).display_name,
        taker_doctor_id=row.taker_doctor_id,
        taker_doctor=taker.display_name if taker else None,
        note=row.note,
        created_at=row.created_at,
        taken_at=row.taken_at,
        decided_at=row.decided_at,
    )


async def recent_views(ops: OfferOps, network: Network) -> list[OfferView]:
    """Offers of shifts not begun longer ago than a week, by the offered shift's start."""
    since = ops.clock() - LISTED_AFTER_START
    rows = await ops.session.execute(
        select(models.ShiftOffer)
        .join(models.Shift, models.Shift.id == models.ShiftOffer.shift_id)
        .where(models.Shift.starts_at >= since)
        .order_by(models.Shift.starts_at, models.ShiftOffer.id)
    )
    return await ops.views(network, list(rows.scalars()))


# --- a doctor's side --------------------------------------------------------------------------


async def doctor_offers(ops: OfferOps, network: Network, doctor_id: int) -> list[OfferOut]:
    """A doctor's offers, those addressed to them or taken by them, and colleagues' open
    give-aways at the centres they are attached to."""
    me = str(doctor_id)
    centres = network.doctors[me].centre_ids

    def concerns_me(view: OfferView) -> bool:
        row = view.row
        if me in (str(row.from_doctor_id), str(row.taker_doctor_id)):
            return True
        if view.swap_shift is not None:
            return view.swap_shift.doctor_id == me
        return view.status is OfferStatus.OPEN and view.shift.centre_id in centres

    views = await recent_views(ops, network)
    return [offer_out(v, network) for v in views if concerns_me(v)]


async def manager_offers(
    ops: OfferOps, network: Network, principal: Principal, status: str = "taken"
) -> list[OfferOut]:
    """Offers of the caller's centres with that status ("all": every one listed)."""
    views = await recent_views(ops, network)
    return [
        offer_out(v, network)
        for v in views
        if (status == "all" or v.status.value == status) and ops.may_decide(principal, network, v)
    ]


@get("/", responses=NO_DOCTOR)
async def my_offers(
    request: Request[Principal, Any, Any], ops: NamedDependency[OfferOps]
) -> list[OfferOut]:
    doctor = await my_doctor(request, ops.session)
    return await doctor_offers(ops, await load_network(ops.session), doctor.id)


@post("/", status_code=HTTP_201_CREATED)
async def make_offer(
    request: Request[Principal, Any, Any], ops: NamedDependency[OfferOps], data: JSONBody[OfferIn]
) -> OfferOut:
    """Offer one of my future shifts: to any colleague of its centre, or as a swap against a
    colleague's shift (``swap_shift_id``)."""
    doctor = await my_doctor(request, ops.session)
    view = await ops.offer(doctor, data.shift_id, data.swap_shift_id, data.note)
    return offer_out(view, await load_network(ops.session))


@post("/{offer_id:int}/take", status_code=HTTP_200_OK)
async def take_offer(
    request: Request[Principal, Any, Any],
    ops: NamedDependency[OfferOps],
    offer_id: RowId,
    data: JSONBody[OfferTakeIn | None] = None,
) -> OfferOut:
    """Take a colleague's shift (or accept their swap): refused with the checker's reasons
    (409) if it would break a rule; then a manager decides."""
    doctor = await my_doctor(request, ops.session)
    view = await ops.take(doctor, offer_id, data.accept_warnings if data else False)
    return offer_out(view, await load_network(ops.session))


@post("/{offer_id:int}/withdraw", status_code=HTTP_200_OK)
async def withdraw_offer(
    request: Request[Principal, Any, Any], ops: NamedDependency[OfferOps], offer_id: RowId
) -> OfferOut:
    doctor = await my_doctor(request, ops.session)
    view = await ops.withdraw(doctor, offer_id)
    return offer_out(view, await load_network(ops.session))


my_offer_routes = Router(
    path="/me/offers",
    guards=[requires_role(Role.DOCTOR)],
    dependencies={"ops": Provide(provide_offer_ops, sync_to_thread=False)},
    route_handlers=[my_offers, make_offer, take_offer, withdraw_offer],
)


# --- the managers' side -----------------------------------------------------------------------


@get("/")
async def offers_to_decide(
    request: Request[Principal, Any, Any],
    ops: NamedDependency[OfferOps],
    status: FromQuery[Literal["taken", "open", "all"]] = "taken",
) -> list[OfferOut]:
    """Offers of the caller's centres; by default those a colleague took, to approve."""
    return await manager_offers(ops, await load_network(ops.session), request.user, status)


@post("/{offer_id:int}/{decision:str}", status_code=HTTP_200_OK)
async def decide_offer(
    request: Request[Principal, Any, Any],
    ops: NamedDependency[OfferOps],
    offer_id: RowId,
    decision: FromPath[Literal["approve", "refuse"]],
    data: JSONBody[OfferTakeIn | None] = None,
) -> OfferOut:
    """Approve (the shifts move, checked again on the rota as it is now) or refuse."""
    view = await ops.decide(
        request.user, offer_id, decision == "approve", data.accept_warnings if data else False
    )
    return offer_out(view, await load_network(ops.session))


offer_decisions = Router(
    path="/offers",
    guards=[requires_role(Role.MANAGER, Role.CENTRE_MANAGER)],
    dependencies={"ops": Provide(provide_offer_ops, sync_to_thread=False)},
    route_handlers=[offers_to_decide, decide_offer],
)

__all__ = ["my_offer_routes", "offer_decisions"]
