"""Where outbox messages go: one interface, an HTTP SMS provider, Web Push, and a local file.

A provider raises ``TryAgain`` for what may pass (network, 429, 5xx) and ``Refused`` for what
never will (4xx: a bad number, a dead push subscription); the worker retries the first with
backoff and gives up on the second.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from notify.phones import masked


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str
    channel: str
    recipient: str
    body: str


class TryAgain(Exception):
    pass


class Refused(Exception):
    pass


class Provider(Protocol):
    channel: str

    async def send(self, message: Outgoing) -> str:
        """Deliver; returns the provider's reference of the message."""
        ...


@dataclass
class HttpSmsProvider:
    """A JSON-over-HTTPS SMS gateway: ``POST {url} {"to", "text", "sender"}`` with a bearer
    token and an ``Idempotency-Key`` header (the gateway drops a key it has seen, so a message
    resent after a worker died mid-send reaches the phone once). Set by WALKIN_SMS_URL,
    WALKIN_SMS_TOKEN and WALKIN_SMS_SENDER."""

    url: str
    token: str
    sender: str = "Walkin77"
    timeout_s: float = 10.0
    channel: str = "sms"

    async def send(self, message: Outgoing) -> str:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": message.idempotency_key,
        }
        payload = {"to": message.recipient, "text": message.body, "sender": self.sender}
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                answer = await client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise TryAgain(f"provider unreachable: {type(exc).__name__}") from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TryAgain(f"provider answered {answer.status_code}")
        if answer.status_code >= 400:
            raise Refused(f"provider refused: {answer.status_code}")
        try:
            reference = str(answer.json().get("id", ""))
        except ValueError:
            reference = ""
        return reference[:120]


@dataclass
class FileSender:
    """The embedded default: each message is a line of ``var/messages.log`` (JSON), so that a
    new install shows what patients would receive. The number is masked."""

    path: Path
    channel: str = "sms"

    async def send(self, message: Outgoing) -> str:
        line = json.dumps(
            {
                "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "channel": message.channel,
                "to": masked(message.recipient) if message.channel == "sms" else "push",
                "text": message.body,
                "key": message.idempotency_key,
            },
            ensure_ascii=False,
        )
        await asyncio.to_thread(self._append, line)
        return f"file:{message.idempotency_key}"

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.write(line + "\n")


@dataclass
class WebPushProvider:
    """Web Push with VAPID (pywebpush). pywebpush is synchronous (requests): run in a thread."""

    private_key: str
    subject: str
    channel: str = "push"

    async def send(self, message: Outgoing) -> str:
        return await asyncio.to_thread(self._send, message)

    def _send(self, message: Outgoing) -> str:
        from pywebpush import WebPushException, webpush

        try:
            subscription = json.loads(message.recipient)
        except ValueError as exc:
            raise Refused("not a push subscription") from exc
        try:
            answer = webpush(
                subscription_info=subscription,
                data=json.dumps({"body": message.body}),
                vapid_private_key=self.private_key,
                vapid_claims={"sub": self.subject},
                timeout=10,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410) or (status is not None and 400 <= status < 429):
                raise Refused(f"push service refused: {status}") from exc
            raise TryAgain(f"push service: {status}") from exc
        except Exception as exc:  # requests' network errors
            raise TryAgain(f"push service unreachable: {type(exc).__name__}") from exc
        return str(getattr(answer, "status_code", ""))
