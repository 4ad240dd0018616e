"""Shift offers as plain values: their effective status, the shifts they move, the notices.

A give-away moves one shift to the colleague who takes it; a swap also moves the colleague's
named shift to the offerer. Whatever the kind, the moved shifts go through the one checker
(rota.checks.check_change) when the colleague takes and again when a manager approves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from rota.domain import CentrePlan, PlannedShift
from rota.wording import when_en, when_fr


class OfferStatus(StrEnum):
    OPEN = "open"  # waiting for a colleague
    TAKEN = "taken"  # a colleague took it (or accepted the swap): waiting for a manager
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # never stored: a live offer whose shift has begun


LIVE = frozenset({OfferStatus.OPEN, OfferStatus.TAKEN})


def status_of(stored: str, shift_starts: Iterable[datetime], now: datetime) -> OfferStatus:
    """The offer's status as users see it: a live offer of a shift already begun expired."""
    status = OfferStatus(stored)
    if status in LIVE and min(shift_starts) <= now:
        return OfferStatus.EXPIRED
    return status


def moved_shifts(
    offered: PlannedShift, taker_id: str, swapped: PlannedShift | None
) -> tuple[PlannedShift, ...]:
    """The shifts as the offer would leave them (same ids: moves, for the checker)."""
    given = replace(offered, doctor_id=taker_id)
    if swapped is None:
        return (given,)
    return given, replace(swapped, doctor_id=offered.doctor_id)


def shift_words(shift: PlannedShift, centre: CentrePlan) -> tuple[str, str]:
    return (
        f"{centre.name} le {when_fr(shift.start, shift.end, centre.time_zone)}",
        f"{centre.name} on {when_en(shift.start, shift.end, centre.time_zone)}",
    )


def decision_notice(
    approved: bool, offered: PlannedShift, centre: CentrePlan, taker: str, offerer: str
) -> tuple[str, str]:
    """The in-app notice both doctors get when a manager decides (French, English)."""
    where_fr, where_en = shift_words(offered, centre)
    if approved:
        return (
            f"Échange approuvé : le créneau de {offerer} ({where_fr}) passe à {taker}.",
            f"Swap approved: {offerer}'s shift ({where_en}) goes to {taker}.",
        )
    return (
        f"Échange refusé : le créneau de {offerer} ({where_fr}) reste à {offerer}.",
        f"Swap refused: {offerer}'s shift ({where_en}) stays with {offerer}.",
    )
