"""The wait estimator on hand-built snapshots of a centre."""

from __future__ import annotations

import math

import pytest

from queues.estimator import (
    CALLS_PER_STEP,
    SUMMARIES_PER_STEP,
    CentreSnapshot,
    CheckIn,
    Consultation,
    DoctorDay,
    WaitingPatient,
    estimate,
    estimate_steps,
    runs_for,
)
from queues.ordering import Priority

NOW = 10 * 60.0  # 10:00
HISTORY = tuple(float(x) for x in (6, 7, 8, 9, 10, 10, 11, 12, 13, 14) * 10)  # mean 10


def waiting(count: int, since: float = NOW - 30) -> tuple[WaitingPatient, ...]:
    return tuple(
        WaitingPatient(f"A{i:03d}", Priority.STANDARD, since + i * 0.5) for i in range(count)
    )


def snapshot(
    doctors: tuple[DoctorDay, ...],
    queue: tuple[WaitingPatient, ...] = (),
    consultations: tuple[Consultation, ...] = (),
    now: float = NOW,
    closes: float = 20 * 60.0,
) -> CentreSnapshot:
    return CentreSnapshot(
        now=now,
        opens=8 * 60.0,
        closes=closes,
        turnover_min=1.0,
        waiting=queue,
        consultations=consultations,
        doctors=doctors,
        today_consult_min=(10.0,) * 12,
        history_consult_min=HISTORY,
        checkins_today=tuple(CheckIn(8 * 60.0 + i * 5, Priority.STANDARD) for i in range(20)),
        left_unseen_today=0,
        waits_today_min=(5.0,) * 8,
    )


def naive(ahead: int, doctors_on_shift: int) -> float:
    return ahead * (10.0 + 1.0) / doctors_on_shift


def busy(doctor_id: str, minutes_ago: float = 5.0) -> Consultation:
    return Consultation(doctor_id, NOW - minutes_ago)


ALL_DAY = ((8 * 60.0, 20 * 60.0),)


def test_empty_queue_and_a_free_doctor_means_no_wait() -> None:
    result = estimate(snapshot((DoctorDay("d1", ALL_DAY, free_from=NOW - 3),)))
    for priority in Priority:
        est = result.newcomer[priority]
        assert (est.wait_min, est.low_min, est.high_min) == (0.0, 0.0, 0.0)
        assert not est.after_closing


def test_doctor_in_turnover_calls_when_the_turnover_ends() -> None:
    result = estimate(snapshot((DoctorDay("d1", ALL_DAY, free_from=NOW + 0.5),)))
    assert result.newcomer[Priority.STANDARD].wait_min == pytest.approx(0.5)


def test_doctor_leaving_in_ten_minutes_makes_the_wait_longer_than_naive() -> None:
    doctors = (
        DoctorDay("d1", ((8 * 60.0, NOW + 10),), free_from=NOW - 20),
        DoctorDay("d2", ALL_DAY, free_from=NOW - 20),
    )
    result = estimate(snapshot(doctors, waiting(6), consultations=(busy("d1"), busy("d2"))))
    # The naive figure divides by the two doctors on shift now; only one will be left.
    assert result.newcomer[Priority.STANDARD].wait_min > naive(6, 2) * 1.3


def test_doctor_arriving_soon_makes_the_wait_shorter_than_naive() -> None:
    doctors = (
        DoctorDay("d1", ALL_DAY, free_from=NOW - 20),
        DoctorDay("d2", ((NOW + 5, 20 * 60.0),)),
    )
    result = estimate(snapshot(doctors, waiting(6), consultations=(busy("d1"),)))
    assert result.newcomer[Priority.STANDARD].wait_min < naive(6, 1) * 0.7


def test_lunch_gap_with_nobody_else_pushes_the_wait_past_the_gap() -> None:
    doctors = (DoctorDay("d1", ((8 * 60.0, NOW + 5), (NOW + 60, 20 * 60.0)), free_from=NOW - 20),)
    result = estimate(snapshot(doctors, waiting(2), consultations=(busy("d1"),)))
    # Two patients ahead: at most one is seen before the gap, so the newcomer waits past it.
    assert result.newcomer[Priority.STANDARD].wait_min >= 60


def test_urgent_newcomer_waits_less_than_standard_and_queue_waits_grow_in_call_order() -> None:
    doctors = (DoctorDay("d1", ALL_DAY, free_from=NOW - 20), DoctorDay("d2", ALL_DAY))
    queue = (*waiting(8), WaitingPatient("U001", Priority.URGENT, NOW - 2))
    result = estimate(snapshot(doctors, queue, consultations=(busy("d1"), busy("d2", 1))))
    assert result.newcomer[Priority.URGENT].wait_min < result.newcomer[Priority.STANDARD].wait_min
    assert result.waiting["U001"].wait_min <= result.waiting["A000"].wait_min
    in_order = [result.waiting[p.key].wait_min for p in waiting(8)]
    assert in_order == sorted(in_order)
    assert in_order[-1] <= result.newcomer[Priority.STANDARD].wait_min
    for est in result.waiting.values():
        assert est.low_min <= est.wait_min <= est.high_min


def test_call_expected_after_closing_is_flagged() -> None:
    doctors = (DoctorDay("d1", ((8 * 60.0, NOW + 20),), free_from=NOW - 20),)
    result = estimate(snapshot(doctors, waiting(10), (busy("d1"),), closes=NOW + 20))
    standard = result.newcomer[Priority.STANDARD]
    assert standard.after_closing and standard.call_at > NOW + 20
    assert standard.p_after_closing > 0.9
    assert math.isfinite(standard.wait_min)  # the doctor closing the centre stays


def test_nobody_left_on_the_rota_means_no_call_today() -> None:
    doctors = (DoctorDay("d1", ((8 * 60.0, NOW + 5),), free_from=NOW - 20),)
    result = estimate(snapshot(doctors, waiting(5), (busy("d1"),), closes=NOW + 600))
    assert result.newcomer[Priority.STANDARD].wait_min == math.inf


def test_no_doctor_at_all_today_means_no_call_and_no_crash() -> None:
    result = estimate(snapshot((), waiting(3)))
    assert all(e.wait_min == math.inf for e in result.waiting.values())
    assert result.newcomer[Priority.URGENT].wait_min == math.inf
    assert result.newcomer[Priority.STANDARD].after_closing


def test_long_running_consultation_is_expected_to_end_later_not_already() -> None:
    doctors = (DoctorDay("d1", ALL_DAY, free_from=NOW - 60),)
    fresh = estimate(snapshot(doctors, (), (busy("d1", 1),))).newcomer[Priority.STANDARD]
    long = estimate(snapshot(doctors, (), (busy("d1", 25),))).newcomer[Priority.STANDARD]
    assert fresh.wait_min > 0 and long.wait_min > 0
    # Whatever it has lasted, the remainder is positive; past the usual length it is short.
    assert long.wait_min < fresh.wait_min


def test_estimate_is_reproducible() -> None:
    doctors = (DoctorDay("d1", ALL_DAY, free_from=NOW - 20), DoctorDay("d2", ALL_DAY))

    def build() -> CentreSnapshot:
        return snapshot(doctors, waiting(12), consultations=(busy("d1"), busy("d2", 3)))

    assert estimate(build()) == estimate(build())


def test_consultation_by_a_doctor_not_on_the_rota_is_rejected() -> None:
    with pytest.raises(ValueError, match="not in the rota"):
        estimate(snapshot((DoctorDay("d1", ALL_DAY),), consultations=(busy("d9"),)))


def test_a_long_queue_is_estimated_in_small_steps() -> None:
    """The service runs the estimate on its event loop between other work: however long the
    queue, a step simulates at most CALLS_PER_STEP calls or summarises SUMMARIES_PER_STEP
    patients, and the stepped estimate is the estimate."""
    snap = snapshot((DoctorDay("d1", ALL_DAY), DoctorDay("d2", ALL_DAY)), waiting(3000))
    runs = runs_for(3000)
    steps = estimate_steps(snap, runs)
    count = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            stepped = done.value
            break
        count += 1
    assert count >= runs * 3000 / CALLS_PER_STEP + 3000 / SUMMARIES_PER_STEP
    assert stepped == estimate(snap, runs)


def test_estimator_records_hold_no_instance_dict() -> None:
    """Slotted records: a long queue's thousands of them are half the objects for the
    collector's passes, which otherwise ran on the event loop for several ms at once."""
    patient = waiting(1)[0]
    assert not hasattr(patient, "__dict__")
    result = estimate(snapshot((DoctorDay("d1", ALL_DAY),), (patient,)))
    assert not hasattr(result.waiting[patient.key], "__dict__")
