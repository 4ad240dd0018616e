"""Fixtures for running the app as production does behind its proxy: 127.0.0.1 (the test
transport's address) is a trusted proxy, so a test picks its client address with
X-Forwarded-For and never shares rate-limit counters with another test or run (Redis keeps
them between runs). A conftest imports them to apply them to its folder."""

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
    """A fresh address from the benchmarking range (198.18.0.0/15), unique per test."""
    network = ipaddress.ip_network("198.18.0.0/15")
    return str(network[random.SystemRandom().randrange(1, network.num_addresses - 1)])
