"""A request id on every request and in every log line written while serving it.

An ``X-Request-ID`` sent by a trusted proxy (WALKIN_TRUSTED_PROXIES: nginx sets it from its
``$request_id``) is kept, so the proxy's access log and ours name the same request; from anyone
else, or malformed, a new one is made. The answer carries it back in ``X-Request-ID``.
Log records get ``request_id`` (``-`` outside a request) through a filter on the handlers, and
one format; our loggers are named ``walkin.<area>`` (``walkin.queues``, ``walkin.display``,
``walkin.changes``...: one tree, so one line of configuration sets them all).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.proxy import TrustedProxies

HEADER = b"x-request-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def request_id_middleware(proxies: TrustedProxies) -> Any:
    """An ASGI middleware factory (outermost: the id exists for everything after it)."""

    def build(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            given = _header(scope, HEADER)
            client = scope.get("client")
            trusted = proxies.trusts(client[0] if client else None)
            request_id = given if given and trusted and _VALID.match(given) else uuid.uuid4().hex
            token = current.set(request_id)

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                    message["headers"] = [*headers, (HEADER, request_id.encode())]
                await send(message)

            try:
                await app(scope, receive, send_with_id)
            finally:
                current.reset(token)

        return middleware

    return build
