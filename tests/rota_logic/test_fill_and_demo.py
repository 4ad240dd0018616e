from collections import Counter
from datetime import date, time, timedelta
from functools import cache
from time import perf_counter

from rota.checks import RotaContext, check_shifts
from rota.conflicts import ConflictKind
from rota.coverage import CoverNeeds, CoverSegment, network_coverage
from rota.days import holiday_region
from rota.demo_network import DemoNetwork, build_demo_network
from rota.domain import LeaveSpan
from rota.fill import fill_gaps

from .factories import make_centre, make_doctor, make_shift

LYON = make_centre("lyon", rooms=("1", "2"))
NEEDS = {
    "lyon": CoverNeeds(
        weekday=(CoverSegment(time(8), time(14), 2), CoverSegment(time(14), time(20), 2)),
        weekend=(CoverSegment(time(8), time(20), 1),),
        public_holiday=(CoverSegment(time(8), time(20), 1),),
    )
}
WEEK = (date(2026, 7, 13), date(2026, 7, 19))  # with 14 July


@cache
def demo() -> DemoNetwork:
    return build_demo_network()


def test_fill_covers_what_it_can_without_creating_conflicts() -> None:
    doctors = [make_doctor(f"d{i}", "lyon", weekly_limit_hours=30) for i in range(6)]
    leave = LeaveSpan.for_days("l", "d0", *WEEK, "Europe/Paris")
    result = fill_gaps([LYON], doctors, NEEDS, [], [leave], *WEEK)
    assert result.remaining_gaps == ()
    ctx = RotaContext.build([LYON], doctors, [leave])
    assert check_shifts(result.added, ctx) == []
    assert all(s.doctor_id != "d0" for s in result.added)
    hours = Counter[str]()
    for shift in result.added:
        hours[shift.doctor_id] += int(shift.hours)
    assert max(hours.values()) - min(hours.values()) <= 6  # load is shared
    weekend_days = Counter(
        s.doctor_id for s in result.added if LYON.service_day(s.start).weekday() >= 5
    )
    assert max(weekend_days.values()) == 1  # weekend duty spread, one day each


def test_fill_keeps_existing_shifts_and_leaves_gaps_when_short_of_doctors() -> None:
    doctors = [make_doctor("d1", "lyon", weekly_limit_hours=24), make_doctor("d2", "nice")]
    existing = [make_shift("x", "d1", LYON, WEEK[0], 8, 14, "1")]
    result = fill_gaps([LYON], doctors, NEEDS, existing, [], *WEEK)
    assert {s.doctor_id for s in result.added} == {"d1"}
    assert sum(s.hours for s in result.added) + 6 <= 24
    assert result.remaining_gaps
    assert check_shifts([*existing, *result.added], RotaContext.build([LYON], doctors)) == []


def test_demo_network_is_deterministic_per_seed() -> None:
    again = build_demo_network()
    assert again == demo()
    other = build_demo_network(seed=8)
    assert other.shifts != demo().shifts


def test_demo_network_has_the_expected_shape() -> None:
    network = demo()
    assert len(network.centres) == 26
    assert len(network.doctors) == 350
    assert 10_000 <= len(network.shifts) <= 15_000
    assert len({s.id for s in network.shifts}) == len(network.shifts)
    regions = Counter((c.region.country, c.region.subdivision) for c in network.centres)
    assert regions[("FR", "6AE")] + regions[("FR", "57")] == 2
    assert sum(n for (country, _), n in regions.items() if country == "BE") == 2
    assert {c.time_zone for c in network.centres} >= {"Europe/Paris", "Europe/Brussels"}
    assert all(3 <= len(c.rooms) <= 6 for c in network.centres)
    assert all(1 <= len(d.centre_ids) <= 3 for d in network.doctors)
    assert network.leaves and network.patterns
    assert holiday_region("FR", "67") in {c.region for c in network.centres}


def test_demo_rota_has_a_few_realistic_problems_only() -> None:
    network = demo()
    found = Counter(c.kind for c in check_shifts(network.shifts, network.context()))
    assert found[ConflictKind.DOUBLE_BOOKING] >= 1
    assert found[ConflictKind.ON_LEAVE] >= 1
    assert found[ConflictKind.NOT_ASSIGNED_TO_CENTRE] >= 1
    assert found[ConflictKind.ROOM_DOUBLE_BOOKING] == 0
    assert sum(found.values()) < 60
    days = network_coverage(
        network.centres, network.shifts, network.cover_needs, network.first_day, network.last_day
    )
    gaps = [gap for day in days for gap in day.gaps]
    assert 0 < len(gaps) < len(days) / 4
    assert network.last_day - network.first_day == timedelta(days=30)


def test_checks_and_coverage_stay_fast_on_the_whole_network() -> None:
    """A loose guard against quadratic code; bench/bench_rota_logic.py has the real figures."""
    network = demo()
    context = network.context()
    started = perf_counter()
    check_shifts(network.shifts, context)
    network_coverage(
        network.centres, network.shifts, network.cover_needs, network.first_day, network.last_day
    )
    assert perf_counter() - started < 2.0
