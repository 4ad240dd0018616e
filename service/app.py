"""The application factory: wires every feature into one Litestar app."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin
from litestar import Litestar, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import PermissionDeniedException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.stores.base import Store
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.access import document_anonymous_operations
from service.accounts_api import account_handlers
from service.admin_pages import SHELL_PAGES, admin_page_handlers
from service.allow_header import advertise_every_method
from service.audit_api import audit_handlers
from service.auth import auth_handlers, make_session_auth
from service.db import database_unreachable, make_db_config
from service.errors import DomainError
from service.events import make_channels_plugin
from service.feature import Feature
from service.i18n import install_in_engine
from service.limits import make_counters
from service.metrics import MetricsController, prometheus_config, shell_gauges
from service.nav import install_nav, staff_pages
from service.openapi import document_error_answers
from service.openapi_schema import StrictStructSchemaPlugin
from service.pages import page_handlers, refusal
from service.protections import (
    CrossSiteRefusal,
    RateLimits,
    default_rate_rules,
    make_body_too_large,
    make_security_headers,
)
from service.proxy import TrustedProxies
from service.request_checks import HostileInputRefusal
from service.request_id import request_id_middleware
from service.session_saves import SavesNeverFail
from service.session_store import forget_expired, make_session_store
from service.settings import Settings
from service.state import STATE_KEY, make_shell, shell
from service.text import explain_bad_request

log = logging.getLogger("walkin")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _problem(status: int, detail: str) -> Response[dict[str, Any]]:
    return Response({"status_code": status, "detail": detail}, status_code=status)


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    return _problem(exc.status_code, exc.message)


def integrity_error_handler(
    _: Request[Any, Any, Any], exc: IntegrityError
) -> Response[dict[str, Any]]:
    # A unique or foreign key rule refused the change: the client's data conflicts.
    log.info("integrity error: %s", exc.orig)
    return _problem(HTTP_409_CONFLICT, "conflicts with existing data / conflit avec les données")


RETRY_AFTER_S = 5


def unavailable() -> Response[dict[str, Any]]:
    return Response(
        {
            "status_code": HTTP_503_SERVICE_UNAVAILABLE,
            "detail": "the database cannot be reached, try again in a few seconds"
            " / base de données injoignable, réessayez dans quelques secondes",
        },
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def unreachable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if not database_unreachable(exc):
        return internal_error_handler(request, exc)
    log.warning("database unreachable: %s", type(exc).__name__)  # no parameters: patient data
    return unavailable()


def database_error_handler(
    request: Request[Any, Any, Any], exc: DBAPIError
) -> Response[dict[str, Any]]:
    if database_unreachable(exc):
        return unreachable_handler(request, exc)
    # A data exception (SQLSTATE class 22) is a value the client sent that PostgreSQL refuses
    # (a NUL character in text, a number beyond 64 bits) while SQLite stores it; anything else
    # is ours.
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if not (isinstance(exc, DataError) or sqlstate.startswith("22")):
        return internal_error_handler(request, exc)
    log.info("data error: %s", type(exc.orig).__name__)
    return _problem(
        HTTP_400_BAD_REQUEST,
        "a value cannot be stored (control character or number out of range) / valeur invalide",
    )


def overflow_error_handler(
    _: Request[Any, Any, Any], exc: OverflowError
) -> Response[dict[str, Any]]:
    # SQLite's driver raises it, unwrapped, for an integer beyond 64 bits (an id in a URL).
    log.info("overflow: %s", type(exc).__name__)
    return _problem(HTTP_400_BAD_REQUEST, "a number is out of range / nombre hors limites")


def internal_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # Logged with its traceback (Litestar logs them only in debug mode); the client gets no
    # internals.
    log.error("unhandled error", exc_info=exc)
    return _problem(HTTP_500_INTERNAL_SERVER_ERROR, "internal error / erreur interne")


@get("/health", tags=["service"], media_type=MediaType.JSON, exclude_from_auth=True)
async def health(request: Request[Any, Any, Any]) -> dict[str, Any]:
    # Always 200 while the process serves: with the event bus down, screens still get their
    # updates from the database, so the replica is degraded, not dead.
    events = await shell(request.app).channels.check()
    return {"status": "ok" if events["state"] == "ok" else "degraded", "events": events}


@get("/health/live", tags=["service"], opt={"access": "public"}, exclude_from_auth=True)
async def health_live() -> dict[str, str]:
    """Liveness: the process serves requests (restart it if not)."""
    return {"status": "ok"}


@get("/health/ready", tags=["service"], opt={"access": "public"}, exclude_from_auth=True)
async def health_ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Readiness: send traffic here only while the database answers."""
    try:
        async with asyncio.timeout(3):
            async with shell(request.app).db.get_session() as session:
                await session.execute(text("SELECT 1"))
    except Exception as exc:  # whatever the cause, this replica cannot serve requests now
        log.warning("readiness check failed: %s", type(exc).__name__)
        return Response(
            {"status": "unavailable", "database": "unreachable"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    return Response({"status": "ready", "database": "ok"})


def make_secure_cookies(proxies: TrustedProxies, always: bool) -> Any:
    """A before_send hook: behind a trusted https proxy every cookie is Secure.

    The session middleware's cookie flag is fixed when the app is built and the display
    cookie looked at the scheme of the hop from the proxy (http); the forwarded scheme, as
    trusted for HSTS, is what the browser used.
    """

    async def secure_cookies(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        if not (always or proxies.scheme(scope) == "https"):
            return
        message["headers"] = [
            (name, value + b"; Secure")
            if name.lower() == b"set-cookie" and b"secure" not in value.lower()
            else (name, value)
            for name, value in message.get("headers", ())
        ]

    return secure_cookies


def freeze_startup_objects() -> None:
    """Leave what start-up built (modules, app, metadata) out of garbage collection.

    Measured on the rota views: full collections over ~190k start-up objects paused requests
    by ~100 ms every few requests (bench/bench_rota_views.py); frozen, they are not scanned.
    """
    gc.collect()
    gc.freeze()


def _stores(sessions: Store) -> dict[str, Store]:
    # Registered by name: an unregistered store would silently be per-process memory.
    return {
        # Sessions in the database: shared by replicas, and they survive a Redis outage.
        "sessions": SavesNeverFail(sessions),
    }


PACKAGE_ROOT = Path(__file__).resolve().parent.parent
FEATURE_NAMES = ("queues", "rota", "display", "stats", "network", "notify", "forecast")


def static_routers(enabled: list[Feature]) -> list[Any]:
    """/static/<package>/ serves each package's static/ folder (CSS, a little JavaScript)."""
    routers = []
    for name in ("service", *(feature.name for feature in enabled)):
        folder = PACKAGE_ROOT / name / "static"
        if folder.is_dir():
            routers.append(
                create_static_files_router(
                    path=f"/static/{name}",
                    directories=[folder],
                    opt={"exclude_from_auth": True},
                    include_in_schema=False,
                )
            )
    return routers


def features() -> list[Feature]:
    from display.feature import FEATURE as display
    from forecast.feature import FEATURE as forecast
    from network.feature import FEATURE as network
    from notify.feature import FEATURE as notify
    from queues.feature import FEATURE as queues
    from rota.feature import FEATURE as rota
    from stats.feature import FEATURE as stats

    return [queues, rota, display, stats, network, notify, forecast]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_clock: Callable[[], float] | None = None,
    parts: Iterable[object] = (),
    debug: bool = False,
    freeze_gc: bool = False,
) -> Litestar:
    settings = settings or Settings.from_env()
    db_config = make_db_config(settings)
    channels = make_channels_plugin(settings)
    session_auth = make_session_auth(settings)
    enabled = features()
    sessions, close_sessions = make_session_store(settings)
    proxies = TrustedProxies(settings.trusted_proxies)
    # Rate limits and connection limits: in Redis when configured, so replicas share them.
    counters = make_counters(settings)
    shell_state = make_shell(
        settings,
        db_config,
        channels,
        proxies,
        counters,
        clock=clock or utc_now,
        session_clock=session_clock,
        given=parts,
    )
    for feature in enabled:
        for part in feature.parts(shell_state) if feature.parts else ():
            shell_state.add(part)
    pages = staff_pages([*SHELL_PAGES, *(page for feature in enabled for page in feature.pages)])
    shell_state.add(pages)

    def install_templates(engine: JinjaTemplateEngine) -> None:
        install_in_engine(engine)  # the translation catalogue's t()
        install_nav(engine.engine, pages)  # the top bar's links, from the features' pages

    app = Litestar(
        debug=debug,
        route_handlers=[
            health,
            health_live,
            health_ready,
            *auth_handlers,
            *page_handlers,
            *audit_handlers,
            MetricsController,
            *account_handlers,
            *admin_page_handlers,
            *static_routers(enabled),
            *(handler for feature in enabled for handler in feature.route_handlers),
        ],
        lifespan=[shell_gauges, *(hook for feature in enabled for hook in feature.lifespan)],
        plugins=[SQLAlchemyPlugin(config=db_config), channels, StrictStructSchemaPlugin()],
        on_app_init=[session_auth.on_app_init],
        # Inside the session middleware: refusals still clear an expired session properly.
        middleware=[
            request_id_middleware(proxies),
            # By route template, before any refusal: refused requests are counted too.
            prometheus_config().middleware,
            HostileInputRefusal(settings.max_body_bytes),
            CrossSiteRefusal(proxies),
            RateLimits(
                default_rate_rules(settings.checkin_per_minute, settings.public_per_minute),
                counters,
                proxies,
            ),
        ],
        before_send=[
            make_security_headers(proxies),
            make_secure_cookies(proxies, always=settings.secure_cookies),
        ],
        request_max_body_size=settings.max_body_bytes,
        # Only for a long-running server: a test suite building hundreds of apps would keep
        # every frozen one's garbage cycles for good.
        on_startup=[
            partial(forget_expired, sessions),
            *([freeze_startup_objects] if freeze_gc else []),
        ],
        on_shutdown=[counters.close, close_sessions],
        stores=_stores(sessions),
        state=State({STATE_KEY: shell_state}),
        template_config=TemplateConfig(
            directory=[PACKAGE_ROOT / name / "templates" for name in ("service", *FEATURE_NAMES)],
            engine=JinjaTemplateEngine,
            engine_callback=install_templates,
        ),
        exception_handlers={
            HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
            HTTP_400_BAD_REQUEST: explain_bad_request,
            DomainError: domain_error_handler,
            # A page refused to a browser is an HTML page saying so, the API's refusal JSON.
            PermissionDeniedException: refusal,
            IntegrityError: integrity_error_handler,
            DBAPIError: database_error_handler,
            # The database unreachable: 503 and Retry-After, not 500.
            PoolTimeout: unreachable_handler,
            OSError: unreachable_handler,
            OverflowError: overflow_error_handler,
            HTTP_413_REQUEST_ENTITY_TOO_LARGE: make_body_too_large(settings.max_body_bytes),
        },
        openapi_config=OpenAPIConfig(
            title="Walk-in centres: queue, rota and screens",
            version="0.1.0",
            path="/schema",
            # ReDoc from our own static files (service/static/docs): a CDN is unreachable
            # without internet and refused by our CSP; no Google fonts, no remote favicon.
            render_plugins=[
                RedocRenderPlugin(
                    js_url="/static/service/docs/redoc.standalone.js",
                    google_fonts=False,
                    favicon="",
                )
            ],
        ),
    )
    document_anonymous_operations(app)
    document_error_answers(app)
    advertise_every_method(app)
    return app
