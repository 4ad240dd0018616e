"""As in tests/security: 127.0.0.1 is a trusted proxy and each test picks a fresh client
address, so anonymous routes (screen pairing) never share rate-limit counters with other
tests or runs on the same Redis."""

from __future__ import annotations

from tests.behind_proxy import client_ip as client_ip
from tests.behind_proxy import settings as settings
