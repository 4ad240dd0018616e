"""Security tests run the app as production does behind its proxy (see tests/behind_proxy.py):
each test picks its client address and never shares rate-limit counters with another."""

from __future__ import annotations

from tests.behind_proxy import client_ip as client_ip
from tests.behind_proxy import settings as settings
