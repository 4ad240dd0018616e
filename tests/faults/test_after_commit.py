"""Nothing after a commit turns it into an error answer (issue 11, fault 3).

The trial: a finish committed, then saving the staff session failed on a dead database
connection, the client saw 500 and its retry 409. Here the session store fails its writes
(the database connection it uses is dead) after the change committed.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.sessions import SEEN_STEP_S
from tests.conftest import StaffClients, WallClock

pytestmark = pytest.mark.timeout(30)


def break_session_saves(clients: StaffClients, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every write to the session store from now on fails as on a connection reset."""
    store: Any = clients.app.stores.get("sessions")
    backing = getattr(store, "inner", store)  # the store behind any wrapper
    calls: list[str] = []
    for name in ("set", "delete"):
        original = getattr(type(backing), name)

        async def dying(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if self is not backing:  # other stores of the same class keep working
                return await _original(self, *args, **kwargs)
            calls.append("write")
            raise ConnectionResetError("connection reset by peer")

        monkeypatch.setattr(type(backing), name, dying)
    return calls


async def test_a_committed_finish_is_answered_as_done_when_the_session_cannot_be_saved(
    clients: StaffClients, monkeypatch: pytest.MonkeyPatch, wall_clock: WallClock
) -> None:
    desk = await clients("reception-paris")
    doctor = await clients("doctor-paris")
    assert (await desk.post("/api/centres/paris/tickets", json={})).status_code == 201
    called = await doctor.post("/api/centres/paris/call-next", json={"room": "1"})
    ticket = f"/api/centres/paris/tickets/{called.json()['id']}"
    assert (await doctor.post(f"{ticket}/start")).status_code == 200

    calls = break_session_saves(clients, monkeypatch)
    # An unchanged session is not written back: a use after a while renews its last use.
    wall_clock.offset += SEEN_STEP_S + 1
    finished = await doctor.post(f"{ticket}/finish")
    assert calls, "the session was not saved after the handler: nothing was tried"
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "done"
    assert (await desk.get(ticket)).json()["status"] == "done"


async def test_sign_out_answers_when_the_session_cannot_be_deleted(
    clients: StaffClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = await clients("manager")
    calls = break_session_saves(clients, monkeypatch)
    assert (await manager.post("/api/auth/logout")).status_code == 204
    assert calls
