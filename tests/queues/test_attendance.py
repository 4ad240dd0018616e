"""Who will really call: the rota corrected by presence, on hand-built days."""

from __future__ import annotations

import dataclasses
import math
import random

import pytest

from queues.attendance import MAX_LATE_MIN, Lateness, calling_spans, learn_lateness
from queues.estimator import CentreSnapshot, CheckIn, DoctorDay, WaitingPatient, estimate
from queues.ordering import Priority
from queues.scenario_gen import generate

NOW = 10 * 60.0
DAY = ((8 * 60.0, 20 * 60.0),)
CLOSES = 20 * 60.0
USUAL = Lateness(0.2, 20.0)


def draws(
    present: tuple[tuple[float, float], ...],
    shifts: tuple[tuple[float, float], ...] = DAY,
    paused: float | None = None,
    n: int = 400,
) -> list[tuple[tuple[tuple[float, float], ...], bool]]:
    rng = random.Random(1)
    return [calling_spans(rng, NOW, CLOSES, shifts, present, paused, USUAL) for _ in range(n)]


def test_present_now_calls_from_now_to_the_end_of_the_shift_mostly() -> None:
    spans = draws(((8 * 60.0, math.inf),))
    full = [s for s, stays in spans if s == ((NOW, CLOSES),) and stays]
    assert len(full) > 0.85 * len(spans)  # a few leave early, unannounced
    assert all(s and s[0][0] == NOW for s, _ in spans)


def test_a_doctor_much_later_than_anyone_comes_is_not_expected() -> None:
    late = ((NOW - MAX_LATE_MIN - 1, 20 * 60.0),)
    assert all(spans == () for spans, _ in draws((), late))
    assert USUAL.chance_coming(MAX_LATE_MIN + 1) == 0.0
    assert USUAL.chance_coming(30) < USUAL.chance_coming(10) < USUAL.chance_coming(0)


def test_a_pause_is_a_break_more_often_than_a_quiet_page() -> None:
    was_here = ((8 * 60.0, NOW - 10),)
    back_paused = sum(1 for s, _ in draws(was_here, paused=NOW - 10) if s)
    back_quiet = sum(1 for s, _ in draws(was_here) if s)
    assert back_paused > back_quiet > 0


def test_lateness_is_learned_from_the_day() -> None:
    punctual = learn_lateness([0.0, 1.0, 2.0, 0.0], [])
    tardy = learn_lateness([40.0, 35.0], [50.0])
    assert punctual.late_share < 0.2 < tardy.late_share
    assert tardy.late_mean_min > punctual.late_mean_min


def _snapshot(second_shift_start: float) -> CentreSnapshot:
    return CentreSnapshot(
        now=NOW,
        opens=8 * 60.0,
        closes=CLOSES,
        turnover_min=1.0,
        waiting=tuple(WaitingPatient(f"A{i}", Priority.STANDARD, NOW - 20 + i) for i in range(8)),
        consultations=(),
        doctors=(
            DoctorDay("d1", DAY, free_from=NOW, present=((8 * 60.0, math.inf),)),
            DoctorDay("d2", ((second_shift_start, CLOSES),)),
        ),
        today_consult_min=(10.0,) * 10,
        history_consult_min=(10.0,) * 50,
        checkins_today=tuple(CheckIn(8 * 60.0 + i, Priority.STANDARD) for i in range(20)),
        left_unseen_today=0,
        presence_known=True,
    )


def test_a_rota_doctor_thirty_minutes_late_has_already_moved_the_estimate() -> None:
    on_time = estimate(_snapshot(NOW)).newcomer[Priority.STANDARD].wait_min
    late = estimate(_snapshot(NOW - 30)).newcomer[Priority.STANDARD].wait_min
    gone = estimate(_snapshot(NOW - 120)).newcomer[Priority.STANDARD].wait_min
    assert on_time < late < gone
    assert late >= on_time + 5


def test_nobody_present_and_nobody_expected_is_no_number() -> None:
    snapshot = _snapshot(NOW - 120)
    alone = dataclasses.replace(snapshot, doctors=snapshot.doctors[1:])
    assert math.isinf(estimate(alone).newcomer[Priority.STANDARD].wait_min)


@pytest.mark.parametrize("seed", [3, 104])
def test_generated_v2_days_depart_from_the_rota_and_keep_the_same_patients(seed: int) -> None:
    plain, real = generate(seed), generate(seed, presence=True)
    assert plain["patients"] == real["patients"]
    assert all("present" in d for d in real["doctors"])
    assert all("present" not in d for d in plain["doctors"])
    assert generate(seed, presence=True) == real
