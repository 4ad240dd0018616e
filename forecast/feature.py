"""The forecast feature as the app shell sees it."""

from __future__ import annotations

from forecast.api import WaitTargetController
from forecast.backtest import main as forecast_backtest  # the `walkin forecast-backtest` command
from forecast.demo import seed_targets
from service.feature import Feature

FEATURE = Feature(name="forecast", route_handlers=[WaitTargetController], demo=seed_targets)

__all__ = ["FEATURE", "forecast_backtest"]
