"""HTTP protections around every route: cross-site request refusal, rate limits, headers.

Cross-site requests: staff sign in with a session cookie, so a page on another site could make
their browser post to us. We refuse unsafe requests that the browser itself marks as
cross-site (Sec-Fetch-Site) or whose Origin is not ours, as OWASP's "verifying origin with
standard headers" describes, on top of SameSite=Lax cookies. Unlike a double-submit token this
needs no change to pages or their scripts, and API clients that are not browsers (they send
neither header) are unaffected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException, TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.limits import Counters
from service.proxy import TrustedProxies

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# A Host header we are willing to echo into the CSP: a name or address and a port, nothing else.
HOST_RE = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def _header(scope: Scope, name: str) -> str | None:
    return MutableScopeHeaders(scope).get(name)


def _origin_tuple(scheme: str, netloc: str) -> tuple[str, str, int | None]:
    parts = urlsplit(f"{scheme}://{netloc}")
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def is_cross_site(scope: Scope, proxies: TrustedProxies) -> bool:
    """True when a browser tells us the request comes from another site."""
    if _header(scope, "sec-fetch-site") == "cross-site":
        return True
    origin = _header(scope, "origin")
    if origin is None:
        return False  # not a browser, or a same-origin GET turned into a navigation
    if origin == "null":
        return True  # sandboxed frames, data: URLs: never our own pages
    parsed = urlsplit(origin)
    host = _header(scope, "host") or ""
    ours = _origin_tuple(proxies.scheme(scope), host)
    theirs = _origin_tuple(parsed.scheme.lower(), parsed.netloc)
    return ours != theirs


class CrossSiteRefusal(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, proxies: TrustedProxies) -> None:
        self.proxies = proxies

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method", "GET") not in SAFE_METHODS and is_cross_site(scope, self.proxies):
            raise PermissionDeniedException(
                "cross-site request refused / requête d'un autre site refusée"
            )
        await next_app(scope, receive, send)


# --- rate limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRule:
    """At most `per_minute` matching requests per key and minute."""

    name: str
    methods: frozenset[str]
    path: re.Pattern[str]
    per_minute: int
    # Key on the session (a reception tablet), not the address: a whole centre may share one
    # address behind its router. Requests without a session are keyed on the address.
    by_session: bool = False

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.path.search(path) is not None


def default_rate_rules(checkin_per_minute: int, public_per_minute: int) -> list[RateRule]:
    return [
        RateRule(
            "checkin",
            frozenset({"POST"}),
            re.compile(r"^/api/centres/[^/]+/tickets/?$"),
            checkin_per_minute,
            by_session=True,
        ),
        # The public wait board: anonymous, so keyed on the client address.
        RateRule(
            "public",
            frozenset({"GET", "HEAD"}),
            re.compile(r"^/(api/public/|attente/?$)"),
            public_per_minute,
        ),
        # Screen pairing is anonymous too: a TV polls every 3 s (20 a minute); more than 60
        # a minute from one address is someone trying codes or filling the pairing table.
        RateRule(
            "pairing",
            frozenset({"POST"}),
            re.compile(r"^/api/displays/pair(/[^/]*)?/?$"),
            60,
        ),
        # The patient's ticket page and its API, keyed on the address: a phone reloads now
        # and then; someone trying tokens hits the limit long before guessing 128 bits.
        RateRule(
            "patient",
            frozenset({"GET", "HEAD", "POST"}),
            re.compile(r"^/(t/[^/]+/?$|api/patient/)"),
            60,
        ),
        # Joining a queue from home: a few tickets an hour from one address at most (the
        # per-device, per-phone and per-centre caps do the rest).
        RateRule("join", frozenset({"POST"}), re.compile(r"^/api/public/centres/[^/]+/join$"), 5),
    ]


class RateLimits(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(
        self,
        rules: Iterable[RateRule],
        counters: Counters,
        proxies: TrustedProxies,
        session_cookie: str = "session",
    ) -> None:
        self.rules = list(rules)
        self.counters = counters
        self.proxies = proxies
        self.session_cookie = session_cookie

    def _key(self, rule: RateRule, request: Request[Any, Any, Any]) -> str:
        session_id = request.cookies.get(self.session_cookie) if rule.by_session else None
        if session_id and session_id != "null":
            # Hashed: session ids are credentials and should not appear as Redis key names.
            return "s:" + hashlib.sha256(session_id.encode()).hexdigest()[:32]
        return "c:" + self.proxies.client_address(request.scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method, path = str(scope.get("method", "GET")), str(scope.get("path", ""))
        for rule in self.rules:
            if not rule.matches(method, path):
                continue
            key = self._key(rule, Request(scope))
            count, window_left = await self.counters.hit(f"rate:{rule.name}:{key}", 60)
            if count > rule.per_minute:
                raise TooManyRequestsException(
                    "too many requests, try again shortly / trop de requêtes, réessayez bientôt",
                    headers={"Retry-After": str(window_left)},
                )
        await next_app(scope, receive, send)


# --- response headers -----------------------------------------------------------------------


PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "hid=(), browsing-topics=(), autoplay=(self), fullscreen=(self)"
)
# The API documentation page (ReDoc, served from our static files) bootstraps with an inline
# script and inline styles, and runs a worker from a blob; it shows only the public schema, so it
# gets a looser policy than the application's pages, but still nothing from other hosts.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def content_security_policy(host: str | None) -> str:
    """Our own scripts and styles only, no inline script; WebSockets to this host only.

    The screen's chime (WebAudio) and announcements (speechSynthesis) need no source of their
    own; 'self' in connect-src covers ws(s) to the same host in current browsers, the explicit
    ws:/wss: sources cover older ones.
    """
    sockets = f" ws://{host} wss://{host}" if host and HOST_RE.match(host) else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; media-src 'self'; connect-src 'self'{sockets}; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _is_public_cacheable(path: str) -> bool:
    return path.startswith("/static/")


def make_security_headers(proxies: TrustedProxies) -> Any:
    """A before_send hook: it sees every response, 404s and refusals from middleware included."""

    async def security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = str(scope.get("path", ""))
        if "content-security-policy" not in headers:
            docs = path.startswith("/schema") and not path.endswith((".json", ".yaml", ".yml"))
            host = MutableScopeHeaders(scope).get("host")
            headers["Content-Security-Policy"] = DOCS_CSP if docs else content_security_policy(host)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if proxies.scheme(scope) == "https":
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        # Nothing with patient or staff data may sit in a browser or proxy cache; handlers
        # that serve public data may say otherwise themselves.
        if "cache-control" not in headers and not _is_public_cacheable(path):
            headers["Cache-Control"] = "no-store"

    return security_headers


def make_body_too_large(limit_bytes: int) -> Any:
    detail = f"request body too large, at most {limit_bytes // 1024} KiB / requête trop volumineuse"

    def body_too_large(_: Request[Any, Any, Any], __: Exception) -> Response[dict[str, Any]]:
        return Response({"status_code": 413, "detail": detail}, status_code=413)

    return body_too_large
