"""The reference for bench_display.py: a plain `websockets` server that broadcasts each event
it is given to the screens of one centre, with the library's defaults (its permessage-deflate
included), no database, no ordering, no slow-reader handling.

    python -m bench.reference.broadcast_server PORT

Screens connect to /ws/centres/{slug}; the driver connects to /control and sends the event
texts, each with its "centre" slug, to be relayed as they are.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict

from websockets.asyncio.server import ServerConnection, broadcast, serve

screens: dict[str, set[ServerConnection]] = defaultdict(set)


async def handler(ws: ServerConnection) -> None:
    path = ws.request.path if ws.request is not None else ""
    if path.startswith("/control"):
        async for text in ws:
            broadcast(screens[json.loads(text)["centre"]], text)
        return
    slug = path.split("?", 1)[0].rsplit("/", 1)[-1]
    screens[slug].add(ws)
    try:
        await ws.wait_closed()
    finally:
        screens[slug].discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, backlog=4096) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
