"""The network home as the app shell sees it."""

from __future__ import annotations

from network.api import network_home, network_mark
from network.pages import home_page
from service.feature import Feature

FEATURE = Feature(name="network", route_handlers=[network_home, network_mark, home_page])
