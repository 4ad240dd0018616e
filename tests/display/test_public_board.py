"""The public board: addresses and map links, search by town, sort by wait, French plurals
("0 patient en attente"), English."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from display.public import PublicWait, PublicWaits, board_view, map_link
from rota.models import Centre
from service.i18n import plural_key
from tests.conftest import StaffClients, World

pytestmark = pytest.mark.timeout(60)


def wait(name: str, city: str, minutes: int | None) -> PublicWait:
    return PublicWait(
        slug=name.lower(),
        name=name,
        newcomer_wait=None if minutes is None else {"minutes": minutes, "low": 1, "high": 99},
        waiting=0,
        open_now=True,
        checkin_open=True,
        opening=[],
        city=city,
    )


def test_search_by_town_ignores_case_and_accents_and_sort_by_wait_puts_unknown_last() -> None:
    board = PublicWaits(
        datetime(2026, 11, 24, tzinfo=UTC),
        [wait("A", "Saint-Étienne", 40), wait("B", "Lyon", None), wait("C", "Lyon", 10)],
    )
    assert [c.name for c in board_view(board, "saint-etienne", "name")] == ["A"]
    assert [c.name for c in board_view(board, "", "wait")] == ["C", "A", "B"]
    assert [c.name for c in board_view(board, "LYON", "wait")] == ["C", "B"]


def test_french_takes_the_singular_for_zero_and_one_english_for_one() -> None:
    assert plural_key("fr", "board_waiting", 0) == "board_waiting_one"
    assert plural_key("fr", "board_waiting", 1) == "board_waiting_one"
    assert plural_key("fr", "board_waiting", 2) == "board_waiting_many"
    assert plural_key("en", "board_waiting", 0) == "board_waiting_many"
    assert plural_key("en", "board_waiting", 1) == "board_waiting_one"


def test_the_map_link_is_openstreetmaps_search_for_the_address() -> None:
    link = map_link("12 rue de la Roquette", "Paris")
    assert link == "https://www.openstreetmap.org/search?query=12+rue+de+la+Roquette%2C+Paris"
    assert map_link("", "") is None


async def test_the_board_page_shows_addresses_searches_and_speaks_english(
    clients: StaffClients, world: World, db: async_sessionmaker[AsyncSession]
) -> None:
    async with db() as session:
        await session.execute(
            update(Centre)
            .where(Centre.slug == "lyon")
            .values(address="3 place Charles Béraudier", city="Lyon")
        )
        await session.commit()
    visitor: httpx.AsyncClient = await clients()
    page = (await visitor.get("/attente?lang=fr")).text
    assert "0 patient en attente" in page and "0 patients en attente" not in page
    assert "3 place Charles Béraudier, Lyon" in page and "openstreetmap.org" in page
    found = (await visitor.get("/attente?ville=lyon")).text
    assert "Lyon Part-Dieu" in found and "Paris 11e" not in found
    nothing = (await visitor.get("/attente?ville=nowhere")).text
    assert "Aucun centre pour cette recherche" in nothing
    english = (await visitor.get("/attente?lang=en")).text
    assert "0 patients waiting" in english and '<html lang="en">' in english
