"""Shift offers on the database: offer, take, withdraw, and the manager's decision.

Each is one change of the shell's change path. Taking runs the checker on the shifts as the
offer would leave them and refuses with its conflicts (409, like any rota edit); approval runs
it again, on the rota as it is then, and moves the shift(s) in the same transaction, audited,
the centres bumped where today is touched, each doctor told by an in-app notice. (The
notification outbox carries SMS and push to patients; doctors have no number there, so the
in-app notice is their channel.)
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import select

from rota import models
from rota.answers import enforce
from rota.checks import ShiftChange
from rota.conflicts import RotaConflict
from rota.domain import PlannedShift
from rota.offers import (
    LIVE,
    OfferStatus,
    decision_notice,
    moved_shifts,
    shift_words,
    status_of,
)
from rota.planning import RotaOps
from rota.store import Network, load_network
from service.audit import snapshot
from service.auth import Principal
from service.errors import Conflict, NotFound


@dataclass(frozen=True)
class OfferView:
    """An offer with its shifts as they are now (the answers are made from it)."""

    row: models.ShiftOffer
    shift: PlannedShift
    swap_shift: PlannedShift | None
    status: OfferStatus


def _not_yours() -> PermissionDeniedException:
    return PermissionDeniedException("ce créneau n'est pas le vôtre / this shift is not yours")


@dataclass
class OfferOps(RotaOps):
    async def view(self, network: Network, row: models.ShiftOffer) -> OfferView:
        shift = self.shift_value(network, await self._shift_row(row.shift_id))
        swap = (
            self.shift_value(network, await self._shift_row(row.swap_shift_id))
            if row.swap_shift_id is not None
            else None
        )
        starts = [shift.start] + ([swap.start] if swap else [])
        return OfferView(row, shift, swap, status_of(row.status, starts, self.clock()))

    async def views(self, network: Network, rows: list[models.ShiftOffer]) -> list[OfferView]:
        return [await self.view(network, row) for row in rows]

    async def _offer(self, offer_id: int, lock: bool = True) -> models.ShiftOffer:
        # Locked: two colleagues taking one offer at once, or a take racing an approval or a
        # withdrawal, are ordered here (SQLite ignores it; its write gate serialises).
        row = await self.session.get(
            models.ShiftOffer, offer_id, populate_existing=True, with_for_update=lock
        )
        if row is None:
            raise NotFound(f"Offre inconnue / unknown offer: {offer_id}")
        return row

    def _future(self, shift: PlannedShift) -> None:
        if shift.start <= self.clock():
            raise Conflict(
                "ce créneau a déjà commencé : il ne peut plus être cédé / this shift has "
                "already begun: it can no longer be given away"
            )

    async def offer(
        self, doctor: models.Doctor, shift_id: int, swap_shift_id: int | None, note: str
    ) -> OfferView:
        network = await load_network(self.session)
        shift = self.shift_value(network, await self._shift_row(shift_id))
        if shift.doctor_id != str(doctor.id):
            raise _not_yours()
        self._future(shift)
        swap: PlannedShift | None = None
        if swap_shift_id is not None:
            swap = self.shift_value(network, await self._shift_row(swap_shift_id))
            if swap.doctor_id == str(doctor.id):
                raise Conflict(
                    "échangez contre le créneau d'un(e) collègue, pas le vôtre / swap against "
                    "a colleague's shift, not one of yours"
                )
            self._future(swap)
        async with self.path.change() as change:
            await self._lock(change, network, [], [doctor.id])
            live = await self.session.execute(
                select(models.ShiftOffer.id).where(
                    models.ShiftOffer.shift_id == shift_id,
                    models.ShiftOffer.status.in_([s.value for s in LIVE]),
                )
            )
            if live.first() is not None:
                raise Conflict("ce créneau est déjà proposé / this shift is already on offer")
            row = models.ShiftOffer(
                shift_id=shift_id,
                from_doctor_id=doctor.id,
                swap_shift_id=swap_shift_id,
                status=OfferStatus.OPEN.value,
                note=note,
            )
            self.session.add(row)
            await self.session.flush()
            centre_id = network.centre_row(shift.centre_id).id
            await change.audit(
                "shift_offer", row.id, "create", centre_id=centre_id, after=snapshot(row)
            )
        return OfferView(row, shift, swap, OfferStatus.OPEN)

    async def _check(
        self, network: Network, view: OfferView, taker_id: int, accept_warnings: bool
    ) -> list[RotaConflict]:
        moved = moved_shifts(view.shift, str(taker_id), view.swap_shift)
        conflicts = await self._conflicts_of(network, ShiftChange(add=moved))
        enforce(conflicts, accept_warnings, network)
        return conflicts

    async def take(self, doctor: models.Doctor, offer_id: int, accept_warnings: bool) -> OfferView:
        """A colleague takes a give-away, or the named colleague accepts a swap: checked."""
        network = await load_network(self.session)
        async with self.path.change() as change:
            row = await self._offer(offer_id)
            view = await self.view(network, row)
            await self._lock(change, network, [], sorted({row.from_doctor_id, doctor.id}))
            if view.status is not OfferStatus.OPEN:
                raise Conflict(f"cette offre est « {view.status} » / this offer is {view.status}")
            if row.from_doctor_id == doctor.id:
                raise Conflict("c'est votre propre offre / this is your own offer")
            if view.swap_shift is not None and view.swap_shift.doctor_id != str(doctor.id):
                raise PermissionDeniedException(
                    "cet échange est proposé à un(e) autre collègue / this swap is offered to "
                    "another colleague"
                )
            if view.shift.doctor_id != str(row.from_doctor_id):
                raise Conflict(
                    "le planning a changé depuis l'offre / the rota changed since the offer"
                )
            await self._check(network, view, doctor.id, accept_warnings)
            where_fr, where_en = shift_words(view.shift, network.centres[view.shift.centre_id])
            self.session.add(
                models.RotaNotice(
                    doctor_id=row.from_doctor_id,
                    message=f"{doctor.display_name} prend votre créneau ({where_fr}) : en "
                    "attente d'approbation.",
                    message_en=f"{doctor.display_name} takes your shift ({where_en}): waiting "
                    "for approval.",
                )
            )
            async with change.audited(
                "shift_offer", row, "take", centre_id=network.centre_row(view.shift.centre_id).id
            ):
                row.status = OfferStatus.TAKEN.value
                row.taker_doctor_id = doctor.id
                row.taken_at = self.clock()
            view = OfferView(row, view.shift, view.swap_shift, OfferStatus.TAKEN)
        return view

    async def withdraw(self, doctor: models.Doctor, offer_id: int) -> OfferView:
        network = await load_network(self.session)
        async with self.path.change() as change:
            row = await self._offer(offer_id)
            if row.from_doctor_id != doctor.id:
                raise PermissionDeniedException("cette offre n'est pas la vôtre / not your offer")
            view = await self.view(network, row)
            if view.status not in LIVE:
                raise Conflict(f"cette offre est « {view.status} » / this offer is {view.status}")
            async with change.audited(
                "shift_offer",
                row,
                "withdraw",
                centre_id=network.centre_row(view.shift.centre_id).id,
            ):
                row.status = OfferStatus.WITHDRAWN.value
            view = OfferView(row, view.shift, view.swap_shift, OfferStatus.WITHDRAWN)
        return view

    def may_decide(self, principal: Principal, network: Network, view: OfferView) -> bool:
        shifts = [view.shift] + ([view.swap_shift] if view.swap_shift else [])
        return all(principal.may_act_at_id(network.centre_row(s.centre_id).id) for s in shifts)

    async def decide(
        self, principal: Principal, offer_id: int, approve: bool, accept_warnings: bool
    ) -> OfferView:
        """A manager of the shifts' centres approves (the shifts move) or refuses."""
        network = await load_network(self.session)
        row = await self._offer(offer_id, lock=False)
        view = await self.view(network, row)
        if not self.may_decide(principal, network, view):
            raise PermissionDeniedException(
                "cet échange concerne un centre qui n'est pas le vôtre / this swap is at a "
                "centre that is not yours"
            )
        before = [view.shift] + ([view.swap_shift] if view.swap_shift else [])
        taker = row.taker_doctor_id
        async with self.path.change() as change:
            row = await self._offer(offer_id)  # the offer first, as take and withdraw do
            doctors = sorted({row.from_doctor_id, *([taker] if taker else [])})
            # Refusing moves nothing: no centre's live state changes.
            await self._lock(change, network, before if approve else [], doctors)
            view = await self.view(network, row)  # as it is now that we hold the locks
            if view.status is not OfferStatus.TAKEN or row.taker_doctor_id is None:
                raise Conflict(f"cette offre est « {view.status} » / this offer is {view.status}")
            if row.taker_doctor_id != taker:
                raise Conflict("cette offre a changé : rechargez / this offer changed: reload")
            swap_moved = view.swap_shift is not None and view.swap_shift.doctor_id != str(taker)
            if view.shift.doctor_id != str(row.from_doctor_id) or swap_moved:
                raise Conflict(
                    "le planning a changé depuis l'offre / the rota changed since the offer"
                )
            centre_id = network.centre_row(view.shift.centre_id).id
            if approve:
                self._active_doctor(network, row.taker_doctor_id)  # 400 if no longer active
                if view.swap_shift is not None:
                    self._active_doctor(network, row.from_doctor_id)
                await self._check(network, view, row.taker_doctor_id, accept_warnings)
                for moved in moved_shifts(view.shift, str(row.taker_doctor_id), view.swap_shift):
                    shift_row = await self._shift_row(int(moved.id))
                    async with change.audited(
                        "shift", shift_row, "move", centre_id=shift_row.centre_id
                    ):
                        shift_row.doctor_id = int(moved.doctor_id)
                        shift_row.updated_by_id = self.actor_id
            decision = OfferStatus.APPROVED if approve else OfferStatus.REFUSED
            async with change.audited("shift_offer", row, decision.value, centre_id=centre_id):
                row.status = decision.value
                row.decided_by_id = self.actor_id
                row.decided_at = self.clock()
            french, english = decision_notice(
                approve,
                view.shift,
                network.centres[view.shift.centre_id],
                network.doctor_row(row.taker_doctor_id).display_name,
                network.doctor_row(row.from_doctor_id).display_name,
            )
            self.session.add_all(
                models.RotaNotice(doctor_id=d, message=french, message_en=english) for d in doctors
            )
            self._announce(change, network)
            view = OfferView(row, view.shift, view.swap_shift, decision)
        return view
