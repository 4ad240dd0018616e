"""The plain logic of shift offers: what users see as their status, what an offer moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rota.domain import PlannedShift
from rota.offers import OfferStatus, moved_shifts, status_of

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def shift(shift_id: str, doctor: str, hours_ahead: float) -> PlannedShift:
    start = NOW + timedelta(hours=hours_ahead)
    return PlannedShift(shift_id, doctor, "paris", start, start + timedelta(hours=6))


def test_a_live_offer_expires_when_any_of_its_shifts_begins_and_a_decided_one_stays() -> None:
    assert status_of("open", [NOW + timedelta(minutes=1)], NOW) is OfferStatus.OPEN
    assert status_of("open", [NOW], NOW) is OfferStatus.EXPIRED
    later, begun = NOW + timedelta(days=2), NOW - timedelta(minutes=1)
    assert status_of("taken", [later, begun], NOW) is OfferStatus.EXPIRED
    assert status_of("approved", [begun], NOW) is OfferStatus.APPROVED
    assert status_of("withdrawn", [begun], NOW) is OfferStatus.WITHDRAWN


def test_a_give_away_moves_one_shift_and_a_swap_moves_both_ways() -> None:
    mine, theirs = shift("1", "10", 24), shift("2", "20", 48)
    (given,) = moved_shifts(mine, "20", None)
    assert (given.id, given.doctor_id, given.start) == ("1", "20", mine.start)
    first, second = moved_shifts(mine, "20", theirs)
    assert (first.id, first.doctor_id) == ("1", "20")
    assert (second.id, second.doctor_id, second.end) == ("2", "10", theirs.end)
