"""The patient's routes are rate-limited per address: these tests run behind a trusted proxy
(tests/behind_proxy.py) and give each phone a fresh address, so that no two tests, nor two
runs sharing Redis, count against the same limit."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.behind_proxy import settings as settings
from tests.conftest import StaffClients

NETWORK = ipaddress.ip_network("198.18.0.0/15")


IpSource = Callable[[], str]
Phones = Callable[[], Awaitable[httpx.AsyncClient]]


@pytest.fixture
def fresh_ip() -> IpSource:
    draw = random.SystemRandom()
    return lambda: str(NETWORK[draw.randrange(1, NETWORK.num_addresses - 1)])


@pytest.fixture
def phones(clients: StaffClients, fresh_ip: IpSource) -> Phones:
    """A new phone (its own cookies) at its own address."""

    async def one() -> httpx.AsyncClient:
        device = await clients()
        device.headers["X-Forwarded-For"] = fresh_ip()
        return device

    return one
