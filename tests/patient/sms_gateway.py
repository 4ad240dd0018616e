"""A local HTTP server playing the SMS provider, on loopback: it answers from a script
(statuses, then 200), keeps every request, and drops a repeated Idempotency-Key as real
gateways do (answering 200 with the first message's id)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Gateway:
    url: str = ""
    script: list[int] = field(default_factory=list)  # statuses to answer first, in order
    requests: list[dict[str, Any]] = field(default_factory=list)
    delivered: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> message
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, key: str, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append({"key": key, "body": body, "auth": auth})
            if self.script:
                status = self.script.pop(0)
                if status != 200:
                    return status, {"error": "scripted"}
            if key in self.delivered:
                return 200, {"id": self.delivered[key]["id"], "duplicate": True}
            message = {"id": f"msg-{len(self.delivered) + 1}", **body}
            self.delivered[key] = message
            return 200, {"id": message["id"]}


@contextmanager
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 10_000)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = gateway.answer(
                self.headers.get("Idempotency-Key", ""), body, self.headers.get("Authorization", "")
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
