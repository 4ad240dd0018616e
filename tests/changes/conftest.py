"""As in tests/security: 127.0.0.1 is a trusted proxy and each test picks a fresh client
address, so anonymous routes (screen pairing) never share rate-limit counters with other
tests or runs on the same Redis."""

from __future__ import annotations

import ipaddress
import random
from dataclasses import replace

import pytest

from service.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, trusted_proxies=("127.0.0.1/32",))


@pytest.fixture
def client_ip() -> str:
    network = ipaddress.ip_network("198.18.0.0/15")
    return str(network[random.SystemRandom().randrange(1, network.num_addresses - 1)])
