"""The forecast feature as the app shell sees it."""

from __future__ import annotations

from service.feature import Feature

FEATURE = Feature(name="forecast")
