"""Metrics for operators: Prometheus at /metrics, and the gauges features register.

Request rates and latencies come from Litestar's PrometheusMiddleware, labelled by the route's
path *template* (``group_path=True``): raw paths would put display and calendar tokens in the
labels, and give every ticket id its own time series. The process's own figures (feeds
connected, relay lag, bus restarts, database pool, outbox backlog...) are gauges read when
Prometheus scrapes: a feature registers a callback with ``register_gauge`` for the app's life.

Access: with ``WALKIN_METRICS_TOKEN`` set, a scrape sends ``Authorization: Bearer <token>``;
without it (or without the header) only a direct connection from this machine's loopback,
not forwarded by any proxy, may read the figures (a local Prometheus agent, an operator's
curl). Everything else gets 403: the figures say how busy each centre is.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import REGISTRY, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.state import shell

APP_NAME = "walkin"

# Wait estimates are Monte Carlo runs over the day: their cost grows with the queue.
ESTIMATE_SECONDS = Histogram(
    "walkin_estimate_seconds",
    "Time to compute one centre's wait estimates",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

GaugeCallback = Callable[[], float]


class _Hooks(Collector):
    """Gauges and counters read from callbacks at scrape time; several apps in one process
    (tests) add up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gauges: dict[str, tuple[str, str, list[GaugeCallback]]] = {}

    def add(self, name: str, documentation: str, kind: str, callback: GaugeCallback) -> None:
        with self._lock:
            _, _, callbacks = self._gauges.setdefault(name, (documentation, kind, []))
            callbacks.append(callback)

    def remove(self, name: str, callback: GaugeCallback) -> None:
        with self._lock:
            entry = self._gauges.get(name)
            if entry is not None and callback in entry[2]:
                entry[2].remove(callback)

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            entries = [(n, d, k, list(c)) for n, (d, k, c) in self._gauges.items() if c]
        for name, documentation, kind, callbacks in entries:
            total = 0.0
            for callback in callbacks:
                try:
                    total += float(callback())
                except Exception:  # a broken gauge must not break the scrape
                    continue
            if kind == "counter":
                family: Metric = CounterMetricFamily(name, documentation, value=total)
            else:
                family = GaugeMetricFamily(name, documentation, value=total)
            yield family


_HOOKS = _Hooks()
REGISTRY.register(_HOOKS)


def register_gauge(
    name: str, documentation: str, callback: GaugeCallback, kind: str = "gauge"
) -> Callable[[], None]:
    """Expose ``callback()`` as ``name`` on /metrics; returns the function that removes it.

    The hook for figures a feature owns: the outbox of patient notifications registers
    ``walkin_outbox_backlog`` (messages written, not yet sent) this way."""
    _HOOKS.add(name, documentation, kind, callback)
    return lambda: _HOOKS.remove(name, callback)


@asynccontextmanager
async def gauges(app: Litestar, *hooks: tuple[str, str, GaugeCallback, str]) -> AsyncIterator[None]:
    """Register ``hooks`` for the life of the app (a feature's lifespan enters it)."""
    removers = [register_gauge(name, doc, callback, kind) for name, doc, callback, kind in hooks]
    try:
        yield
    finally:
        for remove in removers:
            remove()


def _pool_figure(app: Litestar, figure: str) -> float:
    pool = shell(app).db.get_engine().sync_engine.pool
    reader = getattr(pool, figure, None)  # SQLite's pools keep no such count
    return float(reader()) if callable(reader) else 0.0


@asynccontextmanager
async def shell_gauges(app: Litestar) -> AsyncIterator[None]:
    """The shell's own figures: the event bus and the database pool."""
    state = shell(app)
    async with gauges(
        app,
        (
            "walkin_channel_backend_restarts_total",
            "Times the event bus backend was rebuilt after failing",
            lambda: state.channels.restarts,
            "counter",
        ),
        (
            "walkin_event_bus_up",
            "1 while the event bus works, 0 while it is down",
            lambda: 1.0 if state.channels.healthy else 0.0,
            "gauge",
        ),
        (
            "walkin_db_pool_checked_out",
            "Database connections in use",
            lambda: _pool_figure(app, "checkedout"),
            "gauge",
        ),
        (
            "walkin_db_pool_size",
            "Database connections the pool keeps",
            lambda: _pool_figure(app, "size"),
            "gauge",
        ),
        (
            "walkin_db_pool_overflow",
            "Connections opened beyond the pool's size",
            lambda: max(0.0, _pool_figure(app, "overflow")),
            "gauge",
        ),
    ):
        yield


_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _from_loopback(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    client = connection.scope.get("client")
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    forwarded = any(
        name in connection.headers for name in ("x-forwarded-for", "forwarded", "x-real-ip")
    )
    return not forwarded and any(address in network for network in _LOOPBACK)


def metrics_access(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    token = shell(connection.app).settings.metrics_token
    given = connection.headers.get("authorization", "")
    if token and given.startswith("Bearer "):
        if hmac.compare_digest(given.removeprefix("Bearer ").encode(), token.encode()):
            return
        raise PermissionDeniedException("wrong metrics token / jeton refusé")
    if _from_loopback(connection):
        return
    raise PermissionDeniedException(
        "metrics: a bearer token, or from this machine only / métriques réservées"
    )


class MetricsController(PrometheusController):
    path = "/metrics"
    guards = [metrics_access]
    opt = {"access": "token", "exclude_from_auth": True}
    include_in_schema = False


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name=APP_NAME,
        prefix=APP_NAME,
        group_path=True,  # path templates, never raw paths: tokens and ids stay out
        exclude=["^/metrics$", "^/static/"],
    )
