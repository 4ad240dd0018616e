"""Web Push: VAPID keys made once and kept like the secret key; a gone subscription is a
refusal (not retried), a push service's 5xx a retry; the page gets the public key."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from notify.providers import Outgoing, Refused, TryAgain, WebPushProvider
from notify.vapid import KEY_FILE, WebPushKeys
from tests.conftest import StaffClients

pytestmark = pytest.mark.timeout(30)

SUBSCRIPTION = '{"endpoint": "https://push.example/x", "keys": {"p256dh": "k", "auth": "a"}}'


def test_keys_are_generated_once_privately_and_read_again(tmp_path: Path) -> None:
    assert WebPushKeys.load(tmp_path) is None
    made = WebPushKeys.load(tmp_path, create=True)
    assert made is not None
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o077 == 0
    again = WebPushKeys.load(tmp_path)
    assert again is not None and again.public_key == made.public_key
    point = base64.urlsafe_b64decode(made.public_key + "==")
    assert len(point) == 65 and point[0] == 4  # an uncompressed P-256 point


class Answer:
    def __init__(self, status: int) -> None:
        self.status_code = status


@pytest.mark.parametrize(("status", "raised"), [(410, Refused), (404, Refused), (503, TryAgain)])
async def test_push_service_answers_map_to_refusal_or_retry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: int, raised: type[Exception]
) -> None:
    import pywebpush

    def failing(**_: Any) -> None:
        raise pywebpush.WebPushException("push failed", response=Answer(status))

    monkeypatch.setattr(pywebpush, "webpush", failing)
    keys = WebPushKeys.load(tmp_path, create=True)
    assert keys is not None
    provider = WebPushProvider(keys.private_pem, keys.subject)
    with pytest.raises(raised):
        await provider.send(Outgoing("k", "push", SUBSCRIPTION, "A042 — Cabinet 3 — Paris"))


async def test_the_page_gets_the_public_key_and_the_service_worker(clients: StaffClients) -> None:
    visitor = await clients()
    key = (await visitor.get("/api/public/push-key")).json()["public_key"]
    assert isinstance(key, str) and len(key) > 80
    worker = await visitor.get("/t/sw.js")
    assert worker.status_code == 200 and "showNotification" in worker.text
    assert worker.headers["content-type"].startswith("text/javascript")
