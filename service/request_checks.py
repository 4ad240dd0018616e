"""Requests no handler should see: refused with a 4xx (a 44xx close on a WebSocket) first.

Each check here once reached a handler or a library as a 500: a Host or Origin that
`urllib.parse` cannot split (`http://[::1`), a NUL byte in a path (the static files router
opens it), a date Python's calendar cannot step past (`9999-12-01`, one month on), JSON nested
so deep that decoding it exhausts the recursion limit. One middleware on every route, so a new
route cannot forget them. It also refuses bodies that are not JSON on the routes that read
JSON: Litestar decodes any body as JSON whatever its Content-Type says.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from litestar.enums import ScopeType
from litestar.exceptions import (
    ClientException,
    HTTPException,
    WebSocketException,
)
from litestar.middleware import ASGIMiddleware
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from service.text import find_unsafe_character

# Deeper than any body of ours (they are at most three levels) and far below the depth at which
# msgspec's decoder raises RecursionError (about 1,000 with CPython's default limit).
MAX_JSON_DEPTH = 32
# The years a date may name: rotas, audit queries and figures all fall well inside, and a
# month or a week of arithmetic on either side stays within Python's calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2999
LEADING_YEAR = re.compile(r"^\+?(\d{4,})-\d{2}(?:-\d{2})?(?:[T .]|$)")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_TYPE = re.compile(r"^application/(?:[a-z0-9.+-]+\+)?json$")


def authority_problem(value: str) -> str | None:
    """Why a Host value (name or [address], optional port) is unusable, or None."""
    if not value or find_unsafe_character(value) is not None or any(c.isspace() for c in value):
        return "empty or with control characters"
    try:
        parts = urlsplit(f"http://{value}")
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as error:
        return str(error)
    if not parts.hostname or parts.netloc != value or parts.username or parts.path:
        return "not a host name with an optional port"
    return None


def origin_problem(value: str) -> str | None:
    """Why an Origin header (`null` or scheme://host[:port]) is unusable, or None."""
    if value == "null":
        return None
    scheme, sep, authority = value.partition("://")
    if not sep or scheme.lower() not in {"http", "https"}:
        return "not an http(s) origin"
    return authority_problem(authority)


def path_problem(path: str) -> str | None:
    found = find_unsafe_character(path)
    return (
        f"the path holds the character {found} / caractère interdit dans le chemin"
        if found
        else None
    )


def date_problem(values: list[str]) -> str | None:
    for value in values:
        match = LEADING_YEAR.match(value)
        if match and not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
            return f"dates must fall between {FIRST_YEAR} and {LAST_YEAR} / date hors limites"
    return None


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True if arrays and objects nest more than `limit` deep (brackets in strings aside)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the usual small body: not even that many brackets
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _headers(scope: Scope) -> dict[str, str]:
    # latin-1 as ASGI servers give them; the last value wins, as elsewhere in Litestar.
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _reads_json(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    return signature is not None and "data" in signature.parameters


class HostileInputRefusal(ASGIMiddleware):
    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes

    def _refuse(self, scope: Scope, detail: str, status: int = 400) -> None:
        message = detail
        if scope["type"] == ScopeType.WEBSOCKET:
            # A close reason is at most 123 bytes of UTF-8.
            reason = message.encode()[:120].decode(errors="ignore")
            raise WebSocketException(detail=reason, code=4000 + status)
        if status == 400:
            raise ClientException(message)
        raise HTTPException(message, status_code=status)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if (
            scope["type"] == ScopeType.HTTP
            and scope.get("method") in BODY_METHODS
            and _reads_json(scope)
        ):
            receive = await self._checked_json_body(scope, self._check(scope), receive)
        else:
            self._check(scope)
        await next_app(scope, receive, send)

    def _check(self, scope: Scope) -> dict[str, str]:
        """Refuse a malformed request; returns its headers."""
        # Not inline in `handle`: its frame lives as long as the connection (weeks for a
        # screen's WebSocket), and with it any local such as the headers' dict.
        headers = _headers(scope)
        host = headers.get("host")
        origin = headers.get("origin")
        if host is not None and (problem := authority_problem(host)):
            self._refuse(scope, f"malformed Host header ({problem}) / en-tête Host invalide")
        if origin is not None and (problem := origin_problem(origin)):
            self._refuse(scope, f"malformed Origin header ({problem}) / en-tête Origin invalide")
        path = str(scope.get("path", ""))
        if problem := path_problem(path):
            self._refuse(scope, problem)
        query = scope.get("query_string", b"").decode("latin-1")
        values = [v for _, v in parse_qsl(query, keep_blank_values=True)] + path.split("/")
        if problem := date_problem(values):
            self._refuse(scope, problem)
        return headers

    async def _checked_json_body(
        self, scope: Scope, headers: dict[str, str], receive: Receive
    ) -> Receive:
        """Read the body (bounded) and check it; the handler then reads it again."""
        messages: list[ReceiveMessage] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_body_bytes or not message.get("more_body", False):
                break
        complete = size <= self.max_body_bytes
        if size:
            media_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if not JSON_TYPE.match(media_type):
                self._refuse(
                    scope,
                    "send JSON with Content-Type: application/json / envoyez du JSON",
                    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                )
            body = b"".join(
                bytes(m.get("body", b"")) for m in messages if m["type"] == "http.request"
            )
            if complete and json_depth_exceeds(body):
                self._refuse(
                    scope,
                    f"JSON nested too deep (at most {MAX_JSON_DEPTH} levels) / JSON trop imbriqué",
                )
        return _replay(messages, receive)


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
