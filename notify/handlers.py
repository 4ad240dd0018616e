"""Web Push from the ticket page: the server's public VAPID key and the service worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from msgspec import Struct

from notify.vapid import WebPushKeys
from service.state import shell

SERVICE_WORKER = Path(__file__).resolve().parent / "static" / "sw.js"


class PushKey(Struct):
    public_key: str | None  # None: Web Push is not set up on this server


@get("/api/public/push-key", tags=["patient"], cache=False)
async def push_key(request: Request[Any, Any, Any]) -> PushKey:
    keys = shell(request.app).find(WebPushKeys)
    return PushKey(keys.public_key if keys else None)


@get("/t/sw.js", include_in_schema=False, opt={"access": "asset"}, cache=False)
async def service_worker() -> Response[bytes]:
    """Served under /t/ so that its scope covers the ticket pages (a worker's scope is its
    own folder at most)."""
    return Response(
        SERVICE_WORKER.read_bytes(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )
