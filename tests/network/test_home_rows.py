"""The home's rows and alerts, from situations stated directly (no server, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from network.home import (
    Alert,
    CentreLoad,
    Estimate,
    HomeRow,
    ScreenState,
    SortKey,
    alerts_of,
    cities,
    home_row,
    select_rows,
    sort_rows,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

QUIET = CentreLoad(
    centre_id=1,
    slug="paris",
    name="Paris Bastille",
    city="Paris",
    time_zone="Europe/Paris",
    open_now=True,
    closes_at=NOW + timedelta(hours=9),
    checkin_open=True,
    waiting=3,
    urgent=0,
    oldest_checked_in=NOW - timedelta(minutes=20),
    newcomer_wait=Estimate(25, 15, 40),
    doctors_in_room=2,
    doctors_on_rota=2,
    doctors_needed=2,
    wait_alert_minutes=45,
    screens=(ScreenState("Salle d'attente", NOW - timedelta(seconds=50)),),
)


def test_a_quiet_centre_has_no_alert_and_shows_its_figures() -> None:
    row = home_row(QUIET, NOW)
    assert row.alerts == ()
    assert row.longest_wait_minutes == 20
    assert (row.waiting, row.doctors_in_room, row.doctors_on_rota, row.doctors_needed) == (
        3,
        2,
        2,
        2,
    )
    assert (row.screens_online, row.screens_total) == (1, 1)


def test_patients_waiting_with_nobody_in_a_room() -> None:
    assert alerts_of(replace(QUIET, doctors_in_room=0), NOW) == (Alert.NOBODY_IN_ROOM,)
    # Nobody waiting, nobody in a room: nothing to act on.
    empty = replace(QUIET, doctors_in_room=0, waiting=0, oldest_checked_in=None)
    assert alerts_of(empty, NOW) == ()


def test_a_wait_past_the_centres_own_threshold() -> None:
    long_wait = replace(QUIET, oldest_checked_in=NOW - timedelta(minutes=46))
    assert alerts_of(long_wait, NOW) == (Alert.WAIT_OVER_THRESHOLD,)
    assert alerts_of(replace(long_wait, wait_alert_minutes=60), NOW) == ()
    exactly = replace(QUIET, oldest_checked_in=NOW - timedelta(minutes=45))
    assert alerts_of(exactly, NOW) == ()


def test_a_screen_silent_for_more_than_five_minutes() -> None:
    silent = (ScreenState("TV", NOW - timedelta(minutes=6)), ScreenState("Hall", NOW))
    row = home_row(replace(QUIET, screens=silent), NOW)
    assert row.alerts == (Alert.SCREEN_OFFLINE,)
    assert (row.screens_online, row.screens_total) == (1, 2)
    never = (ScreenState("TV", None),)
    assert alerts_of(replace(QUIET, screens=never), NOW) == (Alert.SCREEN_OFFLINE,)
    # A closed centre's screens may sleep with the TV.
    assert alerts_of(replace(QUIET, screens=silent, open_now=False), NOW) == ()


def test_check_in_closed_early_but_not_in_the_last_hour() -> None:
    early = replace(QUIET, checkin_open=False, closes_at=NOW + timedelta(hours=3))
    assert alerts_of(early, NOW) == (Alert.CHECKIN_CLOSED_EARLY,)
    late = replace(early, closes_at=NOW + timedelta(minutes=40))
    assert alerts_of(late, NOW) == ()


def test_fewer_doctors_on_the_rota_than_the_cover_needs() -> None:
    assert alerts_of(replace(QUIET, doctors_on_rota=1), NOW) == (Alert.BELOW_COVER,)
    assert alerts_of(replace(QUIET, doctors_on_rota=1, open_now=False), NOW) == ()


def test_alerts_come_most_pressing_first() -> None:
    bad = replace(
        QUIET,
        doctors_in_room=0,
        doctors_on_rota=0,
        oldest_checked_in=NOW - timedelta(minutes=90),
        checkin_open=False,
        screens=(ScreenState("TV", None),),
    )
    assert alerts_of(bad, NOW) == tuple(Alert)


def _rows() -> list[HomeRow]:
    return [
        home_row(QUIET, NOW),
        home_row(
            replace(QUIET, centre_id=2, slug="lyon", name="Lyon", city="Lyon", doctors_in_room=0),
            NOW,
        ),
        home_row(
            replace(
                QUIET,
                centre_id=3,
                slug="arras",
                name="Arras",
                city="Arras",
                waiting=9,
                oldest_checked_in=NOW - timedelta(minutes=50),
            ),
            NOW,
        ),
        home_row(replace(QUIET, centre_id=4, slug="bxl", name="Bruxelles", city="Bruxelles"), NOW),
    ]


def test_sorted_alerts_first_then_by_name_or_load() -> None:
    rows = _rows()
    assert [r.slug for r in sort_rows(rows)] == ["lyon", "arras", "bxl", "paris"]
    assert [r.slug for r in sort_rows(rows, SortKey.NAME)] == ["arras", "bxl", "lyon", "paris"]
    assert next(r.slug for r in sort_rows(rows, SortKey.WAITING)) == "arras"
    assert next(r.slug for r in sort_rows(rows, SortKey.WAIT)) == "arras"
    assert [r.slug for r in sort_rows(rows, SortKey.CITY)] == ["arras", "bxl", "lyon", "paris"]


def test_filtered_by_city_and_alerts() -> None:
    rows = _rows()
    assert [r.slug for r in select_rows(rows, city=" paris ")] == ["paris"]
    assert {r.slug for r in select_rows(rows, alerts_only=True)} == {"lyon", "arras"}
    assert select_rows(rows, city="Lille") == []
    assert cities(rows) == ["Arras", "Bruxelles", "Lyon", "Paris"]
